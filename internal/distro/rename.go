package distro

import (
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// Set is what one distribution build (a release, or a nightly) produces, and so how its documents are
// rewritten.
type Set struct {
	// From and To are the upstream vendor and the distribution's (equal for an upstream nightly, which renames
	// nothing and only pins versions).
	From, To string
	// Versions maps the upstream name of every package the build produces to its version in the build.
	Versions map[string]string
	// Replace maps upstream names to the upstream version each distribution package replaces (empty when
	// From == To).
	Replace map[string]string
	// Elsewhere matches distribution names published elsewhere: links to them are renamed but keep their
	// constraint.
	Elsewhere []composer.NamePattern
}

// linkSections are the sections whose links are renamed. conflict, replace and provide keep their upstream
// names: their constraints are upstream versions, which a renamed key would compare with the distribution's
// versions (a conflict "<103" with acme/framework 1.0.0 would always hold), while Composer applies them to
// the upstream name through the replace of every distribution package.
var linkSections = []string{"require", "require-dev", "suggest"}

// pinnedSections are the sections whose constraints become the produced package's version.
var pinnedSections = map[string]bool{"require": true, "require-dev": true}

// Rename returns the distribution name of an upstream name: the vendor changed when it is From.
func (s *Set) Rename(name string) string {
	if rest, ok := strings.CutPrefix(name, s.From+"/"); ok {
		return s.To + "/" + rest
	}
	return name
}

// produced returns the version the build gives the package upstream calls name.
func (s *Set) produced(name string) (string, bool) {
	v, ok := s.Versions[name]
	return v, ok
}

// renamesLink reports whether a link to name is renamed: the build produces the package, or the
// distribution publishes it elsewhere. Other upstream packages keep their upstream name (the reference's
// rule, #327: a link to a package no distribution publishes would not install).
func (s *Set) renamesLink(name string) bool {
	if _, ok := s.produced(name); ok {
		return true
	}
	renamed := s.Rename(name)
	return renamed != name && composer.MatchAnyName(s.Elsewhere, renamed)
}

// Apply rewrites the composer.json of the package upstream calls name into the build's package: its name
// renamed, its version the build's, every require, require-dev and suggest link to a package the build
// produces renamed (and, in require and require-dev, pinned to that package's version), links to packages published elsewhere renamed with their
// constraint kept, config.allow-plugins keys renamed alike, and the upstream package added to replace.
// Key order is kept; a renamed key keeps its position.
func (s *Set) Apply(doc *composer.Object, name string) {
	if v, ok := s.produced(name); ok {
		doc.SetString("name", s.Rename(name))
		doc.SetString("version", v)
	}
	for _, sec := range linkSections {
		links, ok := doc.GetObject(sec)
		if !ok {
			continue
		}
		doc.Set(sec, composer.ObjectValue(s.renameLinks(links, pinnedSections[sec])))
	}
	if cfg, ok := doc.GetObject("config"); ok {
		if plugins, ok := cfg.GetObject("allow-plugins"); ok {
			cfg.Set("allow-plugins", composer.ObjectValue(s.renameLinks(plugins, false)))
		}
	}
	if up, ok := s.Replace[name]; ok && s.From != s.To && s.Rename(name) != name {
		replace, ok := doc.GetObject("replace")
		if !ok {
			replace = composer.NewObject()
		}
		replace.SetString(name, up)
		doc.Set("replace", composer.ObjectValue(replace))
	}
}

// renameLinks returns links with renamed keys in the same order; pin sets produced packages' constraints.
func (s *Set) renameLinks(links *composer.Object, pin bool) *composer.Object {
	out := composer.NewObject()
	for _, k := range links.Keys() {
		v, _ := links.Get(k)
		if !s.renamesLink(k) {
			out.Set(k, v)
			continue
		}
		if produced, ok := s.produced(k); ok && pin {
			v = composer.StringValue(produced)
		}
		out.Set(s.Rename(k), v)
	}
	return out
}

// UpstreamReleaseKey is the extra key that records, in a distribution's product and project, the upstream
// release they are made from (as Mage-OS records it).
const UpstreamReleaseKey = "magento_version"

// RecordUpstream sets extra.magento_version to the upstream release, adding extra as the last key if needed.
func RecordUpstream(doc *composer.Object, upstream string) {
	extra, ok := doc.GetObject("extra")
	if !ok {
		extra = composer.NewObject()
	}
	extra.SetString(UpstreamReleaseKey, upstream)
	doc.Set("extra", composer.ObjectValue(extra))
}
