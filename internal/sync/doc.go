// Package sync replicates another Composer 2 repository into a magerepo output
// directory (issue 5): it reads the upstream packages.json, fetches every p2
// metadata file, downloads every dist, checks each against the upstream
// SHA-1 before publishing it, and publishes through internal/repo with dist
// URLs under the local base URL.
//
// Runs are incremental: metadata is fetched with If-Modified-Since (the
// Last-Modified values live in ".magerepo/sync-state.json"), a dist already
// present with the right SHA-1 is never fetched again, and a partial download
// left by an interrupted run (".<file>.part") is resumed with a range request.
// Every request goes through internal/fetch: retries with backoff on 408, 429
// (after its Retry-After) and 5xx answers and on connection errors; stall
// detection and deadlines, so an upstream that drips cannot hold the
// directory lock; metadata files capped in size and parsed inside an
// in-flight memory budget, so an oversized p2 file is a failure of its
// package, not an out-of-memory kill. A version
// that upstream removes is reported and kept unless pruning is asked for; a
// version whose dist fails its checksum is reported and not published, and the
// previous state stays.
//
// The upstream may be a magerepo, Satis (static files, p2/ plus
// available-packages, possibly pretty-printed and not minified), Packagist-like
// servers, or a Composer 1 repository with inline packages or includes.
package sync
