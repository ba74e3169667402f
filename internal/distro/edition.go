package distro

import (
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// Edition names: an edition "minimal" is the pair product-minimal-edition / project-minimal-edition.
const (
	productPrefix = "product-"
	projectPrefix = "project-"
	editionSuffix = "-edition"
)

// EditionName returns the name (without vendor) of an edition's product or project package, given the full
// edition's ("product-community-edition").
func EditionName(full, edition string) string {
	for _, p := range []string{productPrefix, projectPrefix} {
		if strings.HasPrefix(full, p) {
			return p + edition + editionSuffix
		}
	}
	return full + "-" + edition
}

// EditionProduct returns the edition's product from the full product: the same document with the edition's
// name, and only the requirements matching an allow-list pattern, in their order.
func EditionProduct(full *composer.Object, name string, allow []composer.NamePattern) *composer.Object {
	doc := full.Clone()
	doc.SetString("name", name)
	req, ok := doc.GetObject("require")
	if !ok {
		return doc
	}
	kept := composer.NewObject()
	for _, k := range req.Keys() {
		if composer.MatchAnyName(allow, k) {
			v, _ := req.Get(k)
			kept.Set(k, v)
		}
	}
	doc.Set("require", composer.ObjectValue(kept))
	return doc
}

// EditionProject returns the edition's project from the full project: its name changed and its requirement
// on the full product replaced, in place, by one on the edition's product at the same constraint.
func EditionProject(full *composer.Object, name, fullProduct, product string) *composer.Object {
	doc := full.Clone()
	doc.SetString("name", name)
	req, ok := doc.GetObject("require")
	if !ok {
		return doc
	}
	out := composer.NewObject()
	for _, k := range req.Keys() {
		v, _ := req.Get(k)
		if k == fullProduct {
			k = product
		}
		out.Set(k, v)
	}
	doc.Set("require", composer.ObjectValue(out))
	return doc
}
