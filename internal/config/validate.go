package config

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/repo"
)

// DefaultDistDir is where archives go when dist-dir is not set.
const DefaultDistDir = "dist"

// Validate checks the semantic rules the YAML types cannot express and fills defaults. It returns every
// problem found, each naming the line where possible.
func (c *Config) Validate() []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.ArchiveFormat == "" {
		c.ArchiveFormat = "deflate"
	}
	if c.ArchiveFormat != "mageos" && c.ArchiveFormat != "deflate" {
		add("archive-format must be mageos or deflate, not %q", c.ArchiveFormat)
	}
	if c.DistDir == "" {
		c.DistDir = DefaultDistDir
	}
	if !cleanRel(c.DistDir) || strings.HasPrefix(c.DistDir, ".") {
		add("dist-dir %q must be a plain relative directory", c.DistDir)
	} else if err := repo.CheckDistDir(c.DistDir); err != nil {
		add("dist-dir %q collides with the repository's metadata or state: %v", c.DistDir, err)
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("base-url %q must be an absolute http(s) URL", c.BaseURL)
		}
	}
	if len(c.Sources) == 0 {
		add("no sources")
	}
	names := map[string]bool{}
	for _, s := range c.Sources {
		errs = append(errs, s.validate(names)...)
	}
	if c.ReleaseMetadata != nil && c.ReleaseMetadata.Location() == "" {
		add("release-metadata needs a url or path")
	}
	errs = append(errs, c.validatePrebuiltSources(names)...)
	errs = append(errs, c.validateFixes(names)...)
	return errs
}

func (s Source) validate(names map[string]bool) []string {
	var errs []string
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Sprintf("line %d: source %q: ", s.Line, s.Name)+fmt.Sprintf(format, args...))
	}
	switch {
	case s.Name == "":
		add("needs a name")
	case names[s.Name]:
		add("name used twice")
	case strings.ContainsAny(s.Name, "/\\") || s.Name == "." || s.Name == "..":
		add("name must not contain path separators")
	}
	names[s.Name] = true
	if (s.URL == "") == (s.Path == "") {
		add("needs exactly one of url and path")
	}
	if len(s.Packages) == 0 {
		add("has no packages")
	}
	if s.From != "" {
		if _, err := composer.NormalizeVersion(s.From); err != nil {
			add("from %q is not a version: %v", s.From, err)
		}
	}
	for _, b := range s.Branches {
		if !validBranch(b) {
			add("invalid branch name %q", b)
		}
	}
	for _, l := range s.Packages {
		if l.Kind != ExtraMetapackage && !cleanRel(l.Dir) {
			add("line %d: %s %q must be a clean repository-relative directory", l.Line, l.Kind, l.Dir)
		}
		if (l.Kind == MagentoBase) != (l.ComposerJSON == "release-metadata") {
			add("line %d: composer-json: release-metadata goes with magento-base, and magento-base needs it", l.Line)
		}
		for _, e := range l.Exclude {
			if e.Path == "" || strings.HasPrefix(e.Path, "/") {
				add("line %d: exclude %q must be repository-relative", l.Line, e.Path)
			}
		}
	}
	return errs
}

// validatePrebuiltSources checks the prebuilt-sources entries. Their names share the --sources-dir namespace
// with the sources and the release metadata (DIR/<name>), so none may repeat any of those.
func (c *Config) validatePrebuiltSources(sources map[string]bool) []string {
	var errs []string
	seen := map[string]bool{}
	for _, s := range c.PrebuiltSources {
		add := func(format string, args ...any) {
			errs = append(errs, fmt.Sprintf("line %d: prebuilt-sources %q: ", s.Line, s.Name)+fmt.Sprintf(format, args...))
		}
		switch {
		case s.Name == "":
			add("needs a name")
		case strings.ContainsAny(s.Name, "/\\") || s.Name == "." || s.Name == "..":
			add("name must not contain path separators")
		case seen[s.Name]:
			add("name used twice")
		case sources[s.Name]:
			add("name is also a source's name (--sources-dir reads both from DIR/%s)", s.Name)
		case s.Name == ReleaseMetadataDir:
			add("name %s is where --sources-dir reads the release metadata", s.Name)
		}
		seen[s.Name] = true
		if (s.URL == "") == (s.Path == "") {
			add("needs exactly one of url and path")
		}
		if s.Branch != "" && !validBranch(s.Branch) {
			add("invalid branch name %q", s.Branch)
		}
		if !cleanRel(s.Dir) {
			add("dir %q must be a clean repository-relative directory", s.Dir)
		}
	}
	return errs
}

// ReleaseMetadataDir is the directory of --sources-dir that holds the release metadata.
const ReleaseMetadataDir = "release-metadata"

// validBranch rejects names git would misread (options, ranges, revision syntax).
func validBranch(b string) bool {
	return b != "" && !strings.HasPrefix(b, "-") && !strings.Contains(b, "..") && !strings.ContainsAny(b, " ~^:?*[\\")
}

// cleanRel reports whether p is "" or a clean relative path without "..".
func cleanRel(p string) bool {
	if p == "" {
		return true
	}
	return !strings.HasPrefix(p, "/") && path.Clean(p) == p && p != "." && !strings.HasPrefix(p, "../") && p != ".."
}

func (c *Config) validateFixes(sources map[string]bool) []string {
	var errs []string
	check := func(kind, src string) {
		if !sources[src] {
			errs = append(errs, fmt.Sprintf("%s: unknown source %q", kind, src))
		}
	}
	for _, p := range c.VersionPins {
		check("version-pins", p.Source)
		if p.Tag == "" || len(p.Pins) == 0 {
			errs = append(errs, fmt.Sprintf("version-pins: source %q needs a tag and pins", p.Source))
		}
	}
	for _, p := range c.Patches {
		check("patches", p.Source)
		if p.Package == "" {
			errs = append(errs, fmt.Sprintf("patches: source %q: patch needs a package", p.Source))
		}
		if n := p.When.forms(); n != 1 {
			errs = append(errs, fmt.Sprintf("patches: %s: when needs exactly one of version, versions, version-prefix, prefix+from", p.Package))
		}
	}
	for _, r := range c.ExtraRefs {
		check("extra-refs", r.Source)
		if len(r.Commit) < 7 || r.Release == "" {
			errs = append(errs, fmt.Sprintf("extra-refs: source %q needs a commit id and a release", r.Source))
		}
	}
	for _, r := range c.FileReplacements {
		check("file-replacements", r.Source)
		for _, f := range r.Files {
			if !cleanRel(f.Path) || f.Path == "" || f.Data == "" {
				errs = append(errs, fmt.Sprintf("file-replacements: %s %s: file needs a clean path and data", r.Package, r.Version))
			}
		}
	}
	return errs
}

// forms counts how many condition forms are set.
func (w Condition) forms() int {
	n := 0
	for _, set := range []bool{w.Version != "", len(w.Versions) > 0, w.VersionPrefix != "", w.Prefix != "" || w.From != ""} {
		if set {
			n++
		}
	}
	return n
}
