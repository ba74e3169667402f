package build

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// fixWarnings returns the messages of the fix warnings of a run, sorted.
func fixWarnings(s *Summary) []string {
	var out []string
	for _, p := range problemsOf(s, SeverityWarning) {
		if strings.HasPrefix(p.Message, "fix never applied") {
			out = append(out, p.Source+": "+p.Message[strings.Index(p.Message, ": ")+2:])
		}
	}
	slices.Sort(out)
	return out
}

// TestUnusedFixesReported: fixes that match nothing are reported as warnings at the end of a build whose
// expansion saw their source whole: the first build, and the run after the source's fixes changed (which
// expands every tag again; a replacement of a version published by then still counts as applied). A no-op
// run and a source missing from --sources-dir judge nothing.
func TestUnusedFixesReported(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/lib", "1.0.0", nil), "f.txt": "upstream\n"})
	g.CommitTag("1.0.0")
	sd := t.TempDir() // --sources-dir: holds s, not offline
	if err := os.Symlink(g.Dir, filepath.Join(sd, "s")); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	repl := []byte("released\n")
	if err := os.WriteFile(filepath.Join(data, "f.txt"), repl, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(repl)
	replacement := func(version string) string {
		return "  - {source: s, package: acme/lib, version: \"" + version + "\", files: [{path: f.txt, data: f.txt, bytes: 9, sha256: " +
			hex.EncodeToString(sum[:]) + "}]}\n"
	}
	yaml := "archive-format: deflate\nbase-url: https://r.example/\nsources:\n" +
		"  - {name: s, url: https://example.invalid/s.git, packages: [{dir: \"\"}]}\n" +
		"  - {name: offline, url: https://example.invalid/offline.git, packages: [{dir: \"\"}]}\n" +
		"version-pins:\n" +
		"  - {source: s, tag: \"1.0.0\", pins: {acme/lib: \"1.0.0\"}}\n" +
		"  - {source: s, tag: \"9.9.9\", pins: {acme/lib: \"9.9.9\"}}\n" +
		"  - {source: offline, tag: \"1.0.0\", pins: {acme/other: \"1.0.0\"}}\n" +
		"patches:\n" +
		"  - {source: s, package: acme/lib, when: {version: \"1.0.0\"}, merge: {require: {php: \">=8.1\"}}}\n" +
		"  - {source: s, package: acme/lbi, when: {version: \"1.0.0\"}, merge: {require: {php: \">=8.1\"}}}\n" +
		"file-replacements:\n" + replacement("1.0.0") + replacement("2.0.0")
	out, cache := t.TempDir(), t.TempDir()
	run := func(yaml string) *Summary {
		t.Helper()
		c, err := config.Parse([]byte(yaml), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		c.DataDir = data
		s, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache, SourcesDir: sd, Jobs: 2})
		if err != nil {
			t.Fatalf("%v %+v", err, s)
		}
		return s
	}
	want := []string{
		"s: file-replacements: s acme/lib 2.0.0",
		"s: patches[1]: s acme/lbi when version 1.0.0",
		"s: version-pins[1]: s 9.9.9: acme/lib 9.9.9",
	}
	first := run(yaml)
	if got := fixWarnings(first); !slices.Equal(got, want) {
		t.Errorf("first build reports\n %q\nwant\n %q", got, want)
	}
	if first.Built != 1 || readZipFile(t, filepath.Join(out, "dist/acme/lib-1.0.0.zip"), "f.txt") != "released\n" {
		t.Fatalf("the used fixes did not apply: %+v", first)
	}
	if got := fixWarnings(run(yaml)); len(got) != 0 {
		t.Errorf("a no-op run judged fixes it never read: %q", got)
	}
	// A new pin changes the source's configuration: every tag is expanded again, 1.0.0 is reused.
	changed := strings.Replace(yaml, "patches:\n", "  - {source: s, tag: \"1.0.1\", pins: {acme/lib: \"1.0.1\"}}\npatches:\n", 1)
	third := run(changed)
	want = append(want, "s: version-pins[3]: s 1.0.1: acme/lib 1.0.1")
	slices.Sort(want)
	if got := fixWarnings(third); !slices.Equal(got, want) || third.Reused != 1 {
		t.Errorf("after a configuration change (reused %d) reports\n %q\nwant\n %q", third.Reused, got, want)
	}
}
