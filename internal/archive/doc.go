// Package archive writes deterministic package zips.
//
// Two formats exist (docs/architecture.md §2.5). [Mageos] reproduces, byte for byte, the archives of the reference
// generator (generate-mirror-repo-js, JSZip 3.10.1; docs/reference-generator.md §4.2 and §4.3): every entry is STORE,
// version needed 10, made by UNIX 3.0, dated 2022-02-22 22:02:22 (DOS fields, no extra time field), CRC and sizes in
// the local header, no data descriptor, no comments, no ZIP64. [Deflate] keeps the same order, names, modes and times
// but compresses file content with deflate at a fixed level.
//
// [Layout] computes the entry order of the reference generator: ICU (CLDR root, en-US) collation of the full
// relative path, array-index names at the package root first, and parent directory entries emitted lazily.
// [Write] writes a list of entries as given, so callers that need another order (a composer.json-only
// package followed by .gitignore, for example) pass their own []Entry.
//
// Not supported: ZIP64 (more than 65535 entries or 4 GiB), symlinks (callers drop them, as the reference
// does), comments.
package archive
