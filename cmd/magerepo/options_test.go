package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/repo"
)

// TestSourcesDirMustHoldSources: a --sources-dir that does not exist, or holds none of the profile's sources,
// is a usage error that publishes nothing (a typo used to build an empty repository that looked valid).
func TestSourcesDirMustHoldSources(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, "https://r.example/", "mageos")
	for _, dir := range []string{filepath.Join(t.TempDir(), "nosuch"), t.TempDir()} {
		out := t.TempDir()
		g, stdout := testGlobals(t)
		err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 1, SourcesDir: dir}, g)
		if got := exitCode(t.Context(), err); got != exitUsage || !strings.Contains(err.Error(), "--sources-dir") {
			t.Fatalf("--sources-dir %s: exit %d (%v), want %d\n%s", dir, got, err, exitUsage, stdout)
		}
		if _, err := os.Stat(filepath.Join(out, "packages.json")); err == nil {
			t.Errorf("--sources-dir %s: packages.json was written", dir)
		}
	}
}

// TestFirstBuildWithUnreadableSourcePublishesNothing: a new repository is not published with holes; once the
// source can be read, the next run publishes everything.
func TestFirstBuildWithUnreadableSourcePublishesNothing(t *testing.T) {
	f := newFixture(t)
	moved := f.lib.Dir + ".moved"
	if err := os.Rename(f.lib.Dir, moved); err != nil {
		t.Fatal(err)
	}
	y := "base-url: https://r.example/\nsources:\n" +
		"  - name: modules\n    path: " + f.modules.Dir + "\n    packages:\n      - each-dir: \"\"\n        exclude: [.github/, _metapackage/]\n" +
		"  - name: lib\n    url: file://" + f.lib.Dir + "\n    packages:\n      - dir: \"\"\n"
	cfg := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(cfg, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	out, cache := t.TempDir(), t.TempDir()
	g, stdout := testGlobals(t)
	err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: cache, Jobs: 1}, g)
	if got := exitCode(t.Context(), err); got != exitFailed || !strings.Contains(err.Error(), "nothing published") {
		t.Fatalf("exit %d (%v), want %d\n%s", got, err, exitFailed, stdout)
	}
	for _, p := range []string{"packages.json", "index.html", "p2", "dist"} {
		if _, err := os.Stat(filepath.Join(out, p)); err == nil {
			t.Errorf("%s exists after a first build that published nothing", p)
		}
	}
	if ents, _ := os.ReadDir(cache); len(ents) != 0 {
		t.Errorf("the failed fetch left %d entries in the cache", len(ents))
	}
	if err := os.Rename(moved, f.lib.Dir); err != nil {
		t.Fatal(err)
	}
	if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: cache, Jobs: 1}, g); err != nil {
		t.Fatalf("second build: %v\n%s", err, stdout)
	}
	assertBuilt(t, out, "packages.json", "dist/acme/lib-2.1.0.zip", "dist/acme/module-a-100.1.0.zip")
}

// TestRendererChangeRepublishes: a no-op run writes nothing, unless the last publish was rendered by a
// magerepo that renders differently (repo.RenderVersion): then the pages and metadata are brought up to date.
func TestRendererChangeRepublishes(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, "https://r.example/", "mageos")
	out := t.TempDir()
	buildExpectingFailure(t, cfg, out, exitOK)
	index := filepath.Join(out, "index.html")
	want := readFile(t, index)
	os.WriteFile(index, []byte("<p>rendered by an older magerepo</p>"), 0o644)
	buildExpectingFailure(t, cfg, out, exitOK)
	if readFile(t, index) == want {
		t.Fatal("a no-op run rewrote index.html")
	}
	statePath := filepath.Join(out, ".magerepo", "build-state.json")
	state := readFile(t, statePath)
	old := strings.Replace(state, fmt.Sprintf(`"renderer": %d`, repo.RenderVersion), `"renderer": 1`, 1)
	if old == state {
		t.Fatalf("build-state.json records no renderer:\n%s", state)
	}
	os.WriteFile(statePath, []byte(old), 0o644)
	buildExpectingFailure(t, cfg, out, exitOK)
	if readFile(t, index) != want {
		t.Fatal("the run after a renderer change did not republish index.html")
	}
}
