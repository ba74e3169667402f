package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// startServer publishes acme/hello 1.0.0 in a fresh directory and serves it.
func startServer(t *testing.T, opts Options) (*testRepo, *httptest.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	if opts.Logger == nil {
		opts.Logger = logs.logger()
	}
	repo := newTestRepo(t, filepath.Join(t.TempDir(), "repo"), "")
	srv, err := New(repo.dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	repo.baseURL = ts.URL
	repo.publish("acme/hello", "1.0.0")
	repo.write("index.html", []byte("<!doctype html><title>repo</title>\n"))
	repo.write(".magerepo/manifest.json", []byte(`{"secret":"manifest"}`))
	return repo, ts, logs
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func TestConditionalRequests(t *testing.T) {
	_, ts, _ := startServer(t, Options{})
	for _, path := range []string{"/packages.json", "/p2/acme/hello.json", "/dist/acme/hello-1.0.0.zip"} {
		for _, enc := range []string{"", "gzip"} {
			t.Run(path+"/"+enc, func(t *testing.T) {
				hdr := map[string]string{"Accept-Encoding": enc}
				resp, body := get(t, "GET", ts.URL+path, hdr)
				if resp.StatusCode != 200 || len(body) == 0 {
					t.Fatalf("GET: %d, %d bytes", resp.StatusCode, len(body))
				}
				lm, tag := resp.Header.Get("Last-Modified"), resp.Header.Get("ETag")
				if lm == "" || tag == "" {
					t.Fatalf("missing validators: Last-Modified %q, ETag %q", lm, tag)
				}
				for name, cond := range map[string]map[string]string{
					"If-Modified-Since": {"If-Modified-Since": lm, "Accept-Encoding": enc},
					"If-None-Match":     {"If-None-Match": tag, "Accept-Encoding": enc},
				} {
					resp, body := get(t, "GET", ts.URL+path, cond)
					if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
						t.Errorf("%s: status %d with %d body bytes, want 304 and empty", name, resp.StatusCode, len(body))
					}
				}
				// An older date or another tag must give the full file again.
				old := time.Now().Add(-48 * time.Hour).UTC().Format(http.TimeFormat)
				if resp, _ := get(t, "GET", ts.URL+path, map[string]string{"If-Modified-Since": old}); resp.StatusCode != 200 {
					t.Errorf("stale If-Modified-Since: status %d, want 200", resp.StatusCode)
				}
				if resp, _ := get(t, "GET", ts.URL+path, map[string]string{"If-None-Match": `"other"`}); resp.StatusCode != 200 {
					t.Errorf("other If-None-Match: status %d, want 200", resp.StatusCode)
				}
			})
		}
	}
}

func TestModifiedFileGetsNewValidators(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	resp, _ := get(t, "GET", ts.URL+"/p2/acme/hello.json", nil)
	tag := resp.Header.Get("ETag")
	repo.publish("acme/hello", "1.1.0")
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(repo.dir, "p2/acme/hello.json"), future, future); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", map[string]string{"If-None-Match": tag})
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"1.1.0"`)) {
		t.Fatalf("after an update: status %d, body %s", resp.StatusCode, body)
	}
}

func TestGzipOnTheFly(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	want := repo.read("p2/acme/hello.json")
	for _, ae := range []string{"gzip", "deflate, gzip;q=0.5", "br, *"} {
		resp, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", map[string]string{"Accept-Encoding": ae})
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, resp.Header.Get("Content-Encoding"))
		}
		if got := gunzip(t, body); !bytes.Equal(got, want) {
			t.Errorf("Accept-Encoding %q: decoded body differs from the file", ae)
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers: %v", resp.Header)
		}
	}
	for _, ae := range []string{"", "identity", "gzip;q=0", "br"} {
		resp, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", map[string]string{"Accept-Encoding": ae})
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want the plain file", ae, resp.Header.Get("Content-Encoding"))
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: no Vary", ae)
		}
	}
	// Dists are never re-encoded.
	resp, _ := get(t, "GET", ts.URL+"/dist/acme/hello-1.0.0.zip", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("zip served with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}

func TestGzipPrecompressed(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	plain := repo.read("p2/acme/hello.json")
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.HuffmanOnly) // unlike what the server would produce
	zw.Write(plain)
	zw.Close()
	repo.write("p2/acme/hello.json.gz", gz.Bytes())
	jsonPath := filepath.Join(repo.dir, "p2/acme/hello.json")
	gzPath := jsonPath + ".gz"
	fi, err := os.Stat(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	// Same mtime as the JSON file: fresh, served as it is.
	if err := os.Chtimes(gzPath, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, gz.Bytes()) {
		t.Fatalf("fresh .gz sibling not served as it is (Content-Encoding %q)", resp.Header.Get("Content-Encoding"))
	}
	if !bytes.Equal(gunzip(t, body), plain) {
		t.Fatal("decoded body differs")
	}
	resp2, body2 := get(t, "GET", ts.URL+"/p2/acme/hello.json", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": resp.Header.Get("ETag")})
	if resp2.StatusCode != 304 || len(body2) != 0 {
		t.Errorf("If-None-Match on the .gz variant: %d", resp2.StatusCode)
	}
	// Older than the JSON file: stale, so the server compresses the JSON itself.
	old := fi.ModTime().Add(-time.Minute)
	if err := os.Chtimes(gzPath, old, old); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, "GET", ts.URL+"/p2/acme/hello.json", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || bytes.Equal(body, gz.Bytes()) {
		t.Fatal("stale .gz sibling was served")
	}
	if !bytes.Equal(gunzip(t, body), plain) {
		t.Fatal("decoded body differs")
	}
}

func TestHeadMatchesGet(t *testing.T) {
	_, ts, _ := startServer(t, Options{})
	for _, path := range []string{"/packages.json", "/p2/acme/hello.json", "/dist/acme/hello-1.0.0.zip", "/"} {
		for _, enc := range []string{"", "gzip"} {
			hdr := map[string]string{"Accept-Encoding": enc}
			g, gbody := get(t, "GET", ts.URL+path, hdr)
			h, hbody := get(t, "HEAD", ts.URL+path, hdr)
			if h.StatusCode != 200 || len(hbody) != 0 {
				t.Errorf("HEAD %s: status %d, %d body bytes", path, h.StatusCode, len(hbody))
			}
			for _, k := range []string{"Content-Length", "Content-Type", "Content-Encoding", "ETag", "Last-Modified", "Vary", "Cache-Control"} {
				if g.Header.Get(k) != h.Header.Get(k) {
					t.Errorf("%s %s: GET %s %q, HEAD %q", path, enc, k, g.Header.Get(k), h.Header.Get(k))
				}
			}
			if g.Header.Get("Content-Length") != strconv.Itoa(len(gbody)) {
				t.Errorf("%s: Content-Length %s for %d bytes", path, g.Header.Get("Content-Length"), len(gbody))
			}
		}
	}
}

func TestRange(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	zipBytes := repo.read("dist/acme/hello-1.0.0.zip")
	resp, body := get(t, "GET", ts.URL+"/dist/acme/hello-1.0.0.zip", map[string]string{"Range": "bytes=10-99"})
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", resp.StatusCode)
	}
	if !bytes.Equal(body, zipBytes[10:100]) {
		t.Error("range body differs from the file's bytes 10-99")
	}
	if want := "bytes 10-99/" + strconv.Itoa(len(zipBytes)); resp.Header.Get("Content-Range") != want {
		t.Errorf("Content-Range %q, want %q", resp.Header.Get("Content-Range"), want)
	}
	resp, body = get(t, "GET", ts.URL+"/dist/acme/hello-1.0.0.zip", map[string]string{"Range": "bytes=-20"})
	if resp.StatusCode != 206 || !bytes.Equal(body, zipBytes[len(zipBytes)-20:]) {
		t.Errorf("suffix range: status %d", resp.StatusCode)
	}
	resp, _ = get(t, "GET", ts.URL+"/dist/acme/hello-1.0.0.zip", map[string]string{"Range": "bytes=999999-"})
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("unsatisfiable range: status %d", resp.StatusCode)
	}
}

func TestContentTypes(t *testing.T) {
	_, ts, _ := startServer(t, Options{})
	for path, want := range map[string]string{
		"/packages.json":              "application/json",
		"/p2/acme/hello.json":         "application/json",
		"/dist/acme/hello-1.0.0.zip":  "application/zip",
		"/":                           "text/html; charset=utf-8",
		"/index.html":                 "text/html; charset=utf-8",
		"/p2/acme/not-there~dev.json": "text/plain; charset=utf-8",
	} {
		resp, _ := get(t, "GET", ts.URL+path, nil)
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", path, got, want)
		}
	}
}

func TestUnknownNamesArePlain404(t *testing.T) {
	_, ts, _ := startServer(t, Options{})
	for _, path := range []string{"/p2/symfony/console.json", "/p2/symfony/console~dev.json", "/p2/acme/hello~dev.json", "/nope", "/dist/acme/hello-9.9.9.zip"} {
		resp, body := get(t, "GET", ts.URL+path, map[string]string{"Accept": "text/html"})
		if resp.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if resp.Header.Get("Location") != "" || bytes.Contains(body, []byte("<")) {
			t.Errorf("%s: redirect or HTML in a 404: %q", path, body)
		}
	}
}

// rawGet sends target unmodified (no client-side cleaning or escaping) and
// returns the status and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestNothingOutsideOrHidden(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	parent := filepath.Dir(repo.dir)
	if err := os.WriteFile(filepath.Join(parent, "secret.txt"), []byte("TOPSECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo.dir, ".env"), []byte("TOPSECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(parent, "secret.txt"), filepath.Join(repo.dir, "p2", "acme", "escape.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(parent, filepath.Join(repo.dir, "up")); err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(ts.URL, "http://")
	for _, target := range []string{
		"/../secret.txt",
		"/p2/../../secret.txt",
		"/%2e%2e/secret.txt",
		"/p2/%2E%2E/%2e%2e/secret.txt",
		"/..%2fsecret.txt",
		"/p2%2F..%2F..%2Fsecret.txt",
		"/p2%2facme%2fhello.json",
		"/..\\secret.txt",
		"/p2\\acme\\hello.json",
		"/p2/acme/escape.json",
		"/up/secret.txt",
		"/.magerepo/manifest.json",
		"/%2emagerepo/manifest.json",
		"/p2/../.magerepo/manifest.json",
		"/.env",
		"/p2/acme/.tmp-x",
		"//packages.json",
		"/p2//acme/hello.json",
		"/./packages.json",
		"/packages.json%00",
		"/p2/",
		"/p2",
		"/dist/acme/",
		"/index.html/",
	} {
		status, body := rawGet(t, addr, target)
		if status != 404 && status != 400 {
			t.Errorf("%s: status %d, want 404", target, status)
		}
		if strings.Contains(body, "TOPSECRET") || strings.Contains(body, "manifest") || strings.Contains(body, "acme/hello") {
			t.Errorf("%s: leaked %q", target, body)
		}
	}
	// The legitimate names still work over the same raw path.
	if status, _ := rawGet(t, addr, "/p2/acme/hello.json"); status != 200 {
		t.Errorf("plain name: status %d", status)
	}
}

func TestNoDirectoryListing(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	resp, body := get(t, "GET", ts.URL+"/", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, repo.read("index.html")) {
		t.Fatalf("/: status %d, want index.html", resp.StatusCode)
	}
	if err := os.Remove(filepath.Join(repo.dir, "index.html")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/p2/", "/dist/acme/"} {
		resp, body := get(t, "GET", ts.URL+path, nil)
		if resp.StatusCode != 404 || bytes.Contains(body, []byte("hello")) {
			t.Errorf("%s: status %d body %q, want a plain 404", path, resp.StatusCode, body)
		}
	}
}

func TestOtherMethods(t *testing.T) {
	_, ts, _ := startServer(t, Options{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		resp, _ := get(t, m, ts.URL+"/packages.json", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

func TestHealthz(t *testing.T) {
	creds, err := ParseCredentials(strings.NewReader("alice:pw\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, ts, _ := startServer(t, Options{Credentials: creds})
	resp, body := get(t, "GET", ts.URL+"/healthz", nil)
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
}

func TestAccessLog(t *testing.T) {
	_, ts, logs := startServer(t, Options{})
	get(t, "GET", ts.URL+"/p2/acme/hello.json", nil)
	get(t, "GET", ts.URL+"/p2/acme/missing.json", nil)
	recs := logs.requests(t)
	if len(recs) != 2 {
		t.Fatalf("%d access records, want 2: %s", len(recs), logs.String())
	}
	ok, missing := recs[0], recs[1]
	if ok.Method != "GET" || ok.Path != "/p2/acme/hello.json" || ok.Status != 200 || ok.Bytes == 0 || ok.Remote == "" || ok.Duration <= 0 {
		t.Errorf("record %+v", ok)
	}
	if missing.Status != 404 {
		t.Errorf("record %+v", missing)
	}
}

func TestAuth(t *testing.T) {
	const user, pass, token = "alice", "pw-Zq81-secret", "tok-Hb77-secret"
	path := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(path, []byte("# users\nalice:"+pass+"\n\ntoken:"+token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds, err := LoadCredentials(path)
	if err != nil {
		t.Fatal(err)
	}
	_, ts, logs := startServer(t, Options{Credentials: creds})
	basic := func(u, p string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p)) }
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"none", "", 401},
		{"basic", basic(user, pass), 200},
		{"bearer", "Bearer " + token, 200},
		{"bearer lower-case scheme", "bearer " + token, 200},
		{"token as basic password", basic("token", token), 200},
		{"wrong password", basic(user, pass+"x"), 401},
		{"wrong user", basic("bob", pass), 401},
		{"password as bearer", "Bearer " + pass, 401},
		{"token as password of a user", basic(user, token), 401},
		{"wrong bearer", "Bearer " + token + "x", 401},
		{"empty bearer", "Bearer ", 401},
		{"other scheme", "Digest x", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			resp, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", hdr)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == 401 {
				if wa := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, `Basic realm="magerepo"`) {
					t.Errorf("WWW-Authenticate %q", wa)
				}
				if bytes.Contains(body, []byte("acme")) {
					t.Errorf("401 leaks content: %q", body)
				}
			} else if resp.Header.Get("Cache-Control") != "private, no-cache" {
				t.Errorf("Cache-Control %q behind credentials", resp.Header.Get("Cache-Control"))
			}
		})
	}
	// Even a missing file answers 401 first, so names cannot be probed.
	if resp, _ := get(t, "GET", ts.URL+"/p2/acme/missing.json", nil); resp.StatusCode != 401 {
		t.Errorf("missing file without credentials: %d", resp.StatusCode)
	}
	if log := logs.String(); strings.Contains(log, pass) || strings.Contains(log, token) ||
		strings.Contains(log, base64.StdEncoding.EncodeToString([]byte(user+":"+pass))) {
		t.Errorf("credentials in the log: %s", log)
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	for name, in := range map[string]string{
		"no colon":       "alice\n",
		"empty password": "# x\nalice:\n",
		"empty user":     ":pw-secret\n",
		"empty token":    "token:\n",
		"empty file":     "# nothing\n\n",
	} {
		_, err := ParseCredentials(strings.NewReader(in))
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if strings.Contains(err.Error(), "pw-secret") {
			t.Errorf("%s: error echoes the secret: %v", name, err)
		}
	}
	c, err := ParseCredentials(strings.NewReader("  bob:pa:ss:word  \r\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.SetBasicAuth("bob", "pa:ss:word")
	if !c.Check(r) {
		t.Error("a password with colons is refused")
	}
}

func TestWebhook(t *testing.T) {
	const secret = "hook-secret-9f"
	runs := make(chan struct{}, 10)
	upd := NewUpdater(func(context.Context) error { runs <- struct{}{}; return nil }, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); upd.Run(ctx, 0, false) }()
	t.Cleanup(func() { cancel(); <-done })

	creds, _ := ParseCredentials(strings.NewReader("alice:pw\n"))
	_, ts, logs := startServer(t, Options{Updater: upd, WebhookSecret: secret, Credentials: creds})
	post := func(hdr map[string]string, body string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", ts.URL+"/hooks/update", strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := rawClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	payload := `{"ref":"refs/tags/2.4.8"}`
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(payload))
	goodSig := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"no secret", nil, 401},
		{"wrong secret", map[string]string{"X-Magerepo-Secret": secret + "x"}, 401},
		{"wrong bearer", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"bad signature", map[string]string{"X-Hub-Signature-256": "sha256=00ff"}, 401},
		{"header", map[string]string{"X-Magerepo-Secret": secret}, 202},
		{"bearer", map[string]string{"Authorization": "Bearer " + secret}, 202},
		{"github signature", map[string]string{"X-Hub-Signature-256": goodSig}, 202},
	} {
		got := post(tc.hdr, payload)
		if got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
		if tc.want == 202 {
			<-runs // the update really runs; a missing run hangs the test
		}
	}
	select {
	case <-runs:
		t.Error("a refused request triggered an update")
	default:
	}
	if resp, _ := get(t, "GET", ts.URL+"/hooks/update", nil); resp.StatusCode != 405 {
		t.Errorf("GET /hooks/update: %d", resp.StatusCode)
	}
	if strings.Contains(logs.String(), secret) {
		t.Error("webhook secret in the log")
	}
}

func TestWebhookDisabledWithoutSecret(t *testing.T) {
	upd := NewUpdater(func(context.Context) error { return nil }, nil)
	_, ts, _ := startServer(t, Options{Updater: upd})
	req, _ := http.NewRequest("POST", ts.URL+"/hooks/update", nil)
	req.Header.Set("X-Magerepo-Secret", "")
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 202 {
		t.Error("hook accepted without a configured secret")
	}
}

func TestUpdaterNeverConcurrentAndCoalesces(t *testing.T) {
	var running, maxRunning, runs atomic.Int32
	started := make(chan int32)
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	upd := NewUpdater(func(context.Context) error {
		n := running.Add(1)
		if n > maxRunning.Load() {
			maxRunning.Store(n)
		}
		k := runs.Add(1)
		started <- k
		<-release
		running.Add(-1)
		if k == 2 {
			cancel() // stop after the follow-up run
		}
		return nil
	}, nil)
	done := make(chan struct{})
	go func() { defer close(done); upd.Run(ctx, 0, true) }()
	if k := <-started; k != 1 {
		t.Fatalf("first run is %d", k)
	}
	for range 20 {
		upd.Trigger() // all while run 1 is busy
	}
	release <- struct{}{}
	if k := <-started; k != 2 {
		t.Fatalf("follow-up run is %d", k)
	}
	release <- struct{}{}
	<-done
	if runs.Load() != 2 || maxRunning.Load() != 1 {
		t.Errorf("runs %d, max concurrent %d; want 2 and 1", runs.Load(), maxRunning.Load())
	}
}

// TestMemoryCopyFollowsTheDisk: a file kept in memory is served again only
// while the same file is on disk; a replacement with the same size and time is
// noticed, and so is a directory swapped for a symlink leading outside.
func TestMemoryCopyFollowsTheDisk(t *testing.T) {
	repo, ts, _ := startServer(t, Options{})
	p2 := filepath.Join(repo.dir, "p2/acme/hello.json")
	old := repo.read("p2/acme/hello.json")
	if _, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", nil); !bytes.Equal(body, old) {
		t.Fatal("first read differs")
	}
	fi, err := os.Stat(p2)
	if err != nil {
		t.Fatal(err)
	}
	same := bytes.Replace(old, []byte(`"1.0.0"`), []byte(`"9.9.9"`), 1)
	repo.write("p2/acme/hello.json", same)
	if err := os.Chtimes(p2, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", nil); !bytes.Equal(body, same) {
		t.Errorf("replaced file with the same size and time: got the old bytes")
	}

	outside := filepath.Join(t.TempDir(), "acme")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "hello.json"), []byte("TOPSECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(repo.dir, "p2/acme")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(repo.dir, "p2/acme")); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, "GET", ts.URL+"/p2/acme/hello.json", nil)
	if resp.StatusCode != 404 || bytes.Contains(body, []byte("TOPSECRET")) {
		t.Errorf("through a symlink out of the directory: %d %q", resp.StatusCode, body)
	}
}
