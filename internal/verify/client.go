package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Client downloads repository files over HTTP with a bounded number of
// connections per host, retrying server errors.
type Client struct {
	http    *http.Client
	retries int
	backoff time.Duration
}

// NewClient returns a Client that opens at most conns connections per host.
// A 5xx response or a transport error is retried up to 3 times.
func NewClient(conns int) *Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = max(conns, 1)
	t.MaxIdleConnsPerHost = max(conns, 1)
	return &Client{http: &http.Client{Transport: t}, retries: 3, backoff: 200 * time.Millisecond}
}

// Open downloads u into a temporary file, which is removed on Close.
func (c *Client) Open(ctx context.Context, u *url.URL) (File, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: unsupported URL scheme", u)
	}
	var err error
	for attempt := 0; ; attempt++ {
		var f File
		f, err = c.get(ctx, u)
		if err == nil || !retryable(err) || attempt >= c.retries {
			return f, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.backoff << attempt):
		}
	}
}

// retryable reports whether a failed download is worth another try: a server
// error or a broken connection, not a 4xx answer.
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status >= 500
	}
	return true
}

// get makes one GET request and spools a successful body to a temporary file.
func (c *Client) get(ctx context.Context, u *url.URL) (File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err // a *url.Error, which names the method and URL
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &statusError{url: u.String(), status: resp.StatusCode}
	}
	return spool(resp.Body, u)
}

// spool copies r to a temporary file that is deleted when closed.
func spool(r io.Reader, u *url.URL) (File, error) {
	f, err := os.CreateTemp("", "magerepo-verify-*")
	if err != nil {
		return nil, fmt.Errorf("spooling download: %w", err)
	}
	n, err := io.Copy(f, r)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("GET %s: reading body: %w", u, err)
	}
	return tempFile{osFile{f, n}}, nil
}

// tempFile is a downloaded File, removed on Close.
type tempFile struct{ osFile }

func (f tempFile) Close() error {
	err := f.File.Close()
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	return err
}
