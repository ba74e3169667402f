package build

import (
	"archive/zip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

func zipNames(t *testing.T, zipPath string) []string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

// TestUnsafeNamesLeftOut: names extractors misread (a backslash, a drive prefix, a control character, a .git
// directory at any depth in any case) are left out of the archive and reported as warnings with source, tag
// and path; the package is still published and the run does not fail. git's index refuses some of these
// names, so the tree is written with mktree, as another tool could have pushed it.
func TestUnsafeNamesLeftOut(t *testing.T) {
	g := gittest.New(t)
	g.CommitRaw(map[string]string{
		"composer.json":          `{"name": "acme/lib", "version": "1.0.0"}`,
		"src/A.php":              "<?php\n",
		`..\..\evil.txt`:         "evil\n",
		`C:\x.txt`:               "drive\n",
		"D:y.txt":                "drive\n",
		"ctl\x01.txt":            "control\n",
		"src/.git/config":        "[core]\n",
		"src/.git/hooks/x":       "#!/bin/sh\n",
		"deep/er/.GIT/HEAD":      "ref: x\n",
		".GIT/config":            "[core]\n",
		".git/config":            "[core]\n", // the repository root's .git/ is excluded silently, as the reference does
		"deep/er/ok.txt":         "fine\n",
		"src/.gitignore":         "x\n",
		"src/.github/ci.yml":     "on: push\n",
		"src/.git.txt/not-a-dir": "fine\n",
	})
	g.Tag("1.0.0")
	out, sum := buildOne(t, "archive-format: mageos\nbase-url: https://r.example/\nsources:\n  - name: s\n    path: "+g.Dir+
		"\n    packages: [{dir: \"\"}]\n")
	if sum.Built != 1 || sum.Failed != 0 {
		t.Fatalf("summary %+v: the package must be published", sum)
	}
	names := zipNames(t, filepath.Join(out, "dist/acme/lib-1.0.0.zip"))
	want := []string{"composer.json", "deep/", "deep/er/", "deep/er/ok.txt", "src/", "src/.git.txt/",
		"src/.git.txt/not-a-dir", "src/.github/", "src/.github/ci.yml", "src/.gitignore", "src/A.php"}
	if !slices.Equal(names, want) {
		t.Errorf("archive entries\n %q\nwant\n %q", names, want)
	}
	var got []string
	for _, p := range problemsOf(sum, SeverityWarning) {
		if p.Source != "s" || p.Tag != "1.0.0" || p.Package != "acme/lib" {
			t.Errorf("warning not located: %+v", p)
		}
		got = append(got, p.Path)
		if strings.ContainsRune(p.String(), '\x01') {
			t.Errorf("report line %q sends a control character to the terminal", p.String())
		}
	}
	slices.Sort(got)
	wantPaths := []string{`..\..\evil.txt`, ".GIT/", `C:\x.txt`, "D:y.txt", "ctl\x01.txt", "deep/er/.GIT/", "src/.git/"}
	if !slices.Equal(got, wantPaths) {
		t.Errorf("warnings for\n %q\nwant\n %q", got, wantPaths)
	}
	if sum.Warnings != len(wantPaths) {
		t.Errorf("Warnings = %d, want %d", sum.Warnings, len(wantPaths))
	}
}
