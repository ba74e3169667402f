// Package repotest has helpers for tests that publish a repository and install
// from it with the real Composer client.
package repotest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/testenv"
)

// Zip returns a zip archive of files (path → content), entries sorted, with a
// fixed time, so the same files always give the same bytes.
func Zip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Date(2022, 2, 22, 22, 2, 22, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Composer returns the path of the composer binary (see internal/testenv).
func Composer(t testing.TB) string { return testenv.Tool(t, "composer") }

// Install creates a project that requires the given packages from the
// Composer repository at repoURL only (Packagist disabled, plain HTTP
// allowed), runs `composer install` in it with a private home and cache, and
// returns the project directory. Composer's output is in the failure message.
func Install(t testing.TB, repoURL string, require map[string]string) string {
	t.Helper()
	bin := Composer(t)
	tmp := t.TempDir()
	project := filepath.Join(tmp, "project")
	if err := os.MkdirAll(project, 0o755); err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{
		"name":              "test/project",
		"require":           require,
		"minimum-stability": "dev",
		"prefer-stable":     true,
		"repositories": []any{
			map[string]any{"type": "composer", "url": repoURL},
			map[string]any{"packagist.org": false},
		},
		"config": map[string]any{"secure-http": false, "allow-plugins": false},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "composer.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "install", "--no-interaction", "--no-progress", "--no-scripts", "--no-plugins")
	cmd.Dir = project
	cmd.Env = append(os.Environ(),
		"COMPOSER_HOME="+filepath.Join(tmp, "home"),
		"COMPOSER_CACHE_DIR="+filepath.Join(tmp, "cache"),
		"COMPOSER_NO_INTERACTION=1",
		"COMPOSER_ALLOW_SUPERUSER=1",
		"COMPOSER_DISABLE_NETWORK=0",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("composer install: %v\n%s", err, out)
	}
	return project
}
