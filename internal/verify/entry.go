package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// linkTypes are the link maps of a version entry (composer-protocol.md §1.6).
var linkTypes = []string{"require", "require-dev", "conflict", "provide", "replace"}

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
	expr       string // what was parsed: self.version resolved
	parsed     composer.Constraint
}

// label returns "name version" for chains and messages.
func (e *entry) label() string { return e.name + " " + e.version }

// parseEntry decodes and checks one expanded entry of the p2 file of
// package name. It returns nil when the entry has no usable name or version.
func parseEntry(raw map[string]json.RawMessage, name string) (*entry, []Problem) {
	e := &entry{raw: raw, typ: "library", links: map[string][]link{}}
	var probs []Problem
	bad := func(format string, args ...any) {
		probs = append(probs, Problem{Package: name, Version: e.version, Message: fmt.Sprintf(format, args...)})
	}
	e.version = scalarString(raw["version"])
	if !stringField(raw, "name", &e.name) || e.name == "" {
		bad("entry has no name")
		return nil, probs
	}
	if e.version == "" {
		bad("entry has no version")
		return nil, probs
	}
	e.checkName(name, bad)
	e.checkVersion(bad)
	if _, ok := raw["type"]; ok && !stringField(raw, "type", &e.typ) {
		bad("type is not a string")
	}
	e.typ = strings.ToLower(e.typ)
	e.parseDist(bad)
	e.parseLinks(bad)
	e.parseAlias()
	return e, probs
}

// checkName checks that the entry names a valid package, the file's.
func (e *entry) checkName(file string, bad func(string, ...any)) {
	if err := composer.ValidatePackageName(e.name); err != nil {
		bad("invalid package name %q: %v", e.name, err)
	}
	if strings.ToLower(e.name) != file {
		bad("entry names package %q, not %s", e.name, file)
	}
	e.name = file
}

// checkVersion normalizes the version and compares version_normalized.
func (e *entry) checkVersion(bad func(string, ...any)) {
	n, err := composer.NormalizeVersion(e.version)
	if err != nil {
		bad("version %q does not parse: %v", e.version, err)
		return
	}
	e.normalized = n
	raw, ok := e.raw["version_normalized"]
	if !ok {
		return
	}
	var vn string
	if json.Unmarshal(raw, &vn) != nil {
		bad("version_normalized is not a string")
	} else if vn != n {
		bad("version_normalized is %q, the version normalizes to %q", vn, n)
	}
}

// parseDist reads the dist; every package but a metapackage needs a zip one.
func (e *entry) parseDist(bad func(string, ...any)) {
	raw, ok := e.raw["dist"]
	if !ok || string(raw) == "null" {
		if e.typ != "metapackage" {
			bad("no dist")
		}
		return
	}
	var d struct {
		Type   string `json:"type"`
		URL    string `json:"url"`
		Shasum string `json:"shasum"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		bad("dist is not an object with string type, url and shasum")
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

// parseLinks parses every constraint of every link map.
func (e *entry) parseLinks(bad func(string, ...any)) {
	for _, lt := range linkTypes {
		raw, ok := e.raw[lt]
		if !ok || isEmptyJSON(raw) {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			bad("%s is not an object", lt)
			continue
		}
		for _, target := range sortedKeys(m) {
			var c string
			if err := json.Unmarshal(m[target], &c); err != nil {
				bad("%s %s: constraint is not a string", lt, target)
				continue
			}
			l, err := e.parseLink(target, c)
			if err != nil {
				bad("%s %s: constraint %q does not parse: %v", lt, target, c, err)
				continue
			}
			e.links[lt] = append(e.links[lt], l)
		}
	}
}

// parseLink parses one constraint, resolving self.version to the entry's
// version as the Composer client does.
func (e *entry) parseLink(target, c string) (link, error) {
	s := c
	if strings.TrimSpace(c) == "self.version" {
		s = e.version
	}
	parsed, err := composer.ParseConstraint(s)
	if err != nil {
		return link{}, err
	}
	return link{target: strings.ToLower(target), constraint: c, expr: s, parsed: parsed}, nil
}

// parseAlias records the entry's extra.branch-alias target, which makes a
// branch match numeric constraints (composer-protocol.md §3.5).
func (e *entry) parseAlias() {
	var extra struct {
		BranchAlias map[string]string `json:"branch-alias"`
	}
	if raw, ok := e.raw["extra"]; !ok || json.Unmarshal(raw, &extra) != nil {
		return
	}
	target, ok := extra.BranchAlias[e.version]
	if !ok || e.normalized == "" || composer.VersionStability(e.normalized) != "dev" {
		return
	}
	if n, err := composer.NormalizeVersion(target); err == nil {
		e.alias = n
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
