// Package gitattr answers the one gitattributes question the reference generator's archives depend on: does
// a checkout turn a file's LF line endings into CRLF?
//
// The reference generator zips a checked-out work tree, so the eol rules of .gitattributes apply to its archives
// (docs/reference-generator.md §4.1; the vector ModuleBeta/win.bat is LF in git and CRLF in the zips). magerepo reads
// blobs directly, so it replays the conversion: [Matcher] evaluates attributes as gitattributes(5) describes, and
// [Matcher.CRLF] applies git's checkout decision (convert.c) for core.autocrlf=false and core.eol=lf, the
// configuration of a fresh clone on Linux; [Matcher.Checkout] applies it to a stream, for files of any size.
//
// Supported: patterns with git's wildmatch rules (basename patterns without "/", anchored patterns, "**",
// bracket expressions, C-quoted patterns), precedence (deeper files over shallower, later lines over earlier,
// later attributes on a line over earlier), "-attr", "!attr", "attr=value", the built-in macro "binary" and
// "[attr]" macros of the root .gitattributes, the attributes text, eol and the legacy crlf, and git's binary
// detection for text=auto.
//
// Not supported: the ident attribute, filter drivers (including Git LFS), working-tree-encoding ([Matcher.Unsupported]
// names them when set), $GIT_DIR/info/attributes and attribute files from git config, case-insensitive matching
// (core.ignorecase), and core.autocrlf or core.eol other than the defaults above. export-ignore has no effect
// on a checkout and is ignored, as the reference ignores it.
package gitattr

import (
	"bytes"
	"slices"
	"strings"
)

// Attribute states besides a string value. An attribute that no line mentions is absent from a lookup.
const (
	valTrue  = "\x00set"   // "attr"
	valFalse = "\x00unset" // "-attr"
	valUnspc = "\x00unspc" // "!attr": back to unspecified, hiding lower-precedence lines
)

// maxLine is git's limit; longer lines are ignored (attr.c, ATTR_MAX_LINE_LENGTH).
const maxLine = 2048

// assign is one attribute setting on a line.
type assign struct{ name, value string }

// rule is one pattern line of a .gitattributes file.
type rule struct {
	pat   pattern
	attrs []assign
}

// Matcher answers attribute questions for the paths of one tree. Its methods are safe for concurrent use.
type Matcher struct {
	dirs   map[string][]rule   // key: directory of the .gitattributes ("" = root)
	macros map[string][]assign // name -> expansion
}

// NewMatcher builds a Matcher from every .gitattributes file of a tree. The key is the directory holding the
// file ("" for the root, "a/b" below it, "/"-separated), the value its content.
func NewMatcher(files map[string][]byte) *Matcher {
	m := &Matcher{
		dirs:   make(map[string][]rule, len(files)),
		macros: map[string][]assign{"binary": {{"diff", valFalse}, {"merge", valFalse}, {"text", valFalse}}},
	}
	// Macros may only be defined at the root; read it first so its definitions are known.
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dir := strings.Trim(k, "/")
		m.dirs[dir] = append(m.dirs[dir], m.parse(files[k], dir == "")...)
	}
	return m
}

// parse reads one .gitattributes file, recording root macros in m.macros and returning its pattern rules.
func (m *Matcher) parse(content []byte, root bool) []rule {
	var rules []rule
	for line := range bytes.SplitSeq(content, []byte("\n")) {
		if len(line) > maxLine {
			continue
		}
		r, macro, ok := parseLine(string(line))
		if !ok {
			continue
		}
		if macro != "" {
			if root {
				m.macros[macro] = r.attrs
			}
			continue
		}
		rules = append(rules, r)
	}
	return rules
}

const blank = " \t\r\n"

// parseLine parses one line. It returns the rule, or the macro name for an "[attr]" line, and false for
// blank, comment and invalid lines (git ignores those too).
func parseLine(line string) (r rule, macro string, ok bool) {
	line = strings.TrimLeft(line, blank)
	if line == "" || line[0] == '#' {
		return rule{}, "", false
	}
	var name string
	if line[0] == '"' {
		name, line, ok = unquoteC(line)
		if !ok {
			return rule{}, "", false
		}
	} else {
		end := strings.IndexAny(line, blank)
		if end < 0 {
			end = len(line)
		}
		name, line = line[:end], line[end:]
	}
	if after, isMacro := strings.CutPrefix(name, "[attr]"); isMacro {
		if !validName(after) {
			return rule{}, "", false
		}
		macro = after
	} else if strings.HasPrefix(name, "!") {
		return rule{}, "", false // negative patterns are ignored by git
	}
	for _, f := range strings.FieldsFunc(line, func(c rune) bool { return strings.ContainsRune(blank, c) }) {
		a, valid := parseAssign(f)
		if !valid {
			return rule{}, "", false
		}
		r.attrs = append(r.attrs, a)
	}
	if macro == "" {
		r.pat = newPattern(name)
	}
	return r, macro, true
}

func parseAssign(f string) (assign, bool) {
	var a assign
	switch {
	case f[0] == '-':
		a = assign{f[1:], valFalse}
	case f[0] == '!':
		a = assign{f[1:], valUnspc}
	default:
		name, value, hasValue := strings.Cut(f, "=")
		a = assign{name, valTrue}
		if hasValue {
			a.value = value
		}
	}
	return a, validName(a.name)
}

// validName follows git: ASCII letters, digits, "-", "_", ".", not starting with "-".
func validName(s string) bool {
	if s == "" || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// unquoteC reads a C-style quoted string at the start of s and returns it and the rest of s.
func unquoteC(s string) (string, string, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), s[i+1:], true
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			return "", "", false
		}
		if e := strings.IndexByte(`abtnvfr\"`, s[i]); e >= 0 {
			b.WriteByte("\a\b\t\n\v\f\r\\\""[e])
			continue
		}
		if i+2 < len(s) && isOctal(s[i]) && s[i] <= '3' && isOctal(s[i+1]) && isOctal(s[i+2]) {
			b.WriteByte((s[i]-'0')<<6 | (s[i+1]-'0')<<3 | (s[i+2] - '0'))
			i += 2
			continue
		}
		return "", "", false
	}
	return "", "", false
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// lookup returns the attributes of a file path with git's precedence: the deepest .gitattributes first, in
// each file the last line first, on each line the last attribute first; the first setting found wins, and a
// macro set to true expands at that point into settings not found yet.
func (m *Matcher) lookup(path string) map[string]string {
	if m == nil || len(m.dirs) == 0 {
		return nil
	}
	found := map[string]string{}
	dir := path
	for {
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			dir = ""
		} else {
			dir = dir[:i]
		}
		if rules := m.dirs[dir]; len(rules) > 0 {
			rel := path
			if dir != "" {
				rel = path[len(dir)+1:]
			}
			for _, r := range slices.Backward(rules) {
				if r.pat.matches(rel) {
					m.fill(found, r.attrs, 0)
				}
			}
		}
		if dir == "" {
			return found
		}
	}
}

// fill records the attributes of one line (or macro), last first, expanding macros set to true.
func (m *Matcher) fill(found map[string]string, attrs []assign, depth int) {
	for _, a := range slices.Backward(attrs) {
		if _, ok := found[a.name]; ok {
			continue
		}
		found[a.name] = a.value
		if exp, isMacro := m.macros[a.name]; isMacro && a.value == valTrue && depth < 8 {
			m.fill(found, exp, depth+1)
		}
	}
}

// Filter returns the filter driver path names ("lfs" for Git LFS), or "" when none is set.
func (m *Matcher) Filter(path string) string {
	v := m.lookup(path)["filter"]
	if v == valTrue || v == valFalse || v == valUnspc {
		return ""
	}
	return v
}

// Unsupported returns, sorted, the checkout-affecting attributes set on path that this package does not
// apply: ident, filter and working-tree-encoding. A caller can report such files instead of guessing.
func (m *Matcher) Unsupported(path string) []string {
	var out []string
	attrs := m.lookup(path)
	for _, name := range []string{"filter", "ident", "working-tree-encoding"} {
		if v, ok := attrs[name]; ok && v != valFalse && v != valUnspc {
			out = append(out, name)
		}
	}
	return out
}
