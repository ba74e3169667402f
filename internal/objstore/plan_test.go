package objstore

import (
	"slices"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/repo"
)

// TestMakePlan: dists first, then changed files by write time, an intermediate listing before the first listed
// package that changes after an unlisted one, packages.json last; unchanged files are left out.
func TestMakePlan(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(1700000000+int64(s), 0) }
	st := &state{
		Uploaded: map[string]string{"p2/acme/util.json": "sha256:same", "dist/acme/a-1.zip": "sha1:aa"},
		Listed:   []string{"acme/lib", "acme/util"},
	}
	dists := []repo.Entry{{Dist: "dist/acme/a-1.zip", SHA1: "aa"}, {Dist: "dist/acme/new-1.zip", SHA1: "bb"}}
	files := []localFile{
		{key: "packages.json", sum: "sha256:root", mtime: at(9)},
		{key: "p2/acme/lib.json", sum: "sha256:lib", mtime: at(3)},
		{key: "p2/acme/new.json", sum: "sha256:new", mtime: at(1)},
		{key: "p2/acme/util.json", sum: "sha256:same", mtime: at(0)},
		{key: "browse/acme/new.html", sum: "sha256:page", mtime: at(5)},
	}
	root := []byte(`{"packages":[],"available-packages":["acme/lib","acme/new","acme/util"]}`)
	plan := makePlan(st, dists, files, root)
	var keys []string
	for _, p := range plan {
		k := p.Key
		if p.List != nil {
			k += "(intermediate)"
		}
		keys = append(keys, k)
	}
	want := []string{"dist/acme/new-1.zip", "p2/acme/new.json", "packages.json(intermediate)", "p2/acme/lib.json", "browse/acme/new.html", "packages.json"}
	if !slices.Equal(keys, want) {
		t.Fatalf("plan %v, want %v", keys, want)
	}
	if !slices.Equal(plan[2].List, []string{"acme/lib", "acme/new", "acme/util"}) {
		t.Fatalf("intermediate listing %v", plan[2].List)
	}
}

// TestInvisibleRun: the steps uploaded in parallel are the leading p2 files of unlisted packages and package
// pages; a listed package's p2 file, a listing or the package list end the run.
func TestInvisibleRun(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want int
	}{
		{[]string{"p2/acme/new.json", "p2/acme/new~dev.json", "browse/acme/new.html", "browse/index.json"}, 3},
		{[]string{"p2/acme/lib.json", "p2/acme/new.json"}, 0},
		{[]string{"p2/acme/new.json", "packages.json"}, 1},
		{[]string{"browse/site.css", "browse/acme/new.html"}, 0},
	} {
		var plan []step
		for _, k := range c.keys {
			plan = append(plan, step{Key: k})
		}
		if got := invisibleRun(plan, []string{"acme/lib"}); got != c.want {
			t.Errorf("invisibleRun(%v) = %d, want %d", c.keys, got, c.want)
		}
	}
}
