package repo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
)

// fakeAdvisories serves a fixed list per package name.
type fakeAdvisories map[string][]*composer.Object

func (f fakeAdvisories) Of(name string) []*composer.Object { return f[name] }

func testAdvisory(id, affected string) *composer.Object {
	o := composer.NewObject()
	o.SetString("advisoryId", id)
	o.SetString("affectedVersions", affected)
	return o
}

func TestPublishAdvisories(t *testing.T) {
	dir := t.TempDir()
	r := openRepo(t, dir)
	for _, f := range fixtures {
		addFixture(t, r, f)
	}
	adv := fakeAdvisories{"acme/lib": {testAdvisory("A-1", ">=1.0.0,<1.1.0"), testAdvisory("A-2", "<1.1.0-p1")}}
	opts := PublishOptions{BaseURL: testBase, Advisories: adv, AdvisoriesKey: "k1"}
	if _, err := r.Publish(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	read := func(rel string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read("packages.json"); !strings.HasSuffix(got, `"available-packages":["acme/lib","acme/meta","acme/util"],"security-advisories":{"metadata":true}}`) {
		t.Errorf("packages.json = %s", got)
	}
	lib := read("p2/acme/lib.json")
	if !strings.HasSuffix(lib, `]},"security-advisories":[{"advisoryId":"A-1","affectedVersions":">=1.0.0,<1.1.0"},{"advisoryId":"A-2","affectedVersions":"<1.1.0-p1"}]}`) {
		t.Errorf("p2/acme/lib.json = %s", lib)
	}
	if got := read("p2/acme/util.json"); !strings.HasSuffix(got, `]},"security-advisories":[]}`) {
		t.Errorf("a package without advisories gets an empty list: %s", got)
	}
	if got := read("p2/acme/lib~dev.json"); strings.Contains(got, "security-advisories") {
		t.Errorf("the ~dev file carries no advisories (Composer reads them from the tag file): %s", got)
	}
	if vs, err := composer.ParseP2([]byte(lib), "acme/lib"); err != nil || len(vs) != 4 {
		t.Errorf("the versions of a p2 file with advisories: %d, %v", len(vs), err)
	}

	// The same advisories again: nothing is written.
	st, err := r.Publish(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Written) != 0 {
		t.Errorf("an unchanged publish wrote %v", st.Written)
	}

	// Without advisories the files are those of a repository that never served any.
	if _, err := r.Publish(t.Context(), PublishOptions{BaseURL: testBase}); err != nil {
		t.Fatal(err)
	}
	plain := t.TempDir()
	pr := openRepo(t, plain)
	for _, f := range fixtures {
		addFixture(t, pr, f)
	}
	publish(t, pr)
	for _, rel := range []string{"packages.json", "p2/acme/lib.json", "p2/acme/util.json", "p2/acme/lib~dev.json"} {
		want, _ := os.ReadFile(filepath.Join(plain, rel))
		if got := read(rel); got != string(want) {
			t.Errorf("%s after advisories are turned off:\n got %s\nwant %s", rel, got, want)
		}
	}
}
