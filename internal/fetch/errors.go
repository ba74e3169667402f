package fetch

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"
)

var (
	// ErrStalled means a transfer delivered too little for the stall timeout ([Options.StallTimeout]).
	ErrStalled = errors.New("transfer stalled")
	// ErrBodyTimeout means a response took longer than the body deadline ([Options.BodyTimeout]).
	ErrBodyTimeout = errors.New("response took too long")
	// ErrTooLarge means a body is larger than the cap its caller gave.
	ErrTooLarge = errors.New("body too large")
)

// StatusError is an answer with a status the caller does not take as a result. A 404 or 410 matches
// [fs.ErrNotExist].
type StatusError struct {
	URL  string
	Code int
	// RetryAfter is the wait the server asked for (Retry-After), 0 if none.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
}

// Is makes a 404 or 410 match fs.ErrNotExist.
func (e *StatusError) Is(target error) bool {
	return target == fs.ErrNotExist && (e.Code == http.StatusNotFound || e.Code == http.StatusGone)
}

// permanentError marks an error [Client.Retry] must not retry.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying (a checksum mismatch: the same bytes would come again). errors.Is
// and errors.As see through the mark.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}
