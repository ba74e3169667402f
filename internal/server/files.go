package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// contentTypes lists the types a repository directory holds; anything else falls
// back to the mime package.
var contentTypes = map[string]string{
	".json": "application/json",
	".zip":  "application/zip",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".gz":   "application/gzip",
	".txt":  "text/plain; charset=utf-8",
}

// compressible reports whether files with extension ext are sent gzip-encoded to clients that accept it:
// the metadata, and the web pages (internal/site), whose large package pages shrink tenfold.
func compressible(ext string) bool {
	return ext == ".json" || ext == ".html" || ext == ".css" || ext == ".js"
}

// requestName maps a request to the slash-separated name of a file below the
// root, or reports false when the request may not name a file at all. Rules:
// "/" is index.html; no empty, dot or dot-dot segment (this hides .magerepo/ and
// every dot file); no backslash, control byte, or encoded slash or backslash
// (which would let one segment act as several); no trailing slash (directories
// are never listed).
func requestName(r *http.Request) (string, bool) {
	p := r.URL.Path
	if p == "/" {
		return "index.html", true
	}
	if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return "", false
	}
	if raw := r.URL.RawPath; raw != "" {
		lower := strings.ToLower(raw)
		if strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") {
			return "", false
		}
	}
	name := p[1:]
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "", false
		}
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg == "" || seg[0] == '.' {
			return "", false
		}
	}
	return name, true
}

// serveFile answers GET or HEAD for a file below the root.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	name, ok := requestName(r)
	if !ok {
		plainError(w, http.StatusNotFound)
		return
	}
	if s.serveMemory(w, r, name) {
		return
	}
	src, err := s.source(name)
	if err != nil {
		s.logOpenError(r, name, err)
		plainError(w, http.StatusNotFound)
		return
	}
	defer src.close()

	ext := path.Ext(name)
	h := w.Header()
	h.Set("Content-Type", contentType(ext))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", s.cacheControl(ext))
	if compressible(ext) {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) && s.serveGzip(w, r, name, src) {
			return
		}
	}
	h.Set("ETag", etag(src.fi, ""))
	http.ServeContent(w, r, "", src.fi.ModTime(), src.reader())
}

// source is a file to send: its bytes in memory, or an open file.
type source struct {
	fi   fs.FileInfo
	data []byte
	f    *os.File
}

func (src *source) reader() io.ReadSeeker {
	if src.f != nil {
		return src.f
	}
	return bytes.NewReader(src.data)
}

func (src *source) close() {
	if src.f != nil {
		src.f.Close()
	}
}

// source finds name: a fresh copy in memory, or the file opened through the
// root (and copied to memory when it is small metadata).
func (s *Server) source(name string) (*source, error) {
	keep := s.mem != nil && cacheable(name)
	if keep {
		if m := s.mem.fresh(name); m != nil {
			return &source{fi: m.fi, data: m.data}, nil
		}
	}
	f, fi, err := s.open(name)
	if err != nil {
		return nil, err
	}
	if !keep || fi.Size() > maxMemFile {
		return &source{fi: fi, f: f}, nil
	}
	defer f.Close()
	// The open handle keeps the bytes it was opened with even if a rename
	// replaces the file meanwhile, so they match fi.
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("server: read %s: %w", name, err)
	}
	s.mem.store(name, fi, data)
	return &source{fi: fi, data: data}, nil
}

// logOpenError logs open failures other than the everyday "no such file", which
// Composer causes constantly by probing names.
func (s *Server) logOpenError(r *http.Request, name string, err error) {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotServed) {
		return
	}
	s.log.LogAttrs(r.Context(), slog.LevelWarn, "cannot open file",
		slog.String("path", name), slog.String("error", err.Error()))
}

// serveGzip answers with a gzip-encoded body: the ".gz" sibling when it is at
// least as new as the file, otherwise the file compressed once and cached. It
// reports false when neither is possible; the caller then sends the plain file.
func (s *Server) serveGzip(w http.ResponseWriter, r *http.Request, name string, src *source) bool {
	fi := src.fi
	if gz, err := s.source(name + ".gz"); err == nil {
		defer gz.close()
		if !gz.fi.ModTime().Before(fi.ModTime()) {
			setGzipHeaders(w, etag(gz.fi, "gz"), gz.fi.Size())
			http.ServeContent(w, withoutRange(r), "", gz.fi.ModTime(), gz.reader())
			return true
		}
	}
	if s.gz == nil {
		return false
	}
	body, err := s.gz.get(name, fi, src.reader())
	if err != nil {
		if !errors.Is(err, errTooLarge) {
			s.log.LogAttrs(r.Context(), slog.LevelWarn, "cannot compress file",
				slog.String("path", name), slog.String("error", err.Error()))
		}
		return false
	}
	if int64(len(body)) >= fi.Size() {
		return false // tiny files grow when compressed
	}
	setGzipHeaders(w, etag(fi, "gzip"), int64(len(body)))
	http.ServeContent(w, withoutRange(r), "", fi.ModTime(), bytes.NewReader(body))
	return true
}

// setGzipHeaders prepares a gzip-encoded answer. http.ServeContent leaves out
// Content-Length when Content-Encoding is set, so it is set here; it is right
// because encoded answers are always whole (see withoutRange).
func setGzipHeaders(w http.ResponseWriter, tag string, size int64) {
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Set("ETag", tag)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
}

// withoutRange drops Range from a request: byte ranges of a compressed body are
// of no use to Composer, and whole answers keep Content-Length simple. Ranges
// stay available on the plain file.
func withoutRange(r *http.Request) *http.Request {
	if r.Header.Get("Range") == "" {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.Header.Del("Range")
	r2.Header.Del("If-Range")
	return r2
}

// etag derives a strong validator from size and modification time: files are
// replaced by rename and rewritten only when their bytes change (docs/architecture.md §2.9).
func etag(fi fs.FileInfo, variant string) string {
	var b strings.Builder
	b.WriteByte('"')
	b.WriteString(strconv.FormatInt(fi.Size(), 36))
	b.WriteByte('-')
	b.WriteString(strconv.FormatInt(fi.ModTime().UnixNano(), 36))
	if variant != "" {
		b.WriteByte('-')
		b.WriteString(variant)
	}
	b.WriteByte('"')
	return b.String()
}

func contentType(ext string) string {
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// cacheControl: metadata must be revalidated on every use so that caches in
// front of the server never hide a new release; dists never change bytes once
// published (docs/architecture.md §2.3), so they may be cached for a long time. Anything
// behind credentials is private to the client.
func (s *Server) cacheControl(ext string) string {
	scope := "public"
	if s.creds != nil {
		scope = "private"
	}
	if ext == ".zip" {
		return scope + ", max-age=" + strconv.Itoa(int(7*24*time.Hour/time.Second))
	}
	return scope + ", no-cache"
}

// acceptsGzip reports whether Accept-Encoding allows gzip (q > 0, directly or
// through "*").
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			return !zeroQ(params)
		}
	}
	return false
}

// zeroQ reports whether an Accept-Encoding parameter list says q=0.
func zeroQ(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q == 0
	}
	return false
}

// open opens a regular file through the root, which refuses ".." and symlinks
// that leave the directory.
func (s *Server) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := s.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, errNotServed
	}
	return f, fi, nil
}

// Header values shared by every in-memory answer (never modified by net/http).
var (
	nosniff        = []string{"nosniff"}
	varyEncoding   = []string{"Accept-Encoding"}
	gzipEncoding   = []string{"gzip"}
	jsonType       = []string{"application/json"}
	htmlType       = []string{"text/html; charset=utf-8"}
	publicNoCache  = []string{"public, no-cache"}
	privateNoCache = []string{"private, no-cache"}
)

// serveMemory answers a whole-file GET or HEAD of small metadata from memory, with headers formatted once. This
// is the hot path of a Composer repository (packages.json and p2 files, mostly revalidated with
// If-Modified-Since), so it skips http.ServeContent's general machinery. It reports false when the request
// must take the general path (a range, a file not cached, a stale or missing .gz sibling).
func (s *Server) serveMemory(w http.ResponseWriter, r *http.Request, name string) bool {
	if s.mem == nil || !cacheable(name) || strings.HasSuffix(name, ".gz") || r.Header.Get("Range") != "" {
		return false
	}
	m := s.memFile(name)
	if m == nil {
		return false
	}
	json := strings.HasSuffix(name, ".json")
	if !json && acceptsGzip(r) {
		return false // a page: compressed on the fly (and cached) by the general path
	}
	h := w.Header()
	if json && acceptsGzip(r) {
		gz := s.memFile(name + ".gz")
		if gz == nil || gz.fi.ModTime().Before(m.fi.ModTime()) {
			return false // compressed on the fly by the general path
		}
		h["Content-Encoding"] = gzipEncoding
		h["ETag"] = gz.gzETag
		m = gz
	} else {
		h["ETag"] = m.etag
	}
	if json {
		h["Content-Type"] = jsonType
	} else {
		h["Content-Type"] = htmlType
	}
	h["Vary"] = varyEncoding
	h["X-Content-Type-Options"] = nosniff
	h["Cache-Control"] = publicNoCache
	if s.creds != nil {
		h["Cache-Control"] = privateNoCache
	}
	h["Last-Modified"] = m.lastModified
	if notModified(r, h["ETag"][0], m.fi.ModTime()) {
		delete(h, "Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	h["Content-Length"] = m.length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(m.data)
	}
	return true
}

// memFile returns a fresh in-memory copy of name, loading it through the root when needed; nil when the file
// cannot be kept in memory.
func (s *Server) memFile(name string) *memFile {
	if m := s.mem.fresh(name); m != nil {
		return m
	}
	src, err := s.source(name)
	if err != nil {
		return nil
	}
	defer src.close()
	if src.data == nil {
		return nil
	}
	return s.mem.get(name)
}

// notModified evaluates If-None-Match, then If-Modified-Since, as RFC 9110 §13.2.2 orders them.
func notModified(r *http.Request, tag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for t := range strings.SplitSeq(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == tag || t == "*" {
				return true
			}
		}
		return false
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !mod.Truncate(time.Second).After(t)
}
