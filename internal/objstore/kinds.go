package objstore

import (
	"path"
	"strings"
)

// Cache-Control values. A dist never changes once published, so caches may keep it for a year without asking
// again; metadata changes with every publish, so caches keep it briefly and a CDN is purged of the files a
// publish changed (docs/object-storage.md).
const (
	CacheImmutable = "public, max-age=31536000, immutable"
	CacheMetadata  = "public, max-age=60"
)

// headersFor returns the headers of the file at key: a dist's by its extension, metadata by kind. JSON is stored
// as it is, not gzip-encoded: S3 does not negotiate Content-Encoding, so a gzip body would reach clients that
// did not ask for it; the CDN compresses on the fly (docs/object-storage.md).
func headersFor(key string, dist bool) Headers {
	if dist {
		return Headers{ContentType: distType(key), CacheControl: CacheImmutable}
	}
	ct := "application/octet-stream"
	switch path.Ext(key) {
	case ".json":
		ct = "application/json"
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	}
	return Headers{ContentType: ct, CacheControl: CacheMetadata}
}

func distType(key string) string {
	switch k := strings.ToLower(key); {
	case strings.HasSuffix(k, ".zip"):
		return "application/zip"
	case strings.HasSuffix(k, ".tar"):
		return "application/x-tar"
	case strings.HasSuffix(k, ".tar.gz"), strings.HasSuffix(k, ".tgz"):
		return "application/gzip"
	default:
		return "application/octet-stream"
	}
}
