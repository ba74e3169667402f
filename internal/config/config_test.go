package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseErrorsNameLines(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown key", "sources:\n  - name: a\n    url: x\n    colour: red\n    packages: [{dir: \"\"}]\n", "line 4"},
		{"bad type", "sources:\n  - name: a\n    url: x\n    version-from-tag: maybe\n    packages: [{dir: \"\"}]\n", "line 4"},
		{"no url", "sources:\n  - name: a\n    packages: [{dir: \"\"}]\n", "line 2, column 5: source \"a\": needs exactly one of url and path"},
		{"no layout kind", "sources:\n  - name: a\n    url: x\n    packages:\n      - exclude: [x]\n", "line 5"},
		{"bad layout option", "sources:\n  - name: a\n    url: x\n    packages:\n      - dir: \"\"\n        excludes: [x]\n", "excludes"},
		{"bad from", "sources:\n  - name: a\n    url: x\n    from: latest\n    packages: [{dir: \"\"}]\n", "line 4, column 5: source \"a\": from \"latest\" is not a version"},
		{"base without metadata", "sources:\n  - name: a\n    url: x\n    packages:\n      - magento-base: \"\"\n", "composer-json: release-metadata"},
		{"bad format", "archive-format: zip\nsources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n", "archive-format"},
		{"dist-dir packages.json", "dist-dir: packages.json\nsources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n", "dist-dir \"packages.json\" collides"},
		{"dist-dir p2", "dist-dir: p2\nsources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n", "dist-dir \"p2\" collides"},
		{"dist-dir under p2", "dist-dir: p2/dist\nsources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n", "dist-dir \"p2/dist\" collides"},
		{"dist-dir index.html", "dist-dir: index.html\nsources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n", "collides"},
		{"unknown fix source", "sources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\nextra-refs:\n  - {source: b, commit: abcdef0, release: \"1.0\"}\n", "unknown source \"b\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "x.yaml: ") {
				t.Fatalf("error = %v, want it to start with the file and contain %q", err, tc.want)
			}
		})
	}
}

func TestParseLayouts(t *testing.T) {
	c, err := Parse([]byte(`
base-url: https://repo.example.com/sub/
archive-format: mageos
sources:
  - name: sat
    path: /tmp/x
    from: "1.0.9"
    packages:
      - each-dir: ""
        exclude: [.github/, {path: .gitignore, keep-for-refs: ["2.4.0"]}]
      - metapackage-dir: _metapackage
      - extra-metapackage: product-community-edition
        type: metapackage
version-pins:
  - {source: sat, tag: "1.0.9", pins: {b/b: "2", a/a: "1"}}
patches:
  - source: sat
    package: a/a
    when: {prefix: "2.4.7-", from: "2.4.7-p6"}
    merge: {conflict: {z/z: ">=1"}, require: {y/y: "1"}}
`), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Sources[0]
	if len(s.Packages) != 3 || s.Packages[0].Kind != EachDir || s.Packages[1].Dir != "_metapackage" || s.Packages[2].Type != "metapackage" {
		t.Fatalf("layouts = %+v", s.Packages)
	}
	if ex := s.Packages[0].Exclude[1]; ex.Path != ".gitignore" || ex.Applies("2.4.0") || !ex.Applies("2.4.1") {
		t.Fatalf("conditional exclude = %+v", ex)
	}
	if p := c.VersionPins[0].Pins; p[0].Key != "b/b" || p[1].Key != "a/a" {
		t.Fatalf("pin order lost: %+v", p)
	}
	if m := c.Patches[0].Merge; m[0].Name != "conflict" || m[1].Name != "require" {
		t.Fatalf("merge order lost: %+v", m)
	}
	if c.DistDir != "dist" || s.Line != 5 {
		t.Fatalf("defaults/lines: dist-dir %q line %d", c.DistDir, s.Line)
	}
}

func TestSharedProfileParses(t *testing.T) {
	c, err := Load("../../../shared/data/mageos-mirror-profile.yaml")
	if err != nil {
		if strings.Contains(err.Error(), "no such file") {
			t.Skip("shared data not present")
		}
		t.Fatal(err)
	}
	if len(c.Sources) != 26 || len(c.Patches) != 41 || len(c.VersionPins) != 25 {
		t.Fatalf("sources %d patches %d pins %d", len(c.Sources), len(c.Patches), len(c.VersionPins))
	}
}

func TestLoadResolvesPathsAgainstTheFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "profile.yaml")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("release-metadata: {name: release-metadata, path: meta}\nsources:\n  - name: a\n    path: ../repos/a\n    packages: [{dir: \"\"}]\n  - name: b\n    path: /abs/b\n    packages: [{dir: \"\"}]\n"), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sources[0].Path != filepath.Join(dir, "repos", "a") || c.Sources[1].Path != "/abs/b" || c.ReleaseMetadata.Path != filepath.Join(dir, "sub", "meta") {
		t.Fatalf("paths: %q %q %q", c.Sources[0].Path, c.Sources[1].Path, c.ReleaseMetadata.Path)
	}
	os.WriteFile(p, []byte("sources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\nprebuilt-sources:\n  - {name: zips, path: ../zips}\n"), 0o644)
	if c, err = Load(p); err != nil || c.PrebuiltSources[0].Path != filepath.Join(dir, "zips") {
		t.Fatalf("prebuilt source path: %+v %v", c, err)
	}
}

const oneSource = "sources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n"

func TestParsePrebuiltSources(t *testing.T) {
	c, err := Parse([]byte(oneSource+`prebuilt-sources:
  - name: zips
    url: https://git.example.com/zips.git
    branch: release
    dir: resource/additional-packages
  - name: local
    path: /srv/zips
`), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []PrebuiltSource{
		{Name: "zips", URL: "https://git.example.com/zips.git", Branch: "release", Dir: "resource/additional-packages", Line: 6},
		{Name: "local", Path: "/srv/zips", Line: 10},
	}
	if !reflect.DeepEqual(c.PrebuiltSources, want) {
		t.Fatalf("prebuilt-sources = %+v", c.PrebuiltSources)
	}
	if c.PrebuiltSources[1].Location() != "/srv/zips" {
		t.Fatal("Location")
	}
}

func TestPrebuiltSourcesErrorsNameLines(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown key", "prebuilt-sources:\n  - name: z\n    url: x\n    ref: main\n", "line 8"},
		{"no name", "prebuilt-sources:\n  - url: x\n", "line 6, column 5: prebuilt source \"\": needs a name"},
		{"no location", "prebuilt-sources:\n  - name: z\n", "line 6, column 5: prebuilt source \"z\": needs exactly one of url and path"},
		{"url and path", "prebuilt-sources:\n  - {name: z, url: x, path: y}\n", "line 6, column 5: prebuilt source \"z\": needs exactly one of url and path"},
		{"twice", "prebuilt-sources:\n  - {name: z, url: x}\n  - {name: z, url: y}\n", "line 7, column 6: prebuilt source \"z\": name used twice"},
		{"a source's name", "prebuilt-sources:\n  - {name: a, url: x}\n", "line 6, column 6: prebuilt source \"a\": name is also a source's name"},
		{"release metadata", "prebuilt-sources:\n  - {name: release-metadata, url: x}\n", "where --sources-dir reads the release metadata"},
		{"separator", "prebuilt-sources:\n  - {name: a/b, url: x}\n", "must not contain path separators"},
		{"bad branch", "prebuilt-sources:\n  - {name: z, url: x, branch: \"a..b\"}\n", "line 6, column 23: prebuilt source \"z\": invalid branch name"},
		{"bad dir", "prebuilt-sources:\n  - {name: z, url: x, dir: ../up}\n", "line 6, column 23: prebuilt source \"z\": dir \"../up\" must be a clean repository-relative directory"},
		{"absolute dir", "prebuilt-sources:\n  - {name: z, url: x, dir: /abs}\n", "must be a clean repository-relative directory"},
		{"not a list", "prebuilt-sources: {name: z}\n", "line 5"},
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
