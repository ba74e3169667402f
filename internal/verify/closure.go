package verify

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// universe indexes what can satisfy a requirement on an owned package: its
// versions (and branch aliases) and the provide/replace links of every
// version in the repository.
type universe struct {
	names     map[string]bool // every package the repository lists
	own       []*regexp.Regexp
	byName    map[string][]*entry // highest version first
	providers map[string][]provider
	best      map[string]*entry // memo: target + "\x00" + constraint
}

// provider is a provide or replace link of one version.
type provider struct {
	from *entry
	l    link
}

// newUniverse indexes r. own holds extra ownership patterns such as
// "magento/*", on top of available-packages and available-package-patterns.
func newUniverse(r *repository, own []string) *universe {
	u := &universe{names: map[string]bool{}, byName: map[string][]*entry{},
		providers: map[string][]provider{}, best: map[string]*entry{}}
	for _, p := range slices.Concat(own, r.root.Patterns) {
		u.own = append(u.own, globRegexp(p))
	}
	for _, p := range r.packages {
		u.names[p.name] = true
		u.addPackage(p)
	}
	return u
}

// addPackage indexes the versions and provide/replace links of one package.
func (u *universe) addPackage(p *pkg) {
	var vs []*entry
	for _, e := range p.entries {
		if e.normalized != "" {
			vs = append(vs, e)
		}
		for _, lt := range []string{"provide", "replace"} {
			for _, l := range e.links[lt] {
				u.providers[l.target] = append(u.providers[l.target], provider{e, l})
			}
		}
	}
	slices.SortStableFunc(vs, func(a, b *entry) int { return composer.CompareVersions(b.normalized, a.normalized) })
	u.byName[p.name] = vs
}

// globRegexp turns a package pattern, where * matches anything, into an
// anchored case-insensitive regexp.
func globRegexp(p string) *regexp.Regexp {
	quoted := strings.ReplaceAll(regexp.QuoteMeta(strings.ToLower(p)), `\*`, `.*`)
	return regexp.MustCompile(`(?i)^` + quoted + `$`)
}

// owned reports whether the repository is responsible for name.
func (u *universe) owned(name string) bool {
	if u.names[name] {
		return true
	}
	for _, re := range u.own {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// requires returns the requirements of e that the repository must satisfy:
// on owned packages, not platform packages, not e itself.
func (u *universe) requires(e *entry) []link {
	var out []link
	for _, l := range e.links["require"] {
		if l.target != e.name && !composer.IsPlatformPackage(l.target) && u.owned(l.target) {
			out = append(out, l)
		}
	}
	return out
}

// bestMatch returns the highest version of l's target that satisfies it, or
// nil.
func (u *universe) bestMatch(l link) *entry {
	key := l.target + "\x00" + l.parsed.String()
	if e, ok := u.best[key]; ok {
		return e
	}
	var found *entry
	for _, e := range u.byName[l.target] {
		if l.parsed.Matches(e.normalized) || (e.alias != "" && l.parsed.Matches(e.alias)) {
			found = e
			break
		}
	}
	u.best[key] = found
	return found
}

// satisfied reports whether some version, or some provide/replace link,
// satisfies l.
func (u *universe) satisfied(l link) bool {
	if u.bestMatch(l) != nil {
		return true
	}
	for _, p := range u.providers[l.target] {
		if providesFor(p, l) {
			return true
		}
	}
	return false
}

// providesFor reports whether a provide/replace link can satisfy l. An exact
// version (or self.version) must match l; any other constraint is assumed to
// intersect it, since the check has no interval arithmetic and must not
// report what Composer may accept.
func providesFor(p provider, l link) bool {
	c := p.l.constraint
	if c == composer.SelfVersion {
		return p.from.normalized != "" && l.parsed.Matches(p.from.normalized)
	}
	if n, err := composer.NormalizeVersion(c); err == nil {
		return l.parsed.Matches(n)
	}
	return true
}

// checkClosure reports every requirement on an owned package that nothing in
// the repository satisfies, and for metapackages the chains that lead to one.
func checkClosure(r *repository, u *universe) []Problem {
	var probs []Problem
	for _, e := range r.entries() {
		for _, l := range u.requires(e) {
			if !u.satisfied(l) {
				probs = append(probs, Problem{Package: e.name, Version: e.version,
					Message: fmt.Sprintf("requires %s %s: no version in the repository satisfies it", l.target, l.constraint)})
			}
		}
		if e.typ == "metapackage" {
			probs = append(probs, u.chains(e)...)
		}
	}
	return probs
}

// chains walks the requirements of a metapackage version depth first, always
// into the highest version that satisfies a link (the one Composer prefers),
// and reports each path that ends at an unsatisfiable link below the first
// level (first-level failures are reported for the metapackage itself).
func (u *universe) chains(root *entry) []Problem {
	var probs []Problem
	seen := map[*entry]bool{root: true}
	var walk func(e *entry, path []string)
	walk = func(e *entry, path []string) {
		for _, l := range u.requires(e) {
			next := u.bestMatch(l)
			if next == nil {
				if len(path) > 0 && !u.satisfied(l) {
					probs = append(probs, Problem{Package: root.name, Version: root.version,
						Chain: slices.Concat(path, []string{l.target + " " + l.constraint}), Message: "no version satisfies"})
				}
				continue
			}
			if !seen[next] {
				seen[next] = true
				walk(next, slices.Concat(path, []string{next.label()}))
			}
		}
	}
	walk(root, nil)
	return probs
}
