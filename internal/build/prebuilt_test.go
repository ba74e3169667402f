package build

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

func writeZip(t *testing.T, path string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for n, c := range files {
		f, _ := w.Create(n)
		f.Write([]byte(c))
	}
	w.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPrebuiltWinsAndIsServedVerbatim: a prebuilt zip is published byte for byte under <dist>/additional/ and
// wins over a git-built package of the same name and version.
func TestPrebuiltWinsAndIsServedVerbatim(t *testing.T) {
	g := gittest.New(t)
	g.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/x", "1.0.2-p2", nil), "a.txt": "from git"})
	g.CommitTag("1.0.2-p2")
	pre := t.TempDir()
	want := writeZip(t, filepath.Join(pre, "acme-x-1.0.2.0-patch2.zip"), map[string]string{
		"composer.json": `{"name": "acme/x", "version": "1.0.2-p2", "type": "library"}`, "a.txt": "released bytes"})
	c, err := config.Parse([]byte("archive-format: mageos\nbase-url: https://r.example/\nsources:\n  - name: x\n    path: "+g.Dir+"\n    packages: [{dir: \"\"}]\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir(), Prebuilt: []string{pre}})
	if err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	got, err := os.ReadFile(filepath.Join(out, "dist/additional/acme-x-1.0.2.0-patch2.zip"))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("prebuilt zip not served verbatim: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "dist/acme/x-1.0.2-p2.zip")); err == nil {
		t.Fatal("the git-built archive of a prebuilt version was published too")
	}
	p2, _ := os.ReadFile(filepath.Join(out, "p2/acme/x.json"))
	if !strings.Contains(string(p2), "dist/additional/acme-x-1.0.2.0-patch2.zip") || sum.Prebuilt != 1 || sum.Built != 0 {
		t.Fatalf("metadata/summary wrong: %s %+v", p2, sum)
	}
}
