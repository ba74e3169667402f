package build

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// nightlyFixture is two repositories built from their main branches: modules (each-dir: two modules, one
// requiring the other and lib) and lib (one package), each with a release tag and, on modules, a commit after it
// whose modules carry no version (as Magento's development branches do).
type nightlyFixture struct {
	modules, lib *gittest.Repo
	out, cache   string
}

func newNightlyFixture(t *testing.T) *nightlyFixture {
	t.Helper()
	f := &nightlyFixture{modules: gittest.New(t), lib: gittest.New(t), out: t.TempDir(), cache: t.TempDir()}
	f.lib.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/lib", "2.0.0", nil), "Lib.php": "<?php\n"})
	f.lib.CommitTag("2.0.0") // 2024-01-01
	f.modules.Write(map[string]string{
		"ModuleA/composer.json": gittest.ComposerJSON("acme/module-a", "100.1.0", nil),
		"ModuleA/a.php":         "<?php // a 1\n",
		"ModuleB/composer.json": gittest.ComposerJSON("acme/module-b", "100.1.0",
			map[string]string{"acme/module-a": "^100.1", "acme/lib": "^2.0", "php": ">=8.1"}),
	})
	f.modules.CommitTag("1.1.0") // 2024-01-01
	f.modules.Write(map[string]string{
		"ModuleA/composer.json": gittest.ComposerJSON("acme/module-a", "", nil),
		"ModuleB/composer.json": gittest.ComposerJSON("acme/module-b", "", map[string]string{"acme/module-a": "*", "acme/lib": "*"}),
		"ModuleA/a.php":         "<?php // a 2\n",
	})
	f.modules.Commit("develop") // 2024-01-02
	return f
}

func (f *nightlyFixture) profile(t *testing.T, keep int) *config.Config {
	t.Helper()
	y := "archive-format: mageos\nbase-url: https://nightly.example/\n" +
		"sources:\n" +
		"  - {name: modules, path: " + f.modules.Dir + ", branch: main, packages: [{each-dir: \"\"}]}\n" +
		"  - {name: lib, path: " + f.lib.Dir + ", branch: main, packages: [{dir: \"\"}]}\n"
	if keep > 0 {
		y += "nightly: {keep: " + strconv.Itoa(keep) + "}\n"
	}
	c, err := config.Parse([]byte(y), "nightly.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *nightlyFixture) build(t *testing.T, keep, jobs int) *Summary {
	t.Helper()
	s, err := Run(t.Context(), Options{Config: f.profile(t, keep), Out: f.out, CacheDir: f.cache, Jobs: jobs})
	if err != nil {
		t.Fatalf("build: %v %+v", err, s)
	}
	return s
}

// commitAt commits the work tree of r with committer and author date date (RFC 3339).
func commitAt(t *testing.T, r *gittest.Repo, date string) {
	t.Helper()
	for _, args := range [][]string{{"add", "-A"}, {"commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", "at " + date}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = r.Dir
		cmd.Env = append(gittest.Env(filepath.Join(r.Dir, ".git", "test-home")), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// p2Versions returns the versions of name the published metadata lists, sorted, and each one's require.
func p2Versions(t *testing.T, out, name string) ([]string, map[string]map[string]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "p2", name+".json"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var doc struct {
		Packages map[string][]struct {
			Version string          `json:"version"`
			Require json.RawMessage `json:"require"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var vs []string
	reqs := map[string]map[string]string{}
	var last map[string]string
	for _, v := range doc.Packages[name] {
		vs = append(vs, v.Version)
		// Minified p2: a missing key repeats the previous version's value.
		if v.Require != nil {
			last = map[string]string{}
			json.Unmarshal(v.Require, &last)
		}
		reqs[v.Version] = last
	}
	slices.Sort(vs)
	return vs, reqs
}

// TestNightlyThreeRuns is the scenario: run 1 publishes a nightly set from the branch heads, run 2 with
// no new commit publishes and rewrites nothing, run 3 after a commit publishes the next set and keeps the
// earlier archives byte for byte; links inside a set are pinned to the set's versions.
func TestNightlyThreeRuns(t *testing.T) {
	f := newNightlyFixture(t)
	s1 := f.build(t, 0, 2)
	if s1.Built != 3 || s1.Failed != 0 {
		t.Fatalf("run 1: %+v", s1)
	}
	vs, reqs := p2Versions(t, f.out, "acme/module-b")
	if !slices.Equal(vs, []string{"100.1.0.1-a20240102"}) {
		t.Fatalf("module-b versions %q", vs)
	}
	want := map[string]string{"acme/module-a": "100.1.0.1-a20240102", "acme/lib": "2.0.0.1-a20240102"}
	for k, v := range want {
		if reqs[vs[0]][k] != v {
			t.Errorf("module-b requires %s %q, want the set's %q", k, reqs[vs[0]][k], v)
		}
	}
	if vs, _ := p2Versions(t, f.out, "acme/lib"); !slices.Equal(vs, []string{"2.0.0.1-a20240102"}) {
		t.Errorf("lib versions %q (its head commit is older: the newest head decides the date)", vs)
	}
	before := snapshot(t, f.out)

	s2 := f.build(t, 0, 2)
	if s2.Built != 0 || s2.NewTags != 0 {
		t.Fatalf("run 2 with the same heads: %+v", s2)
	}
	if after := snapshot(t, f.out); !equalMaps(before, after) {
		t.Fatalf("run 2 rewrote files:\n%v\n%v", before, after)
	}

	f.modules.WriteFile("ModuleA/a.php", "<?php // a 3\n", false)
	f.modules.Commit("next") // 2024-01-03
	s3 := f.build(t, 0, 2)
	if s3.Built != 3 || s3.Failed != 0 {
		t.Fatalf("run 3: %+v", s3)
	}
	vs, reqs = p2Versions(t, f.out, "acme/module-b")
	if !slices.Equal(vs, []string{"100.1.0.1-a20240102", "100.1.0.1-a20240103"}) {
		t.Fatalf("module-b versions after run 3: %q", vs)
	}
	if got := reqs["100.1.0.1-a20240103"]["acme/module-a"]; got != "100.1.0.1-a20240103" {
		t.Errorf("run 3's module-b requires module-a %q", got)
	}
	after := snapshot(t, f.out)
	for p, h := range before {
		if strings.Contains(p, string(filepath.Separator)+"dist"+string(filepath.Separator)) && after[p] != h {
			t.Errorf("%s changed (bytes or mtime) in run 3", p)
		}
	}
	if got := readZipFile(t, filepath.Join(f.out, "dist/acme/module-a-100.1.0.1-a20240103.zip"), "a.php"); got != "<?php // a 3\n" {
		t.Errorf("run 3's module-a holds %q", got)
	}
}

// TestNightlyRetention: with keep 2, four nightly sets leave the last two: the two oldest are gone from the
// metadata and from disk, the kept ones' archives are unchanged.
func TestNightlyRetention(t *testing.T) {
	f := newNightlyFixture(t)
	var snaps []map[string]string
	for i := range 4 {
		if i > 0 {
			f.lib.WriteFile("Lib.php", "<?php // "+strconv.Itoa(i)+"\n", false)
			f.lib.Commit("next") // lib's n-th commit: 2024-01-02 .. 2024-01-04
			f.modules.Commit("next")
		}
		if s := f.build(t, 2, 2); s.Built != 3 || s.Failed != 0 {
			t.Fatalf("nightly %d: %+v", i+1, s)
		}
		snaps = append(snaps, snapshot(t, f.out))
	}
	vs, _ := p2Versions(t, f.out, "acme/lib")
	want := []string{"2.0.0.1-a20240104", "2.0.0.1-a20240105"}
	if !slices.Equal(vs, want) {
		t.Fatalf("lib versions after four nightlies with keep 2: %q, want %q", vs, want)
	}
	dists, _ := filepath.Glob(filepath.Join(f.out, "dist/acme/*.zip"))
	if len(dists) != 6 {
		t.Errorf("%d archives on disk, want 6 (two sets of three): %q", len(dists), dists)
	}
	for _, gone := range []string{"20240102", "20240103"} {
		if _, err := os.Stat(filepath.Join(f.out, "dist/acme/lib-2.0.0.1-a"+gone+".zip")); err == nil {
			t.Errorf("retired nightly %s still on disk", gone)
		}
	}
	last := snaps[3]
	for p, h := range snaps[2] {
		if strings.Contains(p, "a20240104.zip") && last[p] != h {
			t.Errorf("kept archive %s changed", p)
		}
	}
}

// TestNightlySameDay: a second set of heads committed the same UTC day gets the suffix YYYYMMDD.2, which
// Composer orders after the first; the first set stays.
func TestNightlySameDay(t *testing.T) {
	f := newNightlyFixture(t)
	f.build(t, 0, 2)
	f.modules.WriteFile("ModuleA/a.php", "<?php // same day\n", false)
	commitAt(t, f.modules, "2024-01-02T23:59:59+00:00")
	if s := f.build(t, 0, 2); s.Built != 3 {
		t.Fatalf("second set the same day: %+v", s)
	}
	// A commit at 01:00 the next day at UTC+02:00 is still the 2nd in UTC.
	f.modules.WriteFile("ModuleA/a.php", "<?php // same day, other zone\n", false)
	commitAt(t, f.modules, "2024-01-03T01:00:00+02:00")
	f.build(t, 0, 2)
	vs, _ := p2Versions(t, f.out, "acme/module-a")
	want := []string{"100.1.0.1-a20240102", "100.1.0.1-a20240102.2", "100.1.0.1-a20240102.3"}
	if !slices.Equal(vs, want) {
		t.Fatalf("module-a versions %q, want %q", vs, want)
	}
}

// TestNightlyDistribution: a nightly with a distribution vendor renames the set's packages and their links,
// keeps links to packages it does not build, and makes each package replace the upstream package at the
// newest stable upstream release of the release metadata (2.0.0, not 2.1.0-beta1).
func TestNightlyDistribution(t *testing.T) {
	f := newNightlyFixture(t)
	md := t.TempDir()
	for rel, req := range map[string]string{
		"1.0.0":       `{"acme/module-a": "100.0.0", "acme/module-b": "100.0.0", "acme/lib": "1.0.0"}`,
		"2.0.0":       `{"acme/module-a": "100.0.9", "acme/lib": "2.0.0"}`,
		"2.1.0-beta1": `{"acme/module-a": "100.2.0-beta1"}`,
	} {
		dir := filepath.Join(md, rel, "product-community-edition")
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "composer.json"), []byte(`{"name": "magento/product-community-edition", "require": `+req+`}`), 0o644)
	}
	y := "archive-format: deflate\nbase-url: https://nightly.example/\nvendor: mirror\n" +
		"distribution: {upstream-vendor: acme}\nrelease-metadata: {name: release-metadata, path: " + md + "}\n" +
		"sources:\n" +
		"  - {name: modules, path: " + f.modules.Dir + ", branch: main, packages: [{each-dir: \"\"}]}\n"
	c, err := config.Parse([]byte(y), "dist-nightly.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Run(t.Context(), Options{Config: c, Out: f.out, CacheDir: f.cache, Jobs: 2})
	if err != nil || s.Built != 2 {
		t.Fatalf("build: %v %+v", err, s)
	}
	doc := readZipFile(t, filepath.Join(f.out, "dist/mirror/module-b-100.1.0.1-a20240102.zip"), "composer.json")
	var cj struct {
		Name    string            `json:"name"`
		Require map[string]string `json:"require"`
		Replace map[string]string `json:"replace"`
	}
	if err := json.Unmarshal([]byte(doc), &cj); err != nil {
		t.Fatal(err)
	}
	if cj.Name != "mirror/module-b" || cj.Require["mirror/module-a"] != "100.1.0.1-a20240102" || cj.Require["acme/lib"] != "*" {
		t.Errorf("renamed module-b: %s", doc)
	}
	// module-b is not in the released product: it replaces its version at the latest tag.
	if cj.Replace["acme/module-b"] != "100.1.0" || len(cj.Replace) != 1 {
		t.Errorf("module-b replaces %v, want acme/module-b 100.1.0", cj.Replace)
	}
	// module-a is: the released product's version wins over the latest tag's.
	docA := readZipFile(t, filepath.Join(f.out, "dist/mirror/module-a-100.1.0.1-a20240102.zip"), "composer.json")
	if !strings.Contains(docA, `"acme/module-a": "100.0.9"`) {
		t.Errorf("module-a: %s", docA)
	}
}

// TestNightlyFailureRetried: a package of the set that fails is reported again by every run with the same
// heads, under the same suffix, and the packages that were published are not written again; once a commit
// fixes it, the next set is complete.
func TestNightlyFailureRetried(t *testing.T) {
	f := newNightlyFixture(t)
	f.modules.WriteFile("ModuleC/composer.json", `{"name": "acme/module-c", "require": {"acme/lib": 2}}`, false)
	f.modules.Commit("a broken module") // 2024-01-03
	run := func() *Summary {
		s, err := Run(t.Context(), Options{Config: f.profile(t, 0), Out: f.out, CacheDir: f.cache, Jobs: 2})
		if err == nil {
			t.Fatalf("a run with a broken package succeeded: %+v", s)
		}
		return s
	}
	s1 := run()
	if s1.Failed != 1 || s1.Built != 3 {
		t.Fatalf("run 1: %+v", s1)
	}
	before := snapshot(t, f.out)
	s2 := run()
	if s2.Failed != 1 || s2.Built != 0 || s2.Reused != 3 {
		t.Fatalf("run 2 with the same heads must report the failure again and reuse the rest: %+v", s2)
	}
	if after := snapshot(t, f.out); !equalMaps(before, after) {
		t.Errorf("run 2 rewrote files")
	}
	if vs, _ := p2Versions(t, f.out, "acme/module-a"); !slices.Equal(vs, []string{"100.1.0.1-a20240103"}) {
		t.Errorf("module-a versions %q: the retry must keep the suffix", vs)
	}
	f.modules.WriteFile("ModuleC/composer.json", gittest.ComposerJSON("acme/module-c", "", map[string]string{"acme/lib": "*"}), false)
	f.modules.Commit("fixed") // 2024-01-04
	s3 := f.build(t, 0, 2)
	if s3.Failed != 0 || s3.Built != 4 {
		t.Fatalf("run 3: %+v", s3)
	}
}
