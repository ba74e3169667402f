package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildInstallsWithComposer builds the fixture, serves it on 127.0.0.1 and lets the real Composer client
// install the metapackage and its modules; the installed files must equal the git trees at the tag.
func TestBuildInstallsWithComposer(t *testing.T) {
	requireTool(t, "composer")
	f := newFixture(t)
	ln, base := listen(t)
	out := t.TempDir()
	g, stdout := testGlobals(t)
	opts := &buildOptions{Config: f.config(t, base, "deflate"), Out: out, Cache: t.TempDir(), Jobs: 2}
	if err := runBuild(t.Context(), opts, g); err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	serveDir(t, ln, out)

	project := t.TempDir()
	cj := `{"name": "test/project", "repositories": [{"type": "composer", "url": "` + base + `"}, {"packagist.org": false}],
  "require": {"acme/suite": "1.1.0"}, "config": {"secure-http": false}}`
	if err := os.WriteFile(filepath.Join(project, "composer.json"), []byte(cj), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := runComposer(t, project, "install"); err != nil {
		t.Fatalf("composer install: %v\n%s", err, msg)
	}
	checkInstalled(t, project, "acme/module-a", f.modules.Dir, gitTreeFiles(t, f.modules, "1.1.0", "ModuleA"), "100.1.0")
	checkInstalled(t, project, "acme/module-b", f.modules.Dir, gitTreeFiles(t, f.modules, "1.1.0", "ModuleB"), "100.1.0")
	checkInstalled(t, project, "acme/lib", f.lib.Dir, gitTreeFiles(t, f.lib, "2.1.0", ""), "2.1.0")
	if fi, err := os.Stat(filepath.Join(project, "vendor/acme/module-a/bin/tool")); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("bin/tool lost its executable bit: %v", err)
	}
}

// checkInstalled compares vendor/<name> with the git files (composer.json is the generated one: only its
// version is checked).
func checkInstalled(t *testing.T, project, name, _ string, want map[string]string, version string) {
	t.Helper()
	dir := filepath.Join(project, "vendor", filepath.FromSlash(name))
	got := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	var doc struct{ Name, Version string }
	if err := json.Unmarshal([]byte(got["composer.json"]), &doc); err != nil || doc.Name != name || doc.Version != version {
		t.Errorf("%s: installed composer.json = %+v (%v), want version %s", name, doc, err, version)
	}
	delete(got, "composer.json")
	delete(want, "composer.json")
	if len(got) != len(want) {
		t.Errorf("%s: installed %d files, git tree has %d", name, len(got), len(want))
	}
	for p, c := range want {
		if got[p] != c {
			t.Errorf("%s: %s differs from git (%q vs %q)", name, p, got[p], c)
		}
	}
}

// TestBuildDeterministicAcrossJobs builds the same sources with 1 and 8 workers: every output file (except the
// run report) must be byte-identical.
func TestBuildDeterministicAcrossJobs(t *testing.T) {
	f := newFixture(t)
	var trees []map[string]string
	for _, jobs := range []int{1, 8} {
		out := t.TempDir()
		g, stdout := testGlobals(t)
		opts := &buildOptions{Config: f.config(t, "https://repo.example.com/", "mageos"), Out: out, Cache: t.TempDir(), Jobs: jobs}
		if err := runBuild(t.Context(), opts, g); err != nil {
			t.Fatalf("jobs %d: %v\n%s", jobs, err, stdout)
		}
		trees = append(trees, treeHashes(t, out))
	}
	sameTrees(t, trees[0], trees[1], 10, "--jobs 1 and --jobs 8")
}

// TestBuildIncremental: a second run with no new tags rewrites nothing (mtimes unchanged); a new tag builds
// only that tag's new versions.
func TestBuildIncremental(t *testing.T) {
	f := newFixture(t)
	out := t.TempDir()
	cfg := f.config(t, "https://repo.example.com/", "mageos")
	build := func() string {
		g, stdout := testGlobals(t)
		if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
			t.Fatalf("build: %v\n%s", err, stdout)
		}
		return stdout.String() + problemLines(t, out)
	}
	build()
	before := mtimes(t, out)
	time.Sleep(20 * time.Millisecond) // mtime resolution: a rewrite would show
	if s := build(); !strings.Contains(s, "built 0,") || !strings.Contains(s, "0 new tags") {
		t.Fatalf("no-op run summary: %s", s)
	}
	for p, m := range mtimes(t, out) {
		if !strings.HasPrefix(p, ".magerepo") && before[p] != m {
			t.Errorf("%s was rewritten by a no-op run", p)
		}
	}
	// a new tag: only module-b changes version; module-a keeps 100.1.0 (already published, not rebuilt)
	f.modules.Write(map[string]string{"ModuleB/composer.json": strings.Replace(
		readFile(t, filepath.Join(f.modules.Dir, "ModuleB/composer.json")), "100.1.0", "100.1.1", 1),
		"ModuleA/extra.txt": "changed content, same version: must not be rebuilt"})
	f.modules.CommitTag("1.1.1")
	s := build()
	// new: module-b 100.1.1; reused: module-a 100.1.0 and acme/suite 1.1.0 (its version did not change)
	if !strings.Contains(s, "built 1, reused 2,") || !strings.Contains(s, "1 new tags") {
		t.Fatalf("new-tag run summary (want only module-b 100.1.1 built): %s", s)
	}
	if !strings.Contains(s, "acme/module-a 100.1.0") {
		t.Errorf("the changed content of published module-a 100.1.0 was not reported: %s", s)
	}
	if _, err := os.Stat(filepath.Join(out, "dist/acme/module-b-100.1.1.zip")); err != nil {
		t.Fatal(err)
	}
	after := mtimes(t, out)
	if after["dist/acme/module-a-100.1.0.zip"] != before["dist/acme/module-a-100.1.0.zip"] {
		t.Error("published module-a 100.1.0 was rewritten")
	}
	// A new base URL is refused unless asked for (exit 2, nothing rewritten); asked for, with nothing else new,
	// it republishes the metadata (dist URLs change, archives do not).
	before = mtimes(t, out)
	g, stdout := testGlobals(t)
	moved := &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2, BaseURL: "https://moved.example.com/"}
	if err := runBuild(t.Context(), moved, g); exitCode(t.Context(), err) != exitUsage {
		t.Fatalf("build with another --base-url: %v, want a usage error\n%s", err, stdout)
	}
	for p, m := range mtimes(t, out) {
		if !strings.HasPrefix(p, ".magerepo") && before[p] != m {
			t.Errorf("%s was rewritten by a refused run", p)
		}
	}
	moved.ChangeURL = true
	if err := runBuild(t.Context(), moved, g); err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	if p2 := readFile(t, filepath.Join(out, "p2/acme/lib.json")); !strings.Contains(p2, "https://moved.example.com/dist/acme/lib-2.1.0.zip") {
		t.Fatalf("metadata not republished for the new base URL: %s", p2)
	}
}

func mtimes(t *testing.T, dir string) map[string]time.Time {
	out := map[string]time.Time{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fi, _ := d.Info()
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = fi.ModTime()
		}
		return nil
	})
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// errorsIsPartial reports whether err maps to exit status 1.
func errorsIsPartial(err error) bool { return errors.Is(err, errPartial) }
