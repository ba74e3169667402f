package magento

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// The kinds of composer.json a release directory holds, named as in mage-os/magento2-base-composer-json.
const (
	KindGitTag  = "git-tag"                   // root composer.json of the magento2 monorepo at the release tag
	KindBase    = "magento2-base"             // released magento/magento2-base
	KindProduct = "product-community-edition" // released magento/product-community-edition
	KindProject = "project-community-edition" // released magento/project-community-edition
)

// maxMetadataFile bounds one composer.json read from release metadata; the largest real one is about 30 KiB.
const maxMetadataFile = 10 << 20

// notFoundBody is what the collector stored for a few git-tag files that GitHub could not serve.
const notFoundBody = "404: Not Found"

// ReleaseMetadata reads released composer.json files laid out like mage-os/magento2-base-composer-json:
// <release>/{git-tag,magento2-base,product-community-edition,project-community-edition}/composer.json.
type ReleaseMetadata struct {
	fsys fs.FS
}

// NewReleaseMetadata returns a reader over fsys, whose root holds one directory per release.
func NewReleaseMetadata(fsys fs.FS) *ReleaseMetadata { return &ReleaseMetadata{fsys: fsys} }

// Releases returns the release directory names in byte order. Hidden entries and plain files (README.md) are
// not releases. An unreadable root yields no releases.
func (m *ReleaseMetadata) Releases() []string {
	if m == nil || m.fsys == nil {
		return nil
	}
	entries, err := fs.ReadDir(m.fsys, ".")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

// File returns the parsed composer.json of kind (one of the Kind constants) for release; ok is false when it is
// absent. A file whose content is "404: Not Found" counts as absent. Unparsable JSON is an error.
func (m *ReleaseMetadata) File(release, kind string) (*composer.Object, bool, error) {
	b, ok, err := m.raw(release, kind, "composer.json")
	if err != nil || !ok {
		return nil, ok, err
	}
	if string(bytes.TrimSpace(b)) == notFoundBody {
		return nil, false, nil
	}
	doc, err := composer.ParseDocument(b)
	if err != nil {
		return nil, false, fmt.Errorf("magento: release metadata %s/%s/composer.json: %w", release, kind, err)
	}
	return doc, true, nil
}

// raw reads <release>/<kind>/<name>, bounded by maxMetadataFile; ok is false when the file does not exist.
func (m *ReleaseMetadata) raw(release, kind, name string) ([]byte, bool, error) {
	if m == nil || m.fsys == nil {
		return nil, false, nil
	}
	if !validKind(kind) {
		return nil, false, fmt.Errorf("magento: unknown release metadata kind %q", kind)
	}
	if release == "" || strings.ContainsAny(release, `/\`) || release == "." || release == ".." {
		return nil, false, fmt.Errorf("magento: invalid release name %q", release)
	}
	p := path.Join(release, kind, name)
	f, err := m.fsys.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("magento: release metadata %s: %w", p, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetadataFile+1))
	if err != nil {
		return nil, false, fmt.Errorf("magento: release metadata %s: %w", p, err)
	}
	if len(b) > maxMetadataFile {
		return nil, false, fmt.Errorf("magento: release metadata %s: larger than %d bytes", p, maxMetadataFile)
	}
	return b, true, nil
}

func validKind(kind string) bool {
	switch kind {
	case KindGitTag, KindBase, KindProduct, KindProject:
		return true
	}
	return false
}
