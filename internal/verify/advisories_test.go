package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// serveAdvisories rewrites a written fixture as a repository that serves security advisories: packages.json
// declares them and the tag file of each package in lists carries its list.
func serveAdvisories(t *testing.T, f *fixture, lists map[string][]map[string]any) {
	t.Helper()
	edit := func(rel string, change func(map[string]any)) {
		b, err := os.ReadFile(f.path(rel))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		change(doc)
		f.writeFile(rel, mustJSON(t, doc))
	}
	edit("packages.json", func(d map[string]any) { d["security-advisories"] = map[string]any{"metadata": true} })
	for name, list := range lists {
		edit("p2/"+name+".json", func(d map[string]any) { d["security-advisories"] = list })
	}
}

func testAdvisory(id, affected string) map[string]any {
	return map[string]any{"advisoryId": id, "packageName": "x/y", "affectedVersions": affected, "title": "Title of " + id,
		"cve": "CVE-2099-" + strings.TrimPrefix(id, "A-"), "link": "https://example.invalid/" + id, "reportedAt": "2099-01-02 03:04:05",
		"sources": []any{map[string]any{"name": "FriendsOfPHP/security-advisories", "remoteId": "x/y/" + id + ".yaml"}}}
}

// TestAdvisoriesReported: served versions that an advisory affects are listed in the report's advisory section
// and its summary, and are not problems.
func TestAdvisoriesReported(t *testing.T) {
	f := newFixture(t, mirrorBase).standard().write()
	serveAdvisories(t, f, map[string][]map[string]any{
		"magento/framework":  {testAdvisory("A-0001", ">=103.0.0,<103.0.7-p1"), testAdvisory("A-0002", "<100.0.0")},
		"magento/module-foo": {},
	})
	r := run(t, f, ownMagento)
	wantLines(t, r)
	if !r.Clean() {
		t.Error("served versions with advisories made the repository unclean")
	}
	a := r.Advisories
	if a == nil || a.Listed != 2 || a.Packages != 1 || a.Advisories != 2 || a.AffectedVersions != 1 || len(a.Affected) != 1 {
		t.Fatalf("advisories: %+v", a)
	}
	if got := a.Affected[0]; got.Package != "magento/framework" || got.AdvisoryID != "A-0001" || got.CVE != "CVE-2099-0001" ||
		strings.Join(got.Versions, " ") != "103.0.7" || got.AffectedVersions != ">=103.0.0,<103.0.7-p1" {
		t.Errorf("affected: %+v", got)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := "advisory: magento/framework A-0001 (CVE-2099-0001) affects 103.0.7: Title of A-0001 [>=103.0.0,<103.0.7-p1]\n" +
		"4 packages, 6 versions, 5 dists checked: 0 problems; security advisories: 2 advisories for 1 package, 1 served version affected\n"
	if text.String() != want {
		t.Errorf("text:\n got %q\nwant %q", text.String(), want)
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Advisories struct {
			AffectedVersions int `json:"affected_versions"`
			Affected         []struct {
				AdvisoryID string   `json:"advisory_id"`
				Versions   []string `json:"versions"`
			} `json:"affected"`
		} `json:"advisories"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc.Advisories.AffectedVersions != 1 ||
		len(doc.Advisories.Affected) != 1 || doc.Advisories.Affected[0].AdvisoryID != "A-0001" {
		t.Errorf("JSON: %v %s", err, js.String())
	}
}

// TestAdvisoriesUnreadable: an advisory Composer 2.5 cannot read is a problem of the repository.
func TestAdvisoriesUnreadable(t *testing.T) {
	f := newFixture(t, mirrorBase).standard().write()
	bad := testAdvisory("A-0003", "<1.0-not-a-version")
	partial := testAdvisory("A-0004", "<1.0")
	delete(partial, "title")
	serveAdvisories(t, f, map[string][]map[string]any{"magento/module-foo": {bad, partial, testAdvisory("A-0005", "<1.0")}})
	r := run(t, f, ownMagento)
	got := lines(r)
	if len(got) != 2 || !strings.Contains(got[0], "security advisory 0 (A-0003): affectedVersions") ||
		!strings.Contains(got[1], "security advisory 1 (A-0004): no title; Composer 2.5 fails") {
		t.Errorf("problems: %q", got)
	}
	if r.Advisories == nil || r.Advisories.Advisories != 1 {
		t.Errorf("the readable advisory is still counted: %+v", r.Advisories)
	}
}

// TestNoAdvisoriesServed: a repository that declares no advisories has no advisory section, and its summary
// says nothing about them.
func TestNoAdvisoriesServed(t *testing.T) {
	f := newFixture(t, mirrorBase).standard().write()
	r := run(t, f, ownMagento)
	if r.Advisories != nil || strings.Contains(r.Summary(), "advisor") {
		t.Errorf("advisories %+v, summary %q", r.Advisories, r.Summary())
	}
}
