package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// maxMetadata bounds a metadata body: upstream is untrusted.
const maxMetadata = 256 << 20

// client does HTTP GETs with bounded retries and counts what it transfers.
type client struct {
	hc       *http.Client
	retries  int
	backoff  time.Duration
	requests atomic.Int64
	received atomic.Int64
}

func newClient(o *Options) *client {
	c := &client{retries: o.Retries, backoff: o.Backoff}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = o.Jobs
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: conn, n: &c.received}, nil
		}
		t.ResponseHeaderTimeout = 60 * time.Second
		tr = t
	}
	c.hc = &http.Client{Transport: tr}
	return c
}

// countingConn counts bytes read from the network.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// statusError is an HTTP answer the caller did not expect.
type statusError struct {
	code int
	url  string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.url, e.code, http.StatusText(e.code))
}

// retryable reports whether a failed attempt may succeed when repeated:
// connection errors, truncated bodies, 5xx and 429.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusTooManyRequests || se.code == http.StatusRequestTimeout
	}
	var ce *checksumError
	return !errors.As(err, &ce)
}

// retry runs attempt until it succeeds, fails for good, or the retries run out,
// waiting backoff, 2×backoff, … (at most 30 s) between attempts.
func (c *client) retry(ctx context.Context, attempt func() error) error {
	wait := c.backoff
	for i := 0; ; i++ {
		err := attempt()
		if err == nil || i >= c.retries || !retryable(err) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// get sends one GET with the given extra headers.
func (c *client) get(ctx context.Context, url string, header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", "magerepo-sync")
	c.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// metaResult is a fetched metadata file.
type metaResult struct {
	status       int    // 200, 304 or 404
	body         []byte // for 200
	lastModified string
}

// fetchMeta GETs a metadata file, conditionally when ifModifiedSince is set,
// with retries. 404 and 410 are results, not errors.
func (c *client) fetchMeta(ctx context.Context, url, ifModifiedSince string) (metaResult, error) {
	var res metaResult
	err := c.retry(ctx, func() error {
		h := http.Header{}
		if ifModifiedSince != "" {
			h.Set("If-Modified-Since", ifModifiedSince)
		}
		resp, err := c.get(ctx, url, h)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			b, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
			if err != nil {
				return fmt.Errorf("GET %s: %w", url, err)
			}
			if len(b) > maxMetadata {
				return fmt.Errorf("GET %s: body larger than %d bytes", url, maxMetadata)
			}
			res = metaResult{status: 200, body: b, lastModified: resp.Header.Get("Last-Modified")}
		case http.StatusNotModified:
			res = metaResult{status: 304, lastModified: ifModifiedSince}
		case http.StatusNotFound, http.StatusGone:
			res = metaResult{status: 404}
		default:
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			return &statusError{code: resp.StatusCode, url: url}
		}
		return nil
	})
	return res, err
}
