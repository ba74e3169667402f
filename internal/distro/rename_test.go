package distro

import (
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
)

func mustDoc(t *testing.T, s string) *composer.Object {
	t.Helper()
	doc, err := composer.ParseDocument([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func compact(o *composer.Object) string {
	return string(composer.MarshalCompact(composer.ObjectValue(o)))
}

// TestApply: the name and version become the distribution's; links to produced packages are renamed in
// place, pinned in require and require-dev and kept as written elsewhere; links to packages the build does
// not produce keep their upstream name, unless the distribution publishes them elsewhere; conflict and replace
// keep upstream names (their constraints are upstream versions); allow-plugins is renamed like links; the
// upstream package is replaced.
func TestApply(t *testing.T) {
	s := &Set{From: "magento", To: "acme",
		Versions:  map[string]string{"magento/module-a": "1.0.0", "magento/framework": "1.0.0", "magento/installer": "1.0.0"},
		Replace:   map[string]string{"magento/module-a": "100.4.2"},
		Elsewhere: []composer.NamePattern{composer.NewNamePattern("acme/module-elsewhere-*")},
	}
	doc := mustDoc(t, `{"name": "magento/module-a", "version": "100.4.2", "require": {"php": "~8.1", "magento/framework": "103.0.*",
  "magento/zendframework1": "~1.14", "magento/module-elsewhere-x": "^2.0", "laminas/laminas-code": "^4"},
  "require-dev": {"magento/installer": "*"}, "suggest": {"magento/framework": "for things"},
  "conflict": {"magento/framework": "<103"}, "replace": {"magento/old": "*"},
  "config": {"allow-plugins": {"magento/installer": true, "magento/other-plugin": true}}}`)
	s.Apply(doc, "magento/module-a")
	want := `{"name":"acme/module-a","version":"1.0.0","require":{"php":"~8.1","acme/framework":"1.0.0","magento/zendframework1":"~1.14",` +
		`"acme/module-elsewhere-x":"^2.0","laminas/laminas-code":"^4"},"require-dev":{"acme/installer":"1.0.0"},` +
		`"suggest":{"acme/framework":"for things"},"conflict":{"magento/framework":"<103"},"replace":{"magento/old":"*","magento/module-a":"100.4.2"},` +
		`"config":{"allow-plugins":{"acme/installer":true,"magento/other-plugin":true}}}`
	if got := compact(doc); got != want {
		t.Errorf("Apply:\n got %s\nwant %s", got, want)
	}
}

// TestApplyWithoutRename: an upstream nightly (From == To) only pins; it replaces nothing.
func TestApplyWithoutRename(t *testing.T) {
	s := &Set{From: "magento", To: "magento", Versions: map[string]string{"magento/a": "1.0.0.1-a20240115", "magento/b": "2.0.0.1-a20240115"},
		Replace: map[string]string{"magento/a": "1.0.0"}}
	doc := mustDoc(t, `{"name": "magento/a", "require": {"magento/b": "^2.0"}}`)
	s.Apply(doc, "magento/a")
	if got, want := compact(doc), `{"name":"magento/a","require":{"magento/b":"2.0.0.1-a20240115"},"version":"1.0.0.1-a20240115"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestApplyEmptyLinkSections: a section written as [] (PHP's empty array) is left alone, as Composer reads it.
func TestApplyEmptyLinkSections(t *testing.T) {
	s := &Set{From: "magento", To: "acme", Versions: map[string]string{"magento/a": "1.0.0"}}
	doc := mustDoc(t, `{"name": "magento/a", "require": [], "require-dev": []}`)
	s.Apply(doc, "magento/a")
	if got, want := compact(doc), `{"name":"acme/a","require":[],"require-dev":[],"version":"1.0.0"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if _, err := composer.LoadVersion(doc); err != nil {
		t.Errorf("Composer would not load the result: %v", err)
	}
}

// TestRecordUpstream sets extra.magento_version, keeping the other extra keys.
func TestRecordUpstream(t *testing.T) {
	doc := mustDoc(t, `{"name": "acme/p", "extra": {"magento-force": "override"}}`)
	RecordUpstream(doc, "2.4.7-p3")
	if got, want := compact(doc), `{"name":"acme/p","extra":{"magento-force":"override","magento_version":"2.4.7-p3"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestApplyReplacesOnlyRenamed: a package of another vendor in the build (a third-party plugin) keeps its name
// and replaces nothing, even when the replace map names it.
func TestApplyReplacesOnlyRenamed(t *testing.T) {
	s := &Set{From: "magento", To: "acme", Versions: map[string]string{"vendor/plugin": "1.0.0.1-a20240115"},
		Replace: map[string]string{"vendor/plugin": "^1.0"}}
	doc := mustDoc(t, `{"name": "vendor/plugin"}`)
	s.Apply(doc, "vendor/plugin")
	if got, want := compact(doc), `{"name":"vendor/plugin","version":"1.0.0.1-a20240115"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
