package distro

import (
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
)

// TestAlias: a metapackage of the upstream name and version requiring the distribution's package; Composer
// loads it.
func TestAlias(t *testing.T) {
	doc := Alias("magento/framework", "103.0.7", "acme/framework", "1.1.0")
	want := `{"name":"magento/framework","description":"Alias metapackage for acme/framework. Allows extensions requiring magento/framework to use the distribution's equivalent.","type":"metapackage","version":"103.0.7","require":{"acme/framework":"1.1.0"}}`
	if got := compact(doc); got != want {
		t.Errorf("Alias:\n got %s\nwant %s", got, want)
	}
	if _, err := composer.LoadVersion(doc); err != nil {
		t.Errorf("Composer would not load the alias: %v", err)
	}
}

// TestAliasTarget takes the highest distribution version in Composer's order (1.10.0 above 1.9.0).
func TestAliasTarget(t *testing.T) {
	if got := AliasTarget([]string{"1.9.0", "1.10.0", "1.2.0"}); got != "1.10.0" {
		t.Errorf("AliasTarget = %s", got)
	}
}

// TestEdition: the product keeps the allow-listed requirements in order; the project requires the edition's
// product in the full product's place, at its constraint.
func TestEdition(t *testing.T) {
	product := mustDoc(t, `{"name": "magento/product-community-edition", "require": {"php": "~8.1", "magento/framework": "103.0.7",
  "magento/module-catalog": "104.0.7", "magento/module-sales": "103.0.7", "laminas/laminas-code": "^4"}}`)
	allow := []composer.NamePattern{composer.NewNamePattern("php"), composer.NewNamePattern("magento/framework*"), composer.NewNamePattern("magento/module-catalog")}
	got := compact(EditionProduct(product, "magento/product-minimal-edition", allow))
	if want := `{"name":"magento/product-minimal-edition","require":{"php":"~8.1","magento/framework":"103.0.7","magento/module-catalog":"104.0.7"}}`; got != want {
		t.Errorf("EditionProduct = %s", got)
	}
	if compact(product) == got {
		t.Error("the full product was changed")
	}
	project := mustDoc(t, `{"name": "magento/project-community-edition", "require": {"magento/product-community-edition": "2.4.7", "magento/plugin": "~0.1"}}`)
	got = compact(EditionProject(project, "magento/project-minimal-edition", "magento/product-community-edition", "magento/product-minimal-edition"))
	if want := `{"name":"magento/project-minimal-edition","require":{"magento/product-minimal-edition":"2.4.7","magento/plugin":"~0.1"}}`; got != want {
		t.Errorf("EditionProject = %s", got)
	}
}
