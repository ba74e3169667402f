package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

var testRepo = Repository{Title: "Acme packages", URL: "https://repo.example.com:8443/sub/"}

func testPackage() Package { // acme/lib: dev-main, a beta, the latest stable 1.2.0, and 1.0.0
	return Package{Name: "acme/lib", Versions: []Version{
		{Version: "dev-main", Type: "library", Description: "Development head"},
		{Version: "2.0.0-beta1", Type: "library", Time: "2024-03-01T23:30:00-05:00", Description: "Next"},
		{Version: "1.2.0", Type: "library", License: []string{"MIT"}, Description: "A <b>library</b> & more",
			Time: "2024-01-31 10:00:00", Homepage: "https://acme.example/lib",
			Require: []Link{{"php", ">=8.1"}, {"acme/util", "^2.0"}, {"acme/gone", "^1.0"}, {"other/x", "~1.0"}},
			Dist:    Dist{Path: "dist/acme/lib 1.2.0.zip", SHA1: "be9c398ee5ba6683c0ac6d42187fdbc6a37fc7d3", Size: 12345}},
		{Version: "1.0.0", Type: "library", Dist: Dist{URL: "https://cdn.example/lib-1.0.0.zip", SHA1: "aa"}},
	}}
}

func listedOnly(names ...string) func(string) bool {
	return func(n string) bool {
		for _, x := range names {
			if x == n {
				return true
			}
		}
		return false
	}
}

func TestPackagePage(t *testing.T) {
	b := string(PackagePage(testRepo, testPackage(), listedOnly("acme/lib", "acme/util", "other/x")))
	for _, want := range []string{
		`<h1><span class="vendor">acme/</span>lib</h1>`,
		`A &lt;b&gt;library&lt;/b&gt; &amp; more`, // the latest stable version's description, escaped
		`<a href="#v-1.2.0">1.2.0</a>`,            // latest: the newest stable version, not dev-main or the beta
		`<dd>MIT</dd>`,
		`href="https://acme.example/lib"`,
		`composer require acme/lib`,
		`<li id="v-1.2.0" class="version">`,
		`<time datetime="2024-03-02T04:30:00Z">2024-03-02</time>`, // release dates in UTC, never the machine's zone
		`<time datetime="2024-01-31T10:00:00Z">2024-01-31</time>`,
		`href="../../dist/acme/lib%201.2.0.zip"`, // relative, so the pages work under any base path
		`href="https://cdn.example/lib-1.0.0.zip"`,
		`12.3 kB`,
		`<code>be9c398ee5ba6683c0ac6d42187fdbc6a37fc7d3</code>`,
		`<a href="util.html">acme/util</a> <code>^2.0</code>`, // a page of the same vendor is a sibling
		`<a href="../other/x.html">other/x</a> <code>~1.0</code>`,
		`<span>acme/gone</span>`, // not in this repository: no link to a page that does not exist
		`<span>php</span> <code>&gt;=8.1</code>`,
		`<span class="badge beta">beta</span>`,
		`<span class="badge dev">dev</span>`,
		`<details open><summary>Requires <span class="n">4</span>`, // the latest version's requirements are open
		`href="../../browse/site.css?v=` + assetVersion + `"`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("package page lacks %s", want)
		}
	}
	if strings.Contains(b, "auth.json") {
		t.Error("auth.json mentioned for a repository without credentials")
	}
	if strings.Contains(b, "secure-http") {
		t.Error("secure-http note for an https repository")
	}
}

func TestPagesAreDeterministic(t *testing.T) {
	p := testPackage()
	a := PackagePage(testRepo, p, listedOnly("acme/util"))
	b := PackagePage(testRepo, p, listedOnly("acme/util"))
	if !bytes.Equal(a, b) {
		t.Error("two renderings of one package differ")
	}
	sums := []Summary{Summarize(p)}
	if !bytes.Equal(IndexPage(testRepo, sums), IndexPage(testRepo, sums)) || !bytes.Equal(IndexData(sums), IndexData(sums)) {
		t.Error("two renderings of one index differ")
	}
}

func TestAuthAndPlainHTTP(t *testing.T) {
	r := Repository{URL: "http://127.0.0.1:8080/", Auth: true}
	b := string(IndexPage(r, nil))
	for _, want := range []string{
		`composer config repositories.127-0-0-1 composer http://127.0.0.1:8080/`,
		`composer config secure-http false`,
		`This repository needs credentials.`,
		`http-basic.127.0.0.1:8080 USER PASSWORD`, // Composer keys credentials by host and non-default port
		`&#34;127.0.0.1:8080&#34;: {&#34;username&#34;`,
		`<title>Composer repository</title>`,
		`0 packages · 0 versions`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("index page lacks %s", want)
		}
	}
	if h := string(IndexPage(Repository{URL: "https://repo.example.com:443/", Auth: true}, nil)); !strings.Contains(h, "http-basic.repo.example.com USER") {
		t.Error("the default port is part of the auth.json key")
	}
}

func TestIndex(t *testing.T) {
	sums := []Summary{Summarize(testPackage()), {Name: "acme/util", Version: "2.0.0", Versions: 1, Type: "metapackage"}}
	var doc struct {
		Packages []Summary `json:"packages"`
	}
	data := IndexData(sums)
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want := Summary{Name: "acme/lib", Description: "A <b>library</b> & more", Type: "library", Version: "1.2.0", Time: "2024-01-31", Versions: 4}
	if len(doc.Packages) != 2 || doc.Packages[0] != want {
		t.Errorf("index.json: %s", data)
	}
	if !bytes.Contains(data, []byte(`"A <b>library</b> & more"`)) {
		t.Errorf("index.json escapes HTML it never is part of: %s", data)
	}
	h := string(IndexPage(testRepo, sums))
	for _, want := range []string{`data-index="browse/index.json"`, `<a href="browse/acme/util.html">acme/util</a>`, `2 packages · 5 versions`, `composer require vendor/package`} {
		if !strings.Contains(h, want) {
			t.Errorf("index page lacks %s", want)
		}
	}
	if strings.Contains(h, "library</b>") {
		t.Error("index page carries descriptions: they belong in index.json")
	}
}

func TestLatest(t *testing.T) {
	for _, tc := range []struct {
		name     string
		versions []string
		want     string
	}{
		{"stable over newer pre-release and dev", []string{"dev-main", "2.0.0-RC1", "1.9.9", "1.0.0"}, "1.9.9"},
		{"patch releases are stable", []string{"2.4.7-p3", "2.4.7"}, "2.4.7-p3"},
		{"pre-release over dev", []string{"dev-main", "1.0.0-beta2", "1.0.0-alpha1"}, "1.0.0-beta2"},
		{"dev only", []string{"dev-main", "dev-next"}, "dev-main"},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Package{Name: "a/b"}
			for _, v := range tc.versions {
				p.Versions = append(p.Versions, Version{Version: v})
			}
			if got := p.Latest().Version; got != tc.want {
				t.Errorf("latest of %v is %q, want %q", tc.versions, got, tc.want)
			}
		})
	}
}

func TestAnchorsAreUnique(t *testing.T) {
	p := Package{Name: "a/b", Versions: []Version{{Version: "dev-feature/x"}, {Version: "dev-feature_x"}, {Version: "dev-feature+x"}}}
	b := string(PackagePage(testRepo, p, listedOnly()))
	for _, id := range []string{`id="v-dev-feature_x"`, `id="v-dev-feature_x-2"`, `id="v-dev-feature_x-3"`} {
		if strings.Count(b, id) != 1 {
			t.Errorf("%s appears %d times", id, strings.Count(b, id))
		}
	}
}

func TestUnsafeHomepageIsNotLinked(t *testing.T) {
	p := Package{Name: "a/b", Versions: []Version{{Version: "1.0.0", Homepage: "javascript:alert(1)"}}}
	if b := string(PackagePage(testRepo, p, listedOnly())); strings.Contains(b, "javascript:") || strings.Contains(b, "Homepage") {
		t.Error("a javascript: home page is shown")
	}
}

func TestRepositoryName(t *testing.T) {
	for _, tc := range []struct{ title, url, want string }{
		{"Magento Open Source mirror", "https://mirror.example.com/", "magento-open-source-mirror"},
		{"", "https://mirror.mage-os.org/", "mirror-mage-os-org"},
		{"  Acme's Repo!  ", "https://x/", "acme-s-repo"},
		{"???", "https://x/", "repo"},
	} {
		if got := repositoryName(Repository{Title: tc.title, URL: tc.url}); got != tc.want {
			t.Errorf("repositoryName(%q, %q) = %q, want %q", tc.title, tc.url, got, tc.want)
		}
	}
}

func TestReleaseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2021-08-10T17:46:49+00:00": "2021-08-10",
		"2021-08-10T23:46:49-02:00": "2021-08-11",
		"2021-08-10 17:46:49":       "2021-08-10",
		"2021-08-10T17:46:49":       "2021-08-10",
		"2021-08-10":                "2021-08-10",
		"yesterday":                 "",
		"":                          "",
	} {
		got := ""
		if tm, ok := releaseTime(in); ok {
			got = tm.Format("2006-01-02")
		}
		if got != want {
			t.Errorf("releaseTime(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPagePaths(t *testing.T) {
	// A package page is browse/<vendor>/<name>.html: one level deeper than the files of browse/ itself.
	if got := PagePath("acme/lib"); got != "browse/acme/lib.html" {
		t.Errorf("PagePath = %s", got)
	}
	for _, f := range append(Assets(), File{Path: IndexJSON}) {
		if strings.Count(f.Path, "/") != 1 || !strings.HasPrefix(f.Path, Dir+"/") {
			t.Errorf("%s could collide with a package page", f.Path)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "", 999: "999 B", 1000: "1.0 kB", 12345: "12.3 kB", 2_500_000: "2.5 MB", 3_210_000_000: "3.21 GB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands = %s", got)
	}
}

// TestLargePagesLeaveRequirementsOut: past InlineRequirements rows, older versions' lists are left to site.js,
// which reads them from the package's p2 file; the latest version's list is always in the page.
func TestLargePagesLeaveRequirementsOut(t *testing.T) {
	p := Package{Name: "acme/product"}
	for i := range 30 {
		v := Version{Version: fmt.Sprintf("2.%d.0", 30-i)}
		if i == 29 {
			v.Version = "dev-main"
		}
		for j := range 100 {
			v.Require = append(v.Require, Link{fmt.Sprintf("acme/module-%03d", j), "1.0." + strconv.Itoa(i)})
		}
		p.Versions = append(p.Versions, v)
	}
	b := string(PackagePage(testRepo, p, func(n string) bool { return n != "acme/module-007" }))
	inline := strings.Count(b, "<li><a href=") + strings.Count(b, "<li><span>")
	if inline != InlineRequirements {
		t.Errorf("%d requirement rows in the page, want %d", inline, InlineRequirements)
	}
	for _, want := range []string{
		`<details data-p2="../../p2/acme/product.json" data-version="2.10.0"><summary>Requires <span class="n">100</span>`,
		`<details data-p2="../../p2/acme/product~dev.json" data-version="dev-main">`,
		`<a href="../../p2/acme/product.json">the package's metadata</a>`,
		`data-name="acme/product" data-pages="acme/module-000 acme/module-001`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(b, "acme/module-007 ") || strings.Count(b, "data-p2=") != 10 {
		t.Errorf("%d lists left out, or a package without a page in data-pages", strings.Count(b, "data-p2="))
	}
}
