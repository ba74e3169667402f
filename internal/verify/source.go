package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/fetch"
)

// Source is a repository to check: it knows the URL of its packages.json and
// opens the file any URL names, locally when it can.
type Source interface {
	// Root returns the URL of packages.json. Root-absolute URLs found in the
	// repository are resolved against its scheme and host.
	Root() *url.URL
	// Open opens the file u names. A file that does not exist (or an HTTP
	// 404/410) is reported as an error wrapping [fs.ErrNotExist].
	Open(ctx context.Context, u *url.URL) (File, error)
	// ReadMetadata reads the metadata file u names (packages.json, a p2 file)
	// as stored, without a content coding, failing beyond max bytes; release
	// hands its memory back (see [fetch.Body.Release]). A missing file is
	// reported as Open reports it.
	ReadMetadata(ctx context.Context, u *url.URL, max int64) (data []byte, release func(), err error)
	// OpenGzip opens the gzip copy of the metadata file u names, as a client
	// accepting gzip gets it: a file's ".gz" sibling in a directory (what
	// "magerepo serve" and nginx's gzip_static send), or the body a server
	// sends gzip-encoded. name says which in reports. When there is none the
	// error wraps [fs.ErrNotExist].
	OpenGzip(ctx context.Context, u *url.URL, max int64) (f File, name string, err error)
	// String names the repository in reports.
	String() string
}

// File is an opened repository file. Dists are zip archives, which need
// random access.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// OpenSource returns the Source for target: an http(s) URL (of the repository
// or of its packages.json) or a local directory. baseURL, if not empty, is the
// URL the directory is published at; see [NewDirSource].
func OpenSource(target, baseURL string, client *Client) (Source, error) {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		return NewHTTPSource(target, client)
	}
	return NewDirSource(target, baseURL, client)
}

// HTTPSource is a repository served over HTTP(S).
type HTTPSource struct {
	root   *url.URL
	client *Client
}

// NewHTTPSource returns the Source for a repository URL, whose packages.json the Composer client's rule finds
// ([composer.RepositoryURL.PackagesJSON]).
func NewHTTPSource(raw string, client *Client) (*HTTPSource, error) {
	ru, err := composer.ParseRepositoryURL(raw)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	u, err := url.Parse(ru.PackagesJSON())
	if err != nil {
		return nil, fmt.Errorf("verify: invalid repository URL %q", raw)
	}
	u.Fragment = ""
	return &HTTPSource{root: u, client: client}, nil
}

// Root returns the URL of packages.json.
func (s *HTTPSource) Root() *url.URL { return s.root }

// String returns the repository URL.
func (s *HTTPSource) String() string { return s.root.String() }

// Open downloads u.
func (s *HTTPSource) Open(ctx context.Context, u *url.URL) (File, error) {
	return s.client.Open(ctx, u)
}

// ReadMetadata downloads u into memory.
func (s *HTTPSource) ReadMetadata(ctx context.Context, u *url.URL, max int64) ([]byte, func(), error) {
	return s.client.readMetadata(ctx, u, max)
}

// OpenGzip downloads u asking for gzip, if the server sends it so.
func (s *HTTPSource) OpenGzip(ctx context.Context, u *url.URL, max int64) (File, string, error) {
	return s.client.openGzip(ctx, u, max)
}

// DirSource is a repository in a local directory. URLs under its base URL are
// read from the directory; any other URL (a dist hosted elsewhere) is
// downloaded.
type DirSource struct {
	dir    string
	base   *url.URL // Host is empty when unknown: then only the path is compared
	client *Client
}

// NewDirSource returns the Source for a repository directory. baseURL is the
// URL the directory is published at. When it is empty the base is inferred
// from packages.json: the host of an absolute metadata-url (or any host, when
// metadata-url is root-absolute), and the path prefix of metadata-url that the
// directory does not contain (for "/mirror/p2/%package%.json" and a directory
// holding p2/, the base path is "/mirror/").
func NewDirSource(dir, baseURL string, client *Client) (*DirSource, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("verify: repository directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("verify: %s is not a directory", dir)
	}
	s := &DirSource{dir: dir, client: client}
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("verify: invalid base URL %q", baseURL)
		}
		u.Path = strings.TrimRight(u.Path, "/") + "/"
		s.base = u
		return s, nil
	}
	s.base, err = inferBase(dir)
	return s, err
}

// inferBase guesses the URL a repository directory is published at from the
// metadata-url in its packages.json.
func inferBase(dir string) (*url.URL, error) {
	data, err := os.ReadFile(filepath.Join(dir, "packages.json"))
	if err != nil {
		return nil, fmt.Errorf("verify: reading packages.json: %w", err)
	}
	var root struct {
		MetadataURL string `json:"metadata-url"`
	}
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("verify: packages.json: %w", err)
	}
	base := &url.URL{Scheme: "http", Path: "/"}
	if root.MetadataURL == "" {
		return base, nil
	}
	// %package% is not a valid URL escape: parse the URL of one package.
	m, err := url.Parse(strings.ReplaceAll(root.MetadataURL, "%package%", "vendor/name"))
	if err != nil {
		return nil, fmt.Errorf("verify: packages.json: invalid metadata-url %q", root.MetadataURL)
	}
	if m.Host != "" {
		base.Scheme, base.Host = m.Scheme, m.Host
	}
	base.Path = basePath(dir, m.Path)
	return base, nil
}

// basePath returns the shortest leading part of the metadata-url path whose
// remainder names a directory that exists under dir.
func basePath(dir, metadataPath string) string {
	tmplDir := metadataPath
	if i := strings.Index(tmplDir, "vendor/name"); i >= 0 {
		tmplDir = tmplDir[:i]
	}
	tmplDir = tmplDir[:strings.LastIndex(tmplDir, "/")+1]
	segs := strings.Split(strings.Trim(tmplDir, "/"), "/")
	for i := range segs {
		rest := path.Join(segs[i:]...)
		if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rest))); err == nil && st.IsDir() {
			return "/" + path.Join(segs[:i]...) + strings.Repeat("/", min(i, 1))
		}
	}
	return tmplDir
}

// Root returns the URL of packages.json under the base URL.
func (s *DirSource) Root() *url.URL {
	u := *s.base
	u.Path += "packages.json"
	return &u
}

// String returns the directory.
func (s *DirSource) String() string { return s.dir }

// Open reads u from the directory when it lies under the base URL, and
// downloads it otherwise.
func (s *DirSource) Open(ctx context.Context, u *url.URL) (File, error) {
	rel, ok := s.local(u)
	if !ok {
		return s.client.Open(ctx, u)
	}
	return s.openLocal(u, rel)
}

// ReadMetadata reads u from the directory, or downloads it when it lies
// outside the base URL.
func (s *DirSource) ReadMetadata(ctx context.Context, u *url.URL, max int64) ([]byte, func(), error) {
	rel, ok := s.local(u)
	if !ok {
		return s.client.readMetadata(ctx, u, max)
	}
	f, err := s.openLocal(u, rel)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if f.Size() > max {
		return nil, nil, fmt.Errorf("%s: %w: more than %d bytes", u, fetch.ErrTooLarge, max)
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	return data, func() {}, err
}

// OpenGzip opens the ".gz" sibling of u's file, or downloads u asking for
// gzip when it lies outside the base URL.
func (s *DirSource) OpenGzip(ctx context.Context, u *url.URL, max int64) (File, string, error) {
	rel, ok := s.local(u)
	if !ok {
		return s.client.openGzip(ctx, u, max)
	}
	f, err := s.openLocal(u, rel+".gz")
	if err != nil {
		return nil, rel + ".gz", err
	}
	// A copy older than its file is what a publish interrupted between the two renames leaves (the copy is
	// written right after its file, with the file's time): see staleCopy.
	js, jerr := os.Stat(filepath.Join(s.dir, filepath.FromSlash(rel)))
	gz, gerr := os.Stat(filepath.Join(s.dir, filepath.FromSlash(rel+".gz")))
	if jerr == nil && gerr == nil && gz.ModTime().Before(js.ModTime()) {
		return staleCopy{f}, rel + ".gz", nil
	}
	return f, rel + ".gz", nil
}

// staleCopy is a gzip copy older than its file: the previous version of the file, left by a publish that was
// interrupted after it renamed the file and before it renamed the copy. It is still consistent with the rest of
// the repository (files are published in dependency order, each copy right after its file), so it is checked
// to be valid metadata rather than equal to the file; the next publish rewrites it.
type staleCopy struct{ File }

// openLocal opens the file rel of the directory, which u names.
func (s *DirSource) openLocal(u *url.URL, rel string) (File, error) {
	if !fs.ValidPath(rel) {
		return nil, fmt.Errorf("%s: path leaves the repository: %w", u, fs.ErrNotExist)
	}
	f, err := os.Open(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file: %w", u, fs.ErrNotExist)
	}
	return osFile{f, st.Size()}, nil
}

// local returns the path of u relative to the directory, if u lies under the
// base URL.
func (s *DirSource) local(u *url.URL) (string, bool) {
	if s.base.Host != "" && (u.Host != s.base.Host || u.Scheme != s.base.Scheme) {
		return "", false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false
	}
	rel, ok := strings.CutPrefix(u.Path, s.base.Path)
	return rel, ok
}

// osFile is a local File.
type osFile struct {
	*os.File
	size int64
}

func (f osFile) Size() int64 { return f.size }

// isNotFound reports whether err means the file does not exist.
func isNotFound(err error) bool { return errors.Is(err, fs.ErrNotExist) }
