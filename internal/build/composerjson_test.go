package build

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// TestComposerJSONRewriteVectors builds the reference's composer.json vectors that depend on the build's
// rewriting (version from the tag for metapackages, in place or appended; the sample-data suggest rule) through
// a real repository and compares the archive's composer.json bytes with the reference output.
func TestComposerJSONRewriteVectors(t *testing.T) {
	cases := map[string]string{ // vector -> layout
		"10-metapackage-version-absent": "metapackage-dir",
		"11-metapackage-version-zero":   "metapackage-dir",
		"12-sample-data-suggest":        "dir",
	}
	for name, layout := range cases {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join(vectors, "composer-json", name+".in.json"))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(filepath.Join(vectors, "composer-json", name+".out.json"))
			g := gittest.New(t)
			g.Write(map[string]string{"pkg/composer.json": string(in), "pkg/README.md": "x"})
			g.CommitTag("1.0.0")
			c, err := config.Parse([]byte("archive-format: mageos\nbase-url: https://r.example/\nsources:\n  - name: s\n    path: "+g.Dir+
				"\n    packages:\n      - "+layout+": pkg\n"), "v.yaml")
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			if _, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir()}); err != nil {
				t.Fatal(err)
			}
			zips, _ := filepath.Glob(filepath.Join(out, "dist", "*", "*.zip"))
			if len(zips) != 1 {
				t.Fatalf("built %v", zips)
			}
			got := readZipFile(t, zips[0], "composer.json")
			if got != string(want) {
				t.Errorf("composer.json differs from the reference\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func readZipFile(t *testing.T, zipPath, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatalf("%s has no %s", zipPath, name)
	return ""
}
