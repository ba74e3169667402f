package magento

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// ErrUnknownMetapackage is returned for an extra-metapackage layout that is neither a product nor a project.
var ErrUnknownMetapackage = errors.New("magento: unknown extra metapackage (product-… or project-… expected)")

// ExtraMetapackage composes the package an extra-metapackage layout names (the package name without vendor,
// e.g. "product-community-edition") from the tag's root composer.json: the product metapackage
// (ProductComposerJSON) or the project (ProjectComposerJSON, with repoURL as its only repository, and its extra
// files). Missing release metadata is an error wrapping ErrNoReleaseMetadata; a missing extra file is not an
// error (the package is complete without it) but is returned as missing.
func ExtraMetapackage(name string, root *composer.Object, tag string, m *ReleaseMetadata, repoURL string) (doc *composer.Object, extra []ExtraFile, missing error, err error) {
	switch {
	case strings.HasPrefix(name, "product-"):
		doc, err = ProductComposerJSON(root, tag, m)
		return doc, nil, nil, err
	case strings.HasPrefix(name, "project-"):
		if doc, err = ProjectComposerJSON(root, tag, m, repoURL); err != nil {
			return nil, nil, nil, err
		}
		extra, err = ProjectExtraFiles(m, tag)
		if errors.Is(err, ErrExtraFileMissing) {
			return doc, nil, err, nil
		}
		return doc, extra, nil, err
	}
	return nil, nil, nil, fmt.Errorf("%w: %q", ErrUnknownMetapackage, name)
}
