package repo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDistDirCannotHoldPages: the web pages' names are metadata names, so no dist can land on them.
func TestDistDirCannotHoldPages(t *testing.T) {
	for dir, ok := range map[string]bool{
		"dist": true, "packages": true, "browse-old": true, "dist/browse": true,
		"browse": false, "index.html": false, "p2": false, "packages.json": false, ".magerepo": false,
	} {
		if err := CheckDistDir(dir); (err == nil) != ok {
			t.Errorf("CheckDistDir(%q) = %v", dir, err)
		}
	}
	r := openRepo(t, t.TempDir())
	if _, err := r.CreateDist("browse/acme/lib.html"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a dist on a package page's path: %v", err)
	}
}

// TestPagesFollowThePackages: each listed package has a page linking the pages of its requirements; a page
// changes when what it shows changes (another package's page appears or goes), and a removed package's page
// is deleted after packages.json.
func TestPagesFollowThePackages(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	addFixture(t, r, fixtures[1]) // acme/lib 1.1.0 requires acme/util
	st := publish(t, r)
	for _, rel := range []string{"browse/acme/lib.html", "browse/index.json", "browse/index.json.gz", "browse/site.css", "browse/site.js", "index.html"} {
		if !slices.Contains(st.Written, rel) {
			t.Errorf("first publish did not write %s: %v", rel, st.Written)
		}
	}
	if i, j := slices.Index(st.Written, "index.html"), slices.Index(st.Written, "packages.json"); i < 0 || j < i {
		t.Errorf("index.html is not written before packages.json: %v", st.Written)
	}
	if b := read(t, dir, "browse/acme/lib.html"); !strings.Contains(b, "<span>acme/util</span>") {
		t.Error("lib's page links a package the repository does not hold")
	}
	addFixture(t, r, fixtures[5]) // acme/util 2.0.0
	st = publish(t, r)
	if b := read(t, dir, "browse/acme/lib.html"); !strings.Contains(b, `<a href="util.html">acme/util</a>`) {
		t.Error("lib's page does not link util's page once util is published")
	}
	if !slices.Contains(st.Written, "browse/acme/lib.html") || !slices.Contains(st.Written, "browse/acme/util.html") {
		t.Errorf("written %v", st.Written)
	}
	r.Remove("acme/util", "2.0.0")
	st = publish(t, r)
	if !slices.Contains(st.Deleted, "browse/acme/util.html") {
		t.Errorf("util's page not deleted: %v", st.Deleted)
	}
	if _, err := os.Stat(filepath.Join(dir, "browse/acme/util.html")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("util's page is still there: %v", err)
	}
	if b := read(t, dir, "browse/index.json"); strings.Contains(b, "acme/util") {
		t.Errorf("index.json lists a removed package: %s", b)
	}
}

func TestPublishAuthOption(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	addFixture(t, r, fixtures[5])
	if _, err := r.Publish(t.Context(), PublishOptions{BaseURL: testBase, Title: "Acme", Auth: true}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"index.html", "browse/acme/util.html"} {
		if b := read(t, dir, rel); !strings.Contains(b, "auth.json") || !strings.Contains(b, "http-basic.mirror.example.com") {
			t.Errorf("%s does not explain auth.json", rel)
		}
	}
}

func read(t *testing.T, dir, rel string) string {
	t.Helper()
	return string(mustRead(t, filepath.Join(dir, rel)))
}
