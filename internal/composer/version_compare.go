package composer

import (
	"cmp"
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file ports PHP's version_compare (php-src ext/standard/versioning.c), which
// Composer uses for every comparison of normalized versions (docs/composer-protocol.md §2.4).

// phpVersionCompare returns -1, 0 or +1 exactly as PHP's version_compare($a, $b).
func phpVersionCompare(a, b string) int {
	a, b = cString(a), cString(b)
	if a == "" || b == "" {
		switch {
		case a == "" && b == "":
			return 0
		case a != "":
			return 1
		}
		return -1
	}
	// A leading '#' marks PHP's internal "#N#" placeholder: it is not canonicalized.
	if a[0] != '#' {
		a = phpCanonicalize(a)
	}
	if b[0] != '#' {
		b = phpCanonicalize(b)
	}
	return compareCanonical(a, b)
}

// compareCanonical walks two canonical versions segment by segment. It mirrors the C
// loop, including its end rule: when one side runs out, the longer side wins if it
// continues with a number, otherwise its rest is compared against "#N#".
func compareCanonical(v1, v2 string) int {
	p1, p2 := v1, v2
	more1, more2 := true, true // C's n1/n2 != NULL
	cmp := 0
	for p1 != "" && p2 != "" && more1 && more2 {
		var s1, s2 string
		s1, p1, more1 = cutDot(p1)
		s2, p2, more2 = cutDot(p2)
		cmp = compareSegment(s1, s2)
		if cmp != 0 {
			return cmp
		}
	}
	switch {
	case more1:
		if p1 != "" && isDigit(p1[0]) {
			return 1
		}
		return phpVersionCompare(p1, "#N#")
	case more2:
		if p2 != "" && isDigit(p2[0]) {
			return -1
		}
		return phpVersionCompare("#N#", p2)
	}
	return 0
}

// cutDot splits at the first '.', reporting whether there was one. Without a dot the
// remainder is kept (the C code does not advance p in that case).
func cutDot(s string) (seg, rest string, more bool) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, s, false
}

func compareSegment(s1, s2 string) int {
	d1, d2 := s1 != "" && isDigit(s1[0]), s2 != "" && isDigit(s2[0])
	switch {
	case d1 && d2:
		return cmp.Compare(cStrtol(s1), cStrtol(s2))
	case !d1 && !d2:
		return cmp.Compare(int64(specialRank(s1)), int64(specialRank(s2)))
	case d1:
		return cmp.Compare(int64(specialRank("#N#")), int64(specialRank(s2)))
	}
	return cmp.Compare(int64(specialRank(s1)), int64(specialRank("#N#")))
}

// specialRank is compare_special_version_forms: the first form that is a
// (case-sensitive) prefix of s decides; unknown words rank -1, below "dev".
func specialRank(s string) int {
	for _, f := range specialForms {
		if strings.HasPrefix(s, f.name) {
			return f.rank
		}
	}
	return -1
}

var specialForms = []struct {
	name string
	rank int
}{
	{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
	{"RC", 3}, {"rc", 3}, {"#", 4}, {"pl", 5}, {"p", 5},
}

// cStrtol is strtol(s, NULL, 10) on a string starting with a digit: it saturates.
func cStrtol(s string) int64 {
	end := 0
	for end < len(s) && isDigit(s[end]) {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		return math.MaxInt64
	}
	return n
}

// cString cuts s at its first NUL byte, where the C code sees the string end.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// phpCanonicalize is php_canonicalize_version: '-', '_' and '+' become '.', a '.' is
// put between digits and non-digits, and other non-alphanumerics become '.'. The
// first byte is copied unchanged.
func phpCanonicalize(v string) string {
	buf := make([]byte, 0, 2*len(v))
	buf = append(buf, v[0])
	lp := v[0]
	isdig := func(c byte) bool { return isDigit(c) && c != '.' }
	isndig := func(c byte) bool { return !isDigit(c) && c != '.' }
	for i := 1; i < len(v); i++ {
		c := v[i]
		lq := buf[len(buf)-1]
		switch {
		case c == '-' || c == '_' || c == '+':
			if lq != '.' {
				buf = append(buf, '.')
			}
		case (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)):
			if lq != '.' {
				buf = append(buf, '.')
			}
			buf = append(buf, c)
		case !isAlnum(c):
			if lq != '.' {
				buf = append(buf, '.')
			}
		default:
			buf = append(buf, c)
		}
		lp = c
	}
	return string(buf)
}

// isBranch reports a "dev-<name>" branch version, which Composer never orders against
// numeric versions inside constraints.
func isBranch(v string) bool { return strings.HasPrefix(v, "dev-") }

// CompareVersions compares two NORMALIZED versions and returns -1, 0 or +1.
//
// Whenever PHP's version_compare (what Composer's Comparator uses) tells the two apart,
// the result is the same. version_compare calls some distinct strings equal (every
// "dev-<name>" branch equals every other, "01.0.0.0" equals "1.0.0.0"); those are then
// ordered by their bytes, so the result is 0 only for identical strings and the order
// is total and deterministic. Branches therefore sort before all numeric versions (as
// in Semver::sort: "dev" ranks lowest) and among themselves by name.
//
// Use a [Constraint] for Composer's notion of "satisfies": a branch only ever matches
// itself there.
func CompareVersions(a, b string) int {
	if a == b {
		return 0
	}
	if c := phpVersionCompare(a, b); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// SortVersions sorts pretty version strings ascending by normalized version, as
// Semver::sort does: "dev-master", "dev-trunk" and "dev-default" count as
// "9999999-dev" (Composer 1's default-branch alias) and other branches sort first.
// Versions that do not normalize go last, ordered by their bytes. Ties keep input order.
func SortVersions(vs []string) {
	type keyed struct {
		pretty, norm string
		ok           bool
	}
	ks := make([]keyed, len(vs))
	for i, v := range vs {
		n, err := NormalizeVersion(v)
		switch n {
		case "dev-master", "dev-trunk", "dev-default":
			n = "9999999-dev"
		}
		ks[i] = keyed{pretty: v, norm: n, ok: err == nil}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.ok != b.ok {
			return a.ok
		}
		if !a.ok {
			return a.pretty < b.pretty
		}
		return CompareVersions(a.norm, b.norm) < 0
	})
	for i := range ks {
		vs[i] = ks[i].pretty
	}
}
