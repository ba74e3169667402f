// Package repo manages a magerepo output directory: the static Composer 2
// repository that `magerepo build` and `magerepo sync` publish and that any web
// server can serve (docs/format.md, docs/architecture.md §4).
//
// # Vocabulary
//
//   - An [Entry] is one published (name, version): its dist archive (a path
//     relative to the output directory, a remote URL, or none for a
//     metapackage), the archive's SHA-1 and size, provenance, and the package's
//     composer.json, which becomes the version's entry in the p2 metadata.
//   - The manifest is the set of entries, kept under ".magerepo/manifest/", one
//     file per package, so that a run rewrites only the packages it changed.
//   - Publishing turns the manifest into metadata: packages.json, the
//     minified p2/<vendor>/<name>.json and <name>~dev.json files, their
//     pre-compressed ".gz" siblings, and the web pages of internal/site
//     (index.html and browse/).
//
// # Write order
//
// Every file is written to a temporary name in its directory, synced and renamed
// into place, so no reader sees a half-written file. Dists are written before the
// manifest that names them, the manifest before the p2 files, and packages.json
// last; files no longer referenced are deleted only after packages.json stops
// naming them. A file whose bytes do not change is not touched, so its
// modification time, and the Last-Modified header Composer caches by, stay
// stable. docs/format.md states these invariants.
//
// A [Repo] holds an exclusive lock on ".magerepo/lock" from [Open] to
// [Repo.Close], so two runs cannot publish into the same directory at once.
package repo
