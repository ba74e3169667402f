package server

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/testenv"
)

// needTool returns the path of an external program (see internal/testenv).
func needTool(t *testing.T, name string) string { return testenv.Tool(t, name) }

// composerClient runs the real Composer in a private home and cache.
type composerClient struct {
	t     *testing.T
	home  string // COMPOSER_HOME: auth.json goes here
	cache string // COMPOSER_CACHE_DIR, shared across runs of one client
}

func newComposerClient(t *testing.T) *composerClient {
	needTool(t, "php")
	needTool(t, "composer")
	dir := t.TempDir()
	c := &composerClient{t: t, home: filepath.Join(dir, "home"), cache: filepath.Join(dir, "cache")}
	for _, d := range []string{c.home, c.cache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// project writes a root composer.json that uses only the repository at url.
func (c *composerClient) project(url string) string {
	c.t.Helper()
	dir := filepath.Join(c.t.TempDir(), "project")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		c.t.Fatal(err)
	}
	root := map[string]any{
		"name":         "test/project",
		"repositories": []any{map[string]any{"type": "composer", "url": url}, map[string]any{"packagist.org": false}},
		"config":       map[string]any{"secure-http": false},
	}
	if err := os.WriteFile(filepath.Join(dir, "composer.json"), mustJSON(c.t, root), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return dir
}

// setAuth writes an auth.json with http-basic credentials for host.
func (c *composerClient) setAuth(host, user, pass string) {
	c.t.Helper()
	auth := map[string]any{"http-basic": map[string]any{host: map[string]string{"username": user, "password": pass}}}
	if err := os.WriteFile(filepath.Join(c.home, "auth.json"), mustJSON(c.t, auth), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run runs composer with args in dir and returns its combined output.
func (c *composerClient) run(dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(c.t.Context(), "composer", append(args, "--no-interaction", "--no-progress", "--no-ansi")...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + c.home,
		"COMPOSER_HOME=" + c.home,
		"COMPOSER_CACHE_DIR=" + c.cache,
		"COMPOSER_ALLOW_SUPERUSER=1",
		"COMPOSER_NO_INTERACTION=1",
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// assertInstalled checks that acme/hello at version landed in vendor/.
func assertInstalled(t *testing.T, project, version string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(project, "vendor/acme/hello/src/Hello.php"))
	if err != nil {
		t.Fatalf("package not installed: %v", err)
	}
	if !bytes.Contains(b, []byte("'"+version+"'")) {
		t.Errorf("installed Hello.php is not version %s:\n%s", version, b)
	}
	if _, err := os.Stat(filepath.Join(project, "vendor/autoload.php")); err != nil {
		t.Errorf("no autoloader: %v", err)
	}
}

// TestComposerAgainstServer: composer require installs from the server, and a
// second run with the same cache is answered with 304s.
func TestComposerAgainstServer(t *testing.T) {
	cc := newComposerClient(t)
	_, ts, logs := startServer(t, Options{})
	project := cc.project(ts.URL)
	if out, err := cc.run(project, "require", "acme/hello:^1.0"); err != nil {
		t.Fatalf("composer require: %v\n%s", err, out)
	}
	assertInstalled(t, project, "1.0.0")

	first := len(logs.requests(t))
	if out, err := cc.run(project, "update"); err != nil {
		t.Fatalf("composer update: %v\n%s", err, out)
	}
	second := logs.requests(t)[first:]
	notModified := 0
	for _, rec := range second {
		switch {
		case rec.Status == http.StatusNotModified:
			notModified++
			if rec.Bytes != 0 {
				t.Errorf("304 for %s with %d body bytes", rec.Path, rec.Bytes)
			}
		case strings.HasSuffix(rec.Path, "/acme/hello.json") || rec.Path == "/packages.json":
			t.Errorf("second run fetched %s again: status %d", rec.Path, rec.Status)
		}
	}
	if notModified == 0 {
		t.Fatalf("second run got no 304: %+v", second)
	}
	t.Logf("second run: %d requests, %d answered 304", len(second), notModified)
}

// TestComposerWithAuth: with credentials configured, Composer fails without an
// auth.json and succeeds with http-basic credentials in it.
func TestComposerWithAuth(t *testing.T) {
	const user, pass = "alice", "composer-pw-4c1d"
	creds, err := ParseCredentials(strings.NewReader(user + ":" + pass + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	cc := newComposerClient(t)
	_, ts, logs := startServer(t, Options{Credentials: creds})
	project := cc.project(ts.URL)
	out, err := cc.run(project, "require", "acme/hello:^1.0")
	if err == nil {
		t.Fatalf("composer require without credentials succeeded:\n%s", out)
	}
	if !strings.Contains(out, "401") && !strings.Contains(out, "authenticate") {
		t.Errorf("composer failed for another reason than authentication:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(project, "vendor/acme/hello")); err == nil {
		t.Fatal("package installed without credentials")
	}
	// Composer keys auth.json entries by host and, when not the default, port.
	cc.setAuth(strings.TrimPrefix(ts.URL, "http://"), user, pass)
	if out, err := cc.run(project, "require", "acme/hello:^1.0"); err != nil {
		t.Fatalf("composer require with auth.json: %v\n%s", err, out)
	}
	assertInstalled(t, project, "1.0.0")
	if strings.Contains(logs.String(), pass) {
		t.Error("password in the access log")
	}
}

// nginxRules returns the tested part of docs/nginx.conf.example.
func nginxRules(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/nginx.conf.example")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "# BEGIN magerepo rules\n")
	rules, _, ok2 := strings.Cut(rest, "# END magerepo rules")
	if !ok || !ok2 {
		t.Fatal("docs/nginx.conf.example: no BEGIN/END magerepo rules markers")
	}
	return rules
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startNginx serves root with the example's rules on a loopback port and
// returns the base URL.
func startNginx(t *testing.T, root string) string {
	t.Helper()
	bin := needTool(t, "nginx")
	prefix := t.TempDir()
	port := freePort(t)
	user := ""
	if os.Getuid() == 0 {
		user = "user root root;" // workers must be able to read the test's files
	}
	conf := fmt.Sprintf(`%s
daemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log stderr warn;
events { worker_connections 128; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    server {
        listen 127.0.0.1:%[3]d;
        root %[4]s;
%[5]s
    }
}
`, user, prefix, port, root, nginxRules(t))
	confPath := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", prefix, "-c", confPath, "-e", "stderr")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		<-exited
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for {
		select {
		case <-exited:
			t.Fatalf("nginx exited: %s", stderr.String())
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestComposerAgainstNginx serves a repository with the rules of
// docs/nginx.conf.example and installs from it; the serving rules that matter
// to Composer hold there as well.
func TestComposerAgainstNginx(t *testing.T) {
	cc := newComposerClient(t)
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	base := startNginx(t, dir)
	repo := newTestRepo(t, dir, base)
	repo.publish("acme/hello", "1.0.0")
	repo.write("index.html", []byte("<!doctype html><title>repo</title>\n"))
	repo.write(".magerepo/manifest.json", []byte(`{"secret":"manifest"}`))

	project := cc.project(base)
	if out, err := cc.run(project, "require", "acme/hello:^1.0"); err != nil {
		t.Fatalf("composer require: %v\n%s", err, out)
	}
	assertInstalled(t, project, "1.0.0")

	addr := strings.TrimPrefix(base, "http://")
	for _, target := range []string{"/.magerepo/manifest.json", "/.magerepo/", "/p2/", "/p2", "/p2/symfony/console.json", "/../secret"} {
		status, body := rawGet(t, addr, target)
		if status != 404 && status != 400 {
			t.Errorf("nginx %s: status %d, want 404", target, status)
		}
		// nginx answers requests it cannot parse ("/../") with its own HTML 400
		// before any rule applies; Composer never sends those.
		if strings.Contains(body, "manifest") || (status == 404 && strings.Contains(body, "<")) {
			t.Errorf("nginx %s: body %q, want plain text", target, body)
		}
	}
	resp, body := get(t, "GET", base+"/p2/acme/hello.json", nil)
	lm := resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || lm == "" || !bytes.Equal(body, repo.read("p2/acme/hello.json")) {
		t.Fatalf("nginx p2: status %d, Last-Modified %q", resp.StatusCode, lm)
	}
	resp, body = get(t, "GET", base+"/p2/acme/hello.json", map[string]string{"If-Modified-Since": lm})
	if resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("nginx If-Modified-Since: %d with %d bytes", resp.StatusCode, len(body))
	}
	resp, body = get(t, "GET", base+"/p2/acme/hello.json", map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, body), repo.read("p2/acme/hello.json")) {
		t.Errorf("nginx gzip: Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
}
