package magento

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// Package names and texts of the Magento Open Source metapackages (docs/reference-generator.md §5.2, §5.3).
const (
	BaseName    = "magento/magento2-base"
	ProductName = "magento/product-community-edition"
	ProjectName = "magento/project-community-edition"

	// ProductDescription is the description the reference writes into every product metapackage.
	ProductDescription = "eCommerce Platform for Growth (Community Edition)"
	// ProjectDescription is the description the reference writes into every project package; upstream's
	// released project says ProductDescription instead.
	ProjectDescription = "Community-built eCommerce Platform for Growth"

	// vendorPrefix selects the first-party replace entries of the root composer.json (commit 12f283b of the
	// reference: third-party entries such as components/jquery are not moved into the product's require).
	vendorPrefix = "magento/"
)

// productRemovedKeys are the root composer.json keys the product metapackage drops (docs/reference-generator.md §5.2
// step 4). prefer-stable, license and version stay.
var productRemovedKeys = []string{
	"autoload", "autoload-dev", "config", "conflict", "minimum-stability", "replace", "require-dev", "suggest",
}

// Template add-ons: what the reference falls back to when it has no add-on file for a release (profile rule
// product-project-without-add-ons), and the order its add-on files list these names in.
var (
	productTemplateNames = []string{"magento/security-package", "magento/inventory-metapackage", "magento/page-builder"}
	projectTemplateNames = []string{
		"magento/composer-root-update-plugin", "magento/composer-dependency-version-audit-plugin",
	}
)

// ErrNoReleaseMetadata means the release metadata has no usable file for a release; the build reports it and
// skips (base) or falls back (product, project) for that tag.
var ErrNoReleaseMetadata = errors.New("magento: release metadata lacks the release")

// BaseComposerJSON returns magento/magento2-base's composer.json for tag: the released document, key order
// kept (docs/reference-generator.md §5.1; profile rule base-composer-json). It fails, naming the release, when the
// metadata lacks it or the document has no version (the reference then builds no base package for the tag).
func BaseComposerJSON(m *ReleaseMetadata, tag string) (*composer.Object, error) {
	doc, ok, err := m.File(tag, KindBase)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no %s/%s/composer.json, so no %s %s", ErrNoReleaseMetadata, tag, KindBase,
			BaseName, tag)
	}
	if v, ok := doc.Get("version"); !ok || !v.Truthy() {
		return nil, fmt.Errorf("magento: release metadata %s/%s/composer.json has no version", tag, KindBase)
	}
	return doc, nil
}

// ProductComposerJSON composes magento/product-community-edition for tag from the tag's root composer.json
// (docs/reference-generator.md §5.2), with the add-ons derived from the released product in m ([ProductAddOns]). When m
// lacks the released product it returns an error wrapping [ErrNoReleaseMetadata]; the build may then compose
// with [TemplateProductAddOns] instead, as the reference does.
func ProductComposerJSON(root *composer.Object, tag string, m *ReleaseMetadata) (*composer.Object, error) {
	if root == nil {
		return nil, fmt.Errorf("magento: %s %s: no root composer.json", ProductName, tag)
	}
	released, ok, err := m.File(tag, KindProduct)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no %s/%s/composer.json for the add-ons of %s %s", ErrNoReleaseMetadata, tag,
			KindProduct, ProductName, tag)
	}
	return ComposeProduct(root, tag, ProductAddOns(root, released)), nil
}

// ProjectComposerJSON composes magento/project-community-edition for tag (docs/reference-generator.md §5.3), with the
// add-ons derived from the released project in m ([ProjectAddOns]) and repositories
// [{type: composer, url: repoURL}]. When m lacks the released project it returns an error wrapping
// [ErrNoReleaseMetadata]; the build may then compose with [TemplateProjectAddOns].
func ProjectComposerJSON(root *composer.Object, tag string, m *ReleaseMetadata, repoURL string) (*composer.Object, error) {
	if root == nil {
		return nil, fmt.Errorf("magento: %s %s: no root composer.json", ProjectName, tag)
	}
	released, ok, err := m.File(tag, KindProject)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no %s/%s/composer.json for the add-ons of %s %s", ErrNoReleaseMetadata, tag,
			KindProject, ProjectName, tag)
	}
	return ComposeProject(root, tag, ProjectAddOns(released), repoURL), nil
}

// ComposeProduct builds the product metapackage from the root composer.json and an add-on object
// (name -> constraint), as the reference's transformMagentoCommunityEditionProduct does:
//
//   - keys keep the root's order; "extra" and productRemovedKeys are dropped; name, description and type are set;
//   - require is the root require, then the root's magento/* replace entries, then the add-ons, then
//     magento/magento2-base at the root's version (the tag when the root has none). A key that is already
//     there keeps its position and takes the later value, as JavaScript's Object.assign does.
//
// root is not modified.
func ComposeProduct(root *composer.Object, tag string, addOns *composer.Object) *composer.Object {
	cfg := root.Clone()
	cfg.Delete("extra")
	req := rootSupplied(cfg)
	assign(req, addOns)
	req.SetString(BaseName, rootVersion(root, tag))

	// Object.assign({}, config, additional, {name, description, type, require}): the add-on file ("additional")
	// holds only "require", so a root without require gets it before name/description/type are appended.
	if !cfg.Has("require") {
		cfg.Set("require", composer.ObjectValue(composer.NewObject()))
	}
	cfg.SetString("name", ProductName)
	cfg.SetString("description", ProductDescription)
	cfg.SetString("type", "metapackage")
	cfg.Set("require", composer.ObjectValue(req))
	for _, k := range productRemovedKeys {
		cfg.Delete(k)
	}
	return cfg
}

// ComposeProject builds the project package from the root composer.json, as the reference's
// transformMagentoCommunityEditionProject does in mirror mode (the version is the tag):
//
//   - keys keep the root's order; name, description, extra ({"magento-force": "override"}), repositories
//     ([{type: composer, url: repoURL}]), minimum-stability ([MinimumStability] of the tag) and require are
//     assigned in that order (new keys go last); replace and suggest are dropped;
//   - require is {magento/product-community-edition: tag} followed by the add-ons;
//   - require-dev, autoload, autoload-dev, config, conflict, prefer-stable, type and version stay as in the root.
//
// root is not modified.
func ComposeProject(root *composer.Object, tag string, addOns *composer.Object, repoURL string) *composer.Object {
	cfg := root.Clone()
	if !cfg.Has("require") {
		cfg.Set("require", composer.ObjectValue(composer.NewObject()))
	}
	cfg.SetString("name", ProjectName)
	cfg.SetString("description", ProjectDescription)
	extra := composer.NewObject()
	extra.SetString("magento-force", "override")
	cfg.Set("extra", composer.ObjectValue(extra))
	repo := composer.NewObject()
	repo.SetString("type", "composer")
	repo.SetString("url", repoURL)
	cfg.Set("repositories", composer.ArrayValue(composer.ObjectValue(repo)))
	cfg.SetString("minimum-stability", MinimumStability(tag))
	req := composer.NewObject()
	req.SetString(ProductName, tag)
	assign(req, addOns)
	cfg.Set("require", composer.ObjectValue(req))
	cfg.Delete("replace")
	cfg.Delete("suggest")
	return cfg
}

// ProductAddOns derives the product add-ons of a release from its released product composer.json: every
// released require entry except magento/magento2-base that the root composer.json does not supply with the
// same value (root require and magento/* replace entries). Entries the root supplies with another value are
// included too, so they override it in place (2.3.7-p3 module-bundle, 2.4.8* magento-zf-db, 2.4.9-beta1
// magento/composer). The order is [orderAddOns]'.
func ProductAddOns(root, released *composer.Object) *composer.Object {
	supplied := rootSupplied(root)
	out := composer.NewObject()
	req, _ := released.GetObject("require")
	for _, k := range keys(req) {
		if k == BaseName {
			continue
		}
		v, _ := req.Get(k)
		if s, ok := supplied.Get(k); ok && composer.Equal(s, v) {
			continue
		}
		out.Set(k, v.Clone())
	}
	return orderAddOns(out, productTemplateNames)
}

// ProjectAddOns derives the project add-ons of a release from its released project composer.json: its require
// entries except magento/product-community-edition, in [orderAddOns]' order.
func ProjectAddOns(released *composer.Object) *composer.Object {
	out := composer.NewObject()
	req, _ := released.GetObject("require")
	for _, k := range keys(req) {
		if k == ProductName {
			continue
		}
		v, _ := req.Get(k)
		out.Set(k, v.Clone())
	}
	return orderAddOns(out, projectTemplateNames)
}

// TemplateProductAddOns is the reference's fallback when it has no add-on file for a release: the three
// first-party metapackages at the highest tag of their mirror repositories at build time, which the caller
// knows (profile rule product-project-without-add-ons).
func TemplateProductAddOns(securityPackage, inventory, pageBuilder string) *composer.Object {
	o := composer.NewObject()
	for i, v := range []string{securityPackage, inventory, pageBuilder} {
		o.SetString(productTemplateNames[i], v)
	}
	return o
}

// TemplateProjectAddOns is the reference's fallback project add-on set (profile rule
// product-project-without-add-ons).
func TemplateProjectAddOns() *composer.Object {
	o := composer.NewObject()
	o.SetString(projectTemplateNames[0], "~2.0")
	o.SetString(projectTemplateNames[1], "~0.1")
	return o
}

// orderAddOns puts the template names first, in template order, and the other add-ons after them in byte order. That
// is the order of the reference's add-on files (docs/reference-generator.md §5.5: security-package,
// inventory-metapackage, page-builder, then amzn/…, dotmailer/…, …, yotpo/…; the project's root-update plugin before
// the audit plugin), whereas the released files list them in no stable order.
func orderAddOns(o *composer.Object, template []string) *composer.Object {
	rest := slices.DeleteFunc(o.Keys(), func(k string) bool { return slices.Contains(template, k) })
	slices.SortFunc(rest, strings.Compare)
	out := composer.NewObject()
	for _, k := range append(slices.Clone(template), rest...) {
		if v, ok := o.Get(k); ok {
			out.Set(k, v)
		}
	}
	return out
}

// rootSupplied returns the root require followed by the root's magento/* replace entries (a replace entry
// overrides a require entry of the same name in place).
func rootSupplied(root *composer.Object) *composer.Object {
	out := composer.NewObject()
	req, _ := root.GetObject("require")
	assign(out, req)
	repl, _ := root.GetObject("replace")
	for _, k := range keys(repl) {
		if strings.HasPrefix(k, vendorPrefix) {
			v, _ := repl.Get(k)
			out.Set(k, v.Clone())
		}
	}
	return out
}

// rootVersion is the root composer.json's version (what the reference requires magento2-base at in mirror
// mode), or tag when the root has none (the reference would then drop the requirement).
func rootVersion(root *composer.Object, tag string) string {
	if v, ok := root.GetString("version"); ok && v != "" {
		return v
	}
	return tag
}

// assign copies src's entries into dst, in src's order (Object.assign).
func assign(dst, src *composer.Object) {
	for _, k := range keys(src) {
		v, _ := src.Get(k)
		dst.Set(k, v.Clone())
	}
}

// keys is Keys for a possibly nil object.
func keys(o *composer.Object) []string {
	if o == nil {
		return nil
	}
	return o.Keys()
}
