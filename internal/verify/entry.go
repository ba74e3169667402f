package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// entry is one version of a package, as read from a p2 file.
type entry struct {
	name       string
	version    string // as published
	normalized string // empty when version does not normalize
	alias      string // normalized branch alias, if any
	typ        string
	dist       *dist
	links      map[string][]link // by link type
	raw        map[string]json.RawMessage
}

// dist is an entry's dist.
type dist struct {
	typ, url, shasum string
}

// link is one requirement (or conflict, provide, replace) of an entry.
type link struct {
	target     string // lower-cased
	constraint string // as published; "self.version" is kept here
	parsed     composer.Constraint
}

// label returns "name version" for chains and messages.
func (e *entry) label() string { return e.name + " " + e.version }

// parseEntry loads one expanded entry of the p2 file of package name as the Composer client does
// ([composer.LoadVersion]) and checks what a served repository must hold besides. It returns nil when the
// client cannot load the entry, which makes the client fail on the whole package.
func parseEntry(obj *composer.Object, name string) (*entry, []Problem) {
	v, err := composer.LoadVersion(obj)
	if err != nil {
		version, _ := obj.GetString("version")
		return nil, []Problem{{Package: name, Version: version,
			Message: "Composer cannot load this version (and so fails on the whole package): " + err.Error()}}
	}
	e := &entry{name: name, version: v.Version, typ: v.Type, alias: v.BranchAlias, raw: rawFields(obj),
		links: map[string][]link{}}
	var probs []Problem
	bad := func(format string, args ...any) {
		probs = append(probs, Problem{Package: name, Version: e.version, Message: fmt.Sprintf(format, args...)})
	}
	if err := composer.ValidatePackageName(v.PrettyName); err != nil {
		bad("invalid package name %q: %v", v.PrettyName, err)
	}
	if v.Name != name {
		bad("entry names package %q, not %s", v.PrettyName, name)
	}
	e.checkVersion(v, bad)
	e.checkDist(v.Dist, bad)
	for _, l := range v.Links {
		e.links[l.Type] = append(e.links[l.Type], link{target: l.Target, constraint: l.Constraint, parsed: l.Parsed})
	}
	return e, probs
}

// rawFields returns the entry's top-level fields as compact JSON.
func rawFields(obj *composer.Object) map[string]json.RawMessage {
	raw := make(map[string]json.RawMessage, obj.Len())
	for _, k := range obj.Keys() {
		v, _ := obj.Get(k)
		raw[k] = composer.MarshalCompact(v)
	}
	return raw
}

// checkVersion checks that the version normalizes and that a published version_normalized is its
// normalization (the client trusts version_normalized as it is).
func (e *entry) checkVersion(v *composer.Version, bad func(string, ...any)) {
	n, err := composer.NormalizeVersion(v.Version)
	if err != nil {
		bad("version %q does not parse: %v", v.Version, err)
		return
	}
	e.normalized = n
	if v.Normalized != n {
		bad("version_normalized is %q, the version normalizes to %q", v.Normalized, n)
	}
}

// checkDist records the dist; every package but a metapackage needs a zip one with url and shasum.
func (e *entry) checkDist(d *composer.Ref, bad func(string, ...any)) {
	if d == nil {
		if e.typ != "metapackage" {
			bad("no dist")
		}
		return
	}
	e.dist = &dist{typ: d.Type, url: d.URL, shasum: strings.ToLower(d.Shasum)}
	switch {
	case d.Type != "zip":
		bad("dist type is %q, not zip", d.Type)
	case d.URL == "":
		bad("dist has no url")
	case d.Shasum == "":
		bad("dist has no shasum")
	}
}

// duplicates reports normalized versions listed more than once.
func duplicates(p *pkg) []Problem {
	first := map[string]*entry{}
	count := map[string]int{}
	for _, e := range p.entries {
		if e.normalized == "" {
			continue
		}
		if _, ok := first[e.normalized]; !ok {
			first[e.normalized] = e
		}
		count[e.normalized]++
	}
	var probs []Problem
	for _, n := range sortedKeys(count) {
		if count[n] > 1 {
			probs = append(probs, Problem{Package: p.name, Version: first[n].version,
				Message: fmt.Sprintf("duplicate version: %d entries normalize to %s", count[n], n)})
		}
	}
	return probs
}

// stringField decodes a string field; it reports false when the field is
// missing or not a string.
func stringField(raw map[string]json.RawMessage, key string, dst *string) bool {
	v, ok := raw[key]
	return ok && json.Unmarshal(v, dst) == nil
}

// scalarString returns a string or number field as a string, as Composer
// casts a numeric version.
func scalarString(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

// isEmptyJSON reports whether v is null, {} or [].
func isEmptyJSON(v json.RawMessage) bool {
	s := strings.Join(strings.Fields(string(v)), "")
	return s == "null" || s == "{}" || s == "[]"
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
