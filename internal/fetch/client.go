package fetch

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Defaults of [Options] and of the commands' flags.
const (
	DefaultConns          = 8
	DefaultConnectTimeout = 15 * time.Second
	DefaultHeaderTimeout  = 30 * time.Second
	// DefaultBodyTimeout bounds one whole response: at 100 kB/s, a 60 MB archive.
	DefaultBodyTimeout = 10 * time.Minute
	// DefaultStallTimeout is how long a transfer may go without delivering 1 KiB.
	DefaultStallTimeout = 30 * time.Second
	DefaultRetries      = 4
	DefaultBackoff      = 500 * time.Millisecond
	DefaultMaxBackoff   = 30 * time.Second
	// DefaultMaxInFlight is the budget of response bodies held in memory at once ([Options.MaxInFlight]).
	DefaultMaxInFlight = 16 << 20
	// DefaultMaxMetadata caps a metadata document (packages.json, a p2 file) read into memory. The largest p2
	// files of public Composer repositories are a few MB; a file beyond the cap is a failure of its package.
	DefaultMaxMetadata = 64 << 20
)

// stallBytes is the progress a transfer must make within the stall timeout.
const stallBytes = 1 << 10

// Options configure a [Client]. Zero durations and sizes take the defaults above; Retries is used as given
// (0: never retry).
type Options struct {
	// Conns bounds the connections to one host.
	Conns int
	// ConnectTimeout bounds dialing and the TLS handshake.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait for the response headers once the request is sent.
	HeaderTimeout time.Duration
	// BodyTimeout bounds one attempt from the request to the last byte of the body.
	BodyTimeout time.Duration
	// StallTimeout fails an attempt that delivers less than 1 KiB in this long (headers included) and has not
	// ended.
	StallTimeout time.Duration
	// Retries is how many times a failed attempt is repeated.
	Retries int
	// Backoff is the wait before the first retry; it doubles for each next one, up to MaxBackoff, and each wait
	// is drawn at random from its upper half.
	Backoff time.Duration
	// MaxBackoff caps a wait, including one a server asks for with Retry-After: a longer Retry-After ends the
	// retries instead.
	MaxBackoff time.Duration
	// MaxInFlight is the budget of bytes of bodies [Client.Fetch] holds in memory for its callers at once. A
	// body larger than the budget takes all of it, so it is held alone.
	MaxInFlight int64
	// TempDir holds spooled bodies; default [os.TempDir].
	TempDir string
	// UserAgent is sent with every request; default [UserAgent].
	UserAgent string
	// Transport replaces the default transport (proxies, tests). The connect and header timeouts and byte
	// counting are properties of the default transport and do not apply to a replacement.
	Transport http.RoundTripper
	// Logger receives a debug line for each retry; nil discards them.
	Logger *slog.Logger
}

func (o *Options) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Conns <= 0 {
		o.Conns = DefaultConns
	}
	set(&o.ConnectTimeout, DefaultConnectTimeout)
	set(&o.HeaderTimeout, DefaultHeaderTimeout)
	set(&o.BodyTimeout, DefaultBodyTimeout)
	set(&o.StallTimeout, DefaultStallTimeout)
	set(&o.Backoff, DefaultBackoff)
	set(&o.MaxBackoff, DefaultMaxBackoff)
	o.Retries = max(o.Retries, 0)
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.UserAgent == "" {
		o.UserAgent = UserAgent()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Client makes HTTP GET requests under the limits of its [Options]. It is safe for concurrent use.
type Client struct {
	o        Options
	hc       *http.Client
	budget   *semaphore.Weighted
	requests atomic.Int64
	received atomic.Int64
}

// New returns a client with the given options.
func New(o Options) *Client {
	o.defaults()
	c := &Client{o: o, budget: semaphore.NewWeighted(o.MaxInFlight)}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxConnsPerHost = o.Conns
		t.MaxIdleConnsPerHost = o.Conns
		t.TLSHandshakeTimeout = o.ConnectTimeout
		t.ResponseHeaderTimeout = o.HeaderTimeout
		d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: conn, n: &c.received}, nil
		}
		tr = t
	}
	// Redirects are followed (at most 10, http.Client's rule); each hop is part of the same attempt.
	c.hc = &http.Client{Transport: tr}
	return c
}

// Options returns the options in effect, defaults filled in.
func (c *Client) Options() Options { return c.o }

// Stats are what a client has transferred.
type Stats struct {
	// Requests counts attempts, retries included.
	Requests int64
	// BytesReceived counts bytes read from the network, headers included (default transport only).
	BytesReceived int64
}

// Stats returns the counts so far.
func (c *Client) Stats() Stats {
	return Stats{Requests: c.requests.Load(), BytesReceived: c.received.Load()}
}

// Get sends one GET request, without retrying, and returns the response whatever its status. header is added to
// the request; setting Accept-Encoding turns off the transport's transparent gzip decoding.
//
// The response body is guarded: reading it fails with an error wrapping [ErrStalled] when the transfer stalls
// and [ErrBodyTimeout] when the body deadline passes. The caller must close it.
func (c *Client) Get(ctx context.Context, url string, header http.Header) (*http.Response, error) {
	w := c.watch(ctx)
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(w.ctx, &httptrace.ClientTrace{
		// The stall clock starts when a connection is there: waiting for one of the Conns slots is
		// not the server's doing, and dialing has its own timeout.
		GotConn: func(httptrace.GotConnInfo) { w.progress() },
	}), http.MethodGet, url, nil)
	if err != nil {
		w.stop()
		return nil, Permanent(fmt.Errorf("fetch: %w", err))
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", c.o.UserAgent)
	c.requests.Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		err = w.cause(err, url, 0)
		w.stop()
		return nil, err
	}
	w.progress()
	resp.Body = &guardedBody{rc: resp.Body, w: w, url: url}
	return resp, nil
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
