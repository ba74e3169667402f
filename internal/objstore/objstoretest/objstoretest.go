// Package objstoretest runs a real S3 implementation in the test process: gofakes3 (which honours If-None-Match
// and If-Match on PutObject itself) on an in-memory backend, served on 127.0.0.1, counting requests by method,
// with the AWS environment pointed at it.
package objstoretest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a fake S3 endpoint.
type Server struct {
	*httptest.Server
	Backend *s3mem.Backend

	mu     sync.Mutex
	counts map[string]int
	cache  map[string]string // Cache-Control per path, which gofakes3 does not keep
}

// New starts a server with bucket created, sets the AWS environment variables (credentials, region, endpoint,
// no shared config files, no instance metadata) for the test, and stops the server at its end.
func New(t testing.TB, bucket string) *Server {
	t.Helper()
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	s := &Server{Backend: be, counts: map[string]int{}, cache: map[string]string{}}
	h := gofakes3.New(be).Server()
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.Method]++
		cc := s.cache[r.URL.Path]
		s.mu.Unlock()
		// gofakes3 stores Content-Type but not Cache-Control: this layer keeps the one a successful PUT sent
		// and answers reads with it, as S3 does.
		if r.Method == http.MethodPut {
			rec := &status{ResponseWriter: w, code: http.StatusOK}
			h.ServeHTTP(rec, r)
			if rec.code == http.StatusOK && r.URL.Query().Get("uploadId") == "" {
				s.mu.Lock()
				s.cache[r.URL.Path] = r.Header.Get("Cache-Control")
				s.mu.Unlock()
			}
			return
		}
		if cc != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Cache-Control", cc)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	Env(t, s.URL)
	return s
}

// Env points the AWS configuration chain at endpoint with test credentials, ignoring the host's ~/.aws.
func Env(t testing.TB, endpoint string) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
		"AWS_ENDPOINT_URL_S3": endpoint, "AWS_ENDPOINT_URL": "", "AWS_PROFILE": "", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "MAGEREPO_S3_PATH_STYLE": "",
	} {
		t.Setenv(k, v)
	}
	// A CA bundle from the host's environment makes the SDK refuse to build its client for plain http.
	t.Setenv("AWS_CA_BUNDLE", "")
	os.Unsetenv("AWS_CA_BUNDLE")
}

// Count returns the requests seen with method ("PUT", "GET", ...) since the last Reset.
func (s *Server) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// Total returns all requests seen since the last Reset.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

// Reset zeroes the counts.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
}

// Plant stores bytes at a bucket key directly (a file some other tool put there).
func (s *Server) Plant(t testing.TB, bucket, key string, body []byte) {
	t.Helper()
	if _, err := s.Backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		t.Fatal(err)
	}
}

// status records a response's status code.
type status struct {
	http.ResponseWriter
	code int
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}
