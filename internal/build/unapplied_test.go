package build

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

// TestLFSPointersReported: a file stored through Git LFS (filter=lfs) is archived as its pointer, and a warning
// names source, tag and path; a file matching filter=lfs committed without LFS is real content and is not
// reported, nor is another filter (a checkout without its driver keeps the bytes too). ident, which a checkout
// would apply, is reported as not applied.
func TestLFSPointersReported(t *testing.T) {
	pointer := "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
	g := gittest.New(t)
	g.Write(map[string]string{
		".gitattributes":  "*.psd filter=lfs diff=lfs merge=lfs -text\n*.php ident\n*.enc filter=crypt\n",
		"composer.json":   `{"name": "acme/media", "version": "1.0.0"}`,
		"img/logo.psd":    pointer,
		"img/raw.psd":     "real bytes, committed before LFS tracked *.psd\n",
		"src/A.php":       "<?php // $Id$\n",
		"secret.enc":      "ciphertext\n",
		"docs/readme.txt": "plain\n",
	})
	g.CommitTag("1.0.0")
	out, sum := buildOne(t, "archive-format: mageos\nbase-url: https://r.example/\nsources:\n  - name: s\n    path: "+g.Dir+
		"\n    packages: [{dir: \"\"}]\n")
	if sum.Built != 1 || sum.Failed != 0 {
		t.Fatalf("%+v", sum)
	}
	if got := readZipFile(t, filepath.Join(out, "dist/acme/media-1.0.0.zip"), "img/logo.psd"); got != pointer {
		t.Fatalf("logo.psd = %q, want the pointer as committed", got)
	}
	var paths []string
	for _, p := range problemsOf(sum, SeverityWarning) {
		if p.Source != "s" || p.Tag != "1.0.0" || p.Package != "acme/media" {
			t.Errorf("warning not located: %+v", p)
		}
		paths = append(paths, p.Path)
	}
	slices.Sort(paths)
	if want := []string{"img/logo.psd", "src/A.php"}; !slices.Equal(paths, want) {
		t.Errorf("warnings for %q, want %q: %+v", paths, want, sum.Problems)
	}
}
