package site_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/server"
	"github.com/mage-os/magerepo/internal/testenv"
)

// serveSynth publishes the generated repository s with opts (the base URL is the server's) and serves it
// the way magerepo serve does (internal/server's handler with sopts, and Run) on a loopback port.
func serveSynth(tb testing.TB, s synth, opts repo.PublishOptions, sopts server.Options) (base, dir string, pkgs []synthPackage) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base = "http://" + ln.Addr().String() + "/"
	dir = tb.TempDir()
	r, pkgs := s.build(tb, dir)
	opts.BaseURL = base
	st, err := r.Publish(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	if len(st.Problems) > 0 {
		tb.Fatalf("publish left out versions: %v", st.Problems)
	}
	srv, err := server.New(dir, sopts)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, ln, srv, server.RunOptions{}) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("server: %v", err)
		}
		srv.Close()
	})
	return base, dir, pkgs
}

// newChromium starts a headless Chromium with a fresh profile and returns a tab's context. It skips the test
// when chromium is missing, unless MAGEREPO_REQUIRE_E2E is set.
func newChromium(tb testing.TB) context.Context {
	tb.Helper()
	path := testenv.Tool(tb, "chromium")
	profile := tb.TempDir() // removed after the browser has exited: cleanups run last-in first-out
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Loopback only: no host name resolves (the pages are at 127.0.0.1), and none of Chrome's own services
		// (pings, safe browsing, translation, hints) starts.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider"),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTab := chromedp.NewContext(alloc)
	tb.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		tb.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// pageWatch collects what must not happen while pages load: console errors and warnings, uncaught
// exceptions, browser log errors (a failed resource), HTTP errors, and requests that leave the server.
type pageWatch struct {
	mu       sync.Mutex
	problems []string
}

func watch(tb testing.TB, ctx context.Context, base string) *pageWatch {
	tb.Helper()
	w := &pageWatch{}
	add := func(f string, a ...any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.problems = append(w.problems, fmt.Sprintf(f, a...))
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				add("console.%s: %s", ev.Type, strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			text := d.Text
			if d.Exception != nil {
				text += " " + d.Exception.Description
			}
			add("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				add("browser log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; !strings.HasPrefix(u, base) && !strings.HasPrefix(u, "data:") {
				add("request outside the repository: %s", u)
			}
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				add("HTTP %d for %s", ev.Response.Status, ev.Response.URL)
			}
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func (w *pageWatch) check(tb testing.TB) {
	tb.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		tb.Error(p)
	}
}

// artifacts returns the directory screenshots go to: $MAGEREPO_ARTIFACTS/<test name>, or a temporary one.
func artifacts(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("MAGEREPO_ARTIFACTS")
	if dir == "" {
		return tb.TempDir()
	}
	dir = filepath.Join(dir, strings.ReplaceAll(tb.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// viewport sets the tab's size: a desktop window, or a phone (a touch screen at twice the pixel density).
func viewport(ctx context.Context, width, height int64, phone bool) error {
	if phone {
		return chromedp.Do(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	}
	return chromedp.Do(ctx, chromedp.EmulateViewport(width, height))
}

// colorScheme makes the tab prefer a light or dark color scheme.
func colorScheme(ctx context.Context, scheme string) error {
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	return err
}

// open navigates to u and waits until site.js has done its work (the list is filled).
func open(ctx context.Context, u string) error {
	return chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitReady(chromedp.CSS("html[data-ready]")))
}

func screenshot(tb testing.TB, ctx context.Context, dir, name string) {
	tb.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot: %s", path)
}

func eval[T any](tb testing.TB, ctx context.Context, js string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// matches is the filter's rule (site.js): every word of the query in the name or the description.
func matches(p synthPackage, q string) bool {
	for _, t := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(p.Name, t) && !strings.Contains(strings.ToLower(p.Description), t) {
			return false
		}
	}
	return true
}

// TestBrowser opens the pages of a generated repository, served by internal/server, in headless Chromium:
// the package list fills from browse/index.json and filters as one types, a result opens the package's
// page, whose version filter and requirement links work; screenshots at desktop and phone width, light and
// dark, go to MAGEREPO_ARTIFACTS. Any console error, failed request or request that leaves the repository
// fails the test.
func TestBrowser(t *testing.T) {
	ctx := newChromium(t)
	base, _, pkgs := serveSynth(t, synth{Packages: 80, Versions: 1200, LocalDists: true}, repo.PublishOptions{Title: "Mage-OS mirror"}, server.Options{})
	shots := artifacts(t)
	w := watch(t, ctx, base)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	slices.SortFunc(pkgs, func(a, b synthPackage) int { return strings.Compare(a.Name, b.Name) })

	if err := viewport(ctx, 1280, 900, false); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, base); err != nil {
		t.Fatal(err)
	}
	if got, want := eval[string](t, ctx, `document.getElementById("count").textContent`), "80 packages"; got != want {
		t.Errorf("count %q, want %q", got, want)
	}
	names := eval[[]string](t, ctx, `[...document.querySelectorAll("#list .name")].map(e => e.firstChild.textContent + e.children[1].textContent)`)
	var all []string
	for _, p := range pkgs {
		all = append(all, p.Name)
	}
	if !slices.Equal(names, all) {
		t.Errorf("list shows %d packages %v…, want %d in name order", len(names), names[:min(3, len(names))], len(all))
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll("#use pre code")].map(c => c.textContent).join("\n")`); !strings.Contains(got, `"url": "`+base+`"`) {
		t.Errorf("composer.json snippet does not name %s:\n%s", base, got)
	}
	screenshot(t, ctx, shots, "index-desktop.png")

	// Type a query: the list shows exactly the packages whose name or description has every word.
	query := "catalog"
	var want []string
	for _, p := range pkgs {
		if matches(p, query) && strings.Contains(p.Name, query) {
			want = append(want, p.Name)
		}
	}
	for _, p := range pkgs {
		if matches(p, query) && !strings.Contains(p.Name, query) {
			want = append(want, p.Name) // name matches first
		}
	}
	if len(want) == 0 || len(want) == len(pkgs) {
		t.Fatalf("query %q matches %d of %d packages: pick another", query, len(want), len(pkgs))
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), query)); err != nil {
		t.Fatal(err)
	}
	got := eval[[]string](t, ctx, `[...document.querySelectorAll("#list > li > a")].map(a => a.querySelector(".name").firstChild.textContent + a.querySelector(".name").children[1].textContent)`)
	if !slices.Equal(got, want) {
		t.Errorf("filter %q shows %v, want %v", query, got, want)
	}
	if c, w := eval[string](t, ctx, `document.getElementById("count").textContent`), fmt.Sprintf("%d of 80 packages", len(want)); c != w {
		t.Errorf("count %q, want %q", c, w)
	}
	if marks := eval[int](t, ctx, `document.querySelectorAll("#list mark").length`); marks < len(want) {
		t.Errorf("%d highlighted matches for %d results", marks, len(want))
	}
	if loc := eval[string](t, ctx, `location.search`); loc != "?q="+query {
		t.Errorf("address keeps the query as %q", loc)
	}
	screenshot(t, ctx, shots, "index-filtered-desktop.png")

	// A query nothing matches says so.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), " zzzz")); err != nil {
		t.Fatal(err)
	}
	if e := eval[string](t, ctx, `document.querySelector("#list .empty") ? document.querySelector("#list .empty").textContent : ""`); !strings.Contains(e, "No package matches") {
		t.Errorf("no empty-result message, got %q", e)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`q = document.getElementById("q"); q.value = ""; q.dispatchEvent(new Event("input"))`), chromedp.SendKeys(chromedp.ID("q"), query)); err != nil {
		t.Fatal(err)
	}

	// Enter opens the first result's page.
	first := want[0]
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "\r"), chromedp.WaitReady(chromedp.CSS("#vlist"))); err != nil {
		t.Fatal(err)
	}
	if loc := eval[string](t, ctx, `location.href`); loc != base+"browse/"+first+".html" {
		t.Errorf("Enter opened %s, want the page of %s", loc, first)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("html[data-ready]"))); err != nil {
		t.Fatal(err)
	}
	var fp synthPackage
	for _, p := range pkgs {
		if p.Name == first {
			fp = p
		}
	}
	if h := eval[string](t, ctx, `document.querySelector("h1").textContent`); h != first {
		t.Errorf("package page heading %q, want %q", h, first)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#vlist > li").length`); n != len(fp.Versions) {
		t.Errorf("package page lists %d versions, want %d", n, len(fp.Versions))
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll("#use pre code")].map(c => c.textContent).join("\n")`); !strings.Contains(got, "composer require "+first) {
		t.Errorf("package page does not show composer require %s:\n%s", first, got)
	}
	screenshot(t, ctx, shots, "package-desktop.png")

	// Every link of the page (dists, requirements, the start page) answers 200.
	links := eval[[]string](t, ctx, `[...document.querySelectorAll("a[href]")].map(a => a.href).filter(h => !h.includes("#"))`)
	checked := map[string]bool{}
	for _, l := range links {
		if checked[l] {
			continue
		}
		checked[l] = true
		resp, err := http.Head(l)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("link %s: %v %v", l, resp.Status, err)
		}
	}
	if len(checked) < 3 {
		t.Errorf("package page has only %d distinct links: %v", len(checked), links)
	}

	// The version filter of the product metapackage, which has many versions.
	product := pkgs[slices.IndexFunc(pkgs, func(p synthPackage) bool { return p.Name == "magento/product-community-edition" })]
	if err := open(ctx, base+"browse/"+product.Name+".html"); err != nil {
		t.Fatal(err)
	}
	vq := "100.2"
	wantV := 0
	for _, v := range product.Versions {
		if strings.HasPrefix(v, vq) {
			wantV++
		}
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("vq"), vq)); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `[...document.querySelectorAll("#vlist > li")].filter(li => !li.hidden).length`); n != wantV || wantV == 0 {
		t.Errorf("version filter %q shows %d versions, want %d", vq, n, wantV)
	}

	// The product pins every module in each of its versions: past site.InlineRequirements rows, older versions'
	// lists are read from its p2 file when opened, and then match the versions' requirements.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`q = document.getElementById("vq"); q.value = ""; q.dispatchEvent(new Event("input"))`)); err != nil {
		t.Fatal(err)
	}
	lazy := eval[int](t, ctx, `document.querySelectorAll("details[data-p2]").length`)
	if lazy == 0 || lazy == len(product.Versions) {
		t.Errorf("%d of %d requirement lists left to site.js", lazy, len(product.Versions))
	}
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("details[data-p2]")].slice(-2).forEach(d => d.open = true)`),
		chromedp.WaitReady(chromedp.CSS("#vlist > li:last-child details[data-loaded]"))); err != nil {
		t.Fatal(err)
	}
	type list struct {
		Version string
		Count   int
		Rows    []string
		Links   []string
	}
	lists := eval[[]list](t, ctx, `[...document.querySelectorAll("details[data-loaded]")].map(d => ({
		version: d.dataset.version, count: +d.querySelector(".n").textContent,
		rows: [...d.querySelectorAll("li")].map(li => li.firstChild.textContent + " " + li.lastChild.textContent),
		links: [...d.querySelectorAll("li a")].map(a => a.href)}))`)
	if len(lists) != 2 {
		t.Fatalf("%d lists filled, want 2", len(lists))
	}
	for _, l := range lists {
		if l.Count != len(l.Rows) || l.Count == 0 || len(l.Links) == 0 {
			t.Errorf("%s: %d rows and %d links for %d requirements", l.Version, len(l.Rows), len(l.Links), l.Count)
		}
		k := slices.Index(product.Versions, l.Version)
		for _, row := range l.Rows {
			if name, v, _ := strings.Cut(row, " "); name != "php" && !slices.ContainsFunc(pkgs, func(p synthPackage) bool {
				return p.Name == name && slices.Contains(p.Versions, v)
			}) {
				t.Errorf("%s (#%d): requirement %q is not a published version", l.Version, k, row)
			}
		}
		for _, u := range l.Links[:min(5, len(l.Links))] {
			if resp, err := http.Head(u); err != nil || resp.StatusCode != 200 {
				t.Errorf("link %s: %v", u, err)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#vlist > li:last-child").scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, shots, "package-lazy-desktop.png")

	// Phone width, light and dark.
	if err := viewport(ctx, 390, 844, true); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, base); err != nil {
		t.Fatal(err)
	}
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("start page scrolls sideways at phone width (%d px)", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	screenshot(t, ctx, shots, "index-phone.png")
	if err := open(ctx, base+"browse/"+product.Name+".html"); err != nil {
		t.Fatal(err)
	}
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("package page scrolls sideways at phone width")
	}
	screenshot(t, ctx, shots, "package-phone.png")
	if err := colorScheme(ctx, "dark"); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, base+"?q=module"); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, shots, "index-phone-dark.png")
	if err := viewport(ctx, 1280, 900, false); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, base+"browse/"+first+".html"); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, shots, "package-desktop-dark.png")
	w.check(t)
}

// TestBrowserAuth: behind credentials (magerepo serve --auth-file) the pages explain auth.json, and what site.js
// fetches (the package list, requirement lists from p2 files) comes with the browser's credentials.
func TestBrowserAuth(t *testing.T) {
	ctx := newChromium(t)
	creds, err := server.ParseCredentials(strings.NewReader("alice:correct horse battery staple\n"))
	if err != nil {
		t.Fatal(err)
	}
	base, _, _ := serveSynth(t, synth{Packages: 40, Versions: 900}, repo.PublishOptions{Title: "Private mirror", Auth: true},
		server.Options{Credentials: creds})
	if resp, err := http.Get(base); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without credentials: %v %v", resp.Status, err)
	}
	shots := artifacts(t)
	w := watch(t, ctx, base)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:correct horse battery staple"))
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": basic}}); err != nil {
		t.Fatal(err)
	}
	if err := viewport(ctx, 1280, 900, false); err != nil {
		t.Fatal(err)
	}
	if err := open(ctx, base); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `document.getElementById("count").textContent`); got != "40 packages" {
		t.Errorf("count %q behind credentials", got)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	note := eval[string](t, ctx, `document.querySelector(".note.auth").textContent`)
	if !strings.Contains(note, "needs credentials") || !strings.Contains(note, "http-basic."+host+" USER PASSWORD") {
		t.Errorf("auth note: %q", note)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("details.more").open = true`)); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `[...document.querySelectorAll("details.more pre code")].map(c => c.textContent).join("\n")`); !strings.Contains(got, `"http-basic": {`) || !strings.Contains(got, `"`+host+`": {"username"`) {
		t.Errorf("auth.json snippet:\n%s", got)
	}
	screenshot(t, ctx, shots, "index-auth-desktop.png")
	if err := open(ctx, base+"browse/magento/product-community-edition.html"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#vlist > li:last-child details[data-p2]").open = true`),
		chromedp.WaitReady(chromedp.CSS("#vlist > li:last-child details[data-loaded]"))); err != nil {
		t.Fatal(err)
	}
	w.check(t)
}
