// Package hostile serves a Composer 2 repository that misbehaves on purpose, for the tests and the benchmark of
// the commands that download (sync, verify): p2 files far larger than any real one, generated while they are
// sent and never stored; bodies fed one byte at a time; 429 answers with Retry-After and 503 answers before the
// real file. Every package has one version, 1.0.0, whose dist is a small zip.
package hostile

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Behaviour is how the files of one package are served.
type Behaviour int

// The behaviours.
const (
	// Good serves the package's files at once.
	Good Behaviour = iota
	// Oversized streams a p2 file of Options.OversizedSize bytes of valid JSON without a Content-Length.
	Oversized
	// OversizedDeclared streams the same file with its Content-Length.
	OversizedDeclared
	// DripMetadata feeds the p2 file one byte per Options.DripEvery.
	DripMetadata
	// DripDist serves the p2 file at once and feeds the dist one byte per Options.DripEvery.
	DripDist
	// RateLimited answers the first Options.Failures requests for each file 429 with Retry-After.
	RateLimited
	// Unavailable answers the first Options.Failures requests for each file 503.
	Unavailable
)

// Options describe the repository.
type Options struct {
	// Packages maps package names ("acme/lib") to how they are served.
	Packages map[string]Behaviour
	// OversizedSize is the length of an oversized p2 file; default 300 MB.
	OversizedSize int64
	// DripEvery is the pause after each byte of a drip-fed body; default 1 s.
	DripEvery time.Duration
	// RetryAfter is the Retry-After of a 429, in seconds; default 1.
	RetryAfter int
	// Failures is how many requests of each file RateLimited and Unavailable answer with an error; default 1.
	Failures int
}

// Request is one request the server answered.
type Request struct {
	Path   string
	Status int
	// Start is when the request arrived; End when the server stopped sending (the body ended or the client left).
	Start, End time.Time
	// Sent counts the body bytes written.
	Sent int64
	// Gone reports whether the client left before the body ended.
	Gone bool
}

// Server is the repository as an http.Handler.
type Server struct {
	o     Options
	dists map[string][]byte // package name → zip

	mu    sync.Mutex
	tries map[string]int // path → requests so far
	log   []Request
}

// New returns the server for o.
func New(o Options) *Server {
	if o.OversizedSize <= 0 {
		o.OversizedSize = 300e6
	}
	if o.DripEvery <= 0 {
		o.DripEvery = time.Second
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = 1
	}
	if o.Failures <= 0 {
		o.Failures = 1
	}
	s := &Server{o: o, dists: map[string][]byte{}, tries: map[string]int{}}
	for name := range o.Packages {
		s.dists[name] = distZip(name)
	}
	return s
}

// distZip returns a deterministic zip with the package's composer.json.
func distZip(name string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "composer.json", Method: zip.Store,
		Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	fmt.Fprintf(w, `{"name":%q,"version":"1.0.0","type":"library"}`, name)
	zw.Close()
	return buf.Bytes()
}

// SHA1 returns the hex SHA-1 of a package's dist.
func (s *Server) SHA1(name string) string {
	h := sha1.Sum(s.dists[name])
	return hex.EncodeToString(h[:])
}

// Log returns the requests answered so far.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// ServeHTTP serves /packages.json, /p2/<name>.json (~dev files are always 404) and /dist/<name>-1.0.0.zip.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
	req := Request{Path: r.URL.Path, Start: time.Now()}
	defer func() {
		req.End, req.Status, req.Sent, req.Gone = time.Now(), cw.status, cw.n, r.Context().Err() != nil
		s.mu.Lock()
		s.log = append(s.log, req)
		s.mu.Unlock()
	}()
	s.serve(cw, r)
}

func (s *Server) serve(w *countingWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/packages.json" {
		names := make([]string, 0, len(s.o.Packages))
		for n := range s.o.Packages {
			names = append(names, n)
		}
		slices.Sort(names)
		b, _ := json.Marshal(map[string]any{"packages": []any{}, "metadata-url": "/p2/%package%.json", "available-packages": names})
		w.Write(b)
		return
	}
	name, isP2, ok := s.route(p)
	if !ok {
		http.NotFound(w, r)
		return
	}
	b := s.o.Packages[name]
	if s.failFirst(w, p, b) {
		return
	}
	switch {
	case !isP2:
		if b == DripDist {
			s.drip(w, r, s.dists[name])
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(s.dists[name])))
		w.Write(s.dists[name])
	case b == Oversized || b == OversizedDeclared:
		s.oversized(w, r, name, b == OversizedDeclared)
	case b == DripMetadata:
		s.drip(w, r, s.p2(name))
	default:
		w.Write(s.p2(name))
	}
}

// route returns the package a path names and whether it is its p2 file.
func (s *Server) route(p string) (name string, isP2, ok bool) {
	if rest, found := strings.CutPrefix(p, "/p2/"); found {
		name, found = strings.CutSuffix(rest, ".json")
		_, known := s.o.Packages[name]
		return name, true, found && known
	}
	if rest, found := strings.CutPrefix(p, "/dist/"); found {
		name, found = strings.CutSuffix(rest, "-1.0.0.zip")
		_, known := s.o.Packages[name]
		return name, false, found && known
	}
	return "", false, false
}

// failFirst answers the first requests of a RateLimited or Unavailable package's file with an error.
func (s *Server) failFirst(w http.ResponseWriter, p string, b Behaviour) bool {
	if b != RateLimited && b != Unavailable {
		return false
	}
	s.mu.Lock()
	s.tries[p]++
	n := s.tries[p]
	s.mu.Unlock()
	if n > s.o.Failures {
		return false
	}
	if b == RateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(s.o.RetryAfter))
		http.Error(w, "slow down", http.StatusTooManyRequests)
	} else {
		http.Error(w, "try later", http.StatusServiceUnavailable)
	}
	return true
}

// p2 returns the package's p2 file.
func (s *Server) p2(name string) []byte {
	b, _ := json.Marshal(map[string]any{"packages": map[string]any{name: []any{map[string]any{
		"name": name, "version": "1.0.0", "type": "library",
		"dist": map[string]any{"type": "zip", "url": "/dist/" + name + "-1.0.0.zip", "shasum": s.SHA1(name)},
	}}}})
	return b
}

// oversized streams a valid p2 file of OversizedSize bytes: one version with a huge description.
func (s *Server) oversized(w http.ResponseWriter, r *http.Request, name string, declare bool) {
	head := fmt.Appendf(nil, `{"packages":{%q:[{"name":%q,"version":"1.0.0","description":"`, name, name)
	tail := []byte(`"}]}}`)
	size := s.o.OversizedSize
	if declare {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}
	if _, err := w.Write(head); err != nil {
		return
	}
	fill := bytes.Repeat([]byte("x"), 64<<10)
	for left := size - int64(len(head)+len(tail)); left > 0; {
		n := min(left, int64(len(fill)))
		if _, err := w.Write(fill[:n]); err != nil || r.Context().Err() != nil {
			return
		}
		left -= n
	}
	w.Write(tail)
}

// drip writes body one byte per DripEvery, with its Content-Length, until it ends or the client leaves.
func (s *Server) drip(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for _, c := range body {
		if _, err := w.Write([]byte{c}); err != nil {
			return
		}
		rc.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(s.o.DripEvery):
		}
	}
}

// countingWriter records the status and counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (c *countingWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's Flush.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
