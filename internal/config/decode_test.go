package config

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestThreeMistakesAtOnce: a file with a typo'd key, a wrong type and a reference to an unknown source is
// reported whole: every mistake, in file order, at the line and column of its key, in words (no Go type names).
// docs/cli.md shows this output.
func TestThreeMistakesAtOnce(t *testing.T) {
	_, err := Load("testdata/three-mistakes.yaml")
	want := `testdata/three-mistakes.yaml: line 9, column 9: unknown key "exclud" in a package layout; did you mean "exclude"?
testdata/three-mistakes.yaml: line 12, column 23: version-from-tag must be true or false, not "maybe"
testdata/three-mistakes.yaml: line 16, column 5: extra-refs: unknown source "libary"`
	var ve *ValidationError
	if !errors.As(err, &ve) || err.Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", err, want)
	}
}

// TestSyntaxErrorsNameTheirLine: yaml.v3 names the line where the enclosing block starts; the message names the
// line where the file stops parsing.
func TestSyntaxErrorsNameTheirLine(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"bad indentation", "name: x\nsources:\n  - name: a\n    url: b\n    packages:\n      - dir: \"\"\n     exclude: [x]\n", "x.yaml: line 7, column 6: the YAML is malformed here"},
		{"tab", "name: x\nsources:\n  - name: a\n\turl: b\n", "x.yaml: line 4, column 1: the YAML is malformed here (found a tab character"},
		{"unclosed list", "sources:\n  - name: a\n    url: [b\n    from: \"1\"\n", "x.yaml: line 3, column 5:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to start with %q", err, tc.want)
			}
		})
	}
}

// TestStructuralMessagesInWords: every structural mistake says what was expected in words, at its key.
func TestStructuralMessagesInWords(t *testing.T) {
	base := "sources:\n  - name: a\n    url: x\n    packages:\n"
	cases := []struct{ name, yaml, want string }{
		{"typo in layout", base + "      - dir: \"\"\n        exlude: [x]\n", `line 6, column 9: unknown key "exlude" in a package layout; did you mean "exclude"?`},
		{"no suggestion", base + "      - dir: \"\"\n        colour: red\n", `unknown key "colour" in a package layout; known keys: exclude, empty-dirs, composer-json, type, label`},
		{"list expected", "sources: {name: a}\n", `line 1, column 10: sources must be a list, not a mapping`},
		{"mapping expected", "sources:\n  - just-a-name\n", `line 2, column 5: a source must be a mapping (key: value lines), not "just-a-name"`},
		{"two kinds", base + "      - dir: \"\"\n        each-dir: \"\"\n", `line 6, column 9: a package layout has one kind, but this one has both dir and each-dir`},
		{"no kind", base + "      - exclude: [x]\n", `line 5, column 9: a package layout needs one of each-dir, dir, metapackage-dir, magento-base, extra-metapackage`},
		{"twice", "name: a\nname: b\n" + base + "      - dir: \"\"\n", `line 2, column 1: key "name" is given twice in the profile`},
		{"pins not a mapping", base + "      - dir: \"\"\nversion-pins:\n  - {source: a, tag: \"1\", pins: [x]}\n", `pins must be a mapping of names to values, not a list`},
		{"whole number", base + "      - dir: \"\"\nfile-replacements:\n  - {source: a, package: p, version: \"1\", files: [{path: f, data: d, bytes: lots}]}\n", `bytes must be a whole number, not "lots"`},
		{"empty file", "# nothing\n", `the file is empty`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "config.") {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestEmbeddedProfileHasNoProblems guards the decoder against rejecting what the old one accepted.
func TestEmbeddedProfileHasNoProblems(t *testing.T) {
	if _, err := Parse(DefaultYAML(), "embedded"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile("testdata/three-mistakes.yaml"); err != nil || len(b) == 0 {
		t.Fatal(err)
	}
}
