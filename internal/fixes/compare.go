package fixes

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// patchTagRe finds a "-pN" patch suffix the way the reference's compareTags does: unanchored, so the first
// "<digits and dots>-p<digits and dots>" run anywhere in the string counts.
var patchTagRe = regexp.MustCompile(`v?([0-9.]+)-p([0-9.]+)`)

// semverRe is the validation pattern of the compare-versions 4.1.4 npm package: up to four numeric parts (x or *
// allowed after the first), and a pre-release and build part only after at least three parts.
var semverRe = regexp.MustCompile(`(?i)^[v^~<>=]*?(\d+)(?:\.([x*]|\d+)(?:\.([x*]|\d+)(?:\.([x*]|\d+))?` +
	`(?:-([\da-z\-]+(?:\.[\da-z\-]+)*))?(?:\+[\da-z\-]+(?:\.[\da-z\-]+)*)?)?)?$`)

// CompareTags orders two release names in the "Adobe order" the reference generator uses for a source's first
// tag and for patch conditions: "X-pN" is split into base X and patch N; bases compare as compare-versions 4.1.4
// does (a pre-release such as 2.4.7-beta1 is lower than 2.4.7); with equal bases a version with a patch is
// higher than one without, and patch numbers compare as numbers (p10 > p6). It returns a negative number, zero
// or a positive number, or an error for a string compare-versions rejects.
func CompareTags(a, b string) (int, error) {
	baseA, patchA, okA := splitPatch(a)
	baseB, patchB, okB := splitPatch(b)
	c, err := compareVersions(baseA, baseB)
	if err != nil || c != 0 {
		return c, err
	}
	switch {
	case okA && okB:
		// The reference subtracts the two patch strings as JavaScript numbers; "1.10" is therefore 1.1.
		na, nb := jsNumber(patchA), jsNumber(patchB)
		if math.IsNaN(na) || math.IsNaN(nb) {
			return 0, fmt.Errorf("fixes: cannot compare patch numbers of %q and %q", a, b)
		}
		return cmp.Compare(na, nb), nil
	case okA:
		return 1, nil
	case okB:
		return -1, nil
	}
	return 0, nil
}

// splitPatch returns the base and patch number of a "-pN" version, or v itself.
func splitPatch(v string) (base, patch string, ok bool) {
	m := patchTagRe.FindStringSubmatch(v)
	if m == nil {
		return v, "", false
	}
	return m[1], m[2], true
}

// compareVersions is compareVersions of the compare-versions 4.1.4 npm package.
func compareVersions(a, b string) (int, error) {
	ma, err := parseSemver(a)
	if err != nil {
		return 0, err
	}
	mb, err := parseSemver(b)
	if err != nil {
		return 0, err
	}
	if c := compareSegments(ma[:4], mb[:4]); c != 0 {
		return c, nil
	}
	preA, preB := ma[4], mb[4]
	switch {
	case preA != "" && preB != "":
		return compareSegments(strings.Split(preA, "."), strings.Split(preB, ".")), nil
	case preA != "":
		return -1, nil
	case preB != "":
		return 1, nil
	}
	return 0, nil
}

// parseSemver returns the four numeric parts and the pre-release of v ("" where absent).
func parseSemver(v string) ([]string, error) {
	m := semverRe.FindStringSubmatch(v)
	if m == nil {
		return nil, fmt.Errorf("fixes: %q is not a version compare-versions accepts", v)
	}
	return m[1:], nil
}

// compareSegments compares two lists of identifiers; a missing or empty identifier counts as "0".
func compareSegments(a, b []string) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := "0", "0"
		if i < len(a) && a[i] != "" {
			x = a[i]
		}
		if i < len(b) && b[i] != "" {
			y = b[i]
		}
		if c := compareIdentifiers(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// compareIdentifiers compares two identifiers as compare-versions does: wildcards equal anything; two values
// that parseInt turns into numbers compare numerically; otherwise both compare as strings (JavaScript "<" on
// code units, which for these ASCII identifiers is byte order).
func compareIdentifiers(a, b string) int {
	if isWildcard(a) || isWildcard(b) {
		return 0
	}
	na, aNum := parseIntJS(a)
	nb, bNum := parseIntJS(b)
	switch {
	case aNum && bNum:
		return cmp.Compare(na, nb)
	case aNum:
		// A number meets a string: JavaScript compares the number's string form ("007" becomes "7").
		a = strconv.FormatFloat(na, 'f', -1, 64)
	case bNum:
		b = strconv.FormatFloat(nb, 'f', -1, 64)
	}
	return strings.Compare(a, b)
}

func isWildcard(s string) bool { return s == "*" || s == "x" || s == "X" }

// parseIntJS is JavaScript's parseInt(s, 10) on the identifiers the pattern admits: an optional sign and the
// leading decimal digits ("10abc" is 10); ok is false where parseInt gives NaN.
func parseIntJS(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return 0, false
	}
	f, err := strconv.ParseFloat(s[:j], 64)
	if f == 0 {
		f = 0 // -0 prints as "0" in JavaScript
	}
	return f, err == nil
}

// jsNumber is JavaScript's Number(s) for the digit-and-dot strings patchTagRe captures (NaN if not a number).
func jsNumber(s string) float64 {
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}
