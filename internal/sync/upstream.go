package sync

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// rootURL returns the URL of the upstream packages.json, as the Composer client derives it from a repository
// URL ([composer.RepositoryURL.PackagesJSON]).
func rootURL(upstream string) (*url.URL, error) {
	ru, err := composer.ParseRepositoryURL(upstream)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(ru.PackagesJSON())
	if err != nil {
		return nil, fmt.Errorf("upstream URL %q: %w", upstream, err)
	}
	u.Fragment = ""
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
	var ld *composer.Object
	res, err := s.fetchMeta(ctx, u, "", func(b []byte) (err error) {
		ld, err = composer.ParseDocument(b)
		return err
	})
	switch {
	case err != nil && res.status == 0:
		return nil, fmt.Errorf("sync: list: %w", err)
	case err != nil:
		return nil, fmt.Errorf("sync: list %s: %w", u, err)
	case res.status != 200:
		return nil, fmt.Errorf("sync: list %s: HTTP %d", u, res.status)
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
		var idoc *composer.Object
		res, err := s.fetchMeta(ctx, u, "", func(b []byte) (err error) {
			idoc, err = composer.ParseDocument(b)
			return err
		})
		switch {
		case err != nil && res.status == 0:
			return fmt.Errorf("sync: include: %w", err)
		case err != nil:
			return fmt.Errorf("sync: include %s: %w", u, err)
		case res.status != 200:
			return fmt.Errorf("sync: include %s: HTTP %d", u, res.status)
		}
		if err := s.inlinePackages(ctx, root, idoc, l, depth+1); err != nil {
			return err
		}
	}
	return nil
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

// matcher matches package names against Composer's name patterns; an empty matcher matches all.
type matcher []composer.NamePattern

func newMatcher(patterns []string) matcher { return composer.NewNamePatterns(patterns) }

// match reports whether name matches a pattern; an empty matcher matches all.
func (m matcher) match(name string) bool { return len(m) == 0 || composer.MatchAnyName(m, name) }
