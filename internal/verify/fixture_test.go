package verify

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/fetch"
)

// fixture builds a Composer 2 repository in a directory, the way a build
// writes one: packages.json, minified p2 files split into tags and ~dev, and
// stored (uncompressed) zips with a composer.json at their root.
type fixture struct {
	t    testing.TB
	dir  string
	base *url.URL
	pkgs map[string][]map[string]any // p2 entries, in file order
}

// pkgVersion describes one version to add.
type pkgVersion struct {
	name, version string
	typ           string            // "" is library
	require       map[string]string // also written into the zip's composer.json
	replace       map[string]string
	extra         map[string]any
	zipVersion    string // version in the zip's composer.json, if not version
	zipRequire    map[string]string
	content       string // content of src/file.php
	extraFile     string // the name of one more zip entry, if any
}

func newFixture(t testing.TB, base string) *fixture {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: t.TempDir(), base: u, pkgs: map[string][]map[string]any{}}
}

// standard adds a small Magento-shaped repository: a framework, a module
// requiring it, a metapackage pinning both, and a branch with an alias.
func (f *fixture) standard() *fixture {
	f.add(pkgVersion{name: "magento/framework", version: "103.0.7", require: map[string]string{"php": "~8.1.0||~8.2.0", "ext-json": "*"}})
	f.add(pkgVersion{name: "magento/framework", version: "103.0.7-p1", require: map[string]string{"php": "~8.1.0||~8.2.0"}})
	f.add(pkgVersion{name: "magento/framework", version: "dev-main", extra: map[string]any{"branch-alias": map[string]string{"dev-main": "103.1.x-dev"}}})
	f.add(pkgVersion{name: "magento/module-foo", version: "100.4.7", require: map[string]string{"magento/framework": "103.0.*", "php": ">=8.1"}})
	f.add(pkgVersion{name: "magento/module-bar", version: "100.4.7", require: map[string]string{"magento/framework": "~103.1.0@dev"},
		replace: map[string]string{"magento/module-bar-legacy": "self.version"}})
	f.add(pkgVersion{name: "magento/product-community-edition", version: "2.4.7", typ: "metapackage", require: map[string]string{
		"magento/module-foo": "100.4.7", "magento/module-bar": "100.4.7", "magento/framework": "103.0.7", "magento/module-bar-legacy": "100.4.*"}})
	return f
}

// add adds a version with its dist.
func (f *fixture) add(v pkgVersion) {
	e := map[string]any{"name": v.name, "version": v.version, "version_normalized": mustNormalize(f.t, v.version)}
	if v.typ != "" {
		e["type"] = v.typ
	}
	if v.require != nil {
		e["require"] = v.require
	}
	if v.replace != nil {
		e["replace"] = v.replace
	}
	if v.extra != nil {
		e["extra"] = v.extra
	}
	if v.typ != "metapackage" {
		rel := "dist/" + v.name + "-" + v.version + ".zip"
		zipBytes := f.zip(v)
		f.writeFile(rel, zipBytes)
		e["dist"] = map[string]any{"type": "zip", "url": f.base.JoinPath(rel).String(), "shasum": sha1Hex(zipBytes)}
	}
	f.pkgs[v.name] = append(f.pkgs[v.name], e)
}

// zip returns a stored zip holding composer.json and src/file.php.
func (f *fixture) zip(v pkgVersion) []byte {
	cj := map[string]any{"name": v.name, "version": cmpOr(v.zipVersion, v.version)}
	if req := cmpOrMap(v.zipRequire, v.require); req != nil {
		cj["require"] = req
	}
	if v.replace != nil {
		cj["replace"] = v.replace
	}
	if v.typ != "" {
		cj["type"] = v.typ
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, body string }{
		{"composer.json", string(mustJSON(f.t, cj))},
		{"src/file.php", "<?php // " + cmpOr(v.content, "ORIGINAL") + "\n"},
	}
	if v.extraFile != "" {
		files = append(files, struct{ name, body string }{v.extraFile, "x\n"})
	}
	for _, file := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: file.name, Method: zip.Store})
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := w.Write([]byte(file.body)); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		f.t.Fatal(err)
	}
	return buf.Bytes()
}

// write writes packages.json and the p2 files.
func (f *fixture) write() *fixture {
	names := slices.Sorted(maps.Keys(f.pkgs))
	root := map[string]any{"packages": []any{}, "metadata-url": f.base.Path + "p2/%package%.json", "available-packages": names}
	f.writeFile("packages.json", mustJSON(f.t, root))
	for _, name := range names {
		var tags, dev []map[string]any
		for _, e := range f.pkgs[name] {
			if v := e["version"].(string); strings.HasPrefix(v, "dev-") || strings.HasSuffix(v, "-dev") {
				dev = append(dev, e)
			} else {
				tags = append(tags, e)
			}
		}
		f.writeP2("p2/"+name+".json", name, tags)
		if dev != nil {
			f.writeP2("p2/"+name+"~dev.json", name, dev)
		}
	}
	return f
}

// writeP2 writes one minified p2 file.
func (f *fixture) writeP2(rel, name string, entries []map[string]any) {
	doc := map[string]any{"minified": "composer/2.0", "packages": map[string]any{name: minify(f.t, entries)}}
	f.writeFile(rel, mustJSON(f.t, doc))
}

// minify applies the composer/2.0 format: each entry after the first keeps
// only the keys that changed, and "__unset" for those that disappeared.
func minify(t testing.TB, entries []map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(entries))
	var prev map[string]any
	for _, e := range entries {
		d := map[string]any{}
		for k, v := range e {
			if pv, ok := prev[k]; !ok || !bytes.Equal(mustJSON(t, pv), mustJSON(t, v)) {
				d[k] = v
			}
		}
		for k := range prev {
			if _, ok := e[k]; !ok {
				d[k] = "__unset"
			}
		}
		out, prev = append(out, d), e
	}
	return out
}

// entry returns the p2 entry of name and version, to edit before write.
func (f *fixture) entry(name, version string) map[string]any {
	for _, e := range f.pkgs[name] {
		if e["version"] == version {
			return e
		}
	}
	f.t.Fatalf("fixture has no %s %s", name, version)
	return nil
}

// path returns the local path of a repository file.
func (f *fixture) path(rel string) string { return filepath.Join(f.dir, filepath.FromSlash(rel)) }

// distPath returns the local path of a version's zip.
func (f *fixture) distPath(name, version string) string {
	return f.path("dist/" + name + "-" + version + ".zip")
}

func (f *fixture) writeFile(rel string, data []byte) {
	p := f.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// testClient is a Client with n connections per host and fast retries.
func testClient(n int) *Client {
	return NewClient(fetch.New(fetch.Options{Conns: n, Retries: 3, Backoff: time.Millisecond}))
}

// source returns the fixture's directory as a Source.
func (f *fixture) source() Source {
	f.t.Helper()
	s, err := NewDirSource(f.dir, "", testClient(4))
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpOrMap(a, b map[string]string) map[string]string {
	if a != nil {
		return a
	}
	return b
}

// lines returns the report's problems as text lines.
func lines(r *Report) []string {
	out := []string{}
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	return out
}

// wantLines fails unless the report holds exactly want.
func wantLines(t *testing.T, r *Report, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := lines(r); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

func mustNormalize(t testing.TB, v string) string {
	t.Helper()
	n, err := composer.NormalizeVersion(v)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
