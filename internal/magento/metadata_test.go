package magento

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// sharedMetadataDir is the shared copy of mage-os/magento2-base-composer-json (not part of the repository).
const sharedMetadataDir = "../../../shared/data/magento-release-metadata"

// sharedMetadata returns the shared release metadata, or skips the test when it is absent.
func sharedMetadata(t *testing.T) *ReleaseMetadata {
	t.Helper()
	if _, err := os.Stat(sharedMetadataDir); err != nil {
		t.Skipf("shared release metadata not available: %v", err)
	}
	return NewReleaseMetadata(os.DirFS(sharedMetadataDir))
}

func TestReleaseMetadataFile(t *testing.T) {
	fsys := fstest.MapFS{
		"README.md":                         {Data: []byte("# not a release")},
		".git/HEAD":                         {Data: []byte("ref: refs/heads/main")},
		"2.4.7/git-tag/composer.json":       {Data: []byte("404: Not Found")},
		"2.4.7/magento2-base/composer.json": {Data: []byte(`{"name":"magento/magento2-base","version":"2.4.7"}`)},
		"2.4.6/product-community-edition/composer.json": {Data: []byte(`{"name": `)},
		"2.4.5/git-tag/composer.json":                   {Data: []byte("\n404: Not Found\n")},
	}
	m := NewReleaseMetadata(fsys)
	if got, want := m.Releases(), []string{"2.4.5", "2.4.6", "2.4.7"}; !slices.Equal(got, want) {
		t.Errorf("Releases() = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		name, release, kind string
		ok, err             bool
	}{
		{"404 body counts as absent", "2.4.7", KindGitTag, false, false},
		{"404 body with white space", "2.4.5", KindGitTag, false, false},
		{"present", "2.4.7", KindBase, true, false},
		{"missing file", "2.4.7", KindProduct, false, false},
		{"missing release", "2.4.9", KindBase, false, false},
		{"invalid json", "2.4.6", KindProduct, false, true},
		{"unknown kind", "2.4.7", "composer", false, true},
		{"release with slash", "2.4.7/git-tag", KindBase, false, true},
		{"dot-dot release", "..", KindBase, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, ok, err := m.File(tc.release, tc.kind)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Fatalf("File(%q, %q) = ok %v, err %v; want ok %v, err %v", tc.release, tc.kind, ok, err, tc.ok, tc.err)
			}
			if ok && doc == nil {
				t.Fatal("ok without a document")
			}
		})
	}
}

func TestBaseComposerJSONMissing(t *testing.T) {
	m := NewReleaseMetadata(fstest.MapFS{
		"2.4.7/magento2-base/composer.json": {Data: []byte(`{"name":"magento/magento2-base","version":0}`)},
	})
	_, err := BaseComposerJSON(m, "2.4.8")
	if !errors.Is(err, ErrNoReleaseMetadata) {
		t.Errorf("missing release: err = %v, want ErrNoReleaseMetadata", err)
	}
	if err == nil || !strings.Contains(err.Error(), "2.4.8") {
		t.Errorf("error %v does not name the release", err)
	}
	if _, err := BaseComposerJSON(m, "2.4.7"); err == nil {
		t.Error(`"version": 0 accepted; the reference treats it as missing`)
	}
	var nilMeta *ReleaseMetadata
	if _, err := BaseComposerJSON(nilMeta, "2.4.7"); !errors.Is(err, ErrNoReleaseMetadata) {
		t.Errorf("nil metadata: err = %v", err)
	}
}
