package sync

import (
	"crypto/rand"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/repo/repotest"
)

func TestFullSyncThenComposerInstalls(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	l := newLocal(t)
	rep := l.sync(t, up.URL(), nil)
	if rep.Failed() || len(rep.Skipped) > 0 {
		t.Fatalf("failures %v, skipped %v", rep.Failures, rep.Skipped)
	}
	if rep.Packages != 4 || rep.Versions != len(testVersions) || rep.Downloaded != 6 || len(rep.Added) != len(testVersions) {
		t.Errorf("report: %d packages, %d versions, %d downloaded, %d added", rep.Packages, rep.Versions, rep.Downloaded, len(rep.Added))
	}
	// Every version is published locally, every dist byte-identical to upstream.
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("local versions and dist sha1s\n got %v\nwant %v", got, want)
	}
	// Dist URLs point at the local copy.
	b := readFile(t, filepath.Join(l.dir, "p2/acme/lib.json"))
	if strings.Contains(string(b), up.URL()) || !strings.Contains(string(b), l.base()+"dist/acme/lib-1.1.0.zip") {
		t.Errorf("dist URLs not rewritten to the local base: %s", b)
	}
	project := repotest.Install(t, l.srv.URL, map[string]string{"acme/meta": "1.0.0"})
	if got, _ := os.ReadFile(filepath.Join(project, "vendor/acme/lib/src/Lib.php")); string(got) != "<?php // 1.1.0-p1\n" {
		t.Errorf("installed acme/lib: %q", got)
	}
}

func TestSecondRunOnlyConditionalRequests(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	l := newLocal(t)
	l.sync(t, up.URL(), nil)
	before := mtimes(t, l.dir)
	up.requests()
	rep := l.sync(t, up.URL(), nil)
	reqs := up.requests()
	if len(reqs) == 0 {
		t.Fatal("no requests")
	}
	for _, r := range reqs {
		if r.status != 304 || r.ims == "" {
			t.Errorf("second run: %s answered %d (If-Modified-Since %q); want only conditional 304s", r.path, r.status, r.ims)
		}
		if strings.HasPrefix(r.path, "/dist/") {
			t.Errorf("second run fetched a dist: %s", r.path)
		}
	}
	if rep.Downloaded != 0 || rep.MetadataFetched != 0 || len(rep.Added)+len(rep.Updated) != 0 {
		t.Errorf("second run report: %+v", rep)
	}
	after := mtimes(t, l.dir)
	for p, m := range before {
		if !after[p].Equal(m) {
			t.Errorf("%s rewritten by a no-op sync", p)
		}
	}
}

func TestUpstreamAddsVersionOnlyThatIsFetched(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	l := newLocal(t)
	l.sync(t, up.URL(), nil)
	up.requests()
	more := append(slices.Clone(testVersions), pkgVer{"acme/util", "2.1.0", `{"name":"acme/util","type":"library"}`, map[string]string{"README": "util 2.1.0\n"}})
	up.publish(more)
	rep := l.sync(t, up.URL(), nil)
	var dists, fetched []string
	for _, r := range up.requests() {
		if strings.HasPrefix(r.path, "/dist/") {
			dists = append(dists, r.path)
		} else if r.status == 200 {
			fetched = append(fetched, r.path)
		}
	}
	if !slices.Equal(dists, []string{"/dist/acme/util-2.1.0.zip"}) {
		t.Errorf("dists fetched: %v, want only the new one", dists)
	}
	// packages.json lists the same names, so it is unchanged too (304).
	if want := []string{"/p2/acme/util.json"}; !slices.Equal(fetched, want) {
		t.Errorf("metadata fetched with a body: %v, want %v", fetched, want)
	}
	if !slices.Equal(rep.Added, []string{"acme/util 2.1.0"}) || rep.Downloaded != 1 {
		t.Errorf("added %v, downloaded %d", rep.Added, rep.Downloaded)
	}
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("local copy differs from upstream:\n got %v\nwant %v", got, want)
	}
}

func TestCorruptedDistRejected(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions[:2])
	l := newLocal(t)
	l.sync(t, up.URL(), nil)
	p2Before := readFile(t, filepath.Join(l.dir, "p2/acme/lib.json"))
	rootBefore := readFile(t, filepath.Join(l.dir, "packages.json"))

	up.publish(testVersions[:3]) // adds acme/lib 1.1.0-p1 …
	up.corrupt["/dist/acme/lib-1.1.0-p1.zip"] = true
	rep := l.sync(t, up.URL(), nil)
	if len(rep.Failures) != 1 || rep.Failures[0].Version != "1.1.0-p1" || !strings.Contains(rep.Failures[0].Reason, "checksum") {
		t.Fatalf("failures: %v, want one checksum failure for 1.1.0-p1", rep.Failures)
	}
	if got := readFile(t, filepath.Join(l.dir, "p2/acme/lib.json")); string(got) != string(p2Before) {
		t.Errorf("p2 file changed although the new version's dist was rejected:\n%s", got)
	}
	if got := readFile(t, filepath.Join(l.dir, "packages.json")); string(got) != string(rootBefore) {
		t.Errorf("packages.json changed")
	}
	for _, name := range []string{"lib-1.1.0-p1.zip", ".lib-1.1.0-p1.zip.part"} {
		if _, err := os.Stat(filepath.Join(l.dir, "dist/acme", name)); err == nil {
			t.Errorf("rejected dist left on disk: %s", name)
		}
	}
	// Upstream fixed: the next run retries the file (its Last-Modified was not
	// remembered) and publishes the version.
	delete(up.corrupt, "/dist/acme/lib-1.1.0-p1.zip")
	rep = l.sync(t, up.URL(), nil)
	if rep.Failed() || !slices.Equal(rep.Added, []string{"acme/lib 1.1.0-p1"}) {
		t.Errorf("after the fix: failures %v, added %v", rep.Failures, rep.Added)
	}
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("local copy differs from upstream:\n got %v\nwant %v", got, want)
	}
}

func TestDroppedConnectionResumesNextRun(t *testing.T) {
	up := newUpstream(t)
	big := make([]byte, 512<<10)
	rand.Read(big)
	vers := []pkgVer{{"acme/big", "1.0.0", `{"name":"acme/big"}`, map[string]string{"blob.bin": string(big)}}}
	up.publish(vers)
	const distPath = "/dist/acme/big-1.0.0.zip"
	up.drop[distPath] = true
	l := newLocal(t)
	rep := l.sync(t, up.URL(), func(o *Options) { o.Retries = 0 }) // no retries: the run must fail
	if len(rep.Failures) != 1 {
		t.Fatalf("failures %v, want the dropped download", rep.Failures)
	}
	part := filepath.Join(l.dir, "dist/acme/.big-1.0.0.zip.part")
	fi, err := os.Stat(part)
	if err != nil || fi.Size() == 0 {
		t.Fatalf("no partial file kept: %v", err)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "packages.json")); err == nil {
		if strings.Contains(string(readFile(t, filepath.Join(l.dir, "packages.json"))), "acme/big") {
			t.Error("incomplete package published")
		}
	}
	delete(up.drop, distPath)
	up.requests()
	rep = l.sync(t, up.URL(), nil)
	if rep.Failed() || rep.Downloaded != 1 || rep.Resumed != 1 {
		t.Fatalf("second run: failures %v, downloaded %d, resumed %d", rep.Failures, rep.Downloaded, rep.Resumed)
	}
	var ranges []string
	for _, r := range up.requests() {
		if r.path == distPath {
			ranges = append(ranges, r.rng)
		}
	}
	if want := "bytes=" + itoa(fi.Size()) + "-"; !slices.Equal(ranges, []string{want}) {
		t.Errorf("dist requests with ranges %q, want one %q", ranges, want)
	}
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("local copy differs from upstream:\n got %v\nwant %v", got, want)
	}
	if _, err := os.Stat(part); err == nil {
		t.Error("partial file left after completion")
	}
}

func TestDroppedConnectionRetriedWithinRun(t *testing.T) {
	up := newUpstream(t)
	big := make([]byte, 64<<10)
	rand.Read(big)
	up.publish([]pkgVer{{"acme/big", "1.0.0", `{"name":"acme/big"}`, map[string]string{"blob.bin": string(big)}}})
	up.drop["/dist/acme/big-1.0.0.zip"] = true
	l := newLocal(t)
	// Each attempt gets half of what is left; the retries resume, but never finish.
	rep := l.sync(t, up.URL(), func(o *Options) { o.Retries = 3 })
	var rangesSeen int
	for _, r := range up.requests() {
		if r.rng != "" {
			rangesSeen++
		}
	}
	if len(rep.Failures) != 1 || rangesSeen != 3 {
		t.Errorf("failures %v, %d ranged retries; want 1 failure after 3 resumed retries", rep.Failures, rangesSeen)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	up.fail500 = 3
	l := newLocal(t)
	rep := l.sync(t, up.URL(), func(o *Options) { o.Retries = 4; o.Jobs = 1 })
	if rep.Failed() {
		t.Fatalf("failures after retries: %v", rep.Failures)
	}
	var errors int
	for _, r := range up.requests() {
		if r.status == 500 {
			errors++
		}
	}
	if errors != 3 {
		t.Errorf("%d requests answered 500, want 3", errors)
	}
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("local copy differs from upstream:\n got %v\nwant %v", got, want)
	}
}

func TestServerErrorsExhaustRetries(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	l := newLocal(t)
	l.sync(t, up.URL(), nil)
	before := readFile(t, filepath.Join(l.dir, "packages.json"))
	up.fail500 = 1000
	r, err := openRepo(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = Run(t.Context(), r, Options{Upstream: up.URL(), BaseURL: l.base(), Backoff: 1, Retries: 2})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("unreachable upstream: %v, want an HTTP 500 error", err)
	}
	if got := readFile(t, filepath.Join(l.dir, "packages.json")); string(got) != string(before) {
		t.Error("packages.json changed by a failed run")
	}
}

func TestRemovedUpstreamKeptUnlessPrune(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	l := newLocal(t)
	l.sync(t, up.URL(), nil)
	// Upstream drops acme/lib 1.0.0 and the whole of other/thing.
	var fewer []pkgVer
	for _, v := range testVersions {
		if (v.name != "acme/lib" || v.version != "1.0.0") && v.name != "other/thing" {
			fewer = append(fewer, v)
		}
	}
	up.publish(fewer)
	rep := l.sync(t, up.URL(), nil)
	if want := []string{"acme/lib 1.0.0", "other/thing 1.0.0"}; !slices.Equal(rep.Gone, want) || rep.Failed() {
		t.Errorf("gone %v (failures %v), want %v", rep.Gone, rep.Failures, want)
	}
	if _, ok := l.published(t)["acme/lib 1.0.0"]; !ok {
		t.Error("a version removed upstream was dropped without --prune")
	}
	// A later run with --prune removes them, even though upstream answers 304.
	rep = l.sync(t, up.URL(), func(o *Options) { o.Prune = true })
	if want := []string{"acme/lib 1.0.0", "other/thing 1.0.0"}; !slices.Equal(rep.Pruned, want) {
		t.Errorf("pruned %v, want %v", rep.Pruned, want)
	}
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("after prune:\n got %v\nwant %v", got, want)
	}
	for _, f := range []string{"dist/acme/lib-1.0.0.zip", "dist/other/thing-1.0.0.zip", "p2/other/thing.json"} {
		if _, err := os.Stat(filepath.Join(l.dir, f)); err == nil {
			t.Errorf("%s not deleted by prune", f)
		}
	}
}

func TestOnlyFilter(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions)
	l := newLocal(t)
	rep := l.sync(t, up.URL(), func(o *Options) { o.Only = []string{"acme/l*", "acme/util"} })
	got := l.published(t)
	var names []string
	for k := range got {
		names = append(names, strings.Fields(k)[0])
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if !slices.Equal(names, []string{"acme/lib", "acme/util"}) || rep.Failed() {
		t.Errorf("synced packages %v (failures %v), want acme/lib and acme/util", names, rep.Failures)
	}
	for _, r := range up.requests() {
		if strings.Contains(r.path, "other/") || strings.Contains(r.path, "meta") {
			t.Errorf("filtered package requested: %s", r.path)
		}
	}
}

func TestKeepUpstreamMirror(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions[4:5])
	l := newLocal(t)
	l.sync(t, up.URL(), func(o *Options) { o.KeepUpstreamMirror = true })
	vs, err := composer.ParseP2(readFile(t, filepath.Join(l.dir, "p2/acme/util.json")), "acme/util")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := vs[0].GetObject("dist")
	m, _ := d.Get("mirrors")
	arr, _ := m.Arr()
	if len(arr) != 1 {
		t.Fatalf("dist mirrors: %v", m)
	}
	mo, _ := arr[0].Obj()
	if u, _ := mo.GetString("url"); u != up.URL()+"/dist/acme/util-2.0.0.zip" {
		t.Errorf("mirror url %q", u)
	}
}

// TestSatisLayout syncs from static files as Satis writes them: pretty-printed,
// not minified, an empty ~dev file, includes beside metadata-url, and dists
// under another directory with other names.
func TestSatisLayout(t *testing.T) {
	up := newUpstream(t)
	zip1 := repotest.Zip(t, map[string]string{"composer.json": `{"name":"acme/lib"}`, "src/A.php": "<?php // 1\n"})
	zip2 := repotest.Zip(t, map[string]string{"composer.json": `{"name":"acme/lib"}`, "src/A.php": "<?php // 2\n"})
	write := func(rel string, b []byte) {
		p := filepath.Join(up.dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dists/acme/lib/acme-lib-1.0.0-abc123.zip", zip1)
	write("dists/acme/lib/acme-lib-1.1.0-def456.zip", zip2)
	version := func(v, file string, zip []byte) map[string]any {
		return map[string]any{
			"name": "acme/lib", "version": v, "version_normalized": v + ".0", "type": "library",
			"require": map[string]string{"php": ">=8.1"},
			"source":  map[string]string{"type": "git", "url": "https://example.com/acme/lib.git", "reference": "abc" + v},
			"dist": map[string]string{"type": "zip", "url": up.URL() + "/dists/acme/lib/" + file,
				"shasum": sha1Hex(zip), "reference": "abc" + v},
			"time": "2024-01-01T00:00:00+00:00",
		}
	}
	p2 := map[string]any{"packages": map[string]any{"acme/lib": []any{
		version("1.1.0", "acme-lib-1.1.0-def456.zip", zip2), version("1.0.0", "acme-lib-1.0.0-abc123.zip", zip1)}}}
	write("p2/acme/lib.json", prettyJSON(t, p2))
	write("p2/acme/lib~dev.json", prettyJSON(t, map[string]any{"packages": map[string]any{"acme/lib": []any{}}}))
	write("include/all$0123.json", prettyJSON(t, map[string]any{"packages": map[string]any{}}))
	write("packages.json", prettyJSON(t, map[string]any{
		"packages": []any{}, "includes": map[string]any{"include/all$0123.json": map[string]string{"sha1": "0123"}},
		"metadata-url": "/p2/%package%.json", "available-packages": []string{"acme/lib"},
	}))
	l := newLocal(t)
	rep := l.sync(t, up.URL()+"/packages.json", nil)
	if rep.Failed() || rep.Downloaded != 2 {
		t.Fatalf("failures %v, downloaded %d", rep.Failures, rep.Downloaded)
	}
	got := l.published(t)
	want := map[string]string{"acme/lib 1.0.0": sha1Hex(zip1), "acme/lib 1.1.0": sha1Hex(zip2)}
	if !maps.Equal(got, want) {
		t.Errorf("published %v, want %v", got, want)
	}
	// Source and time survive; the dist keeps upstream's reference.
	vs, _ := composer.ParseP2(readFile(t, filepath.Join(l.dir, "p2/acme/lib.json")), "acme/lib")
	src, _ := vs[0].GetObject("source")
	d, _ := vs[0].GetObject("dist")
	if ref, _ := d.GetString("reference"); ref != "abc1.1.0" || src == nil || !vs[0].Has("time") {
		t.Errorf("first version lost source, time or reference: %s", readFile(t, filepath.Join(l.dir, "p2/acme/lib.json")))
	}
	// With --mirror-paths the upstream layout is kept.
	l2 := newLocal(t)
	l2.sync(t, up.URL(), func(o *Options) { o.MirrorPaths = true })
	if _, err := os.Stat(filepath.Join(l2.dir, "dists/acme/lib/acme-lib-1.0.0-abc123.zip")); err != nil {
		t.Errorf("--mirror-paths: %v", err)
	}
	repotest.Install(t, l.srv.URL, map[string]string{"acme/lib": "1.1.0"})
}

func TestComposer1AndPatterns(t *testing.T) {
	up := newUpstream(t)
	zip := repotest.Zip(t, map[string]string{"composer.json": `{"name":"acme/one"}`})
	os.MkdirAll(filepath.Join(up.dir, "d"), 0o755)
	os.WriteFile(filepath.Join(up.dir, "d/one.zip"), zip, 0o644)
	entry := map[string]any{"name": "acme/one", "version": "1.0.0",
		"dist": map[string]string{"type": "zip", "url": "/d/one.zip", "shasum": sha1Hex(zip)}}
	os.WriteFile(filepath.Join(up.dir, "packages.json"), prettyJSON(t, map[string]any{
		"packages": map[string]any{"acme/one": map[string]any{"1.0.0": entry}}}), 0o644)
	l := newLocal(t)
	rep := l.sync(t, up.URL(), nil)
	if rep.Failed() || !slices.Equal(rep.Added, []string{"acme/one 1.0.0"}) {
		t.Errorf("composer 1 inline: failures %v, added %v", rep.Failures, rep.Added)
	}

	// Patterns without a list endpoint cannot be enumerated: a clear error.
	os.WriteFile(filepath.Join(up.dir, "packages.json"), prettyJSON(t, map[string]any{
		"packages": []any{}, "metadata-url": "/p2/%package%.json", "available-package-patterns": []string{"acme/*"}}), 0o644)
	r, _ := openRepo(t.TempDir())
	defer r.Close()
	_, err := Run(t.Context(), r, Options{Upstream: up.URL(), BaseURL: l.base()})
	if err == nil || !strings.Contains(err.Error(), "no list endpoint") {
		t.Errorf("patterns without list: %v", err)
	}
	// Nothing at all: a clear error too.
	os.WriteFile(filepath.Join(up.dir, "packages.json"), []byte(`{"packages":[]}`), 0o644)
	_, err = Run(t.Context(), r, Options{Upstream: up.URL(), BaseURL: l.base()})
	if err == nil || !strings.Contains(err.Error(), "no package list found") {
		t.Errorf("no list: %v", err)
	}
}

func prettyJSON(t *testing.T, v any) []byte {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSyncPublishesWhatComposerLoads: an upstream version with a symfony-style "replace": "self.version" is
// synced (Composer loads it); a version Composer cannot load is left out and reported, and the rest of the
// package is published.
func TestSyncPublishesWhatComposerLoads(t *testing.T) {
	dir := t.TempDir()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	zip := repotest.Zip(t, map[string]string{"composer.json": `{"name":"acme/sym","version":"1.0.0"}`})
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dist/sym-1.0.0.zip", string(zip))
	write("packages.json", `{"packages":[],"metadata-url":"/p2/%package%.json","available-packages":["acme/sym"]}`)
	dist := func() string {
		return `"dist":{"type":"zip","url":"` + srv.URL + `/dist/sym-1.0.0.zip","shasum":"` + sha1Hex(zip) + `"}`
	}
	write("p2/acme/sym.json", `{"minified":"composer/2.0","packages":{"acme/sym":[`+
		`{"name":"acme/sym","version":"1.1.0","require":["acme/x"],`+dist()+`},`+
		`{"version":"1.0.0","require":"__unset","replace":{"acme/sym-old":"self.version"}}]}}`)
	l := newLocal(t)
	rep := l.sync(t, srv.URL, nil)
	if got := l.published(t); !maps.Equal(got, map[string]string{"acme/sym 1.0.0": sha1Hex(zip)}) {
		t.Errorf("published %v, want acme/sym 1.0.0 only", got)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].Version != "1.1.0" || !strings.Contains(rep.Skipped[0].Reason, "Composer cannot load this version: require 0:") {
		t.Errorf("skipped %v, want acme/sym 1.1.0 (a list as require)", rep.Skipped)
	}
	if rep.Failed() {
		t.Errorf("failures: %v", rep.Failures)
	}
}

// TestSyncBrokenMetadataFileKeepsVersions: a p2 file that is valid JSON but no metadata file (Composer reads it
// as "no versions") fails its package; with --prune the local versions stay.
func TestSyncBrokenMetadataFileKeepsVersions(t *testing.T) {
	up := newUpstream(t)
	up.publish(testVersions[4:5]) // acme/util 2.0.0
	l := newLocal(t)
	l.sync(t, up.URL(), nil)
	if err := os.WriteFile(filepath.Join(up.dir, "p2/acme/util.json"), []byte(`[]`), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(48 * time.Hour) // after the times publish gave the files: a 200, not a 304
	os.Chtimes(filepath.Join(up.dir, "p2/acme/util.json"), later, later)
	os.Remove(filepath.Join(up.dir, "p2/acme/util.json.gz"))
	rep := l.sync(t, up.URL(), func(o *Options) { o.Prune = true })
	if !rep.Failed() || len(rep.Pruned) != 0 {
		t.Fatalf("failures %v, pruned %v: want the package failed and nothing pruned", rep.Failures, rep.Pruned)
	}
	if got := l.published(t); got["acme/util 2.0.0"] == "" {
		t.Errorf("acme/util 2.0.0 is gone: %v", got)
	}
}
