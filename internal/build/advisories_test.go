package build

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/advisory"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

const vulnAdvisory = `title:     Remote code execution in acme/vuln
link:      https://example.invalid/CVE-2099-0001
cve:       CVE-2099-0001
branches:
    "1.0.x":
        time:     2099-01-02 03:04:05
        versions: ['>=1.0.0', '<1.0.1']
reference: composer://acme/vuln
`

// advisoryRepo is a database in the layout of FriendsOfPHP/security-advisories, on branch master, with an
// advisory for acme/vuln and one for a package the repository does not serve.
func advisoryRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	g := gittest.New(t)
	g.Git("branch", "-m", "master")
	g.Write(map[string]string{
		"acme/vuln/CVE-2099-0001.yaml":   vulnAdvisory,
		"other/pkg/CVE-2099-0009.yaml":   strings.ReplaceAll(vulnAdvisory, "acme/vuln", "other/pkg"),
		".github/workflows/checks.yaml":  "on: push\n",
		"README.md":                      "advisories\n",
		"validator.php":                  "<?php\n",
		"acme/vuln/not-an-advisory.json": "{}\n",
	})
	g.Commit("advisories")
	return g
}

// advisoryProfile builds acme/vuln 1.0.0 and 1.0.1 and acme/other 1.0.0 from two repositories and reads the
// advisories from loc ("" for no advisories entry).
func advisoryProfile(t *testing.T, loc string) *config.Config {
	t.Helper()
	vuln := gittest.New(t)
	for _, v := range []string{"1.0.0", "1.0.1"} {
		vuln.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/vuln", v, nil), "Vuln.php": "<?php // " + v + "\n"})
		vuln.CommitTag(v)
	}
	other := gittest.New(t)
	other.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/other", "1.0.0", nil)})
	other.CommitTag("1.0.0")
	y := "base-url: https://r.example/\nsources:\n" +
		"  - name: vuln\n    path: " + vuln.Dir + "\n    packages: [{dir: \"\"}]\n" +
		"  - name: other\n    path: " + other.Dir + "\n    packages: [{dir: \"\"}]\n"
	if loc != "" {
		key := "path"
		if strings.Contains(loc, "://") {
			key = "url"
		}
		y += "advisories:\n  " + key + ": " + loc + "\n  branch: master\n"
	}
	c, err := config.Parse([]byte(y), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// servedAdvisories reads the advisories of name from the published p2 file as Composer does.
func servedAdvisories(t *testing.T, out, name string) ([]advisory.Served, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "p2", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	list, present, errs := advisory.ParseServed(b)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", name, errs)
	}
	return list, present
}

func readOut(t *testing.T, out, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAdvisoriesPublished: the advisories of the served packages, read from a git repository fetched into the
// cache at branch master, are published in their p2 files; a served package without advisories gets an empty
// list, a package not served none; packages.json declares them. A second build writes the same bytes.
func TestAdvisoriesPublished(t *testing.T) {
	g := advisoryRepo(t)
	c := advisoryProfile(t, "file://"+g.Dir)
	out, cache := t.TempDir(), t.TempDir()
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
	if err != nil || sum.Failed != 0 || len(sum.Problems) != 0 {
		t.Fatalf("%v %+v", err, sum)
	}
	list, present := servedAdvisories(t, out, "acme/vuln")
	if !present || len(list) != 1 {
		t.Fatalf("acme/vuln advisories: %+v", list)
	}
	a := list[0]
	if a.AffectedVersions != ">=1.0.0,<1.0.1" || a.CVE != "CVE-2099-0001" || a.ReportedAt != "2099-01-02 03:04:05" ||
		a.Sources[0] != (advisory.Source{Name: advisory.FriendsOfPHP, RemoteID: "acme/vuln/CVE-2099-0001.yaml"}) {
		t.Errorf("advisory %+v", a.Advisory)
	}
	if list, present := servedAdvisories(t, out, "acme/other"); !present || len(list) != 0 {
		t.Errorf("acme/other: %+v %v, want an empty list", list, present)
	}
	if _, err := os.Stat(filepath.Join(out, "p2/other/pkg.json")); err == nil {
		t.Error("a package that is not served got a p2 file")
	}
	if pj := readOut(t, out, "packages.json"); !strings.Contains(pj, `"security-advisories":{"metadata":true}`) {
		t.Errorf("packages.json: %s", pj)
	}

	// Another output, built with the advisories from --sources-dir: the same bytes.
	dir := t.TempDir()
	links := map[string]string{config.DefaultAdvisoriesName: g.Dir}
	for _, s := range c.Sources {
		links[s.Name] = s.Path
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	out2 := t.TempDir()
	if sum, err := Run(t.Context(), Options{Config: c, Out: out2, CacheDir: t.TempDir(), SourcesDir: dir, Jobs: 1}); err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	for _, rel := range []string{"packages.json", "p2/acme/vuln.json", "p2/acme/other.json"} {
		if readOut(t, out, rel) != readOut(t, out2, rel) {
			t.Errorf("%s differs between two builds of the same inputs", rel)
		}
	}
}

// TestAdvisoriesIncremental: a run where the advisory tree did not change, and one where it changed only for
// a package the repository does not serve, write nothing; a new advisory rewrites only its package's p2 file.
func TestAdvisoriesIncremental(t *testing.T) {
	g := advisoryRepo(t)
	c := advisoryProfile(t, g.Dir)
	out, cache := t.TempDir(), t.TempDir()
	run := func() *Summary {
		t.Helper()
		sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
		if err != nil || len(sum.Problems) != 0 {
			t.Fatalf("%v %+v", err, sum)
		}
		return sum
	}
	run()
	before := snapshot(t, out)
	run()
	if after := snapshot(t, out); !equalMaps(before, after) {
		t.Fatalf("a run with nothing new rewrote files")
	}
	g.Write(map[string]string{"other/pkg/CVE-2099-0010.yaml": strings.ReplaceAll(vulnAdvisory, "acme/vuln", "other/pkg")})
	g.Commit("an advisory for another package")
	run()
	if after := snapshot(t, out); !equalMaps(before, after) {
		t.Fatalf("an advisory for a package not served rewrote files")
	}

	g.Write(map[string]string{"acme/other/2099-02-03.yaml": strings.ReplaceAll(vulnAdvisory, "acme/vuln", "acme/other")})
	g.Commit("an advisory for acme/other")
	run()
	after := snapshot(t, out)
	var changed []string
	for p, v := range after {
		if before[p] != v {
			rel, _ := filepath.Rel(out, p)
			changed = append(changed, filepath.ToSlash(rel))
		}
	}
	slices.Sort(changed)
	if !slices.Equal(changed, []string{"p2/acme/other.json", "p2/acme/other.json.gz"}) {
		t.Errorf("a new advisory for acme/other changed %v, want only p2/acme/other.json(.gz)", changed)
	}
	if list, _ := servedAdvisories(t, out, "acme/other"); len(list) != 1 || list[0].ReportedAt != "2099-02-03 00:00:00" {
		t.Errorf("acme/other: %+v", list)
	}
}

// TestAdvisoriesUnreadable: a database that cannot be fetched is an error; the advisories of the last publish
// stay served, byte for byte. Without a last publish, none are declared. Dropping the advisories entry
// publishes the metadata without them.
func TestAdvisoriesUnreadable(t *testing.T) {
	g := advisoryRepo(t)
	// A copy that can be taken away, fetched through the cache like a remote.
	gone := filepath.Join(t.TempDir(), "advisories")
	if err := os.CopyFS(gone, os.DirFS(g.Dir)); err != nil {
		t.Fatal(err)
	}
	c := advisoryProfile(t, "file://"+gone)
	out, cache := t.TempDir(), t.TempDir()
	if sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache}); err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	before := snapshot(t, out)
	os.RemoveAll(gone)
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
	if !errors.Is(err, ErrFailed) || sum.Failed != 1 || !strings.Contains(sum.Problems[0].Message, "the security advisories of the last publish are served") {
		t.Fatalf("unreadable advisories: %v %+v", err, sum)
	}
	if after := snapshot(t, out); !equalMaps(before, after) {
		t.Fatalf("an unreadable advisory database changed the published files")
	}

	fresh := t.TempDir()
	sum, err = Run(t.Context(), Options{Config: c, Out: fresh, CacheDir: t.TempDir()})
	if !errors.Is(err, ErrFailed) || !strings.Contains(sum.Problems[0].Message, "no security advisories are served") {
		t.Fatalf("first run with unreadable advisories: %v %+v", err, sum)
	}
	// A new repository is published only when every source could be read (firstRunComplete).
	if _, err := os.Stat(filepath.Join(fresh, "packages.json")); err == nil || sum.Published {
		t.Errorf("a first run with an unreadable advisory database published")
	}

	c.Advisories = nil
	if sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache}); err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	if _, present := servedAdvisories(t, out, "acme/vuln"); present || strings.Contains(readOut(t, out, "packages.json"), "security-advisories") {
		t.Error("advisories still served after the advisories entry was removed")
	}
}

// TestAdvisoriesLeftOut: an advisory of a served package that Composer could not read is left out with a
// warning, on every run until the database fixes it; the others are published.
func TestAdvisoriesLeftOut(t *testing.T) {
	g := advisoryRepo(t)
	g.Write(map[string]string{"acme/vuln/CVE-2099-0002.yaml": strings.ReplaceAll(vulnAdvisory, "'<1.0.1'", "'<1.0.1-not-a-version'")})
	g.Commit("a broken advisory")
	c := advisoryProfile(t, g.Dir)
	out, cache := t.TempDir(), t.TempDir()
	for i := range 2 {
		sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		w := problemsOf(sum, SeverityWarning)
		if len(w) != 1 || w[0].Path != "acme/vuln/CVE-2099-0002.yaml" || w[0].Package != "acme/vuln" || !strings.Contains(w[0].Message, "left out") {
			t.Fatalf("run %d: warnings %+v", i+1, w)
		}
	}
	if list, _ := servedAdvisories(t, out, "acme/vuln"); len(list) != 1 {
		t.Errorf("acme/vuln: %+v", list)
	}
}
