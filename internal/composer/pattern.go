package composer

import "strings"

// NamePattern is a package-name pattern in which "*" matches any run of characters, matched
// case-insensitively against the whole name, as BasePackage::packageNameToRegexp builds them (for
// available-package-patterns, allow-plugins and the like).
//
// It matches as PHP's preg_match does with the regular expression '{^'.preg_quote(p).'$}i' ("*" made ".*"):
// byte by byte, with ASCII-only case folding (no u modifier), "*" matching no newline (".") and a final
// newline of the name left over ("$" without the D modifier).
type NamePattern struct{ parts []string } // the ASCII-lower-cased pieces between the stars

// NewNamePattern compiles a pattern.
func NewNamePattern(p string) NamePattern {
	return NamePattern{parts: strings.Split(asciiLower(p), "*")}
}

// NewNamePatterns compiles a list of patterns.
func NewNamePatterns(ps []string) []NamePattern {
	out := make([]NamePattern, len(ps))
	for i, p := range ps {
		out[i] = NewNamePattern(p)
	}
	return out
}

// Match reports whether name matches the pattern.
func (p NamePattern) Match(name string) bool {
	name = asciiLower(name)
	if p.match(name) {
		return true
	}
	return len(name) > 0 && name[len(name)-1] == '\n' && p.match(name[:len(name)-1])
}

// match matches the whole of s: parts[0], then for each further part a run of non-newline bytes and the part.
func (p NamePattern) match(s string) bool {
	if p.parts == nil {
		p.parts = []string{""} // the zero NamePattern is the empty pattern
	}
	if len(s) < len(p.parts[0]) || s[:len(p.parts[0])] != p.parts[0] {
		return false
	}
	// at[i]: the part just matched can end at offset i.
	at := make([]bool, len(s)+1)
	at[len(p.parts[0])] = true
	for _, part := range p.parts[1:] {
		next := make([]bool, len(s)+1)
		star := false // some start of a run that reaches here without crossing a newline
		for i := 0; i <= len(s); i++ {
			if at[i] {
				star = true
			}
			if star && i+len(part) <= len(s) && s[i:i+len(part)] == part {
				next[i+len(part)] = true
			}
			if i < len(s) && s[i] == '\n' {
				star = false
			}
		}
		at = next
	}
	return at[len(s)]
}

// MatchAnyName reports whether name matches one of the patterns.
func MatchAnyName(patterns []NamePattern, name string) bool {
	for _, p := range patterns {
		if p.Match(name) {
			return true
		}
	}
	return false
}
