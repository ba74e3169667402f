package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestDefaultValidates(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "" || c.ArchiveFormat != "mageos" || c.DistDir != "packages" || c.BaseURL != "https://mirror.mage-os.org/" {
		t.Fatalf("settings: file %q format %q dist-dir %q base-url %q", c.File, c.ArchiveFormat, c.DistDir, c.BaseURL)
	}
	rm := c.ReleaseMetadata
	if rm == nil || rm.Name != "release-metadata" || rm.URL != "https://github.com/mage-os/magento2-base-composer-json.git" {
		t.Fatalf("release-metadata = %+v", rm)
	}
	if c.Prebuilt == nil || len(c.Prebuilt) != 0 {
		t.Fatalf("prebuilt = %#v, want an empty list", c.Prebuilt)
	}
	// The prebuilt archives come from the reference generator's repository (rules: prebuilt-packages).
	wantPre := []PrebuiltSource{{Name: "additional-packages", URL: "https://github.com/mage-os/generate-mirror-repo-js.git",
		Branch: "main", Dir: "resource/additional-packages"}}
	if len(c.PrebuiltSources) != 1 || c.PrebuiltSources[0].Line == 0 {
		t.Fatalf("prebuilt-sources = %+v", c.PrebuiltSources)
	}
	got := []PrebuiltSource{c.PrebuiltSources[0]}
	got[0].Line = 0
	if !reflect.DeepEqual(got, wantPre) {
		t.Fatalf("prebuilt-sources = %+v, want %+v", got, wantPre)
	}
	// Each call returns an independent Config.
	c.BaseURL = "https://changed.example/"
	if d, _ := Default(); d.BaseURL != "https://mirror.mage-os.org/" {
		t.Fatal("Default shares state between calls")
	}
	if !bytes.Contains(DefaultYAML(), []byte("# PROVENANCE")) || !bytes.Contains(DefaultYAML(), []byte("why: ")) {
		t.Fatal("the provenance header or the why: texts are missing")
	}
}

func TestDefaultDataResolves(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if n := checkDataFiles(t, c); n != 1 {
		t.Fatalf("%d replacement files, want 1", n)
	}
}

// checkDataFiles checks that every file replacement's data resolves in DataFS(c) with the size and checksum
// the profile says, and returns how many there are.
func checkDataFiles(t *testing.T, c *Config) int {
	t.Helper()
	data := DataFS(c)
	n := 0
	for _, r := range c.FileReplacements {
		for _, f := range r.Files {
			b, err := fs.ReadFile(data, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if int64(len(b)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
				t.Errorf("%s: %d bytes sha256 %x, profile says %d %s", f.Data, len(b), sum, f.Bytes, f.SHA256)
			}
			n++
		}
	}
	return n
}

func TestDataFS(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/x", []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Config{{File: dir + "/profile.yaml"}, {File: "elsewhere.yaml", DataDir: dir}} {
		if b, err := fs.ReadFile(DataFS(c), "x"); err != nil || string(b) != "y" {
			t.Fatalf("DataFS(%+v): %q %v", c, b, err)
		}
	}
}

// TestDefaultHasEverySharedEntry checks that every entry of the shared mageos-mirror-profile.yaml is in the
// embedded profile, unchanged.
func TestDefaultHasEverySharedEntry(t *testing.T) {
	shared, err := Load("../../../shared/data/mageos-mirror-profile.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("shared data not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	emb, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	bySource := map[string]Source{}
	for _, s := range emb.Sources {
		bySource[s.Name] = stripLines(s)
	}
	for _, s := range shared.Sources {
		got, ok := bySource[s.Name]
		if !ok || !reflect.DeepEqual(got, stripLines(s)) {
			t.Errorf("source %s: embedded %+v, shared %+v", s.Name, got, stripLines(s))
			continue
		}
		counts["sources"]++
		for _, l := range s.Packages {
			counts["layouts"]++
			counts["excludes"] += len(l.Exclude)
			counts["empty dirs"] += len(l.EmptyDirs)
		}
	}
	counts["pins"] = countPresent(t, "pin", shared.VersionPins, emb.VersionPins, func(p VersionPin) int { return len(p.Pins) })
	counts["patches"] = countPresent(t, "patch", shared.Patches, emb.Patches, func(Patch) int { return 1 })
	counts["extra refs"] = countPresent(t, "extra ref", shared.ExtraRefs, emb.ExtraRefs, func(ExtraRef) int { return 1 })
	counts["file replacements"] = countPresent(t, "file replacement", shared.FileReplacements, emb.FileReplacements,
		func(r FileReplacement) int { return len(r.Files) })
	counts["not in mirror"] = countPresent(t, "not-in-mirror", stripAll(shared.NotInMirror), stripAll(emb.NotInMirror), func(Source) int { return 1 })
	// The shared file names the test suite's metadata copy by its path outside the repository; the embedded
	// profile, which is in the repository, describes it instead (TestDocsSelfContained in cmd/magerepo forbids
	// such paths).
	for i := range shared.Rules {
		replaceInNode(&shared.Rules[i], "shared/data/magento-release-metadata", "the local release-metadata copy")
	}
	counts["rules"] = countPresent(t, "rule", encodeNodes(t, shared.Rules), encodeNodes(t, emb.Rules), func(string) int { return 1 })
	want := map[string]int{"sources": 26, "layouts": 44, "excludes": 34, "empty dirs": 5, "pins": 68, "patches": 41,
		"extra refs": 1, "file replacements": 1, "not in mirror": 9, "rules": 11}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("entries present in both:\n got %v\nwant %v", counts, want)
	}
	if len(emb.Sources) != len(shared.Sources) || len(emb.Patches) != len(shared.Patches) || len(emb.VersionPins) != len(shared.VersionPins) {
		t.Errorf("the embedded profile has entries the shared one lacks")
	}
}

// countPresent checks that every entry of shared is in emb at the same index and sums weight over them.
func countPresent[T any](t *testing.T, kind string, shared, emb []T, weight func(T) int) int {
	t.Helper()
	n := 0
	for i, s := range shared {
		if i >= len(emb) || !reflect.DeepEqual(s, emb[i]) {
			t.Errorf("%s %d missing or changed: %+v", kind, i, s)
			continue
		}
		n += weight(s)
	}
	return n
}

func stripLines(s Source) Source {
	s.Line = 0
	ls := make([]Layout, len(s.Packages))
	for i, l := range s.Packages {
		l.Line = 0
		ls[i] = l
	}
	s.Packages = ls
	return s
}

func stripAll(ss []Source) []Source {
	out := make([]Source, len(ss))
	for i, s := range ss {
		out[i] = stripLines(s)
	}
	return out
}

// replaceInNode replaces old by new in the scalar values of n and its descendants.
func replaceInNode(n *yaml.Node, old, new string) {
	n.Value = strings.ReplaceAll(n.Value, old, new)
	for _, c := range n.Content {
		replaceInNode(c, old, new)
	}
}

func encodeNodes(t *testing.T, ns []yaml.Node) []string {
	out := make([]string, len(ns))
	for i := range ns {
		b, err := yaml.Marshal(&ns[i])
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(b)
	}
	return out
}
