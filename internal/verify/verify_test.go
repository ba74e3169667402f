package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
)

const mirrorBase = "http://mirror.example/sub/"

var ownMagento = Options{Own: []string{"magento/*"}}

// run verifies the fixture's directory.
func run(t *testing.T, f *fixture, opts Options) *Report {
	t.Helper()
	r, err := Run(t.Context(), f.source(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

func TestCleanRepository(t *testing.T) {
	f := newFixture(t, mirrorBase).standard().write()
	r := run(t, f, Options{Own: []string{"magento/*"}, Deep: true})
	wantLines(t, r)
	if r.Packages != 4 || r.Versions != 6 || r.Dists != 5 {
		t.Errorf("counts: %d packages, %d versions, %d dists; want 4, 6, 5", r.Packages, r.Versions, r.Dists)
	}
	if !r.Clean() {
		t.Error("Clean() = false")
	}
}

func TestChangedDistBytes(t *testing.T) {
	f := newFixture(t, mirrorBase).standard().write()
	p := f.distPath("magento/module-foo", "100.4.7")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// Same length, inside a stored file: the zip still opens, only the hash changes.
	changed := bytes.Replace(data, []byte("ORIGINAL"), []byte("TAMPERED"), 1)
	if bytes.Equal(changed, data) {
		t.Fatal("fixture zip does not hold the marker")
	}
	f.writeFile("dist/magento/module-foo-100.4.7.zip", changed)
	r := run(t, f, ownMagento)
	wantLines(t, r, "magento/module-foo 100.4.7: dist sha-1 is "+sha1Hex(changed)+", metadata says "+sha1Hex(data))
}

func TestMissingDist(t *testing.T) {
	f := newFixture(t, mirrorBase).standard().write()
	if err := os.Remove(f.distPath("magento/framework", "103.0.7-p1")); err != nil {
		t.Fatal(err)
	}
	r := run(t, f, ownMagento)
	wantLines(t, r, "magento/framework 103.0.7-p1: dist is missing: "+mirrorBase+"dist/magento/framework-103.0.7-p1.zip")
	if r.Dists != 4 {
		t.Errorf("dists checked = %d, want 4", r.Dists)
	}
}

func TestZipNamesOtherVersion(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.8", zipVersion: "100.4.7"})
	f.write()
	wantLines(t, run(t, f, ownMagento), `magento/module-baz 100.4.8: dist composer.json has version "100.4.7"`)
}

// TestSelfVersionLinks: self.version, which Composer accepts, is accepted and resolved; " self.version" is not.
func TestSelfVersionLinks(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.8", require: map[string]string{"magento/framework": "*"}})
	f.entry("magento/module-baz", "100.4.8")["replace"] = map[string]string{"magento/module-baz-old": "self.version"}
	f.add(pkgVersion{name: "magento/module-qux", version: "100.4.8", require: map[string]string{"magento/framework": "*"}})
	f.entry("magento/module-qux", "100.4.8")["replace"] = map[string]string{"magento/module-qux-old": " self.version"}
	f.write()
	wantLines(t, run(t, f, ownMagento), `magento/module-qux 100.4.8: Composer cannot load this version (and so fails on the whole package): replace magento/module-qux-old: invalid constraint " self.version": composer: could not parse version constraint " self.version": invalid version string "self.version"`)
}

func TestUnparsableConstraint(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.8", require: map[string]string{"magento/framework": "~>103.0 and then"}})
	f.write()
	r := run(t, f, ownMagento)
	if len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0].String(),
		`magento/module-baz 100.4.8: Composer cannot load this version (and so fails on the whole package): require magento/framework: invalid constraint "~>103.0 and then"`) {
		t.Errorf("problems: %q", lines(r))
	}
}

func TestUnsatisfiableRequirement(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.entry("magento/module-foo", "100.4.7")["require"] = map[string]string{"magento/framework": "104.0.*"}
	f.write()
	wantLines(t, run(t, f, ownMagento),
		"magento/module-foo 100.4.7: requires magento/framework 104.0.*: no version in the repository satisfies it",
		"magento/product-community-edition 2.4.7 -> magento/module-foo 100.4.7 -> magento/framework 104.0.*: no version satisfies",
	)
}

func TestUnownedRequirementIgnored(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.entry("magento/module-foo", "100.4.7")["require"] = map[string]string{"laminas/laminas-code": "^4.5", "magento/module-bar-legacy": "101.0.*"}
	f.write()
	// Without --own, module-bar-legacy is not the repository's: nothing to report.
	wantLines(t, run(t, f, Options{}))
	wantLines(t, run(t, f, ownMagento),
		"magento/module-foo 100.4.7: requires magento/module-bar-legacy 101.0.*: no version in the repository satisfies it",
		"magento/product-community-edition 2.4.7 -> magento/module-foo 100.4.7 -> magento/module-bar-legacy 101.0.*: no version satisfies")
}

func TestDuplicateVersion(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "magento/framework", version: "v103.0.7", zipVersion: "103.0.7"})
	f.write()
	wantLines(t, run(t, f, ownMagento),
		"magento/framework 103.0.7: duplicate version: 2 entries normalize to 103.0.7.0")
}

func TestMetadataEntryProblems(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.entry("magento/framework", "103.0.7")["version_normalized"] = "103.0.7.1"
	delete(f.entry("magento/module-bar", "100.4.7"), "dist")
	f.entry("magento/module-foo", "100.4.7")["name"] = "magento/Module-Foo"
	f.write()
	wantLines(t, run(t, f, ownMagento),
		`magento/framework 103.0.7: version_normalized is "103.0.7.1", the version normalizes to "103.0.7.0"`,
		`magento/module-bar 100.4.7: no dist`,
		`magento/module-foo 100.4.7: invalid package name "magento/Module-Foo": `+nameErr(t, "magento/Module-Foo"),
	)
}

func TestDeepComparesComposerJSON(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.8",
		require: map[string]string{"magento/framework": "103.0.*"}, zipRequire: map[string]string{"magento/framework": "103.1.*"}})
	f.write()
	wantLines(t, run(t, f, ownMagento))
	wantLines(t, run(t, f, Options{Deep: true}),
		"magento/module-baz 100.4.8: dist composer.json require differs from the metadata")
}

func TestMissingPackagesJSONCannotRun(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewDirSource(dir, "", testClient(1)); err == nil {
		t.Error("NewDirSource on a directory without packages.json: no error")
	}
	f := newFixture(t, mirrorBase).standard().write()
	f.writeFile("packages.json", []byte(`{"packages":[]`))
	if _, err := NewDirSource(f.dir, mirrorBase, testClient(1)); err != nil {
		t.Fatal(err)
	}
	src, _ := NewDirSource(f.dir, mirrorBase, testClient(1))
	if _, err := Run(t.Context(), src, Options{}); err == nil {
		t.Error("Run on an unparsable packages.json: no error")
	}
}

// serve serves dir on 127.0.0.1 and returns its base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// deferredHandler lets a test start the server before the fixture that needs
// its URL exists.
type deferredHandler struct{ h atomic.Pointer[http.Handler] }

func (d *deferredHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*d.h.Load()).ServeHTTP(w, r)
}

func (d *deferredHandler) set(h http.Handler) { d.h.Store(&h) }

func TestRemoteSameAsDirectory(t *testing.T) {
	var dh deferredHandler
	base := serve(t, &dh)
	f := newFixture(t, base).standard()
	f.entry("magento/module-foo", "100.4.7")["require"] = map[string]string{"magento/framework": "104.0.*"}
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.8", require: map[string]string{"magento/framework": "~>1"}})
	f.write()
	if err := os.Remove(f.distPath("magento/framework", "103.0.7-p1")); err != nil {
		t.Fatal(err)
	}
	dh.set(http.FileServer(http.Dir(f.dir)))

	local := run(t, f, ownMagento)
	src, err := NewHTTPSource(base, testClient(2))
	if err != nil {
		t.Fatal(err)
	}
	remote, err := Run(t.Context(), src, Options{Own: ownMagento.Own, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(local.Problems) != 4 {
		t.Errorf("local problems: %q, want 4", lines(local))
	}
	local.Source, remote.Source = "", ""
	local.Duration, remote.Duration = 0, 0 // how long each took is no part of what was found
	if !reflect.DeepEqual(local, remote) {
		t.Errorf("remote report differs:\nlocal  %+v\nremote %+v", local, remote)
	}
}

func TestRemoteRetriesServerErrors(t *testing.T) {
	var dh deferredHandler
	base := serve(t, &dh)
	f := newFixture(t, base).standard().write()
	files := http.FileServer(http.Dir(f.dir))
	var mu sync.Mutex
	failed := map[string]bool{}
	dh.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := !failed[r.URL.Path]
		failed[r.URL.Path] = true
		mu.Unlock()
		if first {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		files.ServeHTTP(w, r)
	}))
	c := testClient(2)
	src, err := NewHTTPSource(base+"packages.json", c)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(t.Context(), src, ownMagento)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, r)
	if r.Dists != 5 {
		t.Errorf("dists checked = %d, want 5", r.Dists)
	}
}

func TestAgainst(t *testing.T) {
	a := newFixture(t, "http://a.example/").standard().write()
	b := newFixture(t, "http://b.example/repo/").standard().write()
	opts := Options{Own: ownMagento.Own, Against: b.source()}
	wantLines(t, run(t, a, opts))

	// Rebuild one archive of b with other bytes and its new shasum.
	b2 := newFixture(t, "http://b.example/repo/").standard()
	b2.pkgs["magento/module-foo"] = nil
	b2.add(pkgVersion{name: "magento/module-foo", version: "100.4.7", require: map[string]string{"magento/framework": "103.0.*", "php": ">=8.1"}, content: "REBUILT"})
	b2.write()
	oldSum := a.entry("magento/module-foo", "100.4.7")["dist"].(map[string]any)["shasum"]
	newSum := b2.entry("magento/module-foo", "100.4.7")["dist"].(map[string]any)["shasum"]
	opts.Against = b2.source()
	r := run(t, a, opts)
	wantLines(t, r, "magento/module-foo 100.4.7: dist sha-1 differs: "+oldSum.(string)+" here, "+newSum.(string)+" in the other repository")
	if r.Against == "" {
		t.Error("report does not name the other repository")
	}
}

func TestAgainstListsEachDifference(t *testing.T) {
	a := newFixture(t, "http://a.example/").standard().write()
	b := newFixture(t, "http://a.example/").standard()
	delete(b.pkgs, "magento/module-bar")
	b.add(pkgVersion{name: "magento/module-new", version: "1.0.0"})
	b.add(pkgVersion{name: "magento/framework", version: "103.0.8"})
	b.entry("magento/module-foo", "100.4.7")["autoload"] = map[string]any{"psr-4": map[string]string{"Magento\\Foo\\": ""}}
	b.write()
	wantLines(t, run(t, a, Options{Against: b.source()}),
		"magento/framework 103.0.8: version is only in the other repository",
		"magento/module-bar: package is not in the other repository",
		"magento/module-foo 100.4.7: metadata differs from the other repository: autoload",
		"magento/module-new: package is only in the other repository",
	)
}

func TestJSONReportStable(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.entry("magento/module-foo", "100.4.7")["require"] = map[string]string{"magento/framework": "104.0.*"}
	f.write()
	var one, two bytes.Buffer
	r1, r8 := run(t, f, Options{Jobs: 1, Own: ownMagento.Own}), run(t, f, Options{Jobs: 8, Own: ownMagento.Own})
	r1.Duration, r8.Duration = 0, 0 // the only field that may differ
	if err := r1.WriteJSON(&one); err != nil {
		t.Fatal(err)
	}
	if err := r8.WriteJSON(&two); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Errorf("--jobs 1 and --jobs 8 reports differ:\n%s\n%s", one.String(), two.String())
	}
	var back Report
	if err := json.Unmarshal(one.Bytes(), &back); err != nil || len(back.Problems) != 2 || back.Problems[1].Chain == nil {
		t.Errorf("JSON report does not round-trip: %v\n%s", err, one.String())
	}
}

// nameErr returns the message ValidatePackageName gives for name.
func nameErr(t *testing.T, name string) string {
	t.Helper()
	err := composer.ValidatePackageName(name)
	if err == nil {
		t.Fatalf("ValidatePackageName(%q) = nil", name)
	}
	return err.Error()
}

func TestDirectoryDownloadsForeignDists(t *testing.T) {
	var dh deferredHandler
	foreign := serve(t, &dh)
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "laminas/laminas-code", version: "4.5.0"})
	zipBytes, err := os.ReadFile(f.distPath("laminas/laminas-code", "4.5.0"))
	if err != nil {
		t.Fatal(err)
	}
	f.entry("laminas/laminas-code", "4.5.0")["dist"].(map[string]any)["url"] = foreign + "code.zip"
	f.write()
	var hits atomic.Int32
	dh.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/code.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(zipBytes)
	}))
	src, err := NewDirSource(f.dir, mirrorBase, testClient(2))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(t.Context(), src, ownMagento)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, r)
	if r.Dists != 6 || hits.Load() != 1 {
		t.Errorf("dists checked = %d, foreign requests = %d; want 6, 1", r.Dists, hits.Load())
	}
}

func TestBasePathInference(t *testing.T) {
	f := newFixture(t, "https://mirror.example/a/b/").standard().write()
	s := f.source().(*DirSource)
	if got := s.base.Path; got != "/a/b/" {
		t.Errorf("inferred base path %q, want /a/b/", got)
	}
	if got := s.Root().String(); got != "http:///a/b/packages.json" {
		t.Errorf("Root() = %s", got)
	}
	wantLines(t, run(t, f, ownMagento))
}

// BenchmarkRunDirectory verifies a generated directory of 100 packages with
// 20 versions each, every version requiring the previous package.
func BenchmarkRunDirectory(b *testing.B) {
	f := newFixture(b, "http://m.example/")
	for p := range 100 {
		for v := range 20 {
			req := map[string]string{"php": ">=8.1"}
			if p > 0 {
				req[fmt.Sprintf("bench/p%03d", p-1)] = fmt.Sprintf("^1.%d", v)
			}
			f.add(pkgVersion{name: fmt.Sprintf("bench/p%03d", p), version: fmt.Sprintf("1.%d.0", v), require: req})
		}
	}
	f.write()
	src, err := NewDirSource(f.dir, "", testClient(8))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(b.Context(), src, Options{Deep: true})
		if err != nil || !r.Clean() {
			b.Fatalf("Run: %v %v", err, r)
		}
	}
}

// TestDistEntryNames: a dist with an entry name extractors misread, or one that leaves the package directory,
// is a problem (a build leaves such names out; a prebuilt or synced zip is published as it is).
func TestDistEntryNames(t *testing.T) {
	f := newFixture(t, mirrorBase).standard()
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.8", extraFile: `..\..\evil.txt`})
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.9", extraFile: "src/../../evil.php"})
	f.add(pkgVersion{name: "magento/module-baz", version: "100.4.10", extraFile: "sub/.GIT/config"})
	f.write()
	wantLines(t, run(t, f, ownMagento),
		`magento/module-baz 100.4.10: dist entry "sub/.GIT/config": archive: unsafe name: ".GIT" is a .git directory name`,
		`magento/module-baz 100.4.8: dist entry "..\\..\\evil.txt": archive: unsafe name: "..\\..\\evil.txt" has a backslash, a path separator for Windows extractors`,
		`magento/module-baz 100.4.9: dist entry "src/../../evil.php" leaves the package directory`,
	)
}
