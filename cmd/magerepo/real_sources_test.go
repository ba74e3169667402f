package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealSources builds the embedded profile over local clones of the public mirror repositories and verifies
// the result. It needs the clones, so it runs only when MAGEREPO_SOURCES_DIR names a directory laid out for
// --sources-dir (e.g. security-package, inventory, page-builder and release-metadata); CI has no network to
// make them. Sources missing from the directory are reported and skipped by the build itself.
func TestRealSources(t *testing.T) {
	dir := os.Getenv("MAGEREPO_SOURCES_DIR")
	if dir == "" {
		t.Skip("MAGEREPO_SOURCES_DIR not set: no local clones of the mirror repositories")
	}
	out := t.TempDir()
	g, stdout := testGlobals(t)
	err := runBuild(t.Context(), &buildOptions{SourcesDir: dir, Out: out, Cache: t.TempDir(), BaseURL: "https://mirror.example.com/", Jobs: 2}, g)
	if err != nil && !strings.Contains(stdout.String(), "object missing from repository") {
		// snapshots without their largest blobs fail only those packages; anything else is a real failure
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	t.Log(lastLine(stdout.String()))
	var vout bytes.Buffer
	if err := runVerify(t.Context(), &verifyOptions{Deep: true, BaseURL: "https://mirror.example.com/", Jobs: 4}, out, &vout); err != nil {
		t.Fatalf("verify: %v\n%s", err, vout.String())
	}
	t.Log(lastLine(vout.String()))
	if _, err := os.Stat(filepath.Join(out, "packages.json")); err != nil {
		t.Fatal(err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
