package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/sync"
)

// TestSyncFromBuiltRepository builds the fixture from git, serves it with magerepo's server, syncs a local copy
// (as a hoster would), and checks that the copy verifies clean, every dist is byte-identical to upstream's, a
// second sync downloads nothing, and Composer installs from the copy.
func TestSyncFromBuiltRepository(t *testing.T) {
	f := newFixture(t)
	upLn, upBase := listen(t)
	up := t.TempDir()
	g, stdout := testGlobals(t)
	if err := runBuild(t.Context(), &buildOptions{Config: f.config(t, upBase, "mageos"), Out: up, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	serveDir(t, upLn, up)

	localLn, localBase := listen(t)
	local := t.TempDir()
	runOnce := func() string {
		g, stdout := testGlobals(t)
		if err := runSync(t.Context(), &syncOptions{Options: sync.Options{BaseURL: localBase, DistDir: "dist", Jobs: 4, Retries: 2}, JSON: true}, g, upBase, local); err != nil {
			t.Fatalf("sync: %v\n%s", err, stdout)
		}
		return stdout.String()
	}
	runOnce()
	upFiles, localFiles := treeHashes(t, filepath.Join(up, "dist")), treeHashes(t, filepath.Join(local, "dist"))
	if len(upFiles) < 10 || len(upFiles) != len(localFiles) {
		t.Fatalf("upstream has %d dists, the copy %d", len(upFiles), len(localFiles))
	}
	for p, h := range upFiles {
		if localFiles[p] != h {
			t.Errorf("dist %s differs from upstream", p)
		}
	}
	before := mtimes(t, local)
	second := runOnce()
	for p, m := range mtimes(t, local) {
		if !strings.HasPrefix(p, ".magerepo") && !before[p].Equal(m) {
			t.Errorf("%s rewritten by a no-op sync", p)
		}
	}
	if !strings.Contains(second, `"downloaded": 0`) || !strings.Contains(second, `"metadata_fetched": 0`) {
		t.Fatalf("a second sync with no upstream change downloaded something: %s", second)
	}
	serveDir(t, localLn, local)
	var out strings.Builder
	if err := runVerify(t.Context(), &verifyOptions{Deep: true, BaseURL: localBase, Against: upBase, Jobs: 4}, local, &out); err != nil {
		t.Fatalf("verify of the copy: %v\n%s", err, out.String())
	}
	project := t.TempDir()
	os.WriteFile(filepath.Join(project, "composer.json"), []byte(`{"repositories": [{"type": "composer", "url": "`+localBase+`"}, {"packagist.org": false}],
  "require": {"acme/suite": "1.0.1"}, "config": {"secure-http": false}}`), 0o644)
	if msg, err := runComposer(t, project, "install"); err != nil {
		t.Fatalf("composer install from the copy: %v\n%s", err, msg)
	}
	checkInstalled(t, project, "acme/module-a", "", gitTreeFiles(t, f.modules, "1.0.1", "ModuleA"), "100.0.1")
}
