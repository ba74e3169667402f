package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry runs attempt until it succeeds, fails with an error not worth retrying (see the package documentation),
// or has been retried [Options.Retries] times; it returns the last error. Between attempts it waits the server's
// Retry-After when the error is a [StatusError] carrying one, and otherwise an exponential backoff with jitter.
// attempt must do the whole transfer, body included, so that a body cut off in the middle is retried too.
func (c *Client) Retry(ctx context.Context, attempt func() error) error {
	for i := 0; ; i++ {
		err := attempt()
		if err == nil || i >= c.o.Retries || ctx.Err() != nil {
			return err
		}
		wait, final := c.retryWait(err, i)
		if final != nil {
			return final
		}
		c.o.Logger.Debug("retrying", "error", err.Error(), "retry", i+1, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryWait returns how long to wait before retry i+1, or, when err is not retried, the error to return (err,
// with the reason when a Retry-After was too long).
func (c *Client) retryWait(err error, i int) (wait time.Duration, final error) {
	if !retryable(err) {
		return 0, err
	}
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		if se.RetryAfter > c.o.MaxBackoff {
			return 0, fmt.Errorf("%w (the server asks to retry after %s, longer than the %s this client waits)",
				err, se.RetryAfter, c.o.MaxBackoff)
		}
		return se.RetryAfter, nil
	}
	d := min(c.o.Backoff<<min(i, 30), c.o.MaxBackoff)
	// Jitter: a random wait in the upper half, so that parallel requests failing together (a server restart)
	// do not all come back at the same instant, and no wait is shorter than half the backoff.
	return d/2 + rand.N(d/2+1), nil
}

// retryable reports whether an attempt that failed with err may succeed when repeated.
func retryable(err error) bool {
	var (
		pe *permanentError
		se *StatusError
		cv *tls.CertificateVerificationError
		de *net.DNSError
	)
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, ErrStalled), errors.Is(err, ErrBodyTimeout), errors.Is(err, ErrTooLarge),
		errors.As(err, &pe), errors.As(err, &cv):
		return false
	case errors.As(err, &se):
		return se.Code == http.StatusRequestTimeout || se.Code == http.StatusTooManyRequests || se.Code >= 500
	case errors.As(err, &de):
		return !de.IsNotFound
	}
	return true // a refused, reset or dropped connection, a truncated body
}

// NewStatusError reads what matters of an answer the caller does not accept (its Retry-After), discards a little
// of its body so that a small one leaves the connection reusable, and returns it as an error.
func NewStatusError(resp *http.Response) *StatusError {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	e := &StatusError{URL: resp.Request.URL.String(), Code: resp.StatusCode}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	return e
}

// parseRetryAfter reads a Retry-After value: seconds, or an HTTP date (RFC 9110 §10.2.3). An unreadable or past
// value is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 1<<30)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
