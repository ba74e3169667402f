package main

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/sync/hostile"
)

// TestSyncAndVerifyHostileUpstreamFlags runs `magerepo sync` and `magerepo verify` with --stall-timeout,
// --max-metadata-size and --retries against an upstream that drips a dist and sends an oversized p2 file: both
// commands report those items (exit 1) within the stall timeout, and sync leaves the directory unlocked.
func TestSyncAndVerifyHostileUpstreamFlags(t *testing.T) {
	h := hostile.New(hostile.Options{Packages: map[string]hostile.Behaviour{
		"acme/good": hostile.Good, "acme/huge": hostile.Oversized, "acme/drip-dist": hostile.DripDist, "acme/flaky": hostile.Unavailable,
	}, OversizedSize: 32 << 20})
	up := httptest.NewServer(h)
	t.Cleanup(up.Close)
	dir := t.TempDir()
	flags := []string{"--stall-timeout", "1s", "--max-metadata-size", "1MiB", "--retries", "1"}

	for _, args := range [][]string{
		append([]string{"sync", "--base-url", "http://mirror.example/", up.URL, dir}, flags...),
		append([]string{"verify", up.URL}, flags...),
	} {
		var out, errOut bytes.Buffer
		root := newRootCommand(&globalOptions{LogFormat: "text", Quiet: true, stdout: &out, stderr: &errOut})
		root.SetArgs(args)
		start := time.Now()
		err := root.ExecuteContext(t.Context())
		took := time.Since(start)
		if code := exitCode(t.Context(), err); code != exitFailed {
			t.Fatalf("%s: exit %d (%v), want %d\n%s%s", args[0], code, err, exitFailed, out.String(), errOut.String())
		}
		if took > 5*time.Second {
			t.Errorf("%s took %s with --stall-timeout 1s", args[0], took)
		}
		report := out.String() + errOut.String()
		for _, want := range []string{"acme/huge", "body too large: more than 1048576 bytes", "acme/drip-dist-1.0.0.zip", "transfer stalled"} {
			if !strings.Contains(report, want) {
				t.Errorf("%s: output lacks %q:\n%s", args[0], want, report)
			}
		}
		if strings.Contains(report, "acme/flaky") || strings.Contains(report, "acme/good") {
			t.Errorf("%s: the packages that came through are reported:\n%s", args[0], report)
		}
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatalf("directory still locked after sync: %v", err)
	}
	r.Close()
}

func TestByteSizeFlag(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		str  string
	}{
		{"64MiB", 64 << 20, "64MiB"}, {"1048576", 1 << 20, "1MiB"}, {"512K", 512 << 10, "512KiB"},
		{"2 GiB", 2 << 30, "2GiB"}, {"1500", 1500, "1500"}, {"10B", 10, "10"},
	} {
		var s byteSize
		if err := s.Set(tc.in); err != nil || int64(s) != tc.want || s.String() != tc.str {
			t.Errorf("Set(%q) = %d %q, %v; want %d %q", tc.in, s, s.String(), err, tc.want, tc.str)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "1.5MiB", "lots", "99999999999GiB"} {
		var s byteSize
		if err := s.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted: %d", bad, s)
		}
	}
}
