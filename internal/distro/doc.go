// Package distro owns the rules that turn upstream packages into a distribution's packages: the vendor
// rename of names and links, the distribution's versions, the replace of each upstream package, the alias
// metapackages of the upstream names, the editions built from an allow-list, and the nightly version scheme.
// Every rule is a pure function of composer.json documents and versions; internal/build feeds it what the
// sources yield and publishes the result (docs/distributions.md).
package distro
