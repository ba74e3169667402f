package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
)

// TestProfileShowRoundTrips: the printed profile is a valid configuration equal to the embedded default, so a
// user can copy it and start a distribution from it.
func TestProfileShowRoundTrips(t *testing.T) {
	var out bytes.Buffer
	g := &globalOptions{LogFormat: "text", stdout: &out, stderr: &bytes.Buffer{}}
	root := newRootCommand(g)
	root.SetArgs([]string{"profile", "show"})
	if err := root.ExecuteContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "copy.yaml")
	os.WriteFile(p, out.Bytes(), 0o644)
	c, err := config.Load(p)
	if err != nil {
		t.Fatalf("printed profile does not load: %v", err)
	}
	def, _ := config.Default()
	if len(c.Sources) != len(def.Sources) || len(c.Patches) != len(def.Patches) || c.ArchiveFormat != "mageos" || c.DistDir != "packages" {
		t.Fatalf("printed profile differs from the embedded one: %d sources, %d patches, %s, %s", len(c.Sources), len(c.Patches), c.ArchiveFormat, c.DistDir)
	}
}

// TestConfigCheck: a valid file is reported valid (exit 0), a broken one with its line (exit 2).
func TestConfigCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("sources:\n  - name: a\n    url: https://example.com/a.git\n    packages: [{dir: \"\"}]\n"), 0o644)
	os.WriteFile(bad, []byte("sources:\n  - name: a\n    url: https://example.com/a.git\n    packages:\n      - dir: \"\"\n        exlude: [x]\n"), 0o644)
	for _, tc := range []struct {
		file, want string
		code       int
	}{{good, "good.yaml: valid (1 source)", exitOK}, {bad, "bad.yaml", exitUsage}} {
		var out bytes.Buffer
		g := &globalOptions{LogFormat: "text", stdout: &out, stderr: &bytes.Buffer{}}
		root := newRootCommand(g)
		root.SetArgs([]string{"config", "check", tc.file})
		err := root.ExecuteContext(t.Context())
		if code := exitCode(t.Context(), err); code != tc.code {
			t.Fatalf("%s: exit %d (%v), want %d", tc.file, code, err, tc.code)
		}
		// The problems are the command's result: stdout; the error only counts them.
		msg := out.String()
		if !strings.Contains(msg, tc.want) || (tc.code == exitUsage && !strings.Contains(msg, `line 6, column 9: unknown key "exlude" in a package layout; did you mean "exclude"?`)) {
			t.Fatalf("%s: %q", tc.file, msg)
		}
	}
}
