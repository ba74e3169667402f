package build

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mage-os/magerepo/internal/gitattr"
	"github.com/mage-os/magerepo/internal/gitsrc"
)

// lfsPointerMax bounds a Git LFS pointer file's size (the spec: "less than 1024 bytes").
const lfsPointerMax = 1024

// lfsVersionLines start every Git LFS pointer (the current spec's, and the pre-release one's).
var lfsVersionLines = []string{"version https://git-lfs.github.com/spec/", "version https://hawser.github.com/spec/"}

// reportUnapplied warns about a file whose .gitattributes ask a checkout for what the build does not do, so
// its archived bytes are not the checkout's: a Git LFS pointer (filter=lfs) is archived as the pointer, not
// the content it names, and ident and working-tree-encoding are not applied. A file matching filter=lfs that
// is no pointer is archived as it is, which is what git-lfs would check out too; other filters are not
// reported, since a checkout without the filter's driver (the reference generator's) keeps the blob's bytes.
func (b *builder) reportUnapplied(ctx context.Context, c *candidate, m *gitattr.Matcher, f gitsrc.File, full string) error {
	for _, attr := range m.Unsupported(full) {
		var msg string
		switch attr {
		case "filter":
			if m.Filter(full) != "lfs" {
				continue
			}
			pointer, err := isLFSPointer(ctx, c.src.repo, f.ID)
			if err != nil {
				return fmt.Errorf("%s: %w", full, err)
			}
			if !pointer {
				continue
			}
			msg = "Git LFS pointer (filter=lfs): the archive holds the pointer file, not the content it names (LFS objects are not fetched)"
		default:
			msg = fmt.Sprintf("attribute %s is not applied: the archive holds the blob as committed, a checkout would change it", attr)
		}
		b.report.add(Problem{Severity: SeverityWarning, Source: c.src.cfg.Name, Tag: c.tag.name, Path: full,
			Package: c.name, Version: c.version, Message: msg})
	}
	return nil
}

// isLFSPointer reads a small blob to tell a Git LFS pointer from content committed without LFS.
func isLFSPointer(ctx context.Context, r *gitsrc.Repo, id string) (bool, error) {
	o, err := r.OpenBlob(ctx, id)
	if err != nil {
		return false, err
	}
	defer o.Close()
	if o.Size() >= lfsPointerMax {
		return false, nil
	}
	b, err := io.ReadAll(o)
	if err != nil {
		return false, err
	}
	for _, v := range lfsVersionLines {
		if strings.HasPrefix(string(b), v) {
			return true, nil
		}
	}
	return false, nil
}
