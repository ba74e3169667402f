package magento

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// ExtraFile is an archive entry a composer-json-only package holds besides composer.json. It is written after
// composer.json, in the order given (not sorted), with mode 0644.
type ExtraFile struct {
	Path string
	Data []byte
}

// projectGitignore describes the .gitignore that the released magento/project-community-edition 2.4.0 and
// 2.4.0-p1 hold (profile rule project-2.4.0-gitignore). Its bytes exist only in the released package, not in
// git, and not in mage-os/magento2-base-composer-json; the reference keeps its own copy.
const (
	projectGitignoreName   = ".gitignore"
	projectGitignoreSize   = 1460
	projectGitignoreSHA256 = "f66295867aa4d1152f5018fa974f63041e271decd5d65e34fec622a6c31aee2f"
)

// projectGitignoreRefs are the tags whose project package gets the .gitignore (docs/reference-generator.md §3.4).
var projectGitignoreRefs = map[string]bool{"2.4.0": true, "2.4.0-p1": true}

// ErrExtraFileMissing means a package should hold an extra file whose bytes no configured source provides.
var ErrExtraFileMissing = errors.New("magento: extra file not available")

// ProjectExtraFiles returns the entries magento/project-community-edition has besides composer.json at tag:
// for 2.4.0 and 2.4.0-p1, the released ".gitignore"; for every other tag, none.
//
// The bytes are read from the release metadata as <tag>/project-community-edition/.gitignore, a file the public
// mage-os/magento2-base-composer-json does not have (a local metadata directory may add it), and are accepted
// only with the released size and SHA-256. When they are absent the error wraps [ErrExtraFileMissing]; the
// build then reports it and publishes the package with composer.json alone (which installs the same, minus
// that .gitignore in the new project).
func ProjectExtraFiles(m *ReleaseMetadata, tag string) ([]ExtraFile, error) {
	if !projectGitignoreRefs[tag] {
		return nil, nil
	}
	b, ok, err := m.raw(tag, KindProject, projectGitignoreName)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s %s should hold the released %s (%d bytes, sha256 %s); add it as %s/%s/%s",
			ErrExtraFileMissing, ProjectName, tag, projectGitignoreName, projectGitignoreSize, projectGitignoreSHA256,
			tag, KindProject, projectGitignoreName)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); len(b) != projectGitignoreSize || got != projectGitignoreSHA256 {
		return nil, fmt.Errorf("magento: %s/%s/%s is %d bytes with sha256 %s, not the released file (%d bytes, %s)",
			tag, KindProject, projectGitignoreName, len(b), got, projectGitignoreSize, projectGitignoreSHA256)
	}
	return []ExtraFile{{Path: projectGitignoreName, Data: b}}, nil
}
