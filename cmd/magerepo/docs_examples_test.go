package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocumentedOutput runs the commands whose output docs/cli.md shows (every --json document, and config check
// on a profile with three mistakes) on the test fixture, and checks that the documentation shows exactly that
// output; -update rewrites it. Only what differs between runs is replaced: durations, temporary paths, ports.
func TestDocumentedOutput(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	ln, base := listen(t)
	cfg := f.config(t, base, "mageos")
	out, cache := filepath.Join(dir, "public"), t.TempDir()
	if _, stderr, code := runCLI(t, "build", "--config", cfg, "--out", out, "--cache", cache); code != exitOK {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	serveDir(t, ln, out)
	// The second build meets an invalid composer.json and an upstream conflict: a report with problems.
	f.modules.Write(map[string]string{"ModuleB/composer.json": `{"name": "acme/module-b", "version": "100.2.0",`,
		"ModuleA/extra.txt": "changed content, same version"})
	f.modules.CommitTag("1.2.0")

	normalize := func(s string) string {
		s = strings.ReplaceAll(s, base, "http://127.0.0.1:8080/")
		s = strings.ReplaceAll(s, strings.TrimSuffix(base, "/"), "http://127.0.0.1:8080")
		s = strings.ReplaceAll(s, dir+"/", "")
		s = strings.ReplaceAll(s, f.modules.Dir, "/src/modules")
		s = regexp.MustCompile(`"duration_seconds": [0-9.]+`).ReplaceAllString(s, `"duration_seconds": 0.042`)
		s = regexp.MustCompile(`"bytes_received": [0-9]+`).ReplaceAllString(s, `"bytes_received": 10240`)
		return s
	}
	jsonOf := func(wantCode int, args ...string) string {
		t.Helper()
		stdout, stderr, code := runCLI(t, args...)
		if code != wantCode {
			t.Fatalf("magerepo %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, wantCode, stdout, stderr)
		}
		return fence("json", normalize(stdout))
	}

	docBlock(t, "docs/cli.md", "build --json", jsonOf(exitFailed, "build", "--config", cfg, "--out", out, "--cache", cache, "--json", "-q"))
	docBlock(t, "docs/cli.md", "sync --json", jsonOf(exitOK, "sync", "--json", "-q", "--base-url", "https://copy.example.com/", base, filepath.Join(dir, "copy")))
	corruptCopy(t, out, filepath.Join(dir, "corrupt"))
	docBlock(t, "docs/cli.md", "verify --json", jsonOf(exitFailed, "verify", "--json", "-q", "--base-url", base, filepath.Join(dir, "corrupt")))

	// version --json: the fields, whatever this test binary recorded.
	stdout, _, _ := runCLI(t, "version", "--json")
	for _, k := range []string{`"module"`, `"revision"`, `"time"`, `"dirty"`, `"go"`} {
		if !strings.Contains(stdout, k) {
			t.Errorf("version --json lacks %s: %s", k, stdout)
		}
	}

	// config check: a profile with three mistakes, every one reported at once.
	src, err := os.ReadFile(filepath.Join("..", "..", "internal", "config", "testdata", "three-mistakes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(dir, "mirror.yaml")
	os.WriteFile(profile, src, 0o644)
	stdout, stderr, code := runCLI(t, "config", "check", profile)
	if code != exitUsage {
		t.Fatalf("config check: exit %d", code)
	}
	var numbered strings.Builder
	for i, l := range strings.SplitAfter(strings.TrimSuffix(string(src), "\n"), "\n") {
		fmt.Fprintf(&numbered, "%2d  %s", i+1, l)
	}
	docBlock(t, "docs/cli.md", "config check", fence("yaml", numbered.String())+"\n"+
		fence("console", "$ magerepo config check mirror.yaml\n"+normalize(stdout)+normalize(stderr)+"$ echo $?\n2"))
}
