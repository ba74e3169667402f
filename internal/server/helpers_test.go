package server

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// testRepo is a hand-made repository directory in the layout magerepo build
// writes: packages.json, p2/<vendor>/<name>.json, dist/<vendor>/<name>-<v>.zip.
type testRepo struct {
	t       *testing.T
	dir     string
	baseURL string // dist URLs point here
	// versions published so far per package, in publish order
	versions map[string][]string
}

func newTestRepo(t *testing.T, dir, baseURL string) *testRepo {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, baseURL: strings.TrimSuffix(baseURL, "/"), versions: map[string][]string{}}
}

// publish adds version to package name in the documented order: the dist, then
// the p2 file, then packages.json, each written to a temporary name and renamed.
func (r *testRepo) publish(name, version string) {
	r.publishSteps(name, version, func() {})
}

// publishSteps is publish with a call after each file written.
func (r *testRepo) publishSteps(name, version string, after func()) {
	r.t.Helper()
	zipBytes := testZip(r.t, name, version)
	distRel := "dist/" + name + "-" + version + ".zip"
	r.write(distRel, zipBytes)
	after()
	r.versions[name] = append(r.versions[name], version)
	r.write("p2/"+name+".json", r.p2(name))
	after()
	names := make([]string, 0, len(r.versions))
	for n := range r.versions {
		names = append(names, n)
	}
	slices.Sort(names)
	root := map[string]any{
		"packages":           []any{},
		"metadata-url":       "/p2/%package%.json",
		"available-packages": names,
	}
	r.write("packages.json", mustJSON(r.t, root))
	after()
}

// p2 renders the metadata file of one package with every published version.
func (r *testRepo) p2(name string) []byte {
	r.t.Helper()
	var list []any
	for _, v := range r.versions[name] {
		sum := sha1.Sum(r.read("dist/" + name + "-" + v + ".zip"))
		list = append(list, map[string]any{
			"name":               name,
			"version":            v,
			"version_normalized": v + ".0",
			"type":               "library",
			"autoload":           map[string]any{"psr-4": map[string]string{"Acme\\Hello\\": "src/"}},
			"dist": map[string]any{
				"type":   "zip",
				"url":    r.baseURL + "/dist/" + name + "-" + v + ".zip",
				"shasum": hex.EncodeToString(sum[:]),
			},
		})
	}
	return mustJSON(r.t, map[string]any{"packages": map[string]any{name: list}})
}

func (r *testRepo) read(rel string) []byte {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, rel))
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// write replaces rel atomically: temporary dot file in the same directory, then
// rename, as internal/repo does.
func (r *testRepo) write(rel string, data []byte) {
	r.t.Helper()
	path := filepath.Join(r.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		r.t.Fatal(err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		r.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		r.t.Fatal(err)
	}
}

// testZip builds a dist with composer.json at the root and one PHP class.
func testZip(t *testing.T, name, version string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := []struct{ name, body string }{
		{"composer.json", string(mustJSON(t, map[string]any{
			"name":     name,
			"version":  version,
			"autoload": map[string]any{"psr-4": map[string]string{"Acme\\Hello\\": "src/"}},
		}))},
		{"src/Hello.php", "<?php\nnamespace Acme\\Hello;\n\nclass Hello { const VERSION = '" + version + "'; }\n"},
	}
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logBuffer collects JSON access log lines written concurrently.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, nil))
}

// requests returns the access records logged so far.
func (b *logBuffer) requests(t *testing.T) []accessRecord {
	t.Helper()
	var out []accessRecord
	for line := range strings.Lines(b.String()) {
		var rec accessRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "request" {
			out = append(out, rec)
		}
	}
	return out
}

type accessRecord struct {
	Msg      string `json:"msg"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Status   int    `json:"status"`
	Bytes    int64  `json:"bytes"`
	Duration int64  `json:"duration"`
	Remote   string `json:"remote"`
}

// rawClient never adds Accept-Encoding or decodes bodies, so tests see the
// bytes on the wire.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// get sends a request with the given headers and returns the response and its
// body.
func get(t *testing.T, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
