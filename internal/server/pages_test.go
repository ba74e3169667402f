package server

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/repo"
)

// TestServesPublishedPages serves what repo.Publish writes, web pages included: each file with its type,
// compressed when the client accepts gzip (large package pages shrink tenfold), revalidated with 304.
func TestServesPublishedPages(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	publishPages(t, dir, ts.URL+"/")
	checkPages(t, ts.URL, dir, true)
}

// TestPagesAgainstNginx: docs/nginx.conf.example serves the pages in the same way.
func TestPagesAgainstNginx(t *testing.T) {
	dir := t.TempDir()
	base := startNginx(t, dir)
	publishPages(t, dir, base+"/")
	checkPages(t, base, dir, false)
}

// publishPages publishes a one-package repository into dir.
func publishPages(t *testing.T, dir, base string) {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var meta strings.Builder
	meta.WriteString(`{"name":"acme/lib","description":"A library","require":{`)
	for i := range 40 { // enough requirements for a page worth compressing
		if i > 0 {
			meta.WriteString(",")
		}
		meta.WriteString(`"acme/dep-` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `":"^1.0"`)
	}
	meta.WriteString(`}}`)
	w, err := r.CreateDist("dist/acme/lib-1.0.0.zip")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("zip bytes"))
	sum, size, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Add(repo.Entry{Name: "acme/lib", Version: "1.0.0", Dist: "dist/acme/lib-1.0.0.zip", SHA1: sum, Size: size, Metadata: []byte(meta.String())}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(t.Context(), repo.PublishOptions{BaseURL: base}); err != nil {
		t.Fatal(err)
	}
}

// checkPages fetches every kind of page file from base and compares it with dir; exactTypes compares the
// whole Content-Type, charset included.
func checkPages(t *testing.T, base, dir string, exactTypes bool) {
	t.Helper()
	for path, want := range map[string]string{
		"/":                     "text/html; charset=utf-8",
		"/index.html":           "text/html; charset=utf-8",
		"/browse/acme/lib.html": "text/html; charset=utf-8",
		"/browse/index.json":    "application/json",
		"/browse/site.css":      "text/css; charset=utf-8",
		"/browse/site.js":       "text/javascript; charset=utf-8",
	} {
		name := strings.TrimPrefix(path, "/")
		if name == "" {
			name = "index.html"
		}
		file, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, "GET", base+path, nil)
		got := resp.Header.Get("Content-Type")
		if !exactTypes {
			// nginx adds a charset only where "charset" is configured; the pages declare theirs.
			got, _, _ = strings.Cut(got, ";")
			want, _, _ = strings.Cut(want, ";")
		}
		if resp.StatusCode != 200 || got != want || !bytes.Equal(body, file) {
			t.Errorf("%s: status %d, Content-Type %q (want %q), %d bytes of %d", path, resp.StatusCode, got, want, len(body), len(file))
		}
		resp, body = get(t, "GET", base+path, map[string]string{"Accept-Encoding": "gzip"})
		if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, body), file) {
			t.Errorf("%s with gzip: Content-Encoding %q", path, resp.Header.Get("Content-Encoding"))
			continue
		}
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q", path, resp.Header.Get("Vary"))
		}
		if len(body) >= len(file) {
			t.Errorf("%s: gzip %d bytes, plain %d", path, len(body), len(file))
		}
		resp, body = get(t, "GET", base+path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": resp.Header.Get("ETag")})
		if resp.StatusCode != 304 || len(body) != 0 {
			t.Errorf("%s: revalidation gave %d with %d bytes", path, resp.StatusCode, len(body))
		}
	}
}
