package magento

import (
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// SampleDataPrefix is what Magento\SampleData\Model\Dependency looks for in a suggest value to find the
// sample-data packages that sampledata:deploy installs.
const SampleDataPrefix = "Sample Data version: "

// SampleDataSuggestPrefix applies the sample-data rule (docs/reference-generator.md §3.3, profile rule
// sample-data-suggest-prefix) to doc in place: each "suggest" entry whose name ends in "-sample-data" or contains
// "/sample-data-" gets [SampleDataPrefix] before its value, unless the value already contains it. Other sections and
// non-string values are left alone. The build runs it after version pins and before patches.
func SampleDataSuggestPrefix(doc *composer.Object) {
	if doc == nil {
		return
	}
	suggest, ok := doc.GetObject("suggest")
	if !ok {
		return
	}
	for _, name := range suggest.Keys() {
		if !strings.HasSuffix(name, "-sample-data") && !strings.Contains(name, "/sample-data-") {
			continue
		}
		v, ok := suggest.GetString(name)
		if !ok || strings.Contains(v, SampleDataPrefix) {
			continue
		}
		suggest.SetString(name, SampleDataPrefix+v)
	}
}

// MinimumStability is the reference's getVersionStability (docs/reference-generator.md §5.4), which sets the project's
// minimum-stability from its version. It differs from Composer's stability parsing: any "-a<digit>" is alpha
// and the tests are substring tests on the lower-cased version, checked in this order: "dev-" prefix or "-dev"
// → "dev"; "-alpha" or "-a<digit>" → "alpha"; "-beta" → "beta"; "-rc" → "RC"; anything else ("-p1" too) →
// "stable".
func MinimumStability(version string) string {
	v := strings.ToLower(version)
	switch {
	case strings.HasPrefix(v, "dev-") || strings.Contains(v, "-dev"):
		return composer.StabilityDev
	case strings.Contains(v, "-alpha") || hasShortAlpha(v):
		return composer.StabilityAlpha
	case strings.Contains(v, "-beta"):
		return composer.StabilityBeta
	case strings.Contains(v, "-rc"):
		return composer.StabilityRC
	}
	return composer.StabilityStable
}

// hasShortAlpha reports whether v contains "-a" followed by a digit.
func hasShortAlpha(v string) bool {
	for i := 0; i+2 < len(v); i++ {
		if v[i] == '-' && v[i+1] == 'a' && v[i+2] >= '0' && v[i+2] <= '9' {
			return true
		}
	}
	return false
}

// Edition names: an edition "minimal" is the pair product-minimal-edition / project-minimal-edition, as the
// full edition is product-community-edition / project-community-edition.
const (
	productPrefix = "product-"
	projectPrefix = "project-"
	editionSuffix = "-edition"
)

// EditionName returns the name (without vendor) of an edition's product or project package, given the full
// edition's ("product-community-edition", "minimal" → "product-minimal-edition").
func EditionName(full, edition string) string {
	for _, p := range []string{productPrefix, projectPrefix} {
		if strings.HasPrefix(full, p) {
			return p + edition + editionSuffix
		}
	}
	return full + "-" + edition
}
