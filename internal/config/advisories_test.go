package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAdvisories(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       AdvisorySource
	}{
		{"defaults", "advisories: {}\n", AdvisorySource{Name: DefaultAdvisoriesName, URL: DefaultAdvisoriesURL, Branch: DefaultAdvisoriesBranch, Line: 5}},
		{"own url", "advisories:\n  name: advisories\n  url: https://git.example.com/adv.git\n",
			AdvisorySource{Name: "advisories", URL: "https://git.example.com/adv.git", Branch: DefaultAdvisoriesBranch, Line: 6}},
		{"url and branch", "advisories: {url: https://git.example.com/adv.git, branch: main}\n",
			AdvisorySource{Name: DefaultAdvisoriesName, URL: "https://git.example.com/adv.git", Branch: "main", Line: 5}},
		{"local path at HEAD", "advisories: {path: /srv/advisories}\n", AdvisorySource{Name: DefaultAdvisoriesName, Path: "/srv/advisories", Line: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(oneSource+tc.yaml), "p.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if c.Advisories == nil || *c.Advisories != tc.want {
				t.Fatalf("advisories = %+v, want %+v", c.Advisories, tc.want)
			}
		})
	}
	c, err := Parse([]byte(oneSource), "p.yaml")
	if err != nil || c.Advisories != nil {
		t.Fatalf("without the key: %+v %v", c.Advisories, err)
	}
}

func TestAdvisoriesErrorsNameLines(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"null", "advisories:\n", "line 5, column 1: advisories needs a mapping; write advisories: {}"},
		{"unknown key", "advisories:\n  dir: x\n", "line 6, column 3: unknown key \"dir\" in the advisories entry"},
		{"url and path", "advisories: {url: x, path: y}\n", "line 5, column 22: advisories \"security-advisories\": needs at most one of url and path"},
		{"a source's name", "advisories: {name: a}\n", "line 5, column 14: advisories \"a\": name is also a source's name"},
		{"a prebuilt source's name", "prebuilt-sources: [{name: z, url: x}]\nadvisories: {name: z}\n", "advisories \"z\": name is also a source's name"},
		{"release metadata", "advisories: {name: release-metadata}\n", "where --sources-dir reads the release metadata"},
		{"separator", "advisories: {name: a/b}\n", "must not contain path separators"},
		{"bad branch", "advisories: {branch: \"-x\"}\n", "advisories \"security-advisories\": invalid branch name \"-x\""},
		{"a list", "advisories: [x]\n", "line 5, column 13: the advisories entry must be a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(oneSource+tc.yaml), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "x.yaml: ") {
				t.Fatalf("error = %v, want it to start with the file and contain %q", err, tc.want)
			}
		})
	}
}

func TestLoadAdvisoriesPathIsRelativeToTheFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(p, []byte(oneSource+"advisories: {path: ../db}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil || c.Advisories.Path != filepath.Join(filepath.Dir(dir), "db") {
		t.Fatalf("advisories path: %+v %v", c.Advisories, err)
	}
}

// TestDefaultProfileServesNoAdvisories: the embedded Magento profile does not serve security advisories
// (docs/magento.md, "Security advisories").
func TestDefaultProfileServesNoAdvisories(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.Advisories != nil {
		t.Fatalf("the embedded profile has advisories: %+v", c.Advisories)
	}
}
