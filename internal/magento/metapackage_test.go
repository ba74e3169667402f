package magento

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/mage-os/magerepo/internal/composer"
)

func TestExtraMetapackageDispatch(t *testing.T) {
	root, _ := composer.ParseDocument([]byte(`{"name": "magento/magento2ce", "version": "2.4.7", "require": {"php": "~8.2.0"}}`))
	md := NewReleaseMetadata(fstest.MapFS{})
	if _, _, _, err := ExtraMetapackage("something-else", root, "2.4.7", md, "https://m.example/"); !errors.Is(err, ErrUnknownMetapackage) {
		t.Fatalf("unknown name: %v", err)
	}
	for _, name := range []string{"product-community-edition", "project-community-edition"} {
		if _, _, _, err := ExtraMetapackage(name, root, "2.4.7", md, "https://m.example/"); !errors.Is(err, ErrNoReleaseMetadata) {
			t.Fatalf("%s without release metadata: %v", name, err)
		}
	}
}
