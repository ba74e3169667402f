package magento

import (
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
)

func mustParse(t *testing.T, s string) *composer.Object {
	t.Helper()
	o, err := composer.ParseDocument([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func compact(o *composer.Object) string {
	return string(composer.MarshalCompact(composer.ObjectValue(o)))
}

// TestComposeProductRules checks the Object.assign semantics on a small root: key order, first-party replace
// only, overrides in place, removed keys, a root without a version.
func TestComposeProductRules(t *testing.T) {
	root := mustParse(t, `{"name":"magento/magento2ce","type":"project","version":"9.9.9","extra":{"x":1},
		"require":{"php":"~8.1","magento/composer":"^1.0"},"conflict":{"a/b":"*"},"suggest":{"x/y":"z"},
		"replace":{"magento/module-a":"1.0.0","components/jquery":"1.11.0","magento/module-b":"2.0.0"},
		"prefer-stable":true,"minimum-stability":"beta","require-dev":{"p/q":"1"},"config":{},"autoload":{},"autoload-dev":{}}`)
	addOns := mustParse(t, `{"magento/security-package":"1.1.2","magento/composer":"^1.0.1"}`)
	got := compact(ComposeProduct(root, "tag", addOns))
	want := `{"name":"magento/product-community-edition","type":"metapackage","version":"9.9.9",` +
		`"require":{"php":"~8.1","magento/composer":"^1.0.1","magento/module-a":"1.0.0","magento/module-b":"2.0.0",` +
		`"magento/security-package":"1.1.2","magento/magento2-base":"9.9.9"},"prefer-stable":true,` +
		`"description":"eCommerce Platform for Growth (Community Edition)"}`
	if got != want {
		t.Errorf("product\n got %s\nwant %s", got, want)
	}
	if _, ok := root.Get("extra"); !ok {
		t.Error("ComposeProduct modified the root")
	}

	bare := mustParse(t, `{"name":"x/y"}`)
	got = compact(ComposeProduct(bare, "2.4.9", composer.NewObject()))
	want = `{"name":"magento/product-community-edition","require":{"magento/magento2-base":"2.4.9"},` +
		`"description":"eCommerce Platform for Growth (Community Edition)","type":"metapackage"}`
	if got != want {
		t.Errorf("bare root\n got %s\nwant %s", got, want)
	}
}

func TestComposeProjectRules(t *testing.T) {
	root := mustParse(t, `{"name":"magento/magento2ce","description":"d","version":"2.4.7-beta1",
		"require":{"php":"~8.1"},"replace":{"magento/module-a":"1"},"suggest":{"x/y":"z"},"conflict":{"a/b":"*"},
		"minimum-stability":"stable","extra":{"component_paths":{}},"prefer-stable":true}`)
	got := compact(ComposeProject(root, "2.4.7-beta1", TemplateProjectAddOns(), "http://127.0.0.1:8080/"))
	want := `{"name":"magento/project-community-edition","description":"Community-built eCommerce Platform for Growth",` +
		`"version":"2.4.7-beta1","require":{"magento/product-community-edition":"2.4.7-beta1",` +
		`"magento/composer-root-update-plugin":"~2.0","magento/composer-dependency-version-audit-plugin":"~0.1"},` +
		`"conflict":{"a/b":"*"},"minimum-stability":"beta","extra":{"magento-force":"override"},"prefer-stable":true,` +
		`"repositories":[{"type":"composer","url":"http://127.0.0.1:8080/"}]}`
	if got != want {
		t.Errorf("project\n got %s\nwant %s", got, want)
	}
}

func TestAddOnsOrderAndFallback(t *testing.T) {
	root := mustParse(t, `{"require":{"php":"~8.1","magento/composer":"^1.0"},"replace":{"magento/module-a":"1"}}`)
	released := mustParse(t, `{"require":{"magento/magento2-base":"2.4.9","yotpo/x":"1","magento/page-builder":"2",
		"php":"~8.1","amzn/y":"3","magento/module-a":"1","magento/security-package":"4","magento/composer":"^1.1"}}`)
	got := compact(ProductAddOns(root, released))
	want := `{"magento/security-package":"4","magento/page-builder":"2","amzn/y":"3","magento/composer":"^1.1","yotpo/x":"1"}`
	if got != want {
		t.Errorf("product add-ons\n got %s\nwant %s", got, want)
	}
	proj := mustParse(t, `{"require":{"magento/product-community-edition":"2.4.9",`+
		`"magento/composer-dependency-version-audit-plugin":"~0.1","magento/composer-root-update-plugin":"^2.0.4"}}`)
	got = compact(ProjectAddOns(proj))
	want = `{"magento/composer-root-update-plugin":"^2.0.4","magento/composer-dependency-version-audit-plugin":"~0.1"}`
	if got != want {
		t.Errorf("project add-ons\n got %s\nwant %s", got, want)
	}
	got = compact(TemplateProductAddOns("1.1.4", "1.2.7", "1.7.4"))
	want = `{"magento/security-package":"1.1.4","magento/inventory-metapackage":"1.2.7","magento/page-builder":"1.7.4"}`
	if got != want {
		t.Errorf("template product add-ons %s", got)
	}
	// A released file without require yields no add-ons rather than a panic.
	if got := compact(ProductAddOns(composer.NewObject(), composer.NewObject())); got != `{}` {
		t.Errorf("empty: %s", got)
	}
}
