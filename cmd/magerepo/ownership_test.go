package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/sync"
)

// syncOnce runs `magerepo sync` with fast retries and returns its exit status.
func syncOnce(t *testing.T, upstream, dir, baseURL string) int {
	t.Helper()
	g, _ := testGlobals(t)
	opts := &syncOptions{Options: sync.Options{BaseURL: baseURL, Jobs: 2, Retries: 1, Backoff: time.Millisecond}}
	return exitCode(t.Context(), runSync(t.Context(), opts, g, upstream, dir))
}

// unchanged fails if a published file of dir differs from before (by modification time).
func unchanged(t *testing.T, dir string, before map[string]time.Time) {
	t.Helper()
	after := mtimes(t, dir)
	for p, m := range after {
		if !strings.HasPrefix(p, ".magerepo") && before[p] != m {
			t.Errorf("%s changed", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d files before, %d after", len(before), len(after))
	}
}

// TestSyncRefusesBuildOutput: syncing into the directory a build maintains (while it is being served) is refused
// with exit 2 and changes nothing; so is building into a sync's directory.
func TestSyncRefusesBuildOutput(t *testing.T) {
	f := newFixture(t)
	ln, base := listen(t)
	built := t.TempDir()
	buildExpectingFailure(t, f.config(t, base, "mageos"), built, 0)
	serveDir(t, ln, built)
	before := mtimes(t, built)
	if got := syncOnce(t, base, built, "http://127.0.0.1:1/"); got != exitUsage {
		t.Fatalf("sync into a build's directory: exit %d, want %d", got, exitUsage)
	}
	unchanged(t, built, before)

	copyDir := t.TempDir()
	if got := syncOnce(t, base, copyDir, "http://127.0.0.1:2/"); got != 0 {
		t.Fatalf("sync into a new directory: exit %d", got)
	}
	before = mtimes(t, copyDir)
	buildExpectingFailure(t, f.config(t, "http://127.0.0.1:2/", "mageos"), copyDir, exitUsage)
	unchanged(t, copyDir, before)
}

// TestBuildRefusesForeignDirectory: a non-empty directory without magerepo's state (another tool's docroot) is
// refused before anything in it changes.
func TestBuildRefusesForeignDirectory(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>someone else's site</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	buildExpectingFailure(t, f.config(t, "https://r.example/", "mageos"), dir, exitUsage)
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("the foreign directory was changed: %v", ents)
	}
}

// TestNewRepositoryNeedsBaseURL: the embedded profile's example URL is never published: a first build without
// --base-url is a usage error that writes nothing, with the embedded profile as with a profile that sets none.
func TestNewRepositoryNeedsBaseURL(t *testing.T) {
	f := newFixture(t)
	for _, cfg := range []string{"", f.config(t, "", "mageos")} {
		out := t.TempDir()
		g, stdout := testGlobals(t)
		err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 1}, g)
		if got := exitCode(t.Context(), err); got != exitUsage || !strings.Contains(err.Error(), "--base-url") {
			t.Fatalf("config %q: exit %d (%v), want %d naming --base-url\n%s", cfg, got, err, exitUsage, stdout)
		}
		if _, err := os.Stat(filepath.Join(out, "packages.json")); err == nil {
			t.Errorf("config %q: packages.json was written", cfg)
		}
	}
}

// TestUpdateKeepsRecordedBaseURL: an update without --base-url (as `serve --update-every` runs one) publishes at
// the recorded URL, also when the update fails, never at the profile's or an example one.
func TestUpdateKeepsRecordedBaseURL(t *testing.T) {
	f := newFixture(t)
	out := t.TempDir()
	g, stdout := testGlobals(t)
	noURL := f.config(t, "", "mageos")
	if err := runBuild(t.Context(), &buildOptions{Config: noURL, Out: out, Cache: t.TempDir(), Jobs: 1, BaseURL: "http://127.0.0.1:8081/"}, g); err != nil {
		t.Fatalf("first build: %v\n%s", err, stdout)
	}
	f.modules.Write(map[string]string{"ModuleB/composer.json": `{"name": "acme/module-b", "version": "100.2.0",`})
	f.modules.CommitTag("1.2.0")
	if _, err := buildOnce(t.Context(), g, buildOptions{Config: noURL, Cache: t.TempDir()}, out); exitCode(t.Context(), err) != exitFailed {
		t.Fatalf("failing update: %v, want a partial failure", err)
	}
	p2 := readFile(t, filepath.Join(out, "p2/acme/module-a.json"))
	if !strings.Contains(p2, "http://127.0.0.1:8081/dist/acme/module-a-") || strings.Contains(p2, "https://") {
		t.Fatalf("dist URLs moved:\n%s", p2)
	}
}
