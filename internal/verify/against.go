package verify

import (
	"encoding/json"
	"fmt"
	"strings"
)

// compare lists the differences between repository a and repository b:
// packages and versions only on one side, and versions whose dist SHA-1 or
// metadata differ. dist.url is ignored, since two copies of a repository
// serve their archives from different places.
func compare(a, b *repository) []Problem {
	av, bv := versionsByName(a), versionsByName(b)
	var probs []Problem
	for _, name := range sortedKeys(union(av, bv)) {
		as, inA := av[name]
		bs, inB := bv[name]
		switch {
		case !inB:
			probs = append(probs, Problem{Package: name, Message: "package is not in the other repository"})
		case !inA:
			probs = append(probs, Problem{Package: name, Message: "package is only in the other repository"})
		default:
			probs = append(probs, compareVersions(name, as, bs)...)
		}
	}
	return probs
}

// compareVersions compares the versions of one package on both sides.
func compareVersions(name string, as, bs map[string]*entry) []Problem {
	var probs []Problem
	for _, key := range sortedKeys(union(as, bs)) {
		ea, inA := as[key]
		eb, inB := bs[key]
		switch {
		case !inB:
			probs = append(probs, Problem{Package: name, Version: ea.version, Message: "version is not in the other repository"})
		case !inA:
			probs = append(probs, Problem{Package: name, Version: eb.version, Message: "version is only in the other repository"})
		default:
			probs = append(probs, compareEntries(ea, eb)...)
		}
	}
	return probs
}

// compareEntries compares one version on both sides.
func compareEntries(a, b *entry) []Problem {
	var probs []Problem
	bad := func(format string, args ...any) {
		probs = append(probs, Problem{Package: a.name, Version: a.version, Message: fmt.Sprintf(format, args...)})
	}
	sa, sb := shasum(a), shasum(b)
	if sa != sb {
		bad("dist sha-1 differs: %s here, %s in the other repository", orNone(sa), orNone(sb))
	}
	var keys []string
	ma, mb := comparable(a), comparable(b)
	for _, k := range sortedKeys(union(ma, mb)) {
		if canonical(ma[k]) != canonical(mb[k]) {
			keys = append(keys, k)
		}
	}
	if len(keys) > 0 {
		bad("metadata differs from the other repository: %s", strings.Join(keys, ", "))
	}
	return probs
}

// versionsByName indexes a repository's entries by package and normalized
// version (the version as published when it does not normalize).
func versionsByName(r *repository) map[string]map[string]*entry {
	out := map[string]map[string]*entry{}
	for _, p := range r.packages {
		m := map[string]*entry{}
		for _, e := range p.entries {
			key := e.normalized
			if key == "" {
				key = e.version
			}
			if _, dup := m[key]; !dup {
				m[key] = e
			}
		}
		out[p.name] = m
	}
	return out
}

// comparable returns the entry's fields for comparison: dist without url and
// shasum (compared on their own).
func comparable(e *entry) map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(e.raw))
	for k, v := range e.raw {
		m[k] = v
	}
	var d map[string]json.RawMessage
	if raw, ok := m["dist"]; ok && json.Unmarshal(raw, &d) == nil {
		delete(d, "url")
		delete(d, "shasum")
		m["dist"], _ = json.Marshal(d)
	}
	return m
}

// shasum returns the entry's dist SHA-1, or "".
func shasum(e *entry) string {
	if e.dist == nil {
		return ""
	}
	return e.dist.shasum
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// union returns a set of the keys of both maps.
func union[V any](a, b map[string]V) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
