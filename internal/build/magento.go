package build

import (
	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
)

// magentoBase and extraMetapackage expand the Magento-specific layouts (rules in internal/magento).
func (x *expander) magentoBase(i int, l config.Layout) {
	x.problem(SeverityError, l.Dir, "magento/magento2-base", "magento-base layout: not wired yet")
}

func (x *expander) extraMetapackage(i int, l config.Layout) {
	x.problem(SeverityError, "", l.Dir, "extra-metapackage layout: not wired yet")
}

// sampleDataSuggestPrefix is the reference's "Sample Data version: " suggest rule (temporary copy).
func sampleDataSuggestPrefix(doc *composer.Object) {
	sug, ok := doc.GetObject("suggest")
	if !ok {
		return
	}
	const prefix = "Sample Data version: "
	for _, k := range sug.Keys() {
		v, _ := sug.Get(k)
		s, isStr := v.Str()
		if !isStr || !(len(k) > 12 && k[len(k)-12:] == "-sample-data" || contains(k, "/sample-data-")) {
			continue
		}
		if !contains(s, prefix) {
			sug.SetString(k, prefix+s)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
