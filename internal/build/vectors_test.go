package build

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
)

const vectors = "../../testdata/mageos-zip-vectors"

// vectorRepo runs the vectors' make-repo.sh: the exact repository the reference generator built from.
func vectorRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "satellite")
	cmd := exec.Command("bash", filepath.Join(vectors, "make-repo.sh"), dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make-repo.sh: %v\n%s", err, out)
	}
	return dir
}

func vectorConfig(t *testing.T, repoDir, layout string) *config.Config {
	t.Helper()
	y := `archive-format: mageos
base-url: https://repo.example.com/
sources:
  - name: satellite
    path: ` + repoDir + `
    from: "1.0.9"
    packages:
` + layout
	c, err := config.Parse([]byte(y), "vectors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReferenceVectors rebuilds every archive of the reference generator's vectors from git and compares bytes.
func TestReferenceVectors(t *testing.T) {
	repoDir := vectorRepo(t)
	layouts := map[string]string{
		"each-dir": `      - each-dir: ""
        exclude: [.github/, _metapackage/, dev/, .git/]
      - metapackage-dir: _metapackage
`,
		"dir-ModuleAlpha": "      - dir: ModuleAlpha\n",
		"dir-root": `      - dir: ""
        exclude: [.github/, _metapackage/, dev/]
`,
	}
	total := 0
	for name, layout := range layouts {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			sum, err := Run(t.Context(), Options{Config: vectorConfig(t, repoDir, layout), Out: out, CacheDir: t.TempDir(), Jobs: 4})
			if err != nil {
				t.Fatalf("build: %v (%+v)", err, sum)
			}
			want, _ := filepath.Glob(filepath.Join(vectors, "expected", name, "acme", "*.zip"))
			got, _ := filepath.Glob(filepath.Join(out, "dist", "acme", "*.zip"))
			if len(got) != len(want) || len(want) == 0 {
				t.Fatalf("built %d archives, reference has %d: %v", len(got), len(want), got)
			}
			for _, w := range want {
				wb, _ := os.ReadFile(w)
				gb, err := os.ReadFile(filepath.Join(out, "dist", "acme", filepath.Base(w)))
				if err != nil {
					t.Errorf("%s: not built", filepath.Base(w))
					continue
				}
				if !bytes.Equal(wb, gb) {
					t.Errorf("%s: bytes differ from the reference (%d vs %d bytes)", filepath.Base(w), len(gb), len(wb))
				}
				total++
			}
			if name == "each-dir" {
				var msgs []string
				for _, p := range sum.Problems {
					msgs = append(msgs, p.String())
				}
				joined := strings.Join(msgs, "\n")
				for _, want := range []string{"module-gamma/composer.json (acme/module-gamma): no version", "conflict: (acme/module-beta 100.0.2)"} {
					if !strings.Contains(joined, want) {
						t.Errorf("report lacks %q:\n%s", want, joined)
					}
				}
			}
		})
	}
}
