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

// problems collects Validate's findings, each placed at its setting's key (or the nearest enclosing one the file
// has: a missing key is reported where its mapping starts).
type problems struct {
	c     *Config
	probs []Problem
}

func (ps *problems) add(path, format string, args ...any) {
	m, _ := ps.c.at(path)
	ps.probs = append(ps.probs, Problem{Line: m.line, Column: m.col, Path: path, Message: fmt.Sprintf(format, args...)})
}

// Validate checks the semantic rules the YAML types cannot express and fills defaults. It returns every
// problem found, each at the line and column of its key when the configuration came from a file.
func (c *Config) Validate() []Problem {
	ps := &problems{c: c}
	if c.ArchiveFormat == "" {
		c.ArchiveFormat = "deflate"
	}
	if c.ArchiveFormat != "mageos" && c.ArchiveFormat != "deflate" {
		ps.add("archive-format", "archive-format must be mageos or deflate, not %q", c.ArchiveFormat)
	}
	if c.DistDir == "" {
		c.DistDir = DefaultDistDir
	}
	if !cleanRel(c.DistDir) || strings.HasPrefix(c.DistDir, ".") {
		ps.add("dist-dir", "dist-dir %q must be a plain relative directory", c.DistDir)
	} else if err := repo.CheckDistDir(c.DistDir); err != nil {
		ps.add("dist-dir", "dist-dir %q collides with the repository's metadata or state: %v", c.DistDir, err)
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			ps.add("base-url", "base-url %q must be an absolute http(s) URL", c.BaseURL)
		}
	}
	if len(c.Sources) == 0 {
		ps.add("sources", "the profile has no sources")
	}
	names := map[string]bool{}
	for i, s := range c.Sources {
		s.validate(ps, fmt.Sprintf("sources[%d]", i), names)
	}
	if c.ReleaseMetadata != nil && c.ReleaseMetadata.Location() == "" {
		ps.add("release-metadata.url", "release-metadata needs a url or path")
	}
	c.validatePrebuiltSources(ps, names)
	c.validateAdvisories(ps, names)
	c.validateFixes(ps, names)
	c.validateDistribution(ps)
	return ps.probs
}

func (s Source) validate(ps *problems, at string, names map[string]bool) {
	add := func(key, format string, args ...any) {
		ps.add(join(at, key), fmt.Sprintf("source %q: ", s.Name)+format, args...)
	}
	switch {
	case s.Name == "":
		add("name", "needs a name")
	case names[s.Name]:
		add("name", "name used twice")
	case strings.ContainsAny(s.Name, "/\\") || s.Name == "." || s.Name == "..":
		add("name", "name must not contain path separators")
	}
	names[s.Name] = true
	switch {
	case s.URL == "" && s.Path == "":
		add("", "needs exactly one of url and path")
	case s.URL != "" && s.Path != "":
		add("path", "needs exactly one of url and path, not both")
	}
	if len(s.Packages) == 0 {
		add("packages", "has no packages")
	}
	if s.From != "" {
		if _, err := composer.NormalizeVersion(s.From); err != nil {
			add("from", "from %q is not a version: %v", s.From, err)
		}
	}
	for i, b := range s.Branches {
		if !validBranch(b) {
			add(fmt.Sprintf("branches[%d]", i), "invalid branch name %q", b)
		}
	}
	for i, l := range s.Packages {
		lp := fmt.Sprintf("packages[%d]", i)
		if l.Kind != ExtraMetapackage && !cleanRel(l.Dir) {
			add(lp+".dir", "%s %q must be a clean repository-relative directory", l.Kind, l.Dir)
		}
		if (l.Kind == MagentoBase) != (l.ComposerJSON == "release-metadata") {
			add(lp+".composer-json", "composer-json: release-metadata goes with magento-base, and magento-base needs it")
		}
		for j, e := range l.Exclude {
			if e.Path == "" || strings.HasPrefix(e.Path, "/") {
				add(fmt.Sprintf("%s.exclude[%d]", lp, j), "exclude %q must be repository-relative", e.Path)
			}
		}
	}
}

// validatePrebuiltSources checks the prebuilt-sources entries. Their names share the --sources-dir namespace
// with the sources and the release metadata (DIR/<name>), so none may repeat any of those.
func (c *Config) validatePrebuiltSources(ps *problems, sources map[string]bool) {
	seen := map[string]bool{}
	for i, s := range c.PrebuiltSources {
		at := fmt.Sprintf("prebuilt-sources[%d]", i)
		add := func(format string, args ...any) {
			ps.add(at+".name", fmt.Sprintf("prebuilt source %q: ", s.Name)+format, args...)
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
			ps.add(at, "prebuilt source %q: needs exactly one of url and path", s.Name)
		}
		if s.Branch != "" && !validBranch(s.Branch) {
			ps.add(at+".branch", "prebuilt source %q: invalid branch name %q", s.Name, s.Branch)
		}
		if !cleanRel(s.Dir) {
			ps.add(at+".dir", "prebuilt source %q: dir %q must be a clean repository-relative directory", s.Name, s.Dir)
		}
	}
}

// validateAdvisories checks the advisories entry and fills its defaults. Its name shares the --sources-dir
// namespace (DIR/<name>) with the sources, the release metadata and the prebuilt sources.
func (c *Config) validateAdvisories(ps *problems, sources map[string]bool) {
	a := c.Advisories
	if a == nil {
		if _, ok := c.marks["advisories"]; ok {
			ps.add("advisories", "advisories needs a mapping; write advisories: {} for the defaults (%s, branch %s)",
				DefaultAdvisoriesURL, DefaultAdvisoriesBranch)
		}
		return
	}
	if a.Name == "" {
		a.Name = DefaultAdvisoriesName
	}
	add := func(key, format string, args ...any) {
		ps.add(join("advisories", key), fmt.Sprintf("advisories %q: ", a.Name)+format, args...)
	}
	prebuilt := false
	for _, p := range c.PrebuiltSources {
		prebuilt = prebuilt || p.Name == a.Name
	}
	switch {
	case strings.ContainsAny(a.Name, "/\\") || a.Name == "." || a.Name == "..":
		add("name", "name must not contain path separators")
	case sources[a.Name] || prebuilt:
		add("name", "name is also a source's name (--sources-dir reads both from DIR/%s)", a.Name)
	case a.Name == ReleaseMetadataDir:
		add("name", "name %s is where --sources-dir reads the release metadata", a.Name)
	}
	switch {
	case a.URL != "" && a.Path != "":
		add("path", "needs at most one of url and path, not both")
	case a.URL == "" && a.Path == "":
		a.URL = DefaultAdvisoriesURL
	}
	if a.URL != "" && a.Branch == "" {
		a.Branch = DefaultAdvisoriesBranch
	}
	if a.Branch != "" && !validBranch(a.Branch) {
		add("branch", "invalid branch name %q", a.Branch)
	}
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

func (c *Config) validateFixes(ps *problems, sources map[string]bool) {
	check := func(at, kind, src string) {
		if !sources[src] {
			ps.add(at+".source", "%s: unknown source %q", kind, src)
		}
	}
	for i, p := range c.VersionPins {
		at := fmt.Sprintf("version-pins[%d]", i)
		check(at, "version-pins", p.Source)
		if p.Tag == "" || len(p.Pins) == 0 {
			ps.add(at, "version-pins: source %q needs a tag and pins", p.Source)
		}
	}
	for i, p := range c.Patches {
		at := fmt.Sprintf("patches[%d]", i)
		check(at, "patches", p.Source)
		if p.Package == "" {
			ps.add(at, "patches: source %q: patch needs a package", p.Source)
		}
		if n := p.When.forms(); n != 1 {
			ps.add(at+".when", "patches: %s: when needs exactly one of version, versions, version-prefix, prefix+from", p.Package)
		}
	}
	for i, r := range c.ExtraRefs {
		at := fmt.Sprintf("extra-refs[%d]", i)
		check(at, "extra-refs", r.Source)
		if len(r.Commit) < 7 || r.Release == "" {
			ps.add(at, "extra-refs: source %q needs a commit id and a release", r.Source)
		}
	}
	for i, r := range c.FileReplacements {
		at := fmt.Sprintf("file-replacements[%d]", i)
		check(at, "file-replacements", r.Source)
		for j, f := range r.Files {
			fp := fmt.Sprintf("%s.files[%d]", at, j)
			if !cleanRel(f.Path) || f.Path == "" {
				ps.add(fp+".path", "file-replacements: %s %s: file needs a clean path", r.Package, r.Version)
			}
			if (f.Data == "") == (f.Content == "") {
				ps.add(fp, "file-replacements: %s %s: file needs exactly one of data (a file) and content (the bytes inline)", r.Package, r.Version)
			}
		}
	}
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
