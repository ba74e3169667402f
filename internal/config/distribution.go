package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// DefaultUpstreamVendor is the vendor a distribution renames when upstream-vendor is not set.
const DefaultUpstreamVendor = "magento"

// DefaultNightlyKeep is how many nightly builds stay published when nightly.keep is not set.
const DefaultNightlyKeep = 7

// Distribution makes a profile build a distribution of an upstream: the upstream packages this build produces
// are published under the profile's vendor, at the distribution's own versions, each replacing the upstream
// package it was made from (docs/distributions.md). The rules live in internal/distro.
type Distribution struct {
	// UpstreamVendor is the vendor renamed to the profile's vendor (DefaultUpstreamVendor unless set). A
	// distribution built from tags renames Magento (its releases are found by Magento's product and project
	// metapackages); a nightly distribution may rename any vendor.
	UpstreamVendor string `yaml:"upstream-vendor"`
	// Releases are the distribution's releases, each one version for every package of an upstream release.
	Releases []DistRelease `yaml:"releases"`
	// PublishedElsewhere are name patterns of distribution packages that this build does not produce but that
	// are published elsewhere (Packagist, another repository): links to them keep their constraints.
	PublishedElsewhere []string `yaml:"published-elsewhere"`
	// Aliases, unless false, publishes for every replaced upstream package a metapackage of the upstream name
	// that requires the distribution's package, so extensions requiring the upstream name install.
	Aliases *bool `yaml:"aliases"`
	// Editions are product/project metapackage pairs built from an allow-list, next to the full edition.
	Editions []Edition `yaml:"editions"`
	// Line is where the block is defined, for error messages.
	Line int `yaml:"-" json:"-"`
}

// AliasesEnabled reports whether alias metapackages are published (the default).
func (d *Distribution) AliasesEnabled() bool { return d.Aliases == nil || *d.Aliases }

// DistRelease is one release of a distribution: every package of upstream release Upstream, at Version.
type DistRelease struct {
	// Version is the distribution's version of every package of the release.
	Version string `yaml:"version"`
	// Upstream is the upstream release (the version of upstream's product metapackage) it is made from.
	Upstream string `yaml:"upstream"`
}

// Edition is a product/project pair whose product requires only the allow-listed packages of the full one.
type Edition struct {
	// Name names the pair: product-<name>-edition and project-<name>-edition.
	Name string `yaml:"name"`
	// Require are the name patterns (upstream names, * as wildcard) of the full product's requirements kept.
	Require []string `yaml:"require"`
}

// Nightly configures the nightly builds of a profile whose sources name branches.
type Nightly struct {
	// Keep is how many nightly builds stay published (DefaultNightlyKeep unless set); older ones are removed
	// from the metadata, never rewritten.
	Keep int `yaml:"keep"`
}

// KeepOrDefault returns Keep, or DefaultNightlyKeep when unset.
func (n *Nightly) KeepOrDefault() int {
	if n == nil || n.Keep == 0 {
		return DefaultNightlyKeep
	}
	return n.Keep
}

// IsNightly reports whether the profile builds nightlies (its sources name branches instead of tags).
func (c *Config) IsNightly() bool {
	for _, s := range c.Sources {
		if s.Branch != "" {
			return true
		}
	}
	return false
}

// maxReleaseVersion bounds a release version's length: with the package name it makes archive file names,
// which file systems limit to 255 bytes.
const maxReleaseVersion = 64

// editionName is what an edition's name may be: it becomes part of package names.
var editionName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// validateDistribution checks the vendor, distribution and nightly settings together: they decide which names
// and versions a build publishes.
func (c *Config) validateDistribution(ps *problems) {
	d := c.Distribution
	if c.Vendor != "" && !editionName.MatchString(c.Vendor) {
		ps.add("vendor", "vendor %q must be a lower-case Composer vendor name", c.Vendor)
	}
	if d == nil {
		if c.Vendor != "" && c.Vendor != DefaultUpstreamVendor {
			ps.add("vendor", "vendor %q renames packages only in a distribution: add a distribution: block "+
				"(docs/distributions.md), or set vendor: %s", c.Vendor, DefaultUpstreamVendor)
		}
		c.validateNightly(ps)
		return
	}
	if d.UpstreamVendor == "" {
		d.UpstreamVendor = DefaultUpstreamVendor
	}
	if !editionName.MatchString(d.UpstreamVendor) {
		ps.add("distribution.upstream-vendor", "upstream-vendor %q must be a lower-case Composer vendor name", d.UpstreamVendor)
	}
	if c.Vendor == "" || c.Vendor == d.UpstreamVendor {
		ps.add("vendor", "a distribution needs its own vendor: set vendor: to something other than %q", d.UpstreamVendor)
	}
	c.validateNightly(ps)
	nightly := c.IsNightly()
	if nightly && len(d.Releases) > 0 {
		ps.add("distribution.releases", "a nightly distribution takes its versions from its branches; releases: goes with sources built from tags")
	}
	if !nightly && len(d.Releases) == 0 {
		ps.add("distribution.releases", "a distribution built from tags needs at least one release {version, upstream}")
	}
	if !nightly && d.UpstreamVendor != DefaultUpstreamVendor {
		// A release is found by its product and project metapackages, which the extra-metapackage layouts
		// compose by Magento's rules, under Magento's names.
		ps.add("distribution.upstream-vendor", "a distribution built from tags is made of Magento releases: "+
			"upstream-vendor must be %s (another vendor works for nightly distributions)", DefaultUpstreamVendor)
	}
	if nightly && len(d.Editions) > 0 {
		ps.add("distribution.editions", "editions are made from a release's product and project; a nightly distribution has none")
	}
	c.validateReleases(ps, d)
	for i, p := range d.PublishedElsewhere {
		if !strings.Contains(p, "/") {
			ps.add(fmt.Sprintf("distribution.published-elsewhere[%d]", i), "%q is not a vendor/name pattern", p)
		}
	}
	validateEditions(ps, d.Editions)
}

// validateEditions checks edition names (they become package names) and that each keeps something.
func validateEditions(ps *problems, editions []Edition) {
	seen := map[string]bool{"community": true}
	for i, e := range editions {
		at := fmt.Sprintf("distribution.editions[%d]", i)
		switch {
		case !editionName.MatchString(e.Name):
			ps.add(at+".name", "edition name %q must be lower-case letters, digits and dashes", e.Name)
		case seen[e.Name]:
			ps.add(at+".name", "edition %q is defined twice (community is the full edition)", e.Name)
		}
		seen[e.Name] = true
		if len(e.Require) == 0 {
			ps.add(at+".require", "edition %q keeps nothing: list the packages its product requires", e.Name)
		}
	}
}

// validateReleases checks that each release names two Composer versions and that no version repeats.
func (c *Config) validateReleases(ps *problems, d *Distribution) {
	versions := map[string]bool{}
	for i, r := range d.Releases {
		at := fmt.Sprintf("distribution.releases[%d]", i)
		norm, err := composer.NormalizeVersion(r.Version)
		switch {
		case r.Version == "":
			ps.add(at+".version", "a release needs a version")
		case err != nil:
			ps.add(at+".version", "version %q is not a Composer version: %v", r.Version, err)
		case strings.HasPrefix(norm, "dev-") || strings.HasSuffix(norm, "-dev"):
			ps.add(at+".version", "version %q is a branch version; a release needs a fixed version", r.Version)
		case versions[norm]:
			ps.add(at+".version", "version %q is released twice", r.Version)
		case len(r.Version) > maxReleaseVersion:
			ps.add(at+".version", "version %q is longer than %d characters: it is part of every archive's file name", r.Version, maxReleaseVersion)
		}
		versions[norm] = true
		if _, err := composer.NormalizeVersion(r.Upstream); r.Upstream == "" || err != nil {
			ps.add(at+".upstream", "release %q needs the upstream release it is made from (a version such as 2.4.7-p3)", r.Version)
		}
	}
}

// validateNightly checks that the sources are either all built from tags or all from branches, and the keep.
func (c *Config) validateNightly(ps *problems) {
	branches := 0
	for i, s := range c.Sources {
		if s.Branch == "" {
			continue
		}
		branches++
		if !validBranch(s.Branch) {
			ps.add(fmt.Sprintf("sources[%d].branch", i), "source %q: invalid branch name %q", s.Name, s.Branch)
		}
		if s.From != "" {
			ps.add(fmt.Sprintf("sources[%d].from", i), "source %q: from: selects tags; a source built from a branch has none", s.Name)
		}
	}
	if branches > 0 && branches < len(c.Sources) {
		ps.add("sources", "%d of %d sources name a branch: a nightly profile builds every source from a branch", branches, len(c.Sources))
	}
	if c.Nightly != nil && branches == 0 {
		ps.add("nightly", "nightly: applies to sources that name a branch; none does")
	}
	if c.Nightly != nil && c.Nightly.Keep < 0 {
		ps.add("nightly.keep", "keep must be at least 1 (0 or no keep: %d), not %d", DefaultNightlyKeep, c.Nightly.Keep)
	}
}
