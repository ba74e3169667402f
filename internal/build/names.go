package build

import (
	"path"
	"strings"

	"github.com/mage-os/magerepo/internal/archive"
)

// leftOut reports whether a file or directory of a package (p relative to the package, a directory with a
// trailing "/") has a name extractors misread ([archive.CheckName]), and if so reports it as a warning. Such a
// file is left out of the archive and the package is still published: one hostile or careless name upstream
// must not hold back a release, and a hoster learns what is missing from the warning (source, tag, path).
// A directory is reported once and never read.
func (b *builder) leftOut(c *candidate, p string) bool {
	err := archive.CheckName(p)
	if err == nil {
		return false
	}
	full := path.Join(c.dir, p)
	if strings.HasSuffix(p, "/") {
		full += "/"
	}
	b.report.add(Problem{Severity: SeverityWarning, Source: c.src.cfg.Name, Tag: c.tag.name, Path: full,
		Package: c.name, Version: c.version, Message: "left out of the archive: " + err.Error()})
	return true
}
