package config

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSelfContainedYAMLLoadsAnywhere: the printed profile, saved in a directory without any data files, loads
// and serves every replacement's bytes exactly as the embedded data does.
func TestSelfContainedYAMLLoadsAnywhere(t *testing.T) {
	b, err := SelfContainedYAML()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("\n        data: ")) || !bytes.Contains(b, []byte("# PROVENANCE")) {
		t.Fatal("the printed profile still refers to data files, or lost its comments")
	}
	p := filepath.Join(t.TempDir(), "mirror.yaml")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := Default()
	if len(c.FileReplacements) == 0 || len(c.FileReplacements) != len(def.FileReplacements) {
		t.Fatalf("%d file replacements, want %d", len(c.FileReplacements), len(def.FileReplacements))
	}
	for i, r := range c.FileReplacements {
		for j, f := range r.Files {
			got, err := readAll(DataFS(c), f.Data)
			want, err2 := readAll(DataFS(def), def.FileReplacements[i].Files[j].Data)
			if err != nil || err2 != nil || !bytes.Equal(got, want) || int64(len(got)) != f.Bytes {
				t.Fatalf("file %s: %d bytes (%v), want %d (%v)", f.Path, len(got), err, len(want), err2)
			}
		}
	}
}

func TestLiteralBlockIsExact(t *testing.T) {
	for _, s := range []string{"a\nb\n", "no newline", "two\n\n", "  leading space\nx\n", "tab\tinside\n\n\nblank lines\n", "ü ©\n"} {
		y := "sources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\nfile-replacements:\n  - source: a\n    package: p\n    version: \"1\"\n    files:\n      - path: f\n        " +
			literalBlock("content", 8, []byte(s)) + "        sha256: " + strings.Repeat("0", 64) + "\n"
		c, err := Parse([]byte(y), "x.yaml")
		if err != nil {
			t.Fatalf("%q: %v\n%s", s, err, y)
		}
		if got := string(c.inline[InlineName(0, 0)]); got != s {
			t.Errorf("%q came back as %q", s, got)
		}
	}
}

func readAll(fsys fs.FS, name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
