package sync

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/repo"
)

// rootURL returns the URL of the upstream packages.json, as Composer derives it
// (composer-protocol.md §1.1): the URL itself when its path names a .json
// file, else packages.json below it.
func rootURL(upstream string) (*url.URL, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("sync: upstream URL %q: %w", upstream, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sync: upstream URL %q must be an http(s) URL", upstream)
	}
	u.Fragment = ""
	if !strings.HasSuffix(u.Path, ".json") {
		u.Path = strings.TrimRight(u.Path, "/") + "/packages.json"
		u.RawPath = ""
	}
	return u, nil
}

// placeholder is replaced by the package name in metadata-url.
const placeholder = "%package%"

// listing is what the upstream root file says about its packages.
type listing struct {
	metadataURL string // with %package%, resolved; "" for a Composer 1 repository
	names       []string
	// inline holds versions given in the root file or its includes (Composer 1),
	// by package name.
	inline map[string][]*composer.Object
}

// parseRoot reads an upstream packages.json and finds the package list:
// available-packages, available-package-patterns resolved through the list
// endpoint, or the Composer 1 inline packages and includes.
func (s *syncer) parseRoot(ctx context.Context, root *url.URL, body []byte) (*listing, error) {
	doc, err := composer.ParseDocument(body)
	if err != nil {
		return nil, fmt.Errorf("sync: %s: %w", root, err)
	}
	l := &listing{inline: map[string][]*composer.Object{}}
	if mu, ok := doc.GetString("metadata-url"); ok && mu != "" {
		if !strings.Contains(mu, placeholder) {
			return nil, fmt.Errorf("sync: %s: metadata-url %q has no %s placeholder", root, mu, placeholder)
		}
		// "%pa" is no valid URL escape: resolve with a stand-in, then put the
		// placeholder back.
		const standIn = "MAGEREPO-PACKAGE-PLACEHOLDER"
		ref, err := url.Parse(strings.ReplaceAll(mu, placeholder, standIn))
		if err != nil {
			return nil, fmt.Errorf("sync: %s: metadata-url %q: %w", root, mu, err)
		}
		l.metadataURL = strings.ReplaceAll(root.ResolveReference(ref).String(), standIn, placeholder)
	}
	names := stringList(doc, "available-packages")
	if patterns := stringList(doc, "available-package-patterns"); len(patterns) > 0 {
		listed, err := s.listEndpoint(ctx, root, doc)
		if err != nil {
			return nil, err
		}
		if listed == nil {
			return nil, fmt.Errorf("sync: %s: only available-package-patterns and no list endpoint; cannot enumerate packages", root)
		}
		m := newMatcher(patterns)
		for _, n := range listed {
			if m.match(n) {
				names = append(names, n)
			}
		}
	}
	if err := s.inlinePackages(ctx, root, doc, l, 0); err != nil {
		return nil, err
	}
	for n := range l.inline {
		names = append(names, n)
	}
	if len(names) == 0 && l.metadataURL != "" {
		listed, err := s.listEndpoint(ctx, root, doc)
		if err != nil {
			return nil, err
		}
		names = listed
	}
	if len(names) == 0 && !hasEmptyList(doc) {
		return nil, fmt.Errorf("sync: %s: no package list found (no available-packages, available-package-patterns with a list endpoint, list, packages or includes)", root)
	}
	for _, n := range names {
		n = strings.ToLower(n)
		if composer.ValidatePackageName(n) == nil {
			l.names = append(l.names, n)
		}
	}
	slices.Sort(l.names)
	l.names = slices.Compact(l.names)
	return l, nil
}

// hasEmptyList reports whether the root explicitly lists no packages, which is
// a valid empty repository rather than a missing list.
func hasEmptyList(doc *composer.Object) bool {
	v, ok := doc.Get("available-packages")
	if !ok {
		return false
	}
	a, ok := v.Arr()
	return ok && len(a) == 0
}

// listEndpoint fetches the names from the root's "list" URL, or returns nil if
// it has none.
func (s *syncer) listEndpoint(ctx context.Context, root *url.URL, doc *composer.Object) ([]string, error) {
	lu, ok := doc.GetString("list")
	if !ok || lu == "" {
		return nil, nil
	}
	ref, err := url.Parse(lu)
	if err != nil {
		return nil, fmt.Errorf("sync: %s: list %q: %w", root, lu, err)
	}
	u := root.ResolveReference(ref).String()
	res, err := s.c.fetchMeta(ctx, u, "")
	if err != nil {
		return nil, fmt.Errorf("sync: list: %w", err)
	}
	if res.status != 200 {
		return nil, fmt.Errorf("sync: list %s: HTTP %d", u, res.status)
	}
	ld, err := composer.ParseDocument(res.body)
	if err != nil {
		return nil, fmt.Errorf("sync: list %s: %w", u, err)
	}
	names := stringList(ld, "packageNames")
	if names == nil {
		names = []string{}
	}
	return names, nil
}

// inlinePackages collects Composer 1 versions from the root's "packages" map and
// its "includes" (fetched, nested at most a few levels). Composer 2 ignores
// includes when metadata-url exists, and so does this.
func (s *syncer) inlinePackages(ctx context.Context, root *url.URL, doc *composer.Object, l *listing, depth int) error {
	if pv, ok := doc.Get("packages"); ok {
		if po, ok := pv.Obj(); ok {
			for _, name := range po.Keys() {
				vv, _ := po.Get(name)
				vo, ok := vv.Obj()
				if !ok {
					continue
				}
				for _, ver := range vo.Keys() {
					ev, _ := vo.Get(ver)
					if eo, ok := ev.Obj(); ok {
						lname := strings.ToLower(name)
						l.inline[lname] = append(l.inline[lname], eo)
					}
				}
			}
		}
	}
	if l.metadataURL != "" || depth > 3 {
		return nil
	}
	inc, ok := doc.GetObject("includes")
	if !ok {
		return nil
	}
	for _, path := range inc.Keys() {
		ref, err := url.Parse(path)
		if err != nil {
			return fmt.Errorf("sync: include %q: %w", path, err)
		}
		u := root.ResolveReference(ref).String()
		res, err := s.c.fetchMeta(ctx, u, "")
		if err != nil {
			return fmt.Errorf("sync: include: %w", err)
		}
		if res.status != 200 {
			return fmt.Errorf("sync: include %s: HTTP %d", u, res.status)
		}
		idoc, err := composer.ParseDocument(res.body)
		if err != nil {
			return fmt.Errorf("sync: include %s: %w", u, err)
		}
		if err := s.inlinePackages(ctx, root, idoc, l, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// parseP2 returns the versions of name in a p2 file body, expanded when minified.
func parseP2(name string, body []byte) ([]*composer.Object, error) {
	doc, err := composer.ParseDocument(body)
	if err != nil {
		return nil, err
	}
	pk, ok := doc.GetObject("packages")
	if !ok {
		return nil, fmt.Errorf("no packages object")
	}
	lv, ok := pk.Get(name)
	if !ok {
		return nil, nil // Composer ignores a file without the package: no versions
	}
	list, ok := lv.Arr()
	if !ok {
		// Composer 1 shape {version: {...}} in a v2 location: accept it too.
		if o, isObj := lv.Obj(); isObj {
			var out []*composer.Object
			for _, k := range o.Keys() {
				v, _ := o.Get(k)
				if e, ok := v.Obj(); ok {
					out = append(out, e)
				}
			}
			return out, nil
		}
		return nil, fmt.Errorf("packages[%q] is not a list", name)
	}
	if m, _ := doc.GetString("minified"); m == repo.MinifiedFormat {
		return repo.Expand(list)
	}
	out := make([]*composer.Object, 0, len(list))
	for i, v := range list {
		o, ok := v.Obj()
		if !ok {
			return nil, fmt.Errorf("version %d is not an object", i)
		}
		out = append(out, o)
	}
	return out, nil
}

// stringList returns the strings of an array-valued key.
func stringList(doc *composer.Object, key string) []string {
	v, ok := doc.Get(key)
	if !ok {
		return nil
	}
	arr, ok := v.Arr()
	if !ok {
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		if s, ok := e.Str(); ok {
			out = append(out, s)
		}
	}
	return out
}

// matcher matches package names against patterns where "*" is any run of
// characters, case-insensitively, as Composer matches
// available-package-patterns.
type matcher struct{ res []*regexp.Regexp }

func newMatcher(patterns []string) *matcher {
	m := &matcher{}
	for _, p := range patterns {
		parts := strings.Split(strings.ToLower(p), "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		m.res = append(m.res, regexp.MustCompile("^"+strings.Join(parts, ".*")+"$"))
	}
	return m
}

// match reports whether name matches a pattern; an empty matcher matches all.
func (m *matcher) match(name string) bool {
	if len(m.res) == 0 {
		return true
	}
	for _, re := range m.res {
		if re.MatchString(strings.ToLower(name)) {
			return true
		}
	}
	return false
}
