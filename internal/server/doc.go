// Package server serves a magerepo output directory over HTTP the way the Composer
// client needs it (docs/composer-protocol.md §1.3, §1.7, §1.8).
//
// A [Server] is an [http.Handler] over one directory. It answers GET and HEAD for
// regular files below that directory with accurate Last-Modified and ETag headers,
// 304 responses with an empty body, byte ranges, and gzip for JSON and the web pages (a fresh
// pre-compressed ".gz" sibling when one exists, otherwise compressed once and
// cached). Unknown names get a fast plain-text 404, never a redirect or an HTML page,
// because Composer probes names it does not know.
//
// The directory's private state (".magerepo/"), every dot file, directories and
// anything reached through "..", encoded slashes, backslashes or a symlink pointing
// outside the directory are never served: files are opened through an [os.Root].
//
// Optional pieces: access control from a credentials file ([Credentials]), an
// [Updater] that rebuilds the directory on a schedule and on a webhook, and [Run],
// which runs an [http.Server] with timeouts, TLS (and so HTTP/2) and graceful
// shutdown.
package server
