package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/gittest"
)

// TestServeUpdatesWhileClientsRead runs `magerepo serve --update-every` on the fixture while a client walks
// packages.json, every p2 file it names and every dist those name, over and over. New tags are published three
// times meanwhile (by the interval and by the webhook); no request may fail and every new version must appear.
func TestServeUpdatesWhileClientsRead(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr + "/"
	out := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		g, _ := testGlobals(t)
		served <- runServe(ctx, &serveOptions{Listen: addr, UpdateEvery: 300 * time.Millisecond, Config: f.config(t, base, "mageos"),
			Cache: t.TempDir(), WebhookSecret: "s3cret"}, g, out)
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	c := &walker{base: base}
	// p2 files are published before packages.json: wait for both, the end of the first publish.
	waitFor(t, func() bool { return c.hasVersion("acme/module-b", "100.1.0") && c.exists("packages.json") }, "the first build")
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			c.walk()
		}
	}()
	for i := 1; i <= 3; i++ {
		v := fmt.Sprintf("100.2.%d", i)
		f.modules.Write(map[string]string{"ModuleB/composer.json": gittest.ComposerJSON("acme/module-b", v, map[string]string{"acme/module-a": "^100.0"})})
		f.modules.CommitTag(fmt.Sprintf("1.2.%d", i))
		if i == 2 { // the webhook triggers an update at once
			req, _ := http.NewRequest(http.MethodPost, base+"hooks/update", nil)
			req.Header.Set("X-Magerepo-Secret", "s3cret")
			if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode >= 300 {
				t.Fatalf("webhook: %v %v", err, resp)
			}
		}
		waitFor(t, func() bool { return c.hasVersion("acme/module-b", v) }, "version "+v)
	}
	stop.Store(true)
	wg.Wait()
	if n := c.walks.Load(); n < 3 {
		t.Fatalf("the client completed only %d walks", n)
	}
	if errs := c.failures(); len(errs) > 0 {
		t.Fatalf("%d failed requests during updates, first: %s", len(errs), errs[0])
	}
	t.Logf("%d walks, %d requests, all answered", c.walks.Load(), c.requests.Load())
}

// walker is a client that reads the whole repository the way Composer's metadata requests do.
type walker struct {
	base     string
	walks    atomic.Int64
	requests atomic.Int64
	mu       sync.Mutex
	errs     []string
}

func (c *walker) get(url string) ([]byte, bool) {
	c.requests.Add(1)
	resp, err := http.Get(url)
	if err != nil {
		c.fail(fmt.Sprintf("GET %s: %v", url, err))
		return nil, false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		c.fail(fmt.Sprintf("GET %s: %d %v", url, resp.StatusCode, err))
		return nil, false
	}
	return b, true
}

func (c *walker) fail(msg string) {
	c.mu.Lock()
	c.errs = append(c.errs, msg)
	c.mu.Unlock()
}

func (c *walker) failures() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// walk fetches packages.json, then every p2 file and every dist it leads to.
func (c *walker) walk() {
	b, ok := c.get(c.base + "packages.json")
	if !ok {
		return
	}
	var root struct {
		Available []string `json:"available-packages"`
	}
	if err := json.Unmarshal(b, &root); err != nil {
		c.fail("packages.json: " + err.Error())
		return
	}
	for _, name := range root.Available {
		for _, url := range c.dists(name) {
			c.get(url)
		}
	}
	c.walks.Add(1)
}

// dists returns the dist URLs of a package's p2 file (the versions are listed whole or minified; dist is
// present in each entry that changes it, which is every one here).
func (c *walker) dists(name string) []string {
	b, ok := c.get(c.base + "p2/" + name + ".json")
	if !ok {
		return nil
	}
	var p2 struct {
		Packages map[string][]struct {
			Version string `json:"version"`
			Dist    struct {
				URL string `json:"url"`
			} `json:"dist"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &p2); err != nil {
		c.fail(name + ": " + err.Error())
		return nil
	}
	var urls []string
	for _, v := range p2.Packages[name] {
		if v.Dist.URL != "" {
			urls = append(urls, v.Dist.URL)
		}
	}
	return urls
}

// hasVersion reports whether the served p2 file of name lists version (without recording failures: the
// repository may not exist yet).
func (c *walker) hasVersion(name, version string) bool {
	resp, err := http.Get(c.base + "p2/" + name + ".json")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(b), `"version":"`+version+`"`)
}

// exists reports whether rel is served (without recording failures).
func (c *walker) exists(rel string) bool {
	resp, err := http.Get(c.base + rel)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
