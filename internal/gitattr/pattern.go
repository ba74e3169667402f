package gitattr

import "strings"

// pattern is the path pattern of a .gitattributes line, matched relative to the file's directory.
type pattern struct {
	text      string // without the trailing "/"
	noDir     bool   // no "/" inside: matches the basename at any depth
	mustBeDir bool   // trailing "/": matches directories only, so never a file
}

func newPattern(s string) pattern {
	p := pattern{text: s}
	if strings.HasSuffix(p.text, "/") {
		p.text = p.text[:len(p.text)-1]
		p.mustBeDir = true
	}
	p.noDir = !strings.Contains(p.text, "/")
	return p
}

// matches reports whether the pattern matches the file at rel, a path relative to the pattern's directory.
func (p pattern) matches(rel string) bool {
	if p.mustBeDir {
		return false
	}
	if p.noDir {
		return wildmatch(p.text, rel[strings.LastIndexByte(rel, '/')+1:], false)
	}
	pat := strings.TrimPrefix(p.text, "/")
	// Like git, compare the literal prefix first and wildmatch only the rest. This is not just an
	// optimisation: "**" right after the prefix counts as starting a path element, as it does in git.
	n := literalLen(pat)
	if n > len(rel) || pat[:n] != rel[:n] {
		return false
	}
	if n == len(pat) {
		return n == len(rel)
	}
	return wildmatch(pat[n:], rel[n:], true)
}

// literalLen is the length of the pattern's prefix without glob characters.
func literalLen(s string) int {
	if i := strings.IndexAny(s, `*?[\`); i >= 0 {
		return i
	}
	return len(s)
}
