package distro

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
)

// Offer is one version of an upstream package the build can produce.
type Offer struct {
	Version string
	// Requires maps the names in the version's require section to their constraints.
	Requires map[string]string
	// Released is when upstream released the version (its tag's commit time).
	Released time.Time
	// External marks a version the build publishes as it is under its upstream name (a prebuilt zip): a
	// requirement it satisfies stays a requirement on the upstream package, which is then not part of the
	// closure. Its requirements still count: it is installed with the release, so what it requires of the
	// others narrows their choice.
	External bool
}

// Unresolved is a requirement of the release that names a package the build produces but that no produced
// version satisfies.
type Unresolved struct {
	Name        string
	Constraints []string
	// Unsettled reports a package whose choice changes from pass to pass (its versions' requirements
	// exclude each other in a cycle) instead of one that no version satisfies.
	Unsettled bool
}

// Error names the package and why no version of it can be chosen.
func (u Unresolved) Error() string {
	if u.Unsettled {
		return fmt.Sprintf("%s: the versions the requirements select keep changing (the requirements exclude each other)", u.Name)
	}
	return fmt.Sprintf("%s: no version the sources yield satisfies %q", u.Name, u.Constraints)
}

// maxPasses bounds the fixpoint: each pass can only settle more names, and real releases settle in a few.
const maxPasses = 64

// Closure returns the upstream packages an upstream release consists of, with the version of each: the roots
// (the release's product and project, at the release's version) and, transitively, every package they
// require that the build can produce (offers returns nil for the others, which stay requirements on
// packages published elsewhere).
//
// A requirement pinned to one version (the released product pins every module) selects that version. A range
// (the product's "magento/magento-composer-installer": ">=0.1.11") selects, among the stable versions that
// satisfy every requirement on the name, the highest one released by the upstream release's date, else the
// lowest released after it: what an install on release day resolved to, the state the release was tested
// in, rather than whatever is newest when the distribution is built. The choice never reads the clock, so the
// same history always gives the same closure.
func Closure(roots map[string]string, offers func(name string) []Offer, released time.Time) (map[string]string, []Unresolved) {
	chosen := maps.Clone(roots)
	var unresolved []Unresolved
	settled := false
	for range maxPasses {
		next, unres := settle(roots, chosen, offers, released)
		unresolved = unres
		if settled = maps.Equal(next, chosen); settled {
			break
		}
		chosen = next
	}
	if !settled {
		unresolved = append(unresolved, unsettled(chosen, roots, offers, released)...)
	}
	for name, v := range chosen {
		if o, _ := offerOf(offers(name), v); o.External {
			delete(chosen, name)
		}
	}
	return chosen, unresolved
}

// unsettled names the packages whose choice the next pass would change.
func unsettled(chosen, roots map[string]string, offers func(string) []Offer, released time.Time) []Unresolved {
	next, _ := settle(roots, chosen, offers, released)
	var out []Unresolved
	for _, name := range slices.Sorted(maps.Keys(next)) {
		if chosen[name] != next[name] {
			out = append(out, Unresolved{Name: name, Unsettled: true})
		}
	}
	return out
}

// settle makes one pass: the roots, plus a choice for every name the current choice requires.
func settle(roots, chosen map[string]string, offers func(string) []Offer, released time.Time) (map[string]string, []Unresolved) {
	constraints := map[string][]string{}
	for _, name := range slices.Sorted(maps.Keys(chosen)) {
		o, ok := offerOf(offers(name), chosen[name])
		if !ok {
			continue
		}
		for _, dep := range slices.Sorted(maps.Keys(o.Requires)) {
			if _, root := roots[dep]; !root && offers(dep) != nil {
				constraints[dep] = append(constraints[dep], o.Requires[dep])
			}
		}
	}
	next := maps.Clone(roots)
	var unresolved []Unresolved
	for _, name := range slices.Sorted(maps.Keys(constraints)) {
		o, ok := pick(offers(name), constraints[name], released)
		switch {
		case !ok:
			unresolved = append(unresolved, Unresolved{Name: name, Constraints: slices.Compact(slices.Sorted(slices.Values(constraints[name])))})
		default:
			next[name] = o.Version // an external choice too: its requirements constrain the others
		}
	}
	return next, unresolved
}

// offerOf finds the offer of a version.
func offerOf(os []Offer, version string) (Offer, bool) {
	for _, o := range os {
		if o.Version == version {
			return o, true
		}
	}
	return Offer{}, false
}

// pick applies Closure's rule for a range to one name's offers. Stable versions are preferred, as a
// project's default minimum-stability does; a requirement only unstable versions satisfy (a pin to a beta)
// takes those.
func pick(os []Offer, constraints []string, released time.Time) (Offer, bool) {
	if o, ok := pickAmong(os, constraints, released, true); ok {
		return o, true
	}
	return pickAmong(os, constraints, released, false)
}

// pickAmong applies the rule to the offers that satisfy every constraint, stable ones only when stableOnly.
func pickAmong(os []Offer, constraints []string, released time.Time, stableOnly bool) (Offer, bool) {
	var before, after []Offer
	for _, o := range os {
		stable := composer.VersionStability(o.Version) == composer.StabilityStable
		if (stableOnly && !stable) || !satisfiesAll(o.Version, constraints) {
			continue
		}
		if o.Released.After(released) {
			after = append(after, o)
		} else {
			before = append(before, o)
		}
	}
	byVersion := func(a, b Offer) int { return composer.CompareVersions(a.Version, b.Version) }
	if len(before) > 0 {
		return slices.MaxFunc(before, byVersion), true
	}
	if len(after) > 0 {
		return slices.MinFunc(after, byVersion), true
	}
	return Offer{}, false
}

// satisfiesAll reports whether version satisfies every constraint (an unparsable one satisfies nothing).
func satisfiesAll(version string, constraints []string) bool {
	for _, c := range constraints {
		if ok, err := composer.Satisfies(version, c); err != nil || !ok {
			return false
		}
	}
	return true
}
