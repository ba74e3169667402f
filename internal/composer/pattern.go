package composer

import (
	"regexp"
	"strings"
)

// NamePattern is a package-name pattern in which "*" matches any run of characters, matched
// case-insensitively against the whole name, as BasePackage::packageNameToRegexp builds them (for
// available-package-patterns, allow-plugins and the like).
type NamePattern struct{ re *regexp.Regexp }

// NewNamePattern compiles a pattern.
func NewNamePattern(p string) NamePattern {
	quoted := strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, `.*`)
	return NamePattern{re: regexp.MustCompile(`(?i)^(?:` + quoted + `)$`)}
}

// Match reports whether name matches the pattern.
func (p NamePattern) Match(name string) bool { return p.re.MatchString(name) }

// MatchAnyName reports whether name matches one of the patterns.
func MatchAnyName(patterns []NamePattern, name string) bool {
	for _, p := range patterns {
		if p.Match(name) {
			return true
		}
	}
	return false
}
