package magento

import (
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// auditExemptVendors are the vendors magento/composer-dependency-version-audit-plugin never checks (its
// VBE_ALLOW_LIST: bundled extension vendors whose repo.magento.com copies lag behind packagist.org).
var auditExemptVendors = []string{"vertexinc", "yotpo", "klarna", "amzn", "dotmailer", "braintree", "paypal", "gene"}

// stabilityRank orders Composer stabilities from most to least stable (Composer's BasePackage::STABILITIES).
var stabilityRank = map[string]int{
	composer.StabilityStable: 0, composer.StabilityRC: 5, composer.StabilityBeta: 10,
	composer.StabilityAlpha: 15, composer.StabilityDev: 20,
}

// AuditProblem is a package for which the audit plugin would find a higher version on packagist.org than in the
// mirror when the project's minimum-stability is Stability. With a constraint that is not an exact version (and
// any constraint containing "-", such as "2.4.3-p1", counts as inexact) the plugin then aborts the install.
type AuditProblem struct {
	Package   string
	Stability string
	Mirror    string // highest version the mirror offers at Stability
	Public    string // highest version packagist.org offers at Stability
}

// AuditPluginExempt reports whether the audit plugin skips name because its vendor is on the plugin's allow list.
func AuditPluginExempt(name string) bool {
	vendor, _, _ := strings.Cut(name, "/")
	return slices.Contains(auditExemptVendors, vendor)
}

// CheckAuditPlugin finds the packages that would make magento/composer-dependency-version-audit-plugin reject an
// install from the mirror (docs/audit-plugin.md). mirror and public map package names to the versions the mirror
// and packagist.org offer. For each name both offer, not exempt, and each stability in stabilities (a project's
// minimum-stability: "stable", and "beta"/"RC"/"alpha" for pre-release projects), the plugin compares the highest
// version each repository offers at that stability; a mirror with no version at that stability is not compared.
// The result is sorted by package name, then by the order of stabilities.
//
// Versions are compared as Composer normalizes them ([composer.CompareVersions]); versions that do not
// normalize are ignored. The plugin compares the pretty strings with PHP's version_compare, which agrees for
// Magento-style versions ("2.4.3-p10" > "2.4.3-p2").
func CheckAuditPlugin(mirror, public map[string][]string, stabilities []string) []AuditProblem {
	names := make([]string, 0, len(mirror))
	for name := range mirror {
		names = append(names, name)
	}
	slices.Sort(names)
	var out []AuditProblem
	for _, name := range names {
		pub, ok := public[name]
		if !ok || AuditPluginExempt(name) {
			continue
		}
		for _, s := range stabilities {
			mv, mn := highestAt(mirror[name], s)
			pv, pn := highestAt(pub, s)
			if mv == "" || pv == "" {
				continue
			}
			if composer.CompareVersions(pn, mn) > 0 {
				out = append(out, AuditProblem{Package: name, Stability: s, Mirror: mv, Public: pv})
			}
		}
	}
	return out
}

// highestAt returns the highest version (pretty and normalized) at least as stable as stability, or "".
func highestAt(versions []string, stability string) (pretty, normalized string) {
	limit, ok := stabilityRank[stability]
	if !ok {
		limit = stabilityRank[composer.StabilityStable]
	}
	for _, v := range versions {
		if stabilityRank[composer.VersionStability(v)] > limit {
			continue
		}
		n, err := composer.NormalizeVersion(v)
		if err != nil {
			continue
		}
		if normalized == "" || composer.CompareVersions(n, normalized) > 0 {
			pretty, normalized = v, n
		}
	}
	return pretty, normalized
}
