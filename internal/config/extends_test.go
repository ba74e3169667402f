package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtends: a profile file that extends the embedded mirror has the mirror's sources and fixes, its own
// keys replace the mirror's whole, and the mirror's data files resolve wherever the file is saved.
func TestExtends(t *testing.T) {
	mirror, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "mine.yaml")
	os.WriteFile(p, []byte("extends: mageos-mirror\nvendor: shop\nname: Shop\ndistribution:\n  releases: [{version: \"1.0.0\", upstream: \"2.4.8\"}]\n"), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "" {
		t.Errorf("base-url %q came from the extended profile: its URL is an example, never to publish at", c.BaseURL)
	}
	if c.Extends != DefaultProfile || c.Vendor != "shop" || c.Name != "Shop" || len(c.Sources) != len(mirror.Sources) ||
		len(c.Patches) != len(mirror.Patches) || c.ArchiveFormat != "mageos" || c.Distribution == nil {
		t.Fatalf("extended profile: extends %q vendor %q name %q, %d sources (mirror %d), %d patches, format %s",
			c.Extends, c.Vendor, c.Name, len(c.Sources), len(mirror.Sources), len(c.Patches), c.ArchiveFormat)
	}
	for _, r := range c.FileReplacements {
		for _, f := range r.Files {
			if _, err := fs.Stat(DataFS(c), f.Data); err != nil {
				t.Errorf("data file %s of the extended profile does not resolve: %v", f.Data, err)
			}
		}
	}
}

// TestExtendsErrors names the line of a bad extends.
func TestExtendsErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"name: x\nextends: no-such-profile\n", `line 2, column 10: unknown profile "no-such-profile"`},
		{"extends: [mageos-mirror]\n", "line 1, column 10: extends takes the name of an embedded profile"},
		{"extends: mageos-mirror\nvendor: acme\n", `vendor "acme" renames packages only in a distribution`},
		{"extends: mageos-mirror\nsources: [{name: only, path: /x, packages: [{dir: \"\"}]}]\n",
			`t.yaml: version-pins[0].source (taken from the extended profile mageos-mirror): version-pins: unknown source "magento2"`},
	} {
		_, err := Parse([]byte(tc.yaml), "t.yaml")
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// TestMergeTopOrder keeps the base's key order, replaces values in place, and appends the file's new keys.
func TestMergeTopOrder(t *testing.T) {
	c, err := Parse([]byte("extends: mageos-mirror\nsources: [{name: only, path: /x, packages: [{dir: \"\"}]}]\nnightly: {keep: 2}\n"), "t.yaml")
	if err == nil || !strings.Contains(err.Error(), "nightly: applies to sources that name a branch") {
		t.Fatalf("nightly without branches must be refused: %v %v", c, err)
	}
	c, err = Parse([]byte("extends: mageos-mirror\nsources: [{name: only, path: /x, packages: [{dir: \"\"}]}]\nversion-pins: []\npatches: []\nextra-refs: []\nfile-replacements: []\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Sources[0].Name != "only" || c.Name != "Magento Open Source mirror" {
		t.Errorf("sources replaced whole: %+v, name %q", c.Sources, c.Name)
	}
}
