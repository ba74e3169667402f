package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVerifyOnBuildOutput runs verify on real build output: clean locally and over HTTP from magerepo serve;
// two builds of the same sources (in different time zones) compare equal with --against; after one archive is
// changed, exactly that one is reported.
func TestVerifyOnBuildOutput(t *testing.T) {
	f := newFixture(t)
	ln, base := listen(t)
	cfg := f.config(t, base, "mageos")
	outs := []string{t.TempDir(), t.TempDir()}
	for i, out := range outs {
		if i == 1 {
			saved := time.Local
			time.Local = time.FixedZone("Kiritimati", 14*3600) // output must not depend on the time zone
			defer func() { time.Local = saved }()
		}
		g, stdout := testGlobals(t)
		if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 1 + 3*i}, g); err != nil {
			t.Fatalf("build: %v\n%s", err, stdout)
		}
	}
	serveDir(t, ln, outs[0])
	for _, target := range []string{outs[0], base} {
		var out bytes.Buffer
		if err := runVerify(t.Context(), &verifyOptions{Deep: true, Own: []string{"acme/*"}, BaseURL: base, Jobs: 4}, target, &out); err != nil {
			t.Fatalf("verify %s: %v\n%s", target, err, out.String())
		}
		if !strings.Contains(out.String(), ": 0 problems") {
			t.Fatalf("verify %s: %s", target, out.String())
		}
	}
	var out bytes.Buffer
	if err := runVerify(t.Context(), &verifyOptions{Against: outs[1], BaseURL: base, Jobs: 4}, outs[0], &out); err != nil {
		t.Fatalf("--against identical builds: %v\n%s", err, out.String())
	}
	// Change one archive of the second build behind its metadata's back: verify must report exactly that one.
	zip := filepath.Join(outs[1], "dist/acme/lib-2.0.0.zip")
	b, _ := os.ReadFile(zip)
	b[len(b)-30] ^= 0xff
	os.WriteFile(zip, b, 0o644)
	out.Reset()
	err := runVerify(t.Context(), &verifyOptions{BaseURL: base, Jobs: 4}, outs[1], &out)
	if exitCode(t.Context(), err) != exitFailed {
		t.Fatalf("verify of a changed archive: %v\n%s", err, out.String())
	}
	// The flipped byte may also land in an entry name the archive check then reports: every problem is that
	// archive's, and its checksum is one.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	checksum := false
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "acme/lib 2.0.0:") {
			t.Fatalf("want problems of acme/lib 2.0.0 only, got:\n%s", out.String())
		}
		checksum = checksum || strings.Contains(l, "dist sha-1 is")
	}
	if !checksum {
		t.Fatalf("the changed archive's checksum is not reported:\n%s", out.String())
	}
}
