package repo

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
)

var update = flag.Bool("update", false, "update golden files in testdata/")

const testBase = "https://mirror.example.com/sub/"

// fixture is one version to publish in tests.
type fixture struct {
	name, version, meta string
	content             string // dist bytes; "" for a metapackage without dist
}

var fixtures = []fixture{
	{"acme/lib", "1.0.0", `{"name":"acme/lib","description":"A library","type":"library","require":{"php":">=8.1"},"autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`, "lib 1.0.0"},
	{"acme/lib", "1.1.0", `{"name":"acme/lib","description":"A library","type":"library","require":{"php":">=8.1","acme/util":"^2.0"},"autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`, "lib 1.1.0"},
	{"acme/lib", "1.1.0-p1", `{"name":"acme/lib","description":"A library, patched","type":"library","require":{"php":">=8.1","acme/util":"^2.0"},"autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`, "lib 1.1.0-p1"},
	{"acme/lib", "2.0.0-beta1", `{"name":"acme/lib","type":"library","license":"MIT"}`, "lib 2.0.0-beta1"},
	{"acme/lib", "dev-main", `{"name":"acme/lib","type":"library","license":"MIT"}`, "lib dev-main"},
	{"acme/util", "2.0.0", `{"name":"acme/util","version":"2.0.0","type":"library"}`, "util 2.0.0"},
	{"acme/meta", "1.0.0", `{"name":"acme/meta","type":"metapackage","require":{"acme/lib":"1.1.0","acme/util":"2.0.0"}}`, ""},
}

func openRepo(t *testing.T, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// addFixture writes the fixture's dist (if any) and records it.
func addFixture(t *testing.T, r *Repo, f fixture) Entry {
	t.Helper()
	e := Entry{Name: f.name, Version: f.version, Metadata: []byte(f.meta), Source: "test", Tag: f.version}
	if f.content != "" {
		rel := "dist/" + f.name + "-" + f.version + ".zip"
		w, err := r.CreateDist(rel)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.content)); err != nil {
			t.Fatal(err)
		}
		sum, size, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		e.Dist, e.SHA1, e.Size = rel, sum, size
	}
	if err := r.Add(e); err != nil {
		t.Fatal(err)
	}
	return e
}

func publish(t *testing.T, r *Repo) PublishStats {
	t.Helper()
	st, err := r.Publish(t.Context(), PublishOptions{BaseURL: testBase})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// readTree returns every served file under dir (not .magerepo/) with its bytes.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == stateDir {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	for _, f := range fixtures {
		addFixture(t, r, f)
	}
	st := publish(t, r)
	if len(st.Problems) != 0 {
		t.Fatalf("problems: %v", st.Problems)
	}
	if st.Packages != 3 || st.Versions != len(fixtures) {
		t.Errorf("stats: %d packages, %d versions", st.Packages, st.Versions)
	}
	for _, rel := range []string{"packages.json", "p2/acme/lib.json", "p2/acme/lib~dev.json", "p2/acme/util.json", "p2/acme/meta.json", "index.html",
		"browse/index.json", "browse/acme/lib.html", "browse/acme/meta.html"} {
		got, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", strings.ReplaceAll(rel, "/", "_"))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n got %s\nwant %s", rel, golden, got, want)
		}
		if strings.HasSuffix(rel, ".json") {
			gz, err := os.ReadFile(filepath.Join(dir, rel+".gz"))
			if err != nil {
				t.Fatal(err)
			}
			if wantGz, _ := gzipBytes(got); !bytes.Equal(gz, wantGz) {
				t.Errorf("%s.gz is not the deterministic gzip of %s", rel, rel)
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "p2/acme/util~dev.json")); err != nil || string(b) != `{"minified":"composer/2.0","packages":{"acme/util":[]}}` {
		t.Errorf("util has no dev versions: util~dev.json %q, %v", b, err)
	}
	checkConsistent(t, dir)
}

func TestUnchangedPublishKeepsMtimes(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	for _, f := range fixtures {
		addFixture(t, r, f)
	}
	publish(t, r)
	before := mtimes(t, dir)
	gzs := 0
	for p, m := range before {
		if strings.HasSuffix(p, ".json.gz") {
			gzs++
			if json := before[strings.TrimSuffix(p, ".gz")]; !json.Equal(m) {
				t.Errorf("%s: mtime %v, its JSON file's %v: they must be equal", p, m, json)
			}
		}
	}
	if gzs == 0 {
		t.Fatal("no .json.gz copies written")
	}
	// Reopen, as a new run would, re-add the same entries and publish again.
	r.Close()
	r = openRepo(t, dir)
	for _, f := range fixtures {
		addFixture(t, r, f)
	}
	st := publish(t, r)
	if len(st.Written) != 0 || len(st.Deleted) != 0 {
		t.Errorf("no-op publish wrote %v, deleted %v", st.Written, st.Deleted)
	}
	after := mtimes(t, dir)
	for p, m := range before {
		if !after[p].Equal(m) {
			t.Errorf("%s: mtime changed from %v to %v", p, m, after[p])
		}
	}
	if len(after) != len(before) {
		t.Errorf("file count changed: %d → %d", len(before), len(after))
	}
}

// mtimes returns the modification time of every file under dir, state included.
func mtimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "lock" {
			fi, _ := d.Info()
			out[p] = fi.ModTime()
		}
		return nil
	})
	return out
}

func TestAddOrderIndependence(t *testing.T) {
	var trees []map[string]string
	orders := [][]int{{0, 1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1, 0}, {3, 0, 6, 2, 5, 1, 4}}
	for _, order := range orders {
		dir := t.TempDir()
		r := openRepo(t, dir)
		for _, i := range order {
			addFixture(t, r, fixtures[i])
		}
		publish(t, r)
		tree := readTree(t, dir)
		for rel, b := range readStateTree(t, dir) {
			tree[rel] = b
		}
		trees = append(trees, tree)
	}
	for i := 1; i < len(trees); i++ {
		if !maps.Equal(trees[0], trees[i]) {
			t.Errorf("order %v gives other bytes than order %v", orders[i], orders[0])
		}
	}
}

// readStateTree returns the manifest files, which must not depend on order either.
func readStateTree(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	root := filepath.Join(dir, stateDir, "manifest")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			out["manifest:"+p[len(root):]] = string(b)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatal("no manifest files written")
	}
	return out
}

// TestAddRefusesUnpublishable: what Composer cannot load is never recorded, so it can never be published nor
// count as published; self.version links, which Composer accepts, are recorded and published.
func TestAddRefusesUnpublishable(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	addFixture(t, r, fixtures[0])
	addFixture(t, r, fixture{"acme/lib", "1.1.0", `{"name":"acme/lib","replace":{"acme/old":"self.version"}}`, "self.version"})
	for _, bad := range []Entry{
		{Name: "acme/lib", Version: "not.a.version!", Metadata: []byte(`{"name":"acme/lib"}`)},
		{Name: "acme/lib", Version: "1.2.0", Metadata: []byte(`{"name":"acme/lib","require":{"acme/util":"^^2"}}`)},
		{Name: "acme/lib", Version: "1.3.0", Metadata: []byte(`{"name":"acme/lib","require":["acme/util"]}`)},
		{Name: "acme/lib", Version: "1.4.0", Metadata: []byte(`{"name":"acme/lib","replace":{"acme/old":" self.version"}}`)},
		{Name: "acme/bad", Version: "1.0.0", Metadata: []byte(`{"name":"acme/bad","require":{"x/y":1}}`)},
		{Name: "acme/bad", Version: "1.1.0", Metadata: []byte(`{"name":"acme/other"}`)},
	} {
		if err := r.Add(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Add(%s %s %s) = %v, want ErrInvalid", bad.Name, bad.Version, bad.Metadata, err)
		}
	}
	st := publish(t, r)
	if len(st.Problems) != 0 || st.Packages != 1 || st.Versions != 2 {
		t.Errorf("published %d packages, %d versions, problems %v; want 1, 2, none", st.Packages, st.Versions, st.Problems)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "packages.json"))
	if strings.Contains(string(b), "acme/bad") {
		t.Errorf("packages.json lists a package with no valid version: %s", b)
	}
	checkConsistent(t, dir)
}

func TestAddRefusesInvalidNameAndConflict(t *testing.T) {
	r := openRepo(t, t.TempDir())
	if err := r.Add(Entry{Name: "../evil", Version: "1.0.0", Metadata: []byte(`{}`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad name: %v, want ErrInvalid", err)
	}
	if err := r.Add(Entry{Name: "a/b", Version: "1.0.0", Dist: "../x.zip"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("escaping dist: %v, want ErrInvalid", err)
	}
	e := Entry{Name: "a/b", Version: "1.0.0", Dist: "https://x/y.zip", SHA1: "aa", Metadata: []byte(`{"name":"a/b"}`)}
	if err := r.Add(e); err != nil {
		t.Fatal(err)
	}
	same := e
	same.Version, same.Tag = "v1.0", "v1.0" // same normalized version, same bytes
	if err := r.Add(same); err != nil {
		t.Errorf("same content again: %v", err)
	}
	other := e
	other.SHA1 = "bb"
	if err := r.Add(other); !errors.Is(err, ErrConflict) {
		t.Errorf("other bytes: %v, want ErrConflict", err)
	}
	if got, ok := r.Lookup("a/b", "1.0.0.0"); !ok || got.SHA1 != "aa" {
		t.Errorf("Lookup by normalized version: %v %v", got, ok)
	}
}

func TestOpenRemovesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	w, err := r.CreateDist("dist/a/b-1.0.zip")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("half"))
	p, err := r.ResumeDist("dist/a/c-1.0.zip")
	if err != nil {
		t.Fatal(err)
	}
	p.Write([]byte("partial download"))
	p.Close()
	r.Close() // a crash: w is never committed nor aborted
	r = openRepo(t, dir)
	entries, _ := os.ReadDir(filepath.Join(dir, "dist/a"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{".c-1.0.zip.part"}) {
		t.Errorf("after reopening: %v, want only the partial download kept", names)
	}
}

func TestLock(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	if _, err := Open(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	r.Close()
	r2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	r2.Close()
}

func TestDistNeverOverwritesPublished(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	e := addFixture(t, r, fixtures[0])
	w, err := r.CreateDist(e.Dist)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("other bytes"))
	if _, _, err := w.Commit(); !errors.Is(err, ErrConflict) {
		t.Errorf("overwrite of a published dist: %v, want ErrConflict", err)
	}
	if b, _ := os.ReadFile(r.Path(e.Dist)); string(b) != fixtures[0].content {
		t.Errorf("published dist changed to %q", b)
	}
	// A file nothing names (left by a crashed run) is replaced.
	stray := "dist/stray.zip"
	os.WriteFile(r.Path(stray), []byte("partial junk"), 0o644)
	w, _ = r.CreateDist(stray)
	w.Write([]byte("good"))
	if _, _, err := w.Commit(); err != nil {
		t.Errorf("replacing an unreferenced file: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "dist"))
	for _, d := range entries {
		if isTemp(d.Name()) {
			t.Errorf("temporary file left: %s", d.Name())
		}
	}
}

func TestResumeDist(t *testing.T) {
	r := openRepo(t, t.TempDir())
	w, err := r.ResumeDist("dist/a/b-1.zip")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("hello "))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = r.ResumeDist("dist/a/b-1.zip")
	if err != nil {
		t.Fatal(err)
	}
	if w.Offset() != 6 {
		t.Fatalf("resumed at %d, want 6", w.Offset())
	}
	w.Write([]byte("world"))
	sum, size, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	// sha1("hello world")
	if sum != "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed" || size != 11 {
		t.Errorf("sum %s size %d", sum, size)
	}
	if _, err := os.Stat(r.Path("dist/a/.b-1.zip.part")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("partial file left after commit: %v", err)
	}
}

func TestPruneDeletesFilesAfterPublish(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	var dists []string
	for _, f := range fixtures {
		dists = append(dists, addFixture(t, r, f).Dist)
	}
	publish(t, r)
	if !r.Remove("acme/util", "2.0.0") || !r.Remove("acme/lib", "dev-main") {
		t.Fatal("Remove did not find entries")
	}
	if r.Remove("acme/util", "9.9.9") {
		t.Error("Remove of an absent version reported true")
	}
	st := publish(t, r)
	slices.Sort(st.Deleted)
	want := []string{dists[4], dists[5], "p2/acme/util.json", "p2/acme/util.json.gz", "p2/acme/util~dev.json", "p2/acme/util~dev.json.gz",
		"browse/acme/util.html"}
	slices.Sort(want)
	if !slices.Equal(st.Deleted, want) {
		t.Errorf("deleted %v, want %v", st.Deleted, want)
	}
	if _, err := os.Stat(filepath.Join(dir, stateDir, "manifest", "acme", "util.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("manifest of a removed package left: %v", err)
	}
	checkConsistent(t, dir)
}

func TestWriteReport(t *testing.T) {
	r := openRepo(t, t.TempDir())
	if err := r.WriteReport("build-report.json", map[string]int{"built": 3}); err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	if ok, err := r.ReadState("build-report.json", &got); !ok || err != nil || got["built"] != 3 {
		t.Errorf("read back %v %v %v", got, ok, err)
	}
	if err := r.WriteReport("../x", 1); err == nil {
		t.Error("report name with a slash accepted")
	}
}

func TestCrashBetweenSteps(t *testing.T) {
	steps := []string{"manifest", "p2/acme/lib.json", "p2/acme/util.json", "pages", "browse/index.json", "index.html", "packages.json"}
	for _, step := range steps {
		t.Run(strings.ReplaceAll(step, "/", "_"), func(t *testing.T) {
			dir := t.TempDir()
			r := openRepo(t, dir)
			addFixture(t, r, fixtures[0])
			addFixture(t, r, fixtures[5])
			publish(t, r)
			before := readTree(t, dir)
			// The next run adds versions, and the publish dies before step.
			addFixture(t, r, fixtures[1])
			addFixture(t, r, fixture{"acme/util", "2.1.0", `{"name":"acme/util"}`, "util 2.1.0"})
			r.failHook = func(s string) error {
				if s == step {
					return fmt.Errorf("simulated crash before %s", s)
				}
				return nil
			}
			if _, err := r.Publish(t.Context(), PublishOptions{BaseURL: testBase}); err == nil {
				t.Fatal("publish with a failing step succeeded")
			}
			r.Close()
			got, _ := os.ReadFile(filepath.Join(dir, "packages.json"))
			if string(got) != before["packages.json"] {
				t.Errorf("packages.json changed by an interrupted publish")
			}
			checkConsistent(t, dir)
			// A new run with the same input completes the publish; what reached
			// the manifest before the crash is already known to it.
			r2 := openRepo(t, dir)
			if _, ok := r2.Lookup("acme/util", "2.1.0"); ok != (step != "manifest") {
				t.Errorf("after a crash before %s, manifest has util 2.1.0: %v", step, ok)
			}
			addFixture(t, r2, fixtures[1])
			addFixture(t, r2, fixture{"acme/util", "2.1.0", `{"name":"acme/util"}`, "util 2.1.0"})
			publish(t, r2)
			checkConsistent(t, dir)
			b, _ := os.ReadFile(filepath.Join(dir, "p2/acme/util.json"))
			if !strings.Contains(string(b), `"2.1.0"`) {
				t.Errorf("rerun did not publish util 2.1.0: %s", b)
			}
		})
	}
}

// checkConsistent follows packages.json the way Composer does and checks that
// every p2 file it leads to parses and every dist it names exists with its shasum.
func checkConsistent(t *testing.T, dir string) {
	t.Helper()
	root, err := composer.ParseDocument(mustRead(t, filepath.Join(dir, "packages.json")))
	if err != nil {
		t.Fatal(err)
	}
	mu, _ := root.GetString("metadata-url")
	av, _ := root.Get("available-packages")
	names, _ := av.Arr()
	for _, nv := range names {
		name, _ := nv.Str()
		found := 0
		for _, suffix := range []string{"", "~dev"} {
			rel := strings.TrimPrefix(strings.Replace(mu, "%package%", name+suffix, 1), "/sub/")
			b, err := os.ReadFile(filepath.Join(dir, rel))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			versions := expandFile(t, b, name)
			found += len(versions)
			for _, v := range versions {
				d, ok := v.GetObject("dist")
				if !ok {
					continue
				}
				u, _ := d.GetString("url")
				sum, _ := d.GetString("shasum")
				got, _, err := hashFile(filepath.Join(dir, strings.TrimPrefix(u, testBase)))
				if err != nil || got != sum {
					t.Errorf("%s: dist %s: sha1 %s, metadata says %s (%v)", name, u, got, sum, err)
				}
			}
		}
		if found == 0 {
			t.Errorf("%s is listed in packages.json but has no p2 versions", name)
		}
	}
}

func expandFile(t *testing.T, b []byte, name string) []*composer.Object {
	t.Helper()
	exp, err := composer.ParseP2(b, name)
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
