package magento

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/archive"
	"github.com/mage-os/magerepo/internal/composer"
)

// mirrorURL is the repository URL the reference's worked example (docs/reference-generator.md §5.5) used.
const mirrorURL = "https://mirror.mage-os.org/"

// knownMismatches are releases whose shared git-tag composer.json cannot yield the released product, with the
// reason. The test fails if one of them starts matching, so the list stays honest.
var knownMismatches = map[string]string{
	// The 2.0.3 git-tag file is not the root of the released 2.0.3: its replace lists 101 module versions one
	// patch level above the released product's and magento/module-webapi-security, which 2.0.3 did not ship.
	// The mirror starts at 2.3.7-p2, so it never builds 2.0.3.
	"2.0.3": "product require",
}

// applyProfilePatches applies the profile's magento2 patches for product and project (mageos-mirror-profile.yaml
// patches, source magento2) the way the build does after composition, so the comparison covers them. The
// 2.4.8-p* project patch touches only require-dev, which the comparison leaves out.
func applyProfilePatches(t *testing.T, tag string, product *composer.Object) {
	t.Helper()
	if tag == "2.3.7-p3" {
		req, _ := product.GetObject("require")
		req.SetString("magento/module-bundle", "100.3.7")
	}
	if p, ok := strings.CutPrefix(tag, "2.4.7-p"); ok {
		if n, err := strconv.Atoi(p); err == nil && n >= 6 {
			conflict := composer.NewObject()
			conflict.SetString("paypal/module-braintree", ">=4.7.0")
			product.Set("conflict", composer.ObjectValue(conflict))
		}
	}
}

// section returns a section as a map of key -> serialised value, for order-independent comparison.
func section(doc *composer.Object, key string) map[string]string {
	o, ok := doc.GetObject(key)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		out[k] = string(composer.MarshalCompact(v))
	}
	return out
}

// diffSections names the sections among require, replace, conflict whose entries differ.
func diffSections(got, want *composer.Object) []string {
	var bad []string
	for _, s := range []string{"require", "replace", "conflict"} {
		g, w := section(got, s), section(want, s)
		if len(g) == 0 && len(w) == 0 {
			continue
		}
		if !reflect.DeepEqual(g, w) {
			bad = append(bad, s)
		}
	}
	return bad
}

// TestComposeMatchesReleases composes product and project for every release with a usable git-tag file and
// compares their require, replace and conflict with the released files (the project's repositories aside).
func TestComposeMatchesReleases(t *testing.T) {
	m := sharedMetadata(t)
	var matched, skipped []string
	mismatched := map[string]string{}
	for _, rel := range m.Releases() {
		root, ok, err := m.File(rel, KindGitTag)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			skipped = append(skipped, rel)
			continue
		}
		product, err := ProductComposerJSON(root, rel, m)
		if err != nil {
			t.Fatal(err)
		}
		applyProfilePatches(t, rel, product)
		project, err := ProjectComposerJSON(root, rel, m, mirrorURL)
		if err != nil {
			t.Fatal(err)
		}
		wantProduct, _, _ := m.File(rel, KindProduct)
		wantProject, _, _ := m.File(rel, KindProject)
		var bad []string
		for _, s := range diffSections(product, wantProduct) {
			bad = append(bad, "product "+s)
		}
		for _, s := range diffSections(project, wantProject) {
			bad = append(bad, "project "+s)
		}
		if len(bad) == 0 {
			matched = append(matched, rel)
		} else {
			mismatched[rel] = strings.Join(bad, ", ")
		}
	}
	for rel, what := range mismatched {
		if knownMismatches[rel] != what {
			t.Errorf("%s: %s differ from the released files", rel, what)
		}
	}
	for rel := range knownMismatches {
		if _, ok := mismatched[rel]; !ok && !slices.Contains(skipped, rel) {
			t.Errorf("%s now matches; remove it from knownMismatches", rel)
		}
	}
	for _, rel := range []string{"2.4.3-p1", "2.4.7-p1", "2.4.7-p6", "2.4.8-p4"} {
		if !slices.Contains(matched, rel) {
			t.Errorf("release %s did not match", rel)
		}
	}
	if !slices.Contains(skipped, "2.4.7") {
		t.Log("note: 2.4.7's git-tag file is usable now; it is compared like the others")
	}
	t.Logf("%d releases match the released product and project, %d known mismatches %v, %d skipped (git-tag file is %q): %v",
		len(matched), len(mismatched), keysOf(mismatched), len(skipped), notFoundBody, skipped)
}

func keysOf(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestProduct243p1 checks the key order of docs/reference-generator.md §5.5 for tag 2.4.3-p1 and the bytes of the
// reference's archive.
func TestProduct243p1(t *testing.T) {
	m := sharedMetadata(t)
	root, _, err := m.File("2.4.3-p1", KindGitTag)
	if err != nil || root == nil {
		t.Fatalf("git-tag 2.4.3-p1: %v", err)
	}
	product, err := ProductComposerJSON(root, "2.4.3-p1", m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := product.Keys(), []string{"name", "description", "type", "license", "version", "require", "prefer-stable"}; !slices.Equal(got, want) {
		t.Errorf("keys = %q, want %q", got, want)
	}
	req, _ := product.GetObject("require")
	keys := req.Keys()
	rootReq, _ := root.GetObject("require")
	rootRepl, _ := root.GetObject("replace")
	var replaced []string
	for _, k := range rootRepl.Keys() {
		if strings.HasPrefix(k, "magento/") {
			replaced = append(replaced, k)
		}
	}
	addOns := []string{
		"magento/security-package", "magento/inventory-metapackage", "magento/page-builder",
		"amzn/amazon-pay-and-login-magento-2-module", "dotmailer/dotmailer-magento2-extension-package",
		"klarna/m2-payments", "magento/adobe-ims", "magento/adobe-stock-integration", "magento/google-shopping-ads",
		"paypal/module-braintree", "temando/module-shipping", "vertexinc/product-magento-module",
		"yotpo/magento2-module-yotpo-reviews-bundle",
	}
	want := slices.Concat(rootReq.Keys(), replaced, addOns, []string{BaseName})
	if len(rootReq.Keys()) != 70 || len(replaced) != 221 || len(keys) != 305 {
		t.Errorf("counts: root require %d (70), magento replace %d (221), product require %d (305)",
			len(rootReq.Keys()), len(replaced), len(keys))
	}
	if i := firstDiff(keys, want); i >= 0 {
		t.Errorf("require order differs from root require, replace, add-ons, base at index %d: got %q, want %q",
			i, at(keys, i), at(want, i))
	}
	if v, _ := req.GetString(BaseName); v != "2.4.3-p1" {
		t.Errorf("%s = %q", BaseName, v)
	}
	checkZipSHA1(t, product, 14321, "f32e64241847b21bf8e3e8664f19e82cb40a9022")

	project, err := ProjectComposerJSON(root, "2.4.3-p1", m, mirrorURL)
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"name", "description", "type", "license", "config", "version", "require", "autoload",
		"require-dev", "conflict", "autoload-dev", "prefer-stable", "extra", "repositories", "minimum-stability"}
	if got := project.Keys(); !slices.Equal(got, wantKeys) {
		t.Errorf("project keys = %q, want %q", got, wantKeys)
	}
	checkZipSHA1(t, project, -1, "f14df3f23e2bddb831a35f4bae79c0149c06e1cd")
}

// checkZipSHA1 writes doc as the reference does (one entry composer.json, mageos format) and compares the
// archive's SHA-1 with the one docs/reference-generator.md §5.5 reports for the reference's output.
func checkZipSHA1(t *testing.T, doc *composer.Object, size int, want string) {
	t.Helper()
	data := composer.MarshalObjectIndent(doc)
	if size >= 0 && len(data) != size {
		t.Errorf("composer.json is %d bytes, want %d", len(data), size)
	}
	f := archive.File{Path: "composer.json", Size: int64(len(data)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	var buf bytes.Buffer
	if err := archive.Write(&buf, archive.Mageos, archive.Layout([]archive.File{f}, nil)); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(buf.Bytes())
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("zip SHA-1 = %s, want %s (the reference's)", got, want)
	}
}

// TestBaseComposerJSON checks every release's base document: the released one, order kept, and serialised to
// the same JSON value.
func TestBaseComposerJSON(t *testing.T) {
	m := sharedMetadata(t)
	n := 0
	for _, rel := range m.Releases() {
		raw, err := os.ReadFile(filepath.Join(sharedMetadataDir, rel, KindBase, "composer.json"))
		if err != nil {
			continue
		}
		doc, err := BaseComposerJSON(m, rel)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		parsed, err := composer.ParseDocument(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !composer.Equal(composer.ObjectValue(doc), composer.ObjectValue(parsed)) {
			t.Errorf("%s: document differs from the released file", rel)
		}
		if got, want := doc.Keys(), jsonKeyOrder(t, raw); !slices.Equal(got, want) {
			t.Errorf("%s: key order %q, want %q", rel, got, want)
		}
		var a, b any
		if err := json.Unmarshal(composer.MarshalObjectIndent(doc), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: MarshalIndent gives another JSON value", rel)
		}
		n++
	}
	if n < 100 {
		t.Errorf("only %d base documents checked", n)
	}
	t.Logf("%d base composer.json documents equal the released files", n)
}

// jsonKeyOrder returns the top-level keys of a JSON object in document order, using encoding/json's tokenizer
// (an independent reader).
func jsonKeyOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if at(a, i) != at(b, i) || i >= len(a) || i >= len(b) {
			return i
		}
	}
	return -1
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<end>"
}
