package fixes

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
)

// defaultSet returns the fixes of the embedded Magento Open Source profile.
func defaultSet(t *testing.T) *Set {
	t.Helper()
	c, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(c, config.DataFS(c))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func doc(t *testing.T, js string) *composer.Object {
	t.Helper()
	o, err := composer.ParseDocument([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// compact re-serialises a JSON text without whitespace, to compare documents including key order.
func compact(t *testing.T, js string) string {
	t.Helper()
	return string(composer.MarshalCompact(composer.ObjectValue(doc(t, js))))
}

func TestApplyPatches(t *testing.T) {
	s := defaultSet(t)
	cases := []struct {
		name, source, pkg, in string
		want                  string // "" = unchanged
		applied               int
	}{
		{
			name: "product 2.4.7-p6 gets conflict as the last key", source: "magento2", pkg: "magento/product-community-edition",
			in:      `{"name":"magento/product-community-edition","version":"2.4.7-p6","require":{"php":"~8.2"},"prefer-stable":true}`,
			want:    `{"name":"magento/product-community-edition","version":"2.4.7-p6","require":{"php":"~8.2"},"prefer-stable":true,"conflict":{"paypal/module-braintree":">=4.7.0"}}`,
			applied: 1,
		},
		{
			name: "product 2.4.7-p10 is after p6", source: "magento2", pkg: "magento/product-community-edition",
			in:      `{"version":"2.4.7-p10","conflict":{"a/b":"1"},"type":"metapackage"}`,
			want:    `{"version":"2.4.7-p10","conflict":{"a/b":"1","paypal/module-braintree":">=4.7.0"},"type":"metapackage"}`,
			applied: 1,
		},
		{name: "product 2.4.7-p5 is before p6", source: "magento2", pkg: "magento/product-community-edition",
			in: `{"version":"2.4.7-p5","require":{}}`},
		{name: "product 2.4.7-beta1 has the prefix but is before p6", source: "magento2", pkg: "magento/product-community-edition",
			in: `{"version":"2.4.7-beta1"}`},
		{name: "product 2.4.8-p1 lacks the prefix", source: "magento2", pkg: "magento/product-community-edition",
			in: `{"version":"2.4.8-p1"}`},
		{
			name: "product 2.3.7-p3 bundle keeps its place", source: "magento2", pkg: "magento/product-community-edition",
			in:      `{"version":"2.3.7-p3","require":{"magento/module-bundle":"100.3.7-p3","magento/module-x":"1"}}`,
			want:    `{"version":"2.3.7-p3","require":{"magento/module-bundle":"100.3.7","magento/module-x":"1"}}`,
			applied: 1,
		},
		{
			name: "project 2.4.8-p1 require-dev: merge then remove", source: "magento2", pkg: "magento/project-community-edition",
			in:      `{"version":"2.4.8-p1","require-dev":{"allure-framework/allure-phpunit":"^3.1","phpunit/phpunit":"^10"},"extra":{}}`,
			want:    `{"version":"2.4.8-p1","require-dev":{"phpunit/phpunit":"^10","magento/magento-allure-phpunit":"^3.0.2"},"extra":{}}`,
			applied: 1,
		},
		{name: "project 2.4.8 is not 2.4.8-p*", source: "magento2", pkg: "magento/project-community-edition",
			in: `{"version":"2.4.8","require-dev":{"allure-framework/allure-phpunit":"^3.0"}}`},
		{
			name: "page-builder admin analytics 1.1.3 suggest", source: "page-builder", pkg: "magento/module-page-builder-admin-analytics",
			in:      `{"version":"1.1.3","suggest":{"magento/module-admin-analytics":"100.4.*"},"type":"magento2-module"}`,
			want:    `{"version":"1.1.3","suggest":{"magento/module-admin-analytics":"*"},"type":"magento2-module"}`,
			applied: 1,
		},
		{
			name: "page-builder admin analytics 1.1.1-p1 creates suggest last", source: "page-builder", pkg: "magento/module-page-builder-admin-analytics",
			in:      `{"version":"1.1.1-p1","require":{"php":"~7.4.0","magento/framework":"*","x/y":"1"},"autoload":{}}`,
			want:    `{"version":"1.1.1-p1","require":{"php":"~7.3.0||~7.4.0","magento/framework":"103.0.3-p1","x/y":"1"},"autoload":{},"suggest":{"magento/module-admin-analytics":"100.4.3-p1"}}`,
			applied: 1,
		},
		{
			name: "adobe-stock-integration 1.0.3-p2 wildcards", source: "adobe-stock-integration", pkg: "magento/adobe-stock-integration",
			in: `{"version":"1.0.3-p2","require":{"php":"~7.3","magento/module-adobe-ims":"1.0.2-p1"}}`,
			want: `{"version":"1.0.3-p2","require":{"php":"~7.3","magento/module-adobe-ims":"1.0.*",` +
				`"magento/module-adobe-stock-asset":"1.0.*","magento/module-adobe-stock-asset-api":"1.0.*","magento/module-adobe-stock-image":"1.0.*",` +
				`"magento/module-adobe-stock-image-admin-ui":"1.0.*","magento/module-adobe-stock-image-api":"1.0.*","magento/module-adobe-stock-client":"1.0.*",` +
				`"magento/module-adobe-stock-client-api":"1.0.*","magento/module-adobe-stock-admin-ui":"1.0.*","magento/module-adobe-ims-api":"1.0.*"}}`,
			applied: 1,
		},
		{
			name: "adobe-stock-integration other version with require: unchanged", source: "adobe-stock-integration", pkg: "magento/adobe-stock-integration",
			in: `{"version":"2.1.0","require":{"magento/module-adobe-ims":"2.1.0"},"type":"metapackage"}`,
		},
		{
			name: "adobe-stock-integration other version without require: empty require last", source: "adobe-stock-integration", pkg: "magento/adobe-stock-integration",
			in:      `{"version":"2.1.0","type":"metapackage","license":["OSL-3.0"]}`,
			want:    `{"version":"2.1.0","type":"metapackage","license":["OSL-3.0"],"require":{}}`,
			applied: 1,
		},
		{
			name: "inventory frontend ui 1.0.2 suggest", source: "inventory", pkg: "magento/module-inventory-catalog-frontend-ui",
			in:      `{"version":"1.0.2","suggest":{"magento/module-inventory-catalog":"1.1.*"}}`,
			want:    `{"version":"1.0.2","suggest":{"magento/module-inventory-catalog":"1.2.*"}}`,
			applied: 1,
		},
		{
			name: "an empty array section becomes an object in place", source: "adobe-stock-integration", pkg: "magento/module-adobe-stock-asset",
			in:      `{"version":"1.3.0-p1","require":[],"type":"magento2-module"}`,
			want:    `{"version":"1.3.0-p1","require":{"php":"~7.3.0||~7.4.0"},"type":"magento2-module"}`,
			applied: 1,
		},
		{name: "same package, another source", source: "page-builder", pkg: "magento/product-community-edition",
			in: `{"version":"2.4.7-p6"}`},
		{name: "no version", source: "magento2", pkg: "magento/product-community-edition", in: `{"name":"x/y"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := doc(t, tc.in)
			applied, err := s.ApplyPatches(tc.source, tc.pkg, d)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want == "" {
				want = tc.in
			}
			if got := string(composer.MarshalCompact(composer.ObjectValue(d))); got != compact(t, want) {
				t.Fatalf("patched\n got %s\nwant %s", got, compact(t, want))
			}
			if len(applied) != tc.applied {
				t.Fatalf("applied %q, want %d descriptions", applied, tc.applied)
			}
		})
	}
}

func TestApplyPatchesSectionMustExist(t *testing.T) {
	s := defaultSet(t)
	cases := []struct{ source, pkg, version string }{
		{"page-builder", "magento/module-page-builder-admin-analytics", "1.1.3"},
		{"inventory", "magento/module-inventory-catalog-frontend-ui", "1.0.2"},
		{"adobe-stock-integration", "magento/module-adobe-stock-client", "1.3.2"},
	}
	for _, tc := range cases {
		d := doc(t, `{"version":"`+tc.version+`","type":"magento2-module"}`)
		_, err := s.ApplyPatches(tc.source, tc.pkg, d)
		if !errors.Is(err, ErrSectionMissing) || !strings.Contains(err.Error(), tc.pkg) {
			t.Errorf("%s %s: error %v, want a section-missing error naming the package", tc.pkg, tc.version, err)
		}
	}
	// The same packages at versions their must-exist patches do not select are fine without the section.
	d := doc(t, `{"version":"1.1.4"}`)
	if _, err := s.ApplyPatches("page-builder", "magento/module-page-builder-admin-analytics", d); err != nil || d.Len() != 1 {
		t.Fatalf("1.1.4: %v, %d keys", err, d.Len())
	}
}

func TestApplyPins(t *testing.T) {
	s := defaultSet(t)
	d := doc(t, `{"name":"magento/adobe-stock-integration","version":"1.0.3-p2",`+
		`"require":{"php":"~7.3","magento/module-adobe-ims":"*","magento/module-adobe-stock-image":"*"},`+
		`"require-dev":{"magento/module-adobe-stock-client":"*"},`+
		`"suggest":{"magento/module-adobe-stock-image-admin-ui":"*","other/x":"1"},`+
		`"conflict":{"magento/module-adobe-ims":"<1"},"replace":{"magento/module-adobe-ims-api":"*"}}`)
	s.ApplyPins("adobe-stock-integration", "1.0.3-p2", d)
	want := compact(t, `{"name":"magento/adobe-stock-integration","version":"1.0.3-p2",`+
		`"require":{"php":"~7.3","magento/module-adobe-ims":"1.0.2-p1","magento/module-adobe-stock-image":"1.0.2-p2"},`+
		`"require-dev":{"magento/module-adobe-stock-client":"1.0.2-p1"},`+
		`"suggest":{"magento/module-adobe-stock-image-admin-ui":"1.0.3-p2","other/x":"1"},`+
		`"conflict":{"magento/module-adobe-ims":"<1"},"replace":{"magento/module-adobe-ims-api":"*"}}`)
	if got := string(composer.MarshalCompact(composer.ObjectValue(d))); got != want {
		t.Fatalf("pinned\n got %s\nwant %s", got, want)
	}
	// A patch for the same key runs after the pins and wins.
	if _, err := s.ApplyPatches("adobe-stock-integration", "magento/adobe-stock-integration", d); err != nil {
		t.Fatal(err)
	}
	if r, _ := d.GetObject("require"); mustString(t, r, "magento/module-adobe-ims") != "1.0.*" {
		t.Fatal("the patch did not override the pin")
	}
	// Another tag or source pins nothing.
	d2 := doc(t, `{"require":{"magento/module-adobe-ims":"*"}}`)
	s.ApplyPins("adobe-stock-integration", "1.0.3-p1", d2)
	s.ApplyPins("magento2", "1.0.3-p2", d2)
	if r, _ := d2.GetObject("require"); mustString(t, r, "magento/module-adobe-ims") != "*" {
		t.Fatal("pinned for the wrong tag or source")
	}
}

func mustString(t *testing.T, o *composer.Object, k string) string {
	t.Helper()
	v, ok := o.GetString(k)
	if !ok {
		t.Fatalf("%s missing", k)
	}
	return v
}

func TestPinnedVersion(t *testing.T) {
	s := defaultSet(t)
	cases := []struct {
		source, tag, name, want string
		ok                      bool
	}{
		{"magento-composer-installer", "0.3.0-beta.1", "magento/magento-composer-installer", "0.3.0-beta.1", true},
		{"magento-composer-installer", "0.1.3", "magento/magento-composer-installer", "", false},
		{"page-builder", "1.7.0-p1", "phpgt/dom", "2.1.6", true},
		{"page-builder", "1.7.0", "phpgt/dom", "", false},
		{"magento2", "2.4.3", "magento/adobe-stock-integration", "2.1.2", true},
		{"inventory", "2.4.3", "magento/adobe-stock-integration", "", false},
	}
	for _, tc := range cases {
		if got, ok := s.PinnedVersion(tc.source, tc.tag, tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("PinnedVersion(%s, %s, %s) = %q %v, want %q %v", tc.source, tc.tag, tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestExtraRefsAndReplacements(t *testing.T) {
	s := defaultSet(t)
	refs := s.ExtraRefs("inventory")
	if len(refs) != 1 || refs[0].Commit != "2a6fdb4e08dc307cd92ca4a7a0958128611be757" || refs[0].Release != "1.2.0-p1" {
		t.Fatalf("extra refs = %+v", refs)
	}
	if len(s.ExtraRefs("magento2")) != 0 {
		t.Fatal("extra refs for magento2")
	}
	rs := s.Replacements("magento2", "magento/module-catalog", "103.0.7-p3")
	if len(rs) != 1 || rs[0].Path != "Test/Mftf/ActionGroup/CustomOptionsActionGroup.xml" || len(rs[0].Data) != 13204 {
		t.Fatalf("replacements = %d", len(rs))
	}
	if s.Replacements("magento2", "magento/module-catalog", "103.0.7-p2") != nil {
		t.Fatal("replacement for another version")
	}
}

func TestUnused(t *testing.T) {
	s := defaultSet(t)
	all := s.Unused()
	// 68 package pins, 41 patches, 1 extra ref, 1 file replacement.
	if len(all) != 111 {
		t.Fatalf("%d unused entries at start, want 111", len(all))
	}
	s.PinnedVersion("page-builder", "1.7.0-p1", "phpgt/dom")
	s.ApplyPatches("magento2", "magento/product-community-edition", doc(t, `{"version":"2.4.7-p6"}`))
	s.ApplyPatches("magento2", "magento/product-community-edition", doc(t, `{"version":"2.4.7-p5"}`))
	s.Replacements("magento2", "magento/module-catalog", "103.0.7-p3")
	left := s.Unused()
	if len(left) != 108 {
		t.Fatalf("%d unused after three uses, want 108", len(left))
	}
	for _, id := range left {
		if strings.Contains(id, "phpgt/dom") || strings.Contains(id, "prefix 2.4.7- from 2.4.7-p6") || strings.HasPrefix(id, "file-replacements:") {
			t.Errorf("%s still reported unused", id)
		}
	}
}

// TestUnusedIn: only the sources a caller judged are reported, each entry with its source.
func TestUnusedIn(t *testing.T) {
	s := defaultSet(t)
	s.PinnedVersion("page-builder", "1.7.0-p1", "phpgt/dom")
	got := s.UnusedIn(func(src string) bool { return src == "page-builder" })
	// page-builder has 13 package pins and 11 patches; one pin was used.
	if len(got) != 23 {
		t.Fatalf("%d unused page-builder entries, want 23", len(got))
	}
	for _, f := range got {
		if f.Source != "page-builder" || !strings.Contains(f.ID, "page-builder") {
			t.Errorf("%+v reported for page-builder", f)
		}
	}
}

func TestNewRejects(t *testing.T) {
	const head = "sources:\n  - name: a\n    url: x\n    packages: [{dir: \"\"}]\n"
	sum := "815a73a1b2aa0036f9efe0215dd21be660bfaa6f58c012156680d552404d9cd4"
	good := "mageos-replacements/magento/module-catalog/103.0.7-p3/Test/Mftf/ActionGroup/CustomOptionsActionGroup.xml"
	repl := func(data string, bytes int, sha string) string {
		return head + "file-replacements:\n  - {source: a, package: a/b, version: \"1\", files: [{path: f, data: " + data +
			", bytes: " + strconv.Itoa(bytes) + ", sha256: " + sha + "}]}\n"
	}
	cases := []struct{ name, yaml, want string }{
		{"missing data file", repl("nope", 1, sum), "nope"},
		{"wrong size", repl(good, 13203, sum), "13203"},
		{"wrong checksum", repl(good, 13204, strings.Repeat("0", 64)), "sha256"},
		{"no checksum", repl(good, 13204, `""`), "sha256"},
		{"escaping path", repl("../x", 1, sum), "clean relative"},
		{"duplicate pin", head + "version-pins:\n  - {source: a, tag: \"1\", pins: {a/b: \"1\"}}\n  - {source: a, tag: \"1\", pins: {a/b: \"2\"}}\n", "pinned twice"},
		{"bad from", head + "patches:\n  - {source: a, package: a/b, when: {prefix: \"2.\", from: \"next\"}, merge: {require: {x/y: \"1\"}}}\n", "from"},
		{"prefix without from", head + "patches:\n  - {source: a, package: a/b, when: {prefix: \"2.\"}, merge: {require: {x/y: \"1\"}}}\n", "when"},
		{"bad remove", head + "patches:\n  - {source: a, package: a/b, when: {version: \"1\"}, remove: [require]}\n", "section.key"},
		{"bad commit", head + "extra-refs:\n  - {source: a, commit: \"zzzzzzzz\", release: \"1\"}\n", "hex"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Parse([]byte(tc.yaml), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(c, config.DefaultDataFS())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
