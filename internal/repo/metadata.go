package repo

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/site"
)

// Problem is a version left out of the published metadata, and why.
type Problem struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Reason  string `json:"reason"`
}

func (p Problem) String() string { return p.Name + " " + p.Version + ": " + p.Reason }

// baseURL is a parsed PublishOptions.BaseURL: the absolute prefix of dist URLs
// and the root-absolute path of metadata-url.
type baseURL struct {
	abs  string // ends in "/"
	path string // ends in "/"
}

func parseBaseURL(s string) (baseURL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return baseURL{}, fmt.Errorf("repo: base URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return baseURL{}, fmt.Errorf("repo: base URL %q must be an http(s) URL with a host and no query", s)
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return baseURL{abs: u.Scheme + "://" + u.Host + p, path: p}, nil
}

// distURL returns the absolute URL of a local dist path.
func (b baseURL) distURL(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return b.abs + strings.Join(segs, "/")
}

// packageFiles is what one package contributes to the metadata.
type packageFiles struct {
	name     string
	requires []string // the packages its published versions require, sorted (the publish order follows them)
	tags     []byte   // p2/<name>.json, an empty list when the package has no tagged version
	dev      []byte   // p2/<name>~dev.json, an empty list when it has no dev version
	versions []Entry
	page     site.Package // what the package's web page shows, versions newest first
	problems []Problem
}

// buildPackage renders the p2 files of one package from its entries (sorted
// oldest first).
func buildPackage(name string, entries []Entry, base baseURL, distExists func(string) bool, adv AdvisorySet) packageFiles {
	pf := packageFiles{name: name, page: site.Package{Name: name}}
	var tags, dev []*composer.Object
	for i := len(entries) - 1; i >= 0; i-- { // newest first, as Packagist does
		e := entries[i]
		obj, v, err := versionObject(e, base, distExists)
		if err != nil {
			pf.problems = append(pf.problems, Problem{Name: name, Version: e.Version, Reason: err.Error()})
			continue
		}
		for _, l := range v.LinksOf("require") {
			pf.requires = append(pf.requires, l.Target)
		}
		pf.versions = append(pf.versions, e)
		pf.page.Versions = append(pf.page.Versions, pageVersion(e, obj, v))
		if composer.VersionStability(e.Version) == "dev" {
			dev = append(dev, obj)
		} else {
			tags = append(tags, obj)
		}
	}
	// Both files are written even when one list is empty, as Satis does:
	// Composer (and sync) then get a cacheable 304 instead of a 404 every run.
	slices.Sort(pf.requires)
	pf.requires = slices.Compact(pf.requires)
	pf.tags = p2Document(name, tags, advisoriesOf(adv, name))
	pf.dev = p2Document(name, dev, nil)
	return pf
}

// p2Document is {"minified":"composer/2.0","packages":{name:[…]}}, compact; {"packages":{name:[…]}} in the
// rare case that the list cannot be minified. advisories, unless nil, follow as "security-advisories" (the key
// Composer reads them from in the package's tag file).
func p2Document(name string, versions []*composer.Object, advisories []*composer.Object) []byte {
	if versions == nil {
		versions = []*composer.Object{}
	}
	doc := composer.NewObject()
	list, err := composer.Minify(versions)
	if err == nil {
		doc.SetString("minified", composer.MinifiedFormat)
	} else {
		// A value the minified format cannot carry: the client reads the plain list as well.
		list = make([]*composer.Value, len(versions))
		for i, v := range versions {
			list[i] = composer.ObjectValue(v)
		}
	}
	pk := composer.NewObject()
	pk.Set(name, composer.ArrayValue(list...))
	doc.Set("packages", composer.ObjectValue(pk))
	if advisories != nil {
		list := make([]*composer.Value, len(advisories))
		for i, a := range advisories {
			list[i] = composer.ObjectValue(a)
		}
		doc.Set("security-advisories", composer.ArrayValue(list...))
	}
	return composer.MarshalCompact(composer.ObjectValue(doc))
}

// versionObject validates one entry and returns its p2 version object: the
// metadata with name and version set, version_normalized right after version,
// and the dist last.
func versionObject(e Entry, base baseURL, distExists func(string) bool) (*composer.Object, *composer.Version, error) {
	obj, err := metadataObject(e)
	if err != nil {
		return nil, nil, err
	}
	if local(e.Dist) && !distExists(e.Dist) {
		return nil, nil, fmt.Errorf("dist %s is missing from the output directory", e.Dist)
	}
	if d := distObject(e, base); d != nil {
		obj.Set("dist", composer.ObjectValue(d))
	} else if t, _ := obj.GetString("type"); t != "metapackage" && !obj.Has("source") {
		return nil, nil, fmt.Errorf("no dist and no source, and not a metapackage")
	}
	v, err := checkVersion(obj, e.Name)
	return obj, v, err
}

// Check reports why entry e cannot be published, or nil: its version object must load in the Composer client
// ([composer.LoadVersion]), name the entry's package and have the entry's version. [Repo.Add] and
// [Repo.Replace] refuse such an entry, so a build calls Check before it writes anything.
func Check(e Entry) error {
	obj, err := metadataObject(e)
	if err != nil {
		return err
	}
	_, err = checkVersion(obj, e.Name)
	return err
}

// checkVersion loads obj as the client would; one entry the client cannot load makes it fail on the whole
// package, so such an entry is never published.
func checkVersion(obj *composer.Object, name string) (*composer.Version, error) {
	v, err := composer.LoadVersion(obj)
	if err != nil {
		return nil, err
	}
	if v.Name != name {
		return nil, fmt.Errorf("metadata names package %q", v.PrettyName)
	}
	return v, nil
}

// metadataObject is the entry's metadata with name, version and version_normalized set and any dist removed.
func metadataObject(e Entry) (*composer.Object, error) {
	norm, err := composer.NormalizeVersion(e.Version)
	if err != nil {
		return nil, fmt.Errorf("invalid version: %w", err)
	}
	if e.VersionNormalized != "" && e.VersionNormalized != norm {
		return nil, fmt.Errorf("version_normalized %q does not match %q", e.VersionNormalized, norm)
	}
	doc, err := composer.ParseDocument(e.Metadata)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	if n, ok := doc.GetString("name"); ok && !strings.EqualFold(n, e.Name) {
		return nil, fmt.Errorf("metadata names package %q", n)
	}
	// The version goes where composer.json has it, else right after the name,
	// which is where Packagist puts it too.
	hasVersion := doc.Has("version")
	obj := composer.NewObject()
	setVersion := func() {
		obj.SetString("version", e.Version)
		obj.SetString("version_normalized", norm)
	}
	if !doc.Has("name") {
		obj.SetString("name", e.Name)
		if !hasVersion {
			setVersion()
		}
	}
	for _, k := range doc.Keys() {
		switch k {
		case "version_normalized", "dist":
			continue
		case "version":
			setVersion()
			continue
		}
		v, _ := doc.Get(k)
		obj.Set(k, v)
		if k == "name" && !hasVersion {
			setVersion()
		}
	}
	return obj, nil
}

// distObject is the dist of an entry, or nil when it has none.
func distObject(e Entry, base baseURL) *composer.Object {
	if e.Dist == "" {
		return nil
	}
	u := e.Dist
	if local(e.Dist) {
		u = base.distURL(e.Dist)
	}
	typ := e.DistType
	if typ == "" {
		typ = "zip"
	}
	ref := e.Reference
	if ref == "" {
		ref = e.SHA1
	}
	d := composer.NewObject()
	d.SetString("type", typ)
	d.SetString("url", u)
	d.SetString("shasum", e.SHA1)
	d.SetString("reference", ref)
	if len(e.Mirrors) > 0 {
		ms := make([]*composer.Value, len(e.Mirrors))
		for i, m := range e.Mirrors {
			mo := composer.NewObject()
			mo.SetString("url", m)
			mo.Set("preferred", composer.BoolValue(false))
			ms[i] = composer.ObjectValue(mo)
		}
		d.Set("mirrors", composer.ArrayValue(ms...))
	}
	return d
}

// AdvisorySet is what [Repo.Publish] needs of the security advisories it serves (internal/advisory's DB).
type AdvisorySet interface {
	// Of returns the advisories of package name as the entries of its p2 file's "security-advisories" list, in
	// order, and an empty list when it has none.
	Of(name string) []*composer.Object
}

// advisoriesOf returns the list of package name, or nil when no advisories are served.
func advisoriesOf(adv AdvisorySet, name string) []*composer.Object {
	if adv == nil {
		return nil
	}
	if list := adv.Of(name); list != nil {
		return list
	}
	return []*composer.Object{}
}

// packagesJSON renders the root file; advisories declares that the p2 files carry security advisories.
func packagesJSON(base baseURL, names []string, advisories bool) []byte {
	avail := make([]*composer.Value, len(names))
	for i, n := range names {
		avail[i] = composer.StringValue(n)
	}
	doc := composer.NewObject()
	doc.Set("packages", composer.ArrayValue())
	doc.SetString("metadata-url", base.path+"p2/%package%.json")
	doc.Set("available-packages", composer.ArrayValue(avail...))
	if advisories {
		sa := composer.NewObject()
		sa.Set("metadata", composer.BoolValue(true))
		doc.Set("security-advisories", composer.ObjectValue(sa))
	}
	return composer.MarshalCompact(composer.ObjectValue(doc))
}

// p2Path returns the relative path of a package's p2 file.
func p2Path(name string, dev bool) string {
	if dev {
		return "p2/" + name + "~dev.json"
	}
	return "p2/" + name + ".json"
}

// sortedProblems sorts problems for deterministic reports.
func sortedProblems(ps []Problem) []Problem {
	slices.SortFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := strings.Compare(a.Version, b.Version); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return ps
}
