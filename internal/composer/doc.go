// Package composer holds what magerepo knows of Composer's own data, with Composer's semantics rather than
// look-alike generic ones:
//
//   - versions and constraints exactly as composer/semver has them ([NormalizeVersion], [CompareVersions],
//     [ParseConstraint], [Satisfies]): "2.4.3-p1" normalizes to "2.4.3.0-patch1" and sorts above "2.4.3",
//     "-beta1" below it, "~1.2" means ">=1.2.0.0-dev <2.0.0.0-dev". Semantic-versioning libraries get these wrong
//     (docs/composer-protocol.md §2.7), and one unparsable constraint in served metadata breaks every client;
//   - package names ([ValidatePackageName], [IsPlatformPackage]);
//   - ordered composer.json documents ([ParseDocument], [Object], [MarshalIndent]) with JavaScript's JSON.parse
//     and JSON.stringify semantics, because key order and formatting are part of the archives' published bytes.
//
// The package is pure: no I/O.
package composer
