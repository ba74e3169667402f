package composer

import (
	"fmt"
	"regexp"
	"strings"
)

// This file ports composer/semver's VersionParser::normalize, normalizeBranch and
// parseStability (docs/composer-protocol.md §2.1, §2.2). The PCRE patterns are rewritten for
// RE2 so that they accept exactly what PHP accepts:
//   - PCRE `\s` also matches \v, Go's does not, so whitespace is spelled `[\t-\r ]`;
//   - PCRE `.` never matches \n, so it is spelled `[^\n]`;
//   - PCRE `$` (no D flag) also matches before a final \n, so it is spelled `\n?$` where
//     the subject may end in a newline;
//   - PCRE /i is ASCII-only in non-UTF mode, while Go's (?i) folds "ſ" to "s", so
//     case-insensitive words are spelled as ASCII classes by ci().
// Possessive quantifiers are dropped: in every pattern here the token after them cannot
// start with what they consume, so backtracking into them never changes the result.

// ci spells an ASCII word case-insensitively without Unicode folding.
func ci(word string) string {
	var b strings.Builder
	for _, r := range word {
		lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
		switch {
		case lo != up:
			b.WriteString("[" + lo + up + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

// ciAlt spells alternatives case-insensitively, keeping PCRE's preference order.
func ciAlt(words ...string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = ci(w)
	}
	return strings.Join(parts, "|")
}

// semverModifier builds VersionParser::$modifierRegex with three groups: stability word,
// the digits after it, and the dev suffix. fold selects the /i variant.
func semverModifier(fold bool) string {
	words := []string{"stable", "beta", "b", "RC", "alpha", "a", "patch", "pl", "p"}
	alt, dev := strings.Join(words, "|"), "dev"
	if fold {
		alt, dev = ciAlt(words...), ci("dev")
	}
	return `[._-]?(?:(` + alt + `)((?:[.-]?\d+)*)?)?([.-]?` + dev + `)?`
}

var (
	modifierFold = semverModifier(true)

	// versionAliasRe strips "X as Y" (case-sensitive "as", like PHP).
	versionAliasRe = regexp.MustCompile(`^([^,\t-\r ]+) +as +([^,\t-\r ]+)$`)
	versionFlagRe  = regexp.MustCompile(`@(?:` + ciAlt("stable", "RC", "beta", "alpha", "dev") + `)$`)
	versionBuildRe = regexp.MustCompile(`^([^,\t-\r +]+)\+[^\t-\r ]+$`)
	versionClassic = regexp.MustCompile(`^[vV]?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?` + modifierFold + `$`)
	versionDate34  = regexp.MustCompile(`^[vV]?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifierFold + `$`)
	versionDate33  = regexp.MustCompile(`^[vV]?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)` + modifierFold + `$`)
	// versionDate is the date pattern in use. composer/semver 3.4 allows two trailing
	// 1-3 digit groups where 3.3 allowed one; that is the only parsing difference between
	// them. The differential test switches to 3.3 when the installed oracle is 3.3.
	versionDate     = versionDate34
	versionDevTail  = regexp.MustCompile(`([^\n]*?)[.-]?` + ci("dev") + `$`)
	versionNonDigit = regexp.MustCompile(`\D`)
	branchNumeric   = regexp.MustCompile(`^[vV]?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$`)

	stabilityRefRe = regexp.MustCompile(`#[^\n]+(\n?)$`)
	stabilityTail  = regexp.MustCompile(modifierFold + `(?:\+[^\n]*)?\n?$`)
)

// phpTrimSet is the default character list of PHP's trim().
const phpTrimSet = " \t\n\r\x00\x0B"

// NormalizeVersion returns Composer's normalized form of a version ("2.4.3-p1" ->
// "2.4.3.0-patch1", "v1.0" -> "1.0.0.0", "dev-main" -> "dev-main", "1.2.x-dev" ->
// "1.2.9999999.9999999-dev"), exactly as composer/semver 3.4 VersionParser::normalize
// does, or an error for a string Composer rejects.
func NormalizeVersion(v string) (string, error) {
	n, err := normalizeVersion(v)
	if err != nil {
		return "", fmt.Errorf("composer: %w", err)
	}
	return n, nil
}

func normalizeVersion(version string) (string, error) {
	version = strings.Trim(version, phpTrimSet)
	orig := version
	if m := versionAliasRe.FindStringSubmatch(version); m != nil {
		version = m[1]
	}
	if loc := versionFlagRe.FindStringIndex(version); loc != nil {
		version = version[:loc[0]]
	}
	// Composer 1 accepted bare default-branch names; keep them valid.
	switch version {
	case "master", "trunk", "default":
		version = "dev-" + version
	}
	if hasPrefixASCIIFold(version, "dev-") {
		return "dev-" + version[4:], nil
	}
	if m := versionBuildRe.FindStringSubmatch(version); m != nil {
		version = m[1]
	}
	if m := versionClassic.FindStringSubmatch(version); m != nil {
		base := m[1] + orDefault(m[2], ".0") + orDefault(m[3], ".0") + orDefault(m[4], ".0")
		return appendModifier(base, m[5], m[6], m[7]), nil
	}
	if m := versionDate.FindStringSubmatch(version); m != nil {
		base := versionNonDigit.ReplaceAllString(m[1], ".")
		return appendModifier(base, m[2], m[3], m[4]), nil
	}
	if m := versionDevTail.FindStringSubmatch(version); m != nil {
		if b, ok := normalizeNumericBranch(m[1]); ok {
			return b, nil
		}
	}
	return "", fmt.Errorf("invalid version string %q", orig)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// appendModifier adds the normalized stability suffix. The literal (case-sensitive)
// word "stable" drops everything after the numbers, as in PHP.
func appendModifier(base, word, digits, dev string) string {
	if word != "" {
		if word == "stable" {
			return base
		}
		base += "-" + expandStability(word) + strings.TrimLeft(digits, ".-")
	}
	if dev != "" {
		base += "-dev"
	}
	return base
}

func expandStability(s string) string {
	s = asciiLower(s)
	switch s {
	case "a":
		return "alpha"
	case "b":
		return "beta"
	case "p", "pl":
		return "patch"
	case "rc":
		return "RC"
	}
	return s
}

// normalizeNumericBranch is VersionParser::normalizeBranch restricted to numeric
// branches ("1.x" -> "1.9999999.9999999.9999999-dev"); ok is false for other names,
// which normalizeBranch would turn into "dev-<name>".
func normalizeNumericBranch(name string) (string, bool) {
	name = strings.Trim(name, phpTrimSet)
	idx := branchNumeric.FindStringSubmatchIndex(name)
	if idx == nil {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < 5; i++ {
		if idx[2*i] < 0 {
			b.WriteString(".x")
			continue
		}
		part := name[idx[2*i]:idx[2*i+1]]
		b.WriteString(strings.NewReplacer("*", "x", "X", "x").Replace(part))
	}
	return strings.ReplaceAll(b.String(), "x", "9999999") + "-dev", true
}

// Stability names returned by VersionStability, as Composer spells them.
const (
	StabilityStable = "stable"
	StabilityRC     = "RC"
	StabilityBeta   = "beta"
	StabilityAlpha  = "alpha"
	StabilityDev    = "dev"
)

// VersionStability returns "stable", "RC", "beta", "alpha" or "dev" for a version string,
// as VersionParser::parseStability does. Patch releases ("2.4.3-p1") are stable.
func VersionStability(v string) string {
	v = stabilityRefRe.ReplaceAllString(v, "$1")
	if strings.HasPrefix(v, "dev-") || strings.HasSuffix(v, "-dev") {
		return StabilityDev
	}
	m := stabilityTail.FindStringSubmatch(asciiLower(v))
	if m == nil {
		return StabilityStable
	}
	if m[3] != "" {
		return StabilityDev
	}
	switch m[1] {
	case "beta", "b":
		return StabilityBeta
	case "alpha", "a":
		return StabilityAlpha
	case "rc":
		return StabilityRC
	}
	return StabilityStable
}

// asciiLower is PHP 8's strtolower: ASCII only, byte length preserved.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

func hasPrefixASCIIFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiLower(s[:len(prefix)]) == prefix
}
