package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
)

// Paths of the pages, relative to the output directory. Package pages are one level deeper than the files of
// Dir itself (a package name has a vendor and a name), so no package page can ever collide with them.
const (
	// Index is the start page; servers answer "/" with it.
	Index = "index.html"
	// Dir holds everything else the pages use.
	Dir = "browse"
	// IndexJSON is the package list the start page filters ([IndexData]).
	IndexJSON = Dir + "/index.json"
)

// Names are the top-level names of the output directory the pages occupy; no dist path may start with one
// (internal/repo's layout rule).
var Names = []string{Index, Dir}

// PagePath returns the path of a package's page: browse/<vendor>/<name>.html.
func PagePath(name string) string { return Dir + "/" + name + ".html" }

// Repository is what every page says about the repository as a whole.
type Repository struct {
	// Title heads every page; "Composer repository" when empty.
	Title string
	// URL is the base URL the repository is served at, ending in "/": what composer.json must name.
	URL string
	// Auth tells users that the server wants credentials, and how to put them in auth.json.
	Auth bool
}

// Package is one package as its page shows it.
type Package struct {
	Name string
	// Versions are the published versions, newest first (the order of the p2 files).
	Versions []Version
}

// Version is one published version.
type Version struct {
	Version     string
	Description string
	Type        string
	License     []string
	Homepage    string
	// Time is the metadata's "time" (the release date), as written; "" when absent. Pages never show the
	// build machine's clock, so a version without it has no date.
	Time    string
	Require []Link
	// Dist is the archive; zero for a metapackage.
	Dist Dist
}

// Link is one requirement.
type Link struct {
	Target, Constraint string
}

// Dist is the archive of a version: a file of the repository (Path) or a remote URL.
type Dist struct {
	// Path is relative to the output directory, unescaped ("dist/acme/lib-1.0.0.zip"); "" for a remote dist.
	Path string
	// URL is a remote dist's absolute URL.
	URL  string
	Type string
	SHA1 string
	Size int64
}

// Summary is one package in the start page's list: what the filter searches and each row shows.
type Summary struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
	// Version is the latest version ([Package.Latest]); Time its release date (YYYY-MM-DD) when known.
	Version string `json:"version"`
	Time    string `json:"time,omitempty"`
	// Versions counts the published versions.
	Versions int `json:"versions"`
}

// Latest returns the version a reader most likely wants: the newest stable one, else the newest that is not
// a development version, else the newest. The page's description, type and license are this version's.
func (p Package) Latest() Version {
	if len(p.Versions) == 0 {
		return Version{}
	}
	for _, want := range []func(string) bool{
		func(s string) bool { return s == composer.StabilityStable },
		func(s string) bool { return s != composer.StabilityDev },
	} {
		for _, v := range p.Versions {
			if want(composer.VersionStability(v.Version)) {
				return v
			}
		}
	}
	return p.Versions[0]
}

// Summarize returns p's row of the start page.
func Summarize(p Package) Summary {
	l := p.Latest()
	s := Summary{Name: p.Name, Description: l.Description, Type: l.Type, Version: l.Version, Versions: len(p.Versions)}
	if t, ok := releaseTime(l.Time); ok {
		s.Time = t.Format(time.DateOnly)
	}
	return s
}

// IndexData renders browse/index.json: {"packages":[summary, ...]} in the order given (sorted by name).
func IndexData(pkgs []Summary) []byte {
	if pkgs == nil {
		pkgs = []Summary{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // the file is JSON, never inlined into HTML
	if err := enc.Encode(struct {
		Packages []Summary `json:"packages"`
	}{pkgs}); err != nil {
		panic(err) // strings and ints only: cannot fail
	}
	return b.Bytes()
}

// File is one static file of the pages.
type File struct {
	Path string
	Data []byte
}

// Assets returns the style sheet and script every page loads; their bytes depend on nothing but this package.
func Assets() []File {
	return []File{{Dir + "/site.css", siteCSS}, {Dir + "/site.js", siteJS}}
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/site.css
var siteCSS []byte

//go:embed assets/site.js
var siteJS []byte

// assetVersion is appended to asset URLs, so that caches that do not revalidate (an object store's CDN)
// still fetch the new file when magerepo changes it.
var assetVersion = func() string {
	h := sha256.New()
	h.Write(siteCSS)
	h.Write(siteJS)
	return hex.EncodeToString(h.Sum(nil))[:10]
}()

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"size":      formatSize,
	"stability": stabilityLabel,
	"plural":    plural,
	"thousands": thousands,
}).ParseFS(templateFS, "templates/*.html"))

// page is what the shared parts of every page read.
type page struct {
	Root    string // relative path from the page to the output directory ("" or "../../")
	Asset   string
	Title   string
	Use     usage
	Heading string // the document title before the repository's
	Icon    template.URL
}

// icon is the pages' favicon, inline: without one, browsers ask the server for /favicon.ico, a 404 in
// every visit's log.
const icon = template.URL(`data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%23c2410c'/%3E%3Cpath d='M4 11V5l4 3 4-3v6' fill='none' stroke='white' stroke-width='1.6' stroke-linejoin='round'/%3E%3C/svg%3E`)

// usage is the "how to use this repository" block.
type usage struct {
	URL, Name  string
	JSON       string // the composer.json "repositories" entry
	Insecure   bool   // plain http: Composer needs secure-http off
	Auth       bool
	Host       string // auth.json's key
	AuthJSON   string
	RequireArg string // "vendor/package" on the start page, the package's name on its page
}

func newPage(r Repository, root, heading, require string) page {
	title := r.Title
	if title == "" {
		title = "Composer repository"
	}
	u := usage{URL: r.URL, Name: repositoryName(r), Auth: r.Auth, RequireArg: require}
	u.JSON = repositoriesJSON(u.Name, r.URL)
	if pu, err := url.Parse(r.URL); err == nil {
		u.Insecure = pu.Scheme == "http"
		u.Host = authHost(pu)
	}
	u.AuthJSON = authJSON(u.Host)
	return page{Root: root, Asset: assetVersion, Title: title, Use: u, Heading: heading, Icon: icon}
}

// IndexPage renders index.html: how to use the repository, and the package list (filled by site.js from
// browse/index.json; a plain list of links for readers without JavaScript).
func IndexPage(r Repository, pkgs []Summary) []byte {
	versions := 0
	for _, p := range pkgs {
		versions += p.Versions
	}
	data := struct {
		page
		Packages []Summary
		Versions int
	}{newPage(r, "", "", "vendor/package"), pkgs, versions}
	return execute("index.html", data)
}

// InlineRequirements bounds the requirement rows a package page carries. Beyond it (a product metapackage
// pins hundreds of modules in each of a hundred releases: megabytes of rows), the requirements of older versions
// are not in the page: site.js reads them from the package's p2 file when a reader opens them, and a reader
// without JavaScript gets a link to that file. The latest version's requirements are always in the page.
const InlineRequirements = 2000

// PackagePage renders a package's page. listed reports whether a package has a page, so requirements of this
// repository link to theirs.
func PackagePage(r Repository, p Package, listed func(name string) bool) []byte {
	type link struct {
		Link
		Href string
	}
	type version struct {
		Version
		ID, Stability, Date, DateTime, DistHref string
		Require                                 []link
		Requires                                int    // len(Require), or the count of a list left to site.js
		P2                                      string // the p2 file site.js reads a list left out from
	}
	l := p.Latest()
	vs := make([]version, len(p.Versions))
	ids := map[string]int{}
	vendor, _, _ := strings.Cut(p.Name, "/")
	href := func(target string) string {
		if v, n, _ := strings.Cut(target, "/"); v == vendor {
			return n + ".html" // both pages are browse/<vendor>/<name>.html
		}
		return "../" + target + ".html"
	}
	rows := 0
	var lazyPages []string // pages the lists left to site.js may link
	lazySeen := map[string]bool{}
	for i, v := range p.Versions {
		x := version{Version: v, Stability: composer.VersionStability(v.Version)}
		x.ID = anchor(v.Version)
		if n := ids[x.ID]; n > 0 { // two versions that differ only in characters an id cannot hold
			ids[x.ID]++
			x.ID += "-" + strconv.Itoa(n+1)
		} else {
			ids[x.ID] = 1
		}
		if t, ok := releaseTime(v.Time); ok {
			x.Date, x.DateTime = t.Format(time.DateOnly), t.Format(time.RFC3339)
		}
		switch {
		case v.Dist.Path != "":
			x.DistHref = "../../" + escapePath(v.Dist.Path)
		case v.Dist.URL != "":
			x.DistHref = v.Dist.URL
		}
		x.Requires = len(v.Require)
		if v.Version != l.Version && rows+len(v.Require) > InlineRequirements {
			x.P2 = "../../p2/" + p.Name + ".json"
			if x.Stability == composer.StabilityDev {
				x.P2 = "../../p2/" + p.Name + "~dev.json"
			}
			for _, rq := range v.Require {
				if rq.Target != p.Name && !lazySeen[rq.Target] && listed(rq.Target) {
					lazySeen[rq.Target] = true
					lazyPages = append(lazyPages, rq.Target)
				}
			}
			vs[i] = x
			continue
		}
		rows += len(v.Require)
		for _, rq := range v.Require {
			k := link{Link: rq}
			if rq.Target != p.Name && listed(rq.Target) {
				k.Href = href(rq.Target)
			}
			x.Require = append(x.Require, k)
		}
		vs[i] = x
	}
	slices.Sort(lazyPages)
	data := struct {
		page
		Name, Vendor, Short, LatestID, LatestDate, Homepage string
		Latest                                              Version
		Versions                                            []version
		LazyPages                                           string // space-separated
	}{page: newPage(r, "../../", p.Name, p.Name), Name: p.Name, Latest: l, Versions: vs, LazyPages: strings.Join(lazyPages, " ")}
	data.Vendor, data.Short, _ = strings.Cut(p.Name, "/")
	for _, v := range vs {
		if v.Version.Version == l.Version {
			data.LatestID, data.LatestDate = v.ID, v.Date
			break
		}
	}
	if u, err := url.Parse(l.Homepage); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
		data.Homepage = l.Homepage // anything else (javascript:, data:) is not a home page
	}
	return execute("package.html", data)
}

func execute(name string, data any) []byte {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		// The templates are part of the binary and the data are plain values: a failure is a bug here.
		panic(fmt.Sprintf("site: %s: %v", name, err))
	}
	return b.Bytes()
}

// repositoryName is the key of the repository in composer.json and in "composer config repositories.<key>":
// the title or else the host as lower-case words joined by "-" (a dot would nest the config key).
func repositoryName(r Repository) string {
	s := r.Title
	if s == "" {
		if u, err := url.Parse(r.URL); err == nil {
			s = u.Hostname()
		}
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "repo"
	}
	return b.String()
}

// repositoriesJSON is the "repositories" entry of composer.json that "composer config repositories.<name>"
// writes.
func repositoriesJSON(name, u string) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return "\"repositories\": {\n    " + q(name) + ": {\n        \"type\": \"composer\",\n        \"url\": " + q(u) + "\n    }\n}"
}

// authHost is the key Composer files credentials under: the host, with the port when it is not the scheme's
// default.
func authHost(u *url.URL) string {
	h, p := u.Hostname(), u.Port()
	if p == "" || (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
		return h
	}
	return h + ":" + p
}

func authJSON(host string) string {
	b, _ := json.Marshal(host)
	return "{\n    \"http-basic\": {\n        " + string(b) + ": {\"username\": \"USER\", \"password\": \"PASSWORD\"}\n    }\n}"
}

// releaseTime parses a metadata time in the forms Composer and Packagist write, in UTC (a time without a zone
// is UTC, as Composer reads it), so the page never depends on the build machine's zone.
func releaseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateTime, "2006-01-02 15:04:05Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// anchor is a version's fragment id: "v-" and the version with characters other than [A-Za-z0-9._-]
// replaced, so it needs no escaping in a URL.
func anchor(v string) string {
	return "v-" + strings.Map(func(c rune) rune {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' {
			return c
		}
		return '_'
	}, v)
}

// escapePath escapes each segment of a slash path for use in a URL.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// stabilityLabel is the badge of a version that is not stable, "" for a stable one.
func stabilityLabel(s string) string {
	if s == composer.StabilityStable {
		return ""
	}
	return s
}

// formatSize prints a byte count the way browsers show downloads (decimal units).
func formatSize(n int64) string {
	switch {
	case n <= 0:
		return ""
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + " kB"
	case n < 1000*1000*1000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(float64(n)/1e9, 'f', 2, 64) + " GB"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands groups digits by three with commas.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
