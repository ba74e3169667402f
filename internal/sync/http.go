package sync

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
)

// metaResult is what fetching a metadata file gave.
type metaResult struct {
	status       int // 200, 304 or 404 (404 and 410 both mean "no such file")
	lastModified string
}

// fetchMeta GETs a metadata file through the run's client ([fetch.Client.Fetch]: retries, deadlines, stall
// detection), conditionally when ifModifiedSince is set, and hands a 200 body to use. use must not keep the
// bytes: they count against the client's in-flight budget, and are released, when use returns, so parsing
// happens inside that budget. A body above MaxMetadataSize is an error wrapping [fetch.ErrTooLarge]; use's
// error is returned with the result.
func (s *syncer) fetchMeta(ctx context.Context, url, ifModifiedSince string, use func([]byte) error) (metaResult, error) {
	h := http.Header{}
	if ifModifiedSince != "" {
		h.Set("If-Modified-Since", ifModifiedSince)
	}
	b, err := s.c.Fetch(ctx, url, h, s.o.MaxMetadataSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return metaResult{status: http.StatusNotFound}, nil
	case err != nil:
		return metaResult{}, err
	}
	defer b.Release()
	if b.Status == http.StatusNotModified {
		return metaResult{status: http.StatusNotModified, lastModified: ifModifiedSince}, nil
	}
	res := metaResult{status: http.StatusOK, lastModified: b.Header.Get("Last-Modified")}
	return res, use(b.Bytes())
}
