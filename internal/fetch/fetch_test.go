package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/version"
)

// server serves h on 127.0.0.1 and counts its requests.
type server struct {
	*httptest.Server
	n atomic.Int64
}

func serve(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// fast is a client with test-sized waits.
func fast(mod func(*Options)) *Client {
	o := Options{Retries: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Second, StallTimeout: 500 * time.Millisecond}
	if mod != nil {
		mod(&o)
	}
	return New(o)
}

// drip writes body one byte every interval, flushing each, until done or the client leaves.
func drip(w http.ResponseWriter, r *http.Request, body []byte, every time.Duration) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	for _, b := range body {
		if _, err := w.Write([]byte{b}); err != nil {
			return
		}
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(every):
		}
	}
}

func fetchString(t *testing.T, c *Client, url string, max int64) (string, error) {
	t.Helper()
	b, err := c.Fetch(t.Context(), url, nil, max)
	if err != nil {
		return "", err
	}
	defer b.Release()
	return string(b.Bytes()), nil
}

func TestServerErrorsRetriedThenSucceed(t *testing.T) {
	var calls atomic.Int64
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	})
	got, err := fetchString(t, fast(nil), s.URL, 1<<20)
	if err != nil || got != "ok" {
		t.Fatalf("Fetch = %q, %v; want ok after two 503s", got, err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d requests, want 3", calls.Load())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		first := len(times) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	})
	got, err := fetchString(t, fast(nil), s.URL, 1<<20)
	if err != nil || got != "ok" {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	if len(times) != 2 {
		t.Fatalf("%d requests, want 2", len(times))
	}
	// The backoff is 1 ms: only Retry-After explains a second's wait.
	if gap := times[1].Sub(times[0]); gap < 950*time.Millisecond {
		t.Errorf("retried after %s, want the 1 s Retry-After", gap)
	}
}

func TestRetryAfterLongerThanMaxBackoffEndsRetries(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	start := time.Now()
	_, err := fetchString(t, fast(nil), s.URL, 1<<20)
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 || !strings.Contains(err.Error(), "retry after 1h0m0s") {
		t.Fatalf("err = %v, want a 503 naming the Retry-After", err)
	}
	if s.n.Load() != 1 || time.Since(start) > 2*time.Second {
		t.Errorf("%d requests in %s, want 1 without waiting", s.n.Load(), time.Since(start))
	}
}

func TestNotFoundIsNotRetried(t *testing.T) {
	s := serve(t, http.NotFound)
	_, err := fetchString(t, fast(nil), s.URL, 1<<20)
	if !errors.Is(err, fs.ErrNotExist) || s.n.Load() != 1 {
		t.Errorf("err = %v after %d requests, want fs.ErrNotExist after 1", err, s.n.Load())
	}
}

func TestNotModified(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") != "" {
			w.WriteHeader(http.StatusNotModified)
		}
	})
	b, err := fast(nil).Fetch(t.Context(), s.URL, http.Header{"If-Modified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, 10)
	if err != nil || b.Status != 304 || b.Bytes() != nil {
		t.Fatalf("Fetch = %+v, %v; want a 304", b, err)
	}
}

func TestDroppedConnectionRetried(t *testing.T) {
	var calls atomic.Int64
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			conn, buf, _ := http.NewResponseController(w).Hijack()
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf")
			buf.Flush()
			conn.Close()
			return
		}
		io.WriteString(w, "whole")
	})
	got, err := fetchString(t, fast(nil), s.URL, 1<<20)
	if err != nil || got != "whole" || calls.Load() != 2 {
		t.Errorf("Fetch = %q, %v after %d requests; want the second answer", got, err, calls.Load())
	}
}

func TestPermanentNotRetried(t *testing.T) {
	c := fast(nil)
	var n int
	err := c.Retry(t.Context(), func() error { n++; return Permanent(io.ErrUnexpectedEOF) })
	if n != 1 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%d attempts, err %v; want 1 and the error itself", n, err)
	}
	n = 0
	c.Retry(t.Context(), func() error { n++; return io.ErrUnexpectedEOF })
	if n != 4 {
		t.Errorf("%d attempts of a retryable error, want 1 + 3 retries", n)
	}
}

// A drip feed never goes quiet, so only counting bytes catches it.
func TestDripFeedStalls(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		drip(w, r, bytes.Repeat([]byte("x"), 280), 50*time.Millisecond)
	})
	start := time.Now()
	_, err := fetchString(t, fast(nil), s.URL, 1<<20)
	took := time.Since(start)
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("err = %v, want ErrStalled", err)
	}
	if took < 450*time.Millisecond || took > 1500*time.Millisecond {
		t.Errorf("stall detected after %s, want about the 500 ms stall timeout", took)
	}
	if s.n.Load() != 1 {
		t.Errorf("%d requests: a stall must not be retried", s.n.Load())
	}
}

func TestNoHeadersStalls(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	start := time.Now()
	_, err := fetchString(t, fast(nil), s.URL, 1<<20)
	if !errors.Is(err, ErrStalled) || time.Since(start) > 1500*time.Millisecond {
		t.Errorf("err = %v after %s, want ErrStalled after 500 ms", err, time.Since(start))
	}
}

func TestSlowSteadyTransferIsNotAStall(t *testing.T) {
	chunk := bytes.Repeat([]byte("y"), 2<<10)
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for range 4 {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
			time.Sleep(300 * time.Millisecond)
		}
	})
	got, err := fetchString(t, fast(nil), s.URL, 1<<20)
	if err != nil || len(got) != 4*len(chunk) {
		t.Errorf("Fetch: %d bytes, %v; want all %d", len(got), err, 4*len(chunk))
	}
}

func TestBodyDeadline(t *testing.T) {
	chunk := bytes.Repeat([]byte("z"), 4<<10)
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
			time.Sleep(20 * time.Millisecond)
		}
	})
	c := fast(func(o *Options) { o.BodyTimeout = 400 * time.Millisecond })
	_, err := fetchString(t, c, s.URL, 1<<30)
	if !errors.Is(err, ErrBodyTimeout) || s.n.Load() != 1 {
		t.Errorf("err = %v after %d requests, want ErrBodyTimeout after 1", err, s.n.Load())
	}
}

// endless streams generated bytes and records how many the client took.
func endless(declare int64, sent *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if declare > 0 {
			w.Header().Set("Content-Length", strconv.FormatInt(declare, 10))
		}
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for sent.Load() < 1<<30 {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
}

func TestTooLargeStreamedStopsAtCap(t *testing.T) {
	var sent atomic.Int64
	s := serve(t, endless(0, &sent))
	_, err := fetchString(t, fast(nil), s.URL, 4<<20)
	if !errors.Is(err, ErrTooLarge) || s.n.Load() != 1 {
		t.Fatalf("err = %v after %d requests, want ErrTooLarge after 1", err, s.n.Load())
	}
	// The server may have buffered some bytes ahead; the client read the cap and left.
	if n := sent.Load(); n > 16<<20 {
		t.Errorf("server sent %d bytes for a 4 MiB cap", n)
	}
}

func TestTooLargeDeclaredRefusedUnread(t *testing.T) {
	var sent atomic.Int64
	s := serve(t, endless(300<<20, &sent))
	_, err := fetchString(t, fast(nil), s.URL, 4<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if n := sent.Load(); n > 8<<20 {
		t.Errorf("server sent %d bytes of a body refused by its Content-Length", n)
	}
}

func TestSpooledBodyUnderCap(t *testing.T) {
	want := strings.Repeat("0123456789abcdef", 3<<16) // 3 MiB, past the in-memory part
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(want); i += 1000 { // chunked: no Content-Length
			w.Write([]byte(want[i:min(i+1000, len(want))]))
		}
	})
	tmp := t.TempDir()
	got, err := fetchString(t, fast(func(o *Options) { o.TempDir = tmp }), s.URL, 4<<20)
	if err != nil || got != want {
		t.Fatalf("Fetch: %d bytes, %v; want %d", len(got), err, len(want))
	}
	if left, _ := fs.Glob(os.DirFS(tmp), "*"); len(left) != 0 {
		t.Errorf("spool files left behind: %v", left)
	}
	_, err = fetchString(t, fast(func(o *Options) { o.TempDir = tmp }), s.URL, 2<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("3 MiB body with a 2 MiB cap: %v", err)
	}
	if left, _ := fs.Glob(os.DirFS(tmp), "*"); len(left) != 0 {
		t.Errorf("spool files left behind after refusing: %v", left)
	}
}

func TestInFlightBudget(t *testing.T) {
	body := strings.Repeat("b", 600<<10)
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	c := fast(func(o *Options) { o.MaxInFlight = 1 << 20 })
	first, err := c.Fetch(t.Context(), s.URL, nil, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *Body)
	go func() {
		b, err := c.Fetch(t.Context(), s.URL, nil, 1<<20)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	select {
	case <-got:
		t.Fatal("second body handed out while the first holds most of the budget")
	case <-time.After(300 * time.Millisecond):
	}
	first.Release()
	first.Release() // twice is harmless
	select {
	case b := <-got:
		if len(b.Bytes()) != len(body) {
			t.Errorf("second body: %d bytes", len(b.Bytes()))
		}
		b.Release()
	case <-time.After(5 * time.Second):
		t.Fatal("second body never handed out after the first was released")
	}
}

func TestDownload(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Test", "yes")
		io.WriteString(w, "zip bytes")
	})
	c := fast(nil)
	f, err := c.Download(t.Context(), s.URL+"/a.zip", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, f.Size())
	f.ReadAt(b, 0)
	if string(b) != "zip bytes" || f.Header.Get("X-Test") != "yes" {
		t.Errorf("downloaded %q (header %v)", b, f.Header)
	}
	if err := f.Close(); err != nil {
		t.Error(err)
	}
	if _, err := c.Download(t.Context(), s.URL+"/missing", nil, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	if _, err := c.Download(t.Context(), s.URL+"/a.zip", nil, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the cap: %v", err)
	}
}

func TestUserAgentNamesMagerepo(t *testing.T) {
	var ua atomic.Value
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { ua.Store(r.UserAgent()) })
	fetchString(t, fast(nil), s.URL, 10)
	want := "magerepo/" + version.Short() + " (+https://github.com/mage-os/magerepo)"
	if got := ua.Load(); got != want || version.Short() == "" {
		t.Errorf("User-Agent %q, want %q", got, want)
	}
}

func TestStatsCountTheWire(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, strings.Repeat("s", 1000)) })
	c := fast(nil)
	fetchString(t, c, s.URL, 1<<20)
	fetchString(t, c, s.URL, 1<<20)
	if st := c.Stats(); st.Requests != 2 || st.BytesReceived < 2000 {
		t.Errorf("stats %+v, want 2 requests and at least the two bodies", st)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name, in string
		want     time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"garbage", "soon", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseRetryAfter(tc.in, now); got != tc.want {
				t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	c := New(Options{Backoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	for i, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		want *= time.Millisecond
		if want > time.Second {
			want = time.Second
		}
		for range 20 {
			d, final := c.retryWait(io.ErrUnexpectedEOF, i)
			if final != nil || d < want/2 || d > want {
				t.Fatalf("retry %d: wait %s (%v), want within [%s, %s]", i+1, d, final, want/2, want)
			}
		}
	}
	for _, code := range []int{400, 401, 403, 404} {
		if retryable(&StatusError{Code: code}) {
			t.Errorf("HTTP %d retried", code)
		}
	}
	for _, code := range []int{408, 429, 500, 502, 503, 504} {
		if !retryable(&StatusError{Code: code}) {
			t.Errorf("HTTP %d not retried", code)
		}
	}
	if retryable(fmt.Errorf("x: %w", ErrStalled)) || retryable(fmt.Errorf("x: %w", ErrTooLarge)) {
		t.Error("a stall or an oversized body is retried")
	}
}
