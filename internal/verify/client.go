package verify

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/mage-os/magerepo/internal/fetch"
)

// Client downloads repository files through magerepo's HTTP client ([fetch.Client]: connection limits,
// deadlines, stall detection, retries).
type Client struct {
	fc *fetch.Client
}

// NewClient returns a Client downloading through fc; nil means a [fetch.Client] with default options and
// [fetch.DefaultRetries] retries.
func NewClient(fc *fetch.Client) *Client {
	if fc == nil {
		fc = fetch.New(fetch.Options{Retries: fetch.DefaultRetries})
	}
	return &Client{fc: fc}
}

// Every request names its content coding: verify checks the files as they are stored, so the transport must
// not ask for gzip and decode it behind verify's back (a server would then hand over its .gz copy, not the
// file).
var (
	identity = http.Header{"Accept-Encoding": {"identity"}}
	gzipOnly = http.Header{"Accept-Encoding": {"gzip"}}
)

// Open downloads u into a temporary file, which is removed on Close. A 404 or 410 matches [fs.ErrNotExist].
func (c *Client) Open(ctx context.Context, u *url.URL) (File, error) {
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	return c.fc.Download(ctx, u.String(), identity, 0)
}

// readMetadata downloads a metadata file of at most max bytes into memory; release returns its bytes to the
// client's in-flight budget.
func (c *Client) readMetadata(ctx context.Context, u *url.URL, max int64) ([]byte, func(), error) {
	if err := checkScheme(u); err != nil {
		return nil, nil, err
	}
	b, err := c.fc.Fetch(ctx, u.String(), identity, max)
	if err != nil {
		return nil, nil, err
	}
	return b.Bytes(), b.Release, nil
}

// openGzip downloads what a client accepting gzip gets for u, if the server sends it gzip-encoded; otherwise
// the error matches [fs.ErrNotExist]. At most max bytes are read.
func (c *Client) openGzip(ctx context.Context, u *url.URL, max int64) (File, string, error) {
	if err := checkScheme(u); err != nil {
		return nil, "", err
	}
	f, err := c.fc.Download(ctx, u.String(), gzipOnly, max)
	if err != nil {
		return nil, "", err
	}
	if !strings.EqualFold(strings.TrimSpace(f.Header.Get("Content-Encoding")), "gzip") {
		f.Close()
		return nil, "", fmt.Errorf("%s: not served gzip-encoded: %w", u, fs.ErrNotExist)
	}
	return f, "the answer to Accept-Encoding: gzip", nil
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%s: unsupported URL scheme", u)
	}
	return nil
}
