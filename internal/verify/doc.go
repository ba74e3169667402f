// Package verify checks a Composer 2 repository end to end: packages.json, every
// p2 metadata file and its gzip copy (what a client accepting gzip is sent),
// every dist archive, and whether every requirement on a package the
// repository owns can be satisfied inside it. It can also compare two
// repositories version by version. Remote files are downloaded through
// internal/fetch, the client sync uses.
//
// The same checks run on an output directory and on a repository served over
// HTTP: both are a [Source], which opens the files a URL names. Checks collect
// [Problem]s in a [Report] instead of stopping at the first one; [Run] returns
// an error only when the repository cannot be checked at all (no readable
// packages.json, no way to list its packages).
//
// The closure check follows docs/composer-protocol.md §2.6 without a solver: a
// requirement is satisfied when some version of the target (or of a branch
// alias) matches it, or when an owned package replaces or provides the target.
// It does not apply minimum-stability or conflict rules, so it can miss
// combinations only a real `composer update` rejects.
package verify
