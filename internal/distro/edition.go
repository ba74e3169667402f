package distro

import "github.com/mage-os/magerepo/internal/composer"

// EditionProduct returns the edition's product from the full product: the same document with the edition's
// name, and only the requirements matching an allow-list pattern, in their order.
func EditionProduct(full *composer.Object, name string, allow []composer.NamePattern) *composer.Object {
	return withRequire(full, name, func(k string) (string, bool) { return k, composer.MatchAnyName(allow, k) })
}

// withRequire returns a copy of doc named name whose require section is mapped key by key, in order: each
// requirement is kept under the key keep returns, or dropped.
func withRequire(full *composer.Object, name string, keep func(key string) (string, bool)) *composer.Object {
	doc := full.Clone()
	doc.SetString("name", name)
	req, ok := doc.GetObject("require")
	if !ok {
		return doc
	}
	out := composer.NewObject()
	for _, k := range req.Keys() {
		if nk, ok := keep(k); ok {
			v, _ := req.Get(k)
			out.Set(nk, v)
		}
	}
	doc.Set("require", composer.ObjectValue(out))
	return doc
}

// EditionProject returns the edition's project from the full project: its name changed and its requirement
// on the full product replaced, in place, by one on the edition's product at the same constraint.
func EditionProject(full *composer.Object, name, fullProduct, product string) *composer.Object {
	return withRequire(full, name, func(k string) (string, bool) {
		if k == fullProduct {
			return product, true
		}
		return k, true
	})
}
