package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// DefaultGzipCacheBytes bounds the memory used for files compressed on the fly
// when [Options.GzipCacheBytes] is zero.
const DefaultGzipCacheBytes = 64 << 20

// Paths the server answers itself instead of looking for a file.
const (
	healthPath = "/healthz"
	hookPath   = "/hooks/update"
)

// Options configure a [Server]. The zero value serves the directory openly and
// logs nothing.
type Options struct {
	// Logger receives one access record per request (method, path, status,
	// bytes, duration, remote) and errors. Nil discards everything.
	Logger *slog.Logger
	// Credentials, when non-nil, are required for every file; /healthz stays open.
	Credentials *Credentials
	// Realm is sent in WWW-Authenticate; "magerepo" when empty.
	Realm string
	// Updater, when non-nil together with WebhookSecret, is triggered by
	// POST /hooks/update.
	Updater *Updater
	// WebhookSecret authenticates POST /hooks/update. Empty disables the hook.
	WebhookSecret string
	// GzipCacheBytes bounds the cache of files compressed on the fly;
	// zero means [DefaultGzipCacheBytes], negative disables on-the-fly gzip.
	GzipCacheBytes int64
}

// Server is an [http.Handler] serving one repository directory. Create it with
// [New] and release it with [Server.Close].
type Server struct {
	root   *os.Root
	log    *slog.Logger
	creds  *Credentials
	realm  string
	upd    *Updater
	secret string
	gz     *gzipCache // nil when on-the-fly gzip is disabled
	mem    *memCache
}

// New returns a Server for dir, which must exist and be a directory.
func New(dir string, opts Options) (*Server, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("server: %s is not a directory", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{
		root:   root,
		log:    opts.Logger,
		creds:  opts.Credentials,
		realm:  opts.Realm,
		upd:    opts.Updater,
		secret: opts.WebhookSecret,
		mem:    newMemCache(abs),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.realm == "" {
		s.realm = "magerepo"
	}
	switch {
	case opts.GzipCacheBytes == 0:
		s.gz = newGzipCache(DefaultGzipCacheBytes)
	case opts.GzipCacheBytes > 0:
		s.gz = newGzipCache(opts.GzipCacheBytes)
	}
	return s, nil
}

// Close releases the directory handle. Requests still running may fail.
func (s *Server) Close() error {
	if err := s.root.Close(); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// ServeHTTP routes a request and writes one access log record for it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.log.Enabled(r.Context(), slog.LevelInfo) {
		s.route(w, r)
		return
	}
	start := time.Now()
	lw := &logWriter{ResponseWriter: w}
	s.route(lw, r)
	status := lw.status
	if status == 0 {
		status = http.StatusOK
	}
	// Never log headers: they may carry credentials.
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", lw.bytes),
		slog.Duration("duration", time.Since(start)),
		slog.String("remote", r.RemoteAddr),
	)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == healthPath:
		s.serveHealth(w, r)
	case r.URL.Path == hookPath && s.upd != nil && s.secret != "":
		s.serveHook(w, r)
	case !s.authorized(r):
		w.Header().Set("WWW-Authenticate", `Basic realm="`+s.realm+`", charset="UTF-8"`)
		plainError(w, http.StatusUnauthorized)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		plainError(w, http.StatusMethodNotAllowed)
	default:
		s.serveFile(w, r)
	}
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plainError(w, http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodGet {
		io.WriteString(w, "ok\n")
	}
}

// plainError writes a short text/plain error: Composer and scripts read these,
// so never HTML.
func plainError(w http.ResponseWriter, code int) {
	h := w.Header()
	h.Del("Content-Encoding")
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Set("Cache-Control", "no-store")
	http.Error(w, http.StatusText(code), code)
}

// logWriter records the status and body size of a response. It keeps
// io.ReaderFrom so that files still go out with sendfile.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *logWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		n, err := io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
		w.bytes += n
		return n, err
	}
	n, err := rf.ReadFrom(src)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// errNotServed marks a name that is never served (hidden, outside the root, a
// directory): the caller answers 404.
var errNotServed = errors.New("server: not served")
