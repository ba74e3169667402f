package sync

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	stdsync "sync"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/repo/repotest"
)

// upstream is a test HTTP server for a directory of static files, with faults
// the test switches on: 500 answers, dropped connections, corrupted bodies.
type upstream struct {
	t   *testing.T
	dir string
	srv *httptest.Server

	mu      stdsync.Mutex
	log     []request
	fail500 int             // answer this many next requests with 500
	drop    map[string]bool // paths whose body is cut after half the bytes
	corrupt map[string]bool // paths served with one byte changed
	gen     int             // publish generation, for distinct modification times
}

// request is one request the upstream saw and its answer.
type request struct {
	path, ims, rng string
	status         int
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{t: t, dir: t.TempDir(), drop: map[string]bool{}, corrupt: map[string]bool{}}
	u.srv = httptest.NewServer(u)
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) URL() string { return u.srv.URL }

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		u.mu.Lock()
		u.log = append(u.log, request{r.URL.Path, r.Header.Get("If-Modified-Since"), r.Header.Get("Range"), rec.status})
		u.mu.Unlock()
	}()
	u.mu.Lock()
	fail, drop, corrupt := u.fail500 > 0, u.drop[r.URL.Path], u.corrupt[r.URL.Path]
	if fail {
		u.fail500--
	}
	u.mu.Unlock()
	if fail {
		http.Error(rec, "try later", http.StatusInternalServerError)
		return
	}
	name := path.Clean(r.URL.Path)
	if strings.Contains(name, "/.") {
		http.NotFound(rec, r)
		return
	}
	p := filepath.Join(u.dir, filepath.FromSlash(name))
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		http.NotFound(rec, r)
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		http.Error(rec, err.Error(), 500)
		return
	}
	if corrupt {
		b[len(b)/2] ^= 0xff
	}
	if drop {
		u.cut(rec, r, b)
		return
	}
	http.ServeContent(rec, r, "", fi.ModTime(), strings.NewReader(string(b)))
}

// cut answers the request (honouring a "bytes=N-" range), announces the full
// length, sends half of it and closes the connection.
func (u *upstream) cut(w *statusRecorder, r *http.Request, b []byte) {
	start := 0
	status := "200 OK"
	if rg, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
		n, _ := strconv.Atoi(strings.TrimSuffix(rg, "-"))
		start, status = n, "206 Partial Content"
	}
	w.status, _ = strconv.Atoi(status[:3])
	conn, buf, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		u.t.Error(err)
		return
	}
	defer conn.Close()
	rest := b[start:]
	fmt.Fprintf(buf, "HTTP/1.1 %s\r\nContent-Length: %d\r\n", status, len(rest))
	if start > 0 {
		fmt.Fprintf(buf, "Content-Range: bytes %d-%d/%d\r\n", start, len(b)-1, len(b))
	}
	buf.WriteString("\r\n")
	buf.Write(rest[:len(rest)/2])
	buf.Flush()
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// requests returns and clears the request log.
func (u *upstream) requests() []request {
	u.mu.Lock()
	defer u.mu.Unlock()
	l := u.log
	u.log = nil
	return l
}

// pkgVer is one version in a test upstream.
type pkgVer struct {
	name, version, meta string
	files               map[string]string // zip content besides composer.json; nil for a metapackage
}

// publish (re)publishes the upstream directory as a magerepo output with the
// given versions, and moves the modification time of every rewritten file an
// hour further, so Last-Modified changes even within one second.
func (u *upstream) publish(vers []pkgVer) {
	t := u.t
	t.Helper()
	r, err := repo.Open(u.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, v := range vers {
		e := repo.Entry{Name: v.name, Version: v.version, Metadata: []byte(v.meta)}
		if v.files != nil {
			// As magerepo build does: the archived composer.json carries the version.
			doc, err := composer.ParseDocument([]byte(v.meta))
			if err != nil {
				t.Fatal(err)
			}
			doc.SetString("version", v.version)
			files := map[string]string{"composer.json": string(composer.MarshalObjectIndent(doc))}
			for k, c := range v.files {
				files[k] = c
			}
			e.Dist = "dist/" + v.name + "-" + v.version + ".zip"
			if _, ok := r.Lookup(v.name, v.version); !ok {
				w, err := r.CreateDist(e.Dist)
				if err != nil {
					t.Fatal(err)
				}
				w.Write(repotest.Zip(t, files))
				if e.SHA1, e.Size, err = w.Commit(); err != nil {
					t.Fatal(err)
				}
			} else {
				old, _ := r.Lookup(v.name, v.version)
				e.SHA1, e.Size = old.SHA1, old.Size
			}
		}
		if err := r.Replace(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range r.Entries() {
		if !hasPkgVer(vers, e.Name, e.Version) {
			r.Remove(e.Name, e.Version)
		}
	}
	st, err := r.Publish(t.Context(), repo.PublishOptions{BaseURL: u.URL() + "/"})
	if err != nil {
		t.Fatal(err)
	}
	u.gen++
	when := time.Now().Add(time.Duration(u.gen) * time.Hour)
	for _, rel := range st.Written {
		os.Chtimes(filepath.Join(u.dir, rel), when, when)
	}
}

func hasPkgVer(vers []pkgVer, name, version string) bool {
	for _, v := range vers {
		if v.name == name && v.version == version {
			return true
		}
	}
	return false
}

// testVersions is a small repository: a library in three versions and a dev
// branch, a second library, and a metapackage over both.
var testVersions = []pkgVer{
	{"acme/lib", "1.0.0", `{"name":"acme/lib","type":"library","autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`, map[string]string{"src/Lib.php": "<?php // 1.0.0\n"}},
	{"acme/lib", "1.1.0", `{"name":"acme/lib","type":"library","require":{"acme/util":"^2.0"},"autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`, map[string]string{"src/Lib.php": "<?php // 1.1.0\n"}},
	{"acme/lib", "1.1.0-p1", `{"name":"acme/lib","type":"library","require":{"acme/util":"^2.0"},"autoload":{"psr-4":{"Acme\\Lib\\":"src/"}}}`, map[string]string{"src/Lib.php": "<?php // 1.1.0-p1\n"}},
	{"acme/lib", "dev-main", `{"name":"acme/lib","type":"library"}`, map[string]string{"src/Lib.php": "<?php // main\n"}},
	{"acme/util", "2.0.0", `{"name":"acme/util","type":"library"}`, map[string]string{"README": "util 2.0.0\n"}},
	{"other/thing", "1.0.0", `{"name":"other/thing","type":"library"}`, map[string]string{"README": "thing\n"}},
	{"acme/meta", "1.0.0", `{"name":"acme/meta","type":"metapackage","require":{"acme/lib":"1.1.0-p1","acme/util":"2.0.0"}}`, nil},
}

// local is a sync target directory served by a plain file server.
type local struct {
	dir string
	srv *httptest.Server
}

func newLocal(t *testing.T) *local {
	l := &local{dir: t.TempDir()}
	l.srv = httptest.NewServer(http.FileServer(http.Dir(l.dir)))
	t.Cleanup(l.srv.Close)
	return l
}

func (l *local) base() string { return l.srv.URL + "/" }

// sync runs one sync of up into l with fast retries.
func (l *local) sync(t *testing.T, up string, mod func(*Options)) *Report {
	t.Helper()
	r, err := repo.Open(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	o := Options{Upstream: up, BaseURL: l.base(), Backoff: time.Millisecond, Retries: 2}
	if mod != nil {
		mod(&o)
	}
	rep, err := Run(t.Context(), r, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// published follows the local packages.json as Composer does and returns every
// version ("name version") with the SHA-1 of its dist ("" for none), checking
// that each dist file exists with the published shasum.
func (l *local) published(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root, err := composer.ParseDocument(readFile(t, filepath.Join(l.dir, "packages.json")))
	if err != nil {
		t.Fatal(err)
	}
	mu, _ := root.GetString("metadata-url")
	for _, name := range stringList(root, "available-packages") {
		for _, suffix := range []string{"", "~dev"} {
			b, err := os.ReadFile(filepath.Join(l.dir, strings.TrimPrefix(strings.Replace(mu, placeholder, name+suffix, 1), "/")))
			if err != nil {
				continue
			}
			vs, err := composer.ParseP2(b, name)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				ver, _ := v.GetString("version")
				sum := ""
				if d, ok := v.GetObject("dist"); ok {
					u, _ := d.GetString("url")
					sum, _ = d.GetString("shasum")
					got := sha1File(t, filepath.Join(l.dir, strings.TrimPrefix(u, l.base())))
					if got != sum {
						t.Errorf("%s %s: dist %s has sha1 %s, metadata says %s", name, ver, u, got, sum)
					}
				}
				out[name+" "+ver] = sum
			}
		}
	}
	return out
}

// upstreamDists returns "name version" → SHA-1 of the dist file in the upstream directory.
func (u *upstream) dists(t *testing.T) map[string]string {
	out := map[string]string{}
	r, err := repo.Open(u.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, e := range r.Entries() {
		sum := ""
		if e.Dist != "" {
			sum = sha1File(t, r.Path(e.Dist))
		}
		out[e.Name+" "+e.Version] = sum
	}
	return out
}

func sha1File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("read dist: %v", err)
		return ""
	}
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mtimes returns the modification time of every served file under dir.
func mtimes(t *testing.T, dir string) map[string]time.Time {
	out := map[string]time.Time{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == ".magerepo" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			fi, _ := d.Info()
			out[p] = fi.ModTime()
		}
		return nil
	})
	return out
}

func sha1Hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func openRepo(dir string) (*repo.Repo, error) { return repo.Open(dir) }
