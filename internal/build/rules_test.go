package build

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

func buildOne(t *testing.T, yaml string) (string, *Summary) {
	t.Helper()
	c, err := config.Parse([]byte(yaml), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir(), Jobs: 2})
	if err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	return out, sum
}

// TestVersionFromTag: with version-from-tag, a package whose composer.json has no version takes the tag's;
// without it the package is skipped (the reference's behaviour).
func TestVersionFromTag(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{"composer.json": `{"name": "acme/plugin", "type": "composer-plugin"}`, "src/P.php": "<?php\n"})
	g.CommitTag("v1.2.0")
	base := "archive-format: deflate\nbase-url: https://r.example/\nsources:\n  - name: s\n    path: " + g.Dir + "\n"
	out, _ := buildOne(t, base+"    version-from-tag: true\n    packages: [{dir: \"\"}]\n")
	if got := readZipFile(t, filepath.Join(out, "dist/acme/plugin-v1.2.0.zip"), "composer.json"); !strings.Contains(got, `"version": "v1.2.0"`) {
		t.Fatalf("composer.json = %s", got)
	}
	_, sum := buildOne(t, base+"    packages: [{dir: \"\"}]\n")
	if sum.Built != 0 || sum.Skipped != 1 {
		t.Fatalf("without version-from-tag: %+v", sum)
	}
}

// TestDeflateLowestTagWins: outside the byte-compatible format, the lowest tag in version order wins a version
// two tags release with different content (byte order would pick 1.0.10 over 1.0.9).
func TestDeflateLowestTagWins(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/lib", "2.0.0", nil), "f.txt": "from 1.0.9\n"})
	g.CommitTag("1.0.9")
	g.Write(map[string]string{"f.txt": "from 1.0.10\n"})
	g.CommitTag("1.0.10")
	src := "base-url: https://r.example/\nsources:\n  - name: s\n    path: " + g.Dir + "\n    packages: [{dir: \"\"}]\n"
	for format, want := range map[string]string{"deflate": "from 1.0.9\n", "mageos": "from 1.0.10\n"} {
		out, sum := buildOne(t, "archive-format: "+format+"\n"+src)
		if got := readZipFile(t, filepath.Join(out, "dist/acme/lib-2.0.0.zip"), "f.txt"); got != want {
			t.Errorf("%s: f.txt = %q, want %q", format, got, want)
		}
		if sum.Conflicts != 1 {
			t.Errorf("%s: conflict not reported: %+v", format, sum)
		}
	}
}
