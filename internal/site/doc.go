// Package site renders a repository's web pages: the start page (index.html) with the instructions to use the
// repository and a package list that filters as one types, and one page per package with its versions, their
// requirements, dists and checksums (docs/format.md, "Web pages").
//
// The pages are static files written beside the metadata, so any web server or object store can serve them;
// they load nothing from elsewhere. The package list is not in index.html but in a small JSON index
// (browse/index.json) that browse/site.js fetches and filters, so the start page stays small for a mirror of
// hundreds of packages and tens of thousands of versions.
//
// Every function here is pure: the same values give the same bytes (no clock, no map order, no machine
// state), so a publish that changes nothing rewrites no page. internal/repo turns its entries into the
// values of this package and writes the files.
package site
