// Package magento holds the rules that only the Magento Open Source mirror needs (docs/architecture.md §2.12): the
// composer.json of magento/magento2-base, the composition of magento/product-community-edition and
// magento/project-community-edition from a magento2 tag's root composer.json (docs/reference-generator.md §5), the
// sample-data suggest rule (docs/reference-generator.md §3.3), the reference's getVersionStability, the release
// metadata that supplies the released composer.json files, and a check that a mirror does not trip
// magento/composer-dependency-version-audit-plugin (docs/audit-plugin.md).
//
// Everything here is a pure function on [composer.Object] documents, except [ReleaseMetadata], which reads an
// [io/fs.FS]. The generic engine (gitsrc, composer, archive, repo) never imports this package. The build applies
// the profile's version pins and patches around these functions; docs/magento.md says where.
package magento
