package advisory

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mage-os/magerepo/internal/composer"
)

// database is a small tree in the layout of FriendsOfPHP/security-advisories.
func database() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"acme/vuln/CVE-2099-0001.yaml": f(`title:     Remote code execution in the widget
link:      https://example.invalid/advisories/2099-0001
cve:       CVE-2099-0001
branches:
    "2.x":
        time:     2099-03-04 05:06:07
        versions: ['>=2.0.0', '<2.0.3']
    "1.x":
        time:     '2099-03-01 00:00:00'
        versions: ['>=1.0.0', '<1.0.1']
reference: composer://acme/vuln
`),
		"acme/vuln/2020-05-06-1.yaml": f(`title: Old issue
link: https://example.invalid/old
cve: ~
branches:
    master:
        time: ~
        versions: ['<0.9']
reference: composer://Acme/Vuln
composer-repository: false
`),
		"acme/vuln/SS-2015-013-1.yaml": f(`title: No date anywhere
link: https://example.invalid/ss
cve: not-a-cve
branches:
    "1.0": {time: null, versions: ['<0.1']}
reference: composer://acme/vuln
`),
		"acme/vuln-split/CVE-2099-0002.yaml": f(`title: Found under another directory
link: https://example.invalid/split
branches:
    "1.x": {time: 2099-01-01 00:00:00, versions: ['<1.0.2']}
reference: composer://acme/lib
`),
		"acme/bad/CVE-2099-0003.yaml": f(`title: Bad constraint
link: https://example.invalid/bad
branches:
    "1.x": {time: 2099-01-01 00:00:00, versions: ['>=1.0', '<1.0.1-whatever-this-is']}
reference: composer://acme/bad
`),
		"acme/notes/README.md":            f("not an advisory\n"),
		"other/pkg/CVE-2099-0009.yaml":    f("title: [broken\n"),
		".github/workflows/ci.yaml":       f("on: push\njobs: {}\n"),
		"acme/.hidden/CVE-2099-0004.yaml": f("title: hidden\n"),
	}
}

func TestRead(t *testing.T) {
	db, probs, err := Read(database(), []string{"acme/vuln", "ACME/LIB", "acme/bad", "acme/absent"})
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Path != "acme/bad/CVE-2099-0003.yaml" || probs[0].Package != "acme/bad" ||
		!strings.Contains(probs[0].Error(), "cannot parse") {
		t.Fatalf("problems = %v, want the one unparsable constraint", probs)
	}
	got := db.Advisories("acme/vuln")
	if len(got) != 3 {
		t.Fatalf("acme/vuln: %d advisories, want 3: %+v", len(got), got)
	}
	// Ordered by path; the branches keep their file order.
	want := []struct{ rid, affected, reported, cve string }{
		{"acme/vuln/2020-05-06-1.yaml", "<0.9", "2020-05-06 00:00:00", ""},
		{"acme/vuln/CVE-2099-0001.yaml", ">=2.0.0,<2.0.3|>=1.0.0,<1.0.1", "2099-03-01 00:00:00", "CVE-2099-0001"},
		{"acme/vuln/SS-2015-013-1.yaml", "<0.1", "2015-01-01 00:00:00", ""},
	}
	for i, w := range want {
		a := got[i]
		if a.Sources[0].RemoteID != w.rid || a.AffectedVersions != w.affected || a.ReportedAt != w.reported || a.CVE != w.cve ||
			a.Package != "acme/vuln" || a.Sources[0].Name != FriendsOfPHP || a.ID != idFor(w.rid) {
			t.Errorf("advisory %d = %+v, want %+v", i, a, w)
		}
	}
	if lib := db.Advisories("acme/lib"); len(lib) != 1 || lib[0].Title != "Found under another directory" {
		t.Errorf("acme/lib (the reference, not the directory, names the package) = %+v", lib)
	}
	if db.Len() != 4 {
		t.Errorf("Len = %d, want 4", db.Len())
	}
}

func TestObjectBytes(t *testing.T) {
	db, _, err := Read(database(), []string{"acme/vuln"})
	if err != nil {
		t.Fatal(err)
	}
	list := db.Of("acme/vuln")
	got := string(composer.MarshalCompact(composer.ObjectValue(list[1])))
	want := `{"advisoryId":"` + idFor("acme/vuln/CVE-2099-0001.yaml") + `","packageName":"acme/vuln",` +
		`"affectedVersions":">=2.0.0,<2.0.3|>=1.0.0,<1.0.1","title":"Remote code execution in the widget",` +
		`"cve":"CVE-2099-0001","link":"https://example.invalid/advisories/2099-0001","reportedAt":"2099-03-01 00:00:00",` +
		`"sources":[{"name":"FriendsOfPHP/security-advisories","remoteId":"acme/vuln/CVE-2099-0001.yaml"}]}`
	if got != want {
		t.Errorf("object:\n got %s\nwant %s", got, want)
	}
	if n := len(db.Of("acme/none")); n != 0 || db.Of("acme/none") == nil {
		t.Errorf("a package without advisories must get an empty, non-nil list")
	}
	if !strings.HasPrefix(idFor("x"), "MRSA-") || len(idFor("x")) != len("MRSA-0000-0000-0000") {
		t.Errorf("id %q", idFor("x"))
	}
}

func TestDBRoundTrip(t *testing.T) {
	db, _, _ := Read(database(), []string{"acme/vuln", "acme/lib"})
	again := NewDB(db.Packages())
	if again.Key() != db.Key() {
		t.Errorf("a DB saved and made again has another key")
	}
	other, _, _ := Read(database(), []string{"acme/vuln"})
	if other.Key() == db.Key() {
		t.Errorf("DBs with different content have the same key")
	}
	var nilDB *DB
	if nilDB.Len() != 0 || len(nilDB.Of("a/b")) != 0 || nilDB.Key() != NewDB(nil).Key() {
		t.Errorf("a nil DB holds no advisories")
	}
}

func TestParseServed(t *testing.T) {
	db, _, _ := Read(database(), []string{"acme/vuln"})
	list := make([]*composer.Value, 0)
	for _, o := range db.Of("acme/vuln") {
		list = append(list, composer.ObjectValue(o))
	}
	doc := composer.NewObject()
	doc.Set("packages", composer.ObjectValue(composer.NewObject()))
	doc.Set("security-advisories", composer.ArrayValue(list...))
	served, present, errs := ParseServed(composer.MarshalCompact(composer.ObjectValue(doc)))
	if !present || len(errs) > 0 || len(served) != 3 {
		t.Fatalf("ParseServed = %d, %v, %v", len(served), present, errs)
	}
	want := db.Advisories("acme/vuln")
	for i, s := range served {
		if s.ID != want[i].ID || s.AffectedVersions != want[i].AffectedVersions || s.CVE != want[i].CVE ||
			s.ReportedAt != want[i].ReportedAt || s.Sources[0] != want[i].Sources[0] {
			t.Errorf("served %d = %+v, want %+v", i, s.Advisory, want[i])
		}
	}
	n := func(v string) string { s, _ := composer.NormalizeVersion(v); return s }
	if !served[1].Affects(n("1.0.0")) || served[1].Affects(n("1.0.1")) || !served[1].Affects(n("2.0.2")) || served[1].Affects(n("dev-main")) {
		t.Errorf("Affects disagrees with %s", served[1].AffectedVersions)
	}

	for _, tc := range []struct{ name, body, err string }{
		{"absent", `{"packages":{}}`, ""},
		{"not a list", `{"security-advisories":{"a":1}}`, "not a list"},
		{"no id", `{"security-advisories":[{"affectedVersions":"<1"}]}`, "no advisoryId"},
		{"bad constraint", `{"security-advisories":[{"advisoryId":"X","affectedVersions":"<1.0-foo-bar"}]}`, "affectedVersions"},
		{"partial", `{"security-advisories":[{"advisoryId":"X","affectedVersions":"<1"}]}`, "no title"},
		{"no sources", `{"security-advisories":[{"advisoryId":"X","affectedVersions":"<1","title":"t","reportedAt":"2020-01-01 00:00:00"}]}`, "no sources"},
		{"bad time", `{"security-advisories":[{"advisoryId":"X","affectedVersions":"<1","title":"t","reportedAt":"yesterday","sources":[{"name":"a","remoteId":"b"}]}]}`, "reportedAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, present, errs := ParseServed([]byte(tc.body))
			if tc.err == "" {
				if present || len(list)+len(errs) != 0 {
					t.Errorf("got %v %v %v", list, present, errs)
				}
				return
			}
			if !present || len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.err) {
				t.Errorf("errors %v, want one with %q", errs, tc.err)
			}
		})
	}
}
