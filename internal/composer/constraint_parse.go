package composer

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// This file ports VersionParser::parseConstraint (one AND term) and the AND split. See
// version.go for how the PCRE patterns were translated.

// constraintVersion is VersionParser's $versionRegex: groups 1-4 are the numbers, 5-7
// the modifier (word, digits, dev) and 8 an "x-dev" wildcard branch.
var constraintVersion = `[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:` + modifierFold +
	`|\.([xX*][.-]?` + ci("dev") + `))(?:\+[^\t-\r ]+)?`

var (
	constraintOrSplit = regexp.MustCompile(`[\t-\r ]*\|\|?[\t-\r ]*`)
	termAliasRe       = regexp.MustCompile(`^([^,\t-\r ]+) +as +([^,\t-\r ]+)\n?$`)
	termFlagRe        = regexp.MustCompile(`^([^,\t-\r ]*?)@(` + ciAlt("stable", "RC", "beta", "alpha", "dev") + `)\n?$`)
	termRefRe         = regexp.MustCompile(`^(` + ci("dev-") + `[^,\t-\r @]+?|[^,\t-\r @]+?` + ci(".x-dev") + `)#[^\n]+\n?$`)
	termWildcardRe    = regexp.MustCompile(`^([vV])?[xX*](\.[xX*])*\n?$`)
	termTildeRe       = regexp.MustCompile(`^~>?` + constraintVersion + `\n?$`)
	termCaretRe       = regexp.MustCompile(`^\^` + constraintVersion + `\n?$`)
	termXRangeRe      = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+\n?$`)
	termHyphenRe      = regexp.MustCompile(`^(` + constraintVersion + `) +- +(` + constraintVersion + `)\n?$`)
	termBasicRe       = regexp.MustCompile(`^(<>|!=|>=?|<=?|==?)?[\t-\r ]*([^\n]*)`)
	termDevNameRe     = regexp.MustCompile(`^[0-9a-zA-Z./-]+$`)
	// termHasModifier is the case-sensitive check on the lower-cased version that
	// decides whether "<" and ">=" get an implicit "-dev".
	termHasModifier = regexp.MustCompile(`-` + semverModifier(false) + `\n?$`)
)

// splitAndTerms emulates preg_split with
//
//	(?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$)
//
// which RE2 cannot express (look-around). A comma or space splits unless it follows an
// operator, a comma or "as", or touches a "-" (hyphen ranges), or is followed by a
// comma, "as" or the end. The two " *" are greedy with backtracking, as in PCRE.
func splitAndTerms(s string) []string {
	var out []string
	start := 0
	for p := 0; p < len(s); {
		end, ok := andSeparatorAt(s, p)
		if !ok {
			p++
			continue
		}
		out = append(out, s[start:p])
		start, p = end, end
	}
	return append(out, s[start:])
}

// andSeparatorAt tries the split pattern at p and returns where the match ends.
func andSeparatorAt(s string, p int) (int, bool) {
	if p == 0 || (p >= 2 && s[p-2:p] == "as") || strings.IndexByte("=>< ,", s[p-1]) >= 0 {
		return 0, false
	}
	spaces := countSpaces(s, p)
	for k1 := spaces; k1 >= 0; k1-- {
		q := p + k1
		if s[q-1] == '-' || q >= len(s) || (s[q] != ',' && s[q] != ' ') {
			continue
		}
		r := q + 1
		if r < len(s) && s[r] == '-' {
			continue
		}
		for k2 := countSpaces(s, r); k2 >= 0; k2-- {
			t := r + k2
			if t == len(s) || s[t] == ',' || strings.HasPrefix(s[t:], "as") {
				continue
			}
			// PCRE's "$" also matches before a final newline.
			if t == len(s)-1 && s[t] == '\n' {
				continue
			}
			return t, true
		}
	}
	return 0, false
}

func countSpaces(s string, i int) int {
	n := 0
	for i+n < len(s) && s[i+n] == ' ' {
		n++
	}
	return n
}

var errTildeOperator = errors.New(`invalid operator "~>", you probably meant to use the "~" operator`)

// parseConstraintTerm parses one AND term into one or two constraints.
func parseConstraintTerm(c string) ([]Constraint, error) {
	if m := termAliasRe.FindStringSubmatch(c); m != nil {
		c = m[1]
	}
	flag := ""
	if m := termFlagRe.FindStringSubmatch(c); m != nil {
		c = orDefault(m[1], "*")
		if m[2] != "stable" { // case-sensitive, as in PHP: "@STABLE" is a flag
			flag = m[2]
		}
	}
	if m := termRefRe.FindStringSubmatch(c); m != nil {
		c = m[1]
	}
	if m := termWildcardRe.FindStringSubmatch(c); m != nil {
		if m[1] != "" || m[2] != "" {
			return []Constraint{opConstraint{">=", "0.0.0.0-dev"}}, nil
		}
		return []Constraint{matchAll{}}, nil
	}
	if m := termTildeRe.FindStringSubmatch(c); m != nil {
		return parseTilde(c, m)
	}
	if m := termCaretRe.FindStringSubmatch(c); m != nil {
		return parseCaret(c, m)
	}
	if m := termXRangeRe.FindStringSubmatch(c); m != nil {
		return parseXRange(m), nil
	}
	if m := termHyphenRe.FindStringSubmatch(c); m != nil {
		return parseHyphen(m)
	}
	return parseBasic(c, flag)
}

// devSuffixUnlessModified is the "-dev" that unsuffixed ranges add to their lower bound.
func devSuffixUnlessModified(word, dev, xdev string) string {
	if word == "" && dev == "" && xdev == "" {
		return "-dev"
	}
	return ""
}

func parseTilde(c string, m []string) ([]Constraint, error) {
	if strings.HasPrefix(c, "~>") {
		return nil, errTildeOperator
	}
	pos := 1
	switch {
	case m[4] != "":
		pos = 4
	case m[3] != "":
		pos = 3
	case m[2] != "":
		pos = 2
	}
	// "~2.x-dev" shifts the position like a written-out number would.
	if m[8] != "" {
		pos++
	}
	low, err := normalizeVersion((c + devSuffixUnlessModified(m[5], m[7], m[8]))[1:])
	if err != nil {
		return nil, err
	}
	high := bumpVersion(m[1:5], max(1, pos-1), true) + "-dev"
	return []Constraint{opConstraint{">=", low}, opConstraint{"<", high}}, nil
}

func parseCaret(c string, m []string) ([]Constraint, error) {
	pos := 3
	switch {
	case m[1] != "0" || m[2] == "":
		pos = 1
	case m[2] != "0" || m[3] == "":
		pos = 2
	}
	low, err := normalizeVersion((c + devSuffixUnlessModified(m[5], m[7], m[8]))[1:])
	if err != nil {
		return nil, err
	}
	high := bumpVersion(m[1:5], pos, true) + "-dev"
	return []Constraint{opConstraint{">=", low}, opConstraint{"<", high}}, nil
}

func parseXRange(m []string) []Constraint {
	pos := 1
	switch {
	case m[3] != "":
		pos = 3
	case m[2] != "":
		pos = 2
	}
	parts := []string{m[1], m[2], m[3], ""}
	low := bumpVersion(parts, pos, false) + "-dev"
	high := bumpVersion(parts, pos, true) + "-dev"
	if low == "0.0.0.0-dev" {
		return []Constraint{opConstraint{"<", high}}
	}
	return []Constraint{opConstraint{">=", low}, opConstraint{"<", high}}
}

// parseHyphen handles "A - B". Groups: 1 is A (2-5 numbers, 6-8 modifier, 9 x-dev),
// 10 is B (11-14 numbers, 15-17 modifier, 18 x-dev).
func parseHyphen(m []string) ([]Constraint, error) {
	low, err := normalizeVersion(m[1])
	if err != nil {
		return nil, err
	}
	low += devSuffixUnlessModified(m[6], m[8], m[9])
	high, err := normalizeVersion(m[10])
	if err != nil {
		return nil, err
	}
	// A complete upper bound is inclusive; a partial one ("2" or "2.1") covers
	// everything that starts with it.
	if (m[12] != "" && m[13] != "") || m[15] != "" || m[17] != "" || m[18] != "" {
		return []Constraint{opConstraint{">=", low}, opConstraint{"<=", high}}, nil
	}
	pos := 2
	if m[12] == "" {
		pos = 1
	}
	high = bumpVersion(m[11:15], pos, true) + "-dev"
	return []Constraint{opConstraint{">=", low}, opConstraint{"<", high}}, nil
}

// parseBasic handles an optional operator followed by a version or branch.
func parseBasic(c, flag string) ([]Constraint, error) {
	m := termBasicRe.FindStringSubmatch(c)
	op, raw := m[1], m[2]
	version, err := normalizeVersion(raw)
	if err != nil {
		// "foobar-dev" means "dev-foobar".
		if !strings.HasSuffix(raw, "-dev") || !termDevNameRe.MatchString(raw) {
			return nil, err
		}
		if version, err = normalizeVersion("dev-" + raw[:len(raw)-4]); err != nil {
			return nil, err
		}
	}
	switch {
	case op != "==" && op != "=" && op != "" && flag != "" && VersionStability(version) == StabilityStable:
		version += "-" + flag
	case op == "<" || op == ">=":
		if !termHasModifier.MatchString(asciiLower(raw)) && !strings.HasPrefix(raw, "dev-") {
			version += "-dev"
		}
	}
	return []Constraint{opConstraint{canonicalOp(op), version}}, nil
}

// bumpVersion is manipulateVersionString: parts after position become "0" and, when
// increment is set, the part at position is incremented with PHP's arithmetic.
func bumpVersion(parts []string, position int, increment bool) string {
	out := make([]string, 4)
	for i := 4; i > 0; i-- {
		p := ""
		if i-1 < len(parts) {
			p = parts[i-1]
		}
		switch {
		case i > position:
			p = "0"
		case i == position && increment:
			p = phpIncrement(p)
		}
		out[i-1] = p
	}
	return strings.Join(out, ".")
}

// phpIncrement returns (string)($digits + 1) as PHP computes it: integers beyond
// PHP_INT_MAX become floats printed with precision 14 ("1.0E+20").
func phpIncrement(digits string) string {
	n, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return "1" // unreachable: the regexes only capture digits here
	}
	if n.Cmp(big.NewInt(math.MaxInt64)) < 0 {
		return strconv.FormatInt(n.Int64()+1, 10)
	}
	f, _ := strconv.ParseFloat(digits, 64)
	return phpFloatString(f + 1)
}

// phpFloatString formats a large float as PHP's (string) cast does (precision=14).
func phpFloatString(f float64) string {
	if math.IsInf(f, 1) {
		return "INF"
	}
	s := strconv.FormatFloat(f, 'e', 13, 64) // d.ddddddddddddde+XX
	mant, exp, _ := strings.Cut(s, "e")
	mant = strings.TrimRight(mant, "0")
	if strings.HasSuffix(mant, ".") {
		mant += "0"
	}
	sign := exp[:1]
	expDigits := strings.TrimLeft(exp[1:], "0")
	return fmt.Sprintf("%sE%s%s", mant, sign, expDigits)
}
