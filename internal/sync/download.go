package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/repo"
)

// checksumError is a dist whose bytes do not match the upstream shasum. It is
// not retried ([fetch.Permanent]): the partial file is deleted and the next
// run starts afresh.
type checksumError struct{ got, want string }

func (e *checksumError) Error() string {
	return fmt.Sprintf("checksum mismatch: downloaded sha1 %s, upstream shasum %s", e.got, e.want)
}

// fetched is a dist placed in the output directory.
type fetched struct {
	sha1    string
	size    int64
	resumed bool
}

// download fetches url into the dist path rel, resuming a partial file from an
// earlier attempt or run with a range request, and verifies shasum (when
// upstream gives one) before the file is renamed into place. A stalled or too
// slow transfer fails at once (the client does not retry it) and keeps its
// partial file, so the directory lock is not held for an upstream that drips
// and the next run resumes.
func (s *syncer) download(ctx context.Context, rel, url, shasum string) (fetched, error) {
	var out fetched
	err := s.c.Retry(ctx, func() error {
		w, err := s.r.ResumeDist(rel)
		if err != nil {
			return err
		}
		resumed, err := s.fetchInto(ctx, w, url, shasum)
		out.resumed = out.resumed || resumed
		if err != nil {
			var ce *checksumError
			if errors.As(err, &ce) {
				w.Abort()
			} else {
				w.Close() // keep the partial file for the next attempt or run
			}
			return err
		}
		out.sha1, out.size, err = w.Commit()
		return err
	})
	return out, err
}

// fetchInto appends the rest of url's body to w and checks the result.
func (s *syncer) fetchInto(ctx context.Context, w *repo.DistWriter, url, shasum string) (resumed bool, err error) {
	offset := w.Offset()
	if offset > 0 && shasum != "" && strings.EqualFold(w.SHA1(), shasum) {
		return false, nil // complete already: the run ended between download and rename
	}
	h := http.Header{}
	if offset > 0 {
		h.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		// A range of a gzip-encoded body would be a range of other bytes.
		h.Set("Accept-Encoding", "identity")
	}
	resp, err := s.c.Get(ctx, url, h)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0 && rangeStart(resp) == offset:
		resumed = true
	case resp.StatusCode == http.StatusOK:
		if offset > 0 {
			if err := w.Restart(); err != nil {
				return false, err
			}
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable || resp.StatusCode == http.StatusPartialContent:
		// The partial file is longer than what upstream has now, or the server
		// answered another range: start again from zero (a retryable error).
		if err := w.Restart(); err != nil {
			return false, err
		}
		return false, fmt.Errorf("GET %s: range request answered %d; restarting from zero", url, resp.StatusCode)
	default:
		return false, fetch.NewStatusError(resp)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return resumed, err // the client's body errors name the URL
	}
	if shasum != "" && !strings.EqualFold(w.SHA1(), shasum) {
		return resumed, fetch.Permanent(&checksumError{got: w.SHA1(), want: strings.ToLower(shasum)})
	}
	return resumed, nil
}

// rangeStart returns the first byte position of a 206 answer's Content-Range.
func rangeStart(resp *http.Response) int64 {
	cr := strings.TrimPrefix(resp.Header.Get("Content-Range"), "bytes ")
	start, _, ok := strings.Cut(cr, "-")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(start, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
