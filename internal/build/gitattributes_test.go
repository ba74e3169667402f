package build

import (
	"path/filepath"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// TestGitattributesAtEveryLevel: .gitattributes files at the repository root, above a package and inside it all
// apply, as in a checkout: the reference packaged checked-out files.
func TestGitattributesAtEveryLevel(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{
		".gitattributes":         "*.bat text eol=crlf\n",
		"app/.gitattributes":     "*.cmd text eol=crlf\n",
		"app/Mod/.gitattributes": "*.ps1 text eol=crlf\n",
		"app/Mod/composer.json":  `{"name": "acme/mod", "version": "1.0.0"}`,
		"app/Mod/a.bat":          "a\nb\n",
		"app/Mod/b.cmd":          "a\nb\n",
		"app/Mod/c.ps1":          "a\nb\n",
		"app/Mod/d.txt":          "a\nb\n",
		"composer.json":          `{"name": "acme/root", "version": "1.0.0"}`,
		"root.bat":               "x\ny\n",
	})
	g.CommitTag("1.0.0")
	c, err := config.Parse([]byte("archive-format: mageos\nbase-url: https://r.example/\nsources:\n  - name: s\n    path: "+g.Dir+
		"\n    packages:\n      - each-dir: app\n      - dir: \"\"\n        exclude: [app/]\n"), "g.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(out, "dist/acme/mod-1.0.0.zip")
	for name, want := range map[string]string{"a.bat": "a\r\nb\r\n", "b.cmd": "a\r\nb\r\n", "c.ps1": "a\r\nb\r\n", "d.txt": "a\nb\n"} {
		if got := readZipFile(t, mod, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := readZipFile(t, filepath.Join(out, "dist/acme/root-1.0.0.zip"), "root.bat"); got != "x\r\ny\r\n" {
		t.Errorf("root.bat = %q: the root .gitattributes must apply to a root package", got)
	}
}
