package gitattr

import "strings"

// wildResult is the outcome of wildmatch. The two abort values prune the search the way git's wildmatch.c
// does, which keeps matching polynomial for patterns with many stars.
type wildResult int

const (
	wildMatch wildResult = iota
	wildNoMatch
	wildAbortAll
	wildAbortToStarStar
)

// wildmatch reports whether text matches the glob pattern with git's wildmatch rules. With pathname set
// (WM_PATHNAME), "*", "?" and bracket expressions do not match "/", and "**" between slashes matches any
// number of directories.
func wildmatch(pattern, text string, pathname bool) bool {
	w := wild{pat: pattern, pathname: pathname}
	return w.match(0, text) == wildMatch
}

type wild struct {
	pat      string
	pathname bool
}

// at returns the pattern byte at i, or 0 past the end (git works on NUL-terminated strings).
func (w *wild) at(i int) byte {
	if i < len(w.pat) {
		return w.pat[i]
	}
	return 0
}

func (w *wild) match(p int, text string) wildResult {
	for ; p < len(w.pat); p, text = p+1, text[1:] {
		pc := w.pat[p]
		if pc == '*' {
			return w.star(p, text)
		}
		if text == "" {
			return wildAbortAll
		}
		tc := text[0]
		switch pc {
		case '\\':
			p++ // the next pattern byte is literal; a trailing backslash matches nothing
			if w.at(p) != tc {
				return wildNoMatch
			}
		case '?':
			if w.pathname && tc == '/' {
				return wildNoMatch
			}
		case '[':
			end, ok, res := w.class(p, tc)
			if res != wildMatch {
				return res
			}
			if !ok {
				return wildNoMatch
			}
			p = end
		default:
			if pc != tc {
				return wildNoMatch
			}
		}
	}
	if text != "" {
		return wildNoMatch
	}
	return wildMatch
}

// star matches the "*" or "**" at pattern index p against text.
func (w *wild) star(p int, text string) wildResult {
	start := p
	p++
	matchSlash := !w.pathname
	if w.at(p) == '*' {
		for w.at(p) == '*' {
			p++
		}
		atDirStart := start == 0 || w.pat[start-1] == '/'
		atDirEnd := p == len(w.pat) || w.pat[p] == '/' || (w.at(p) == '\\' && w.at(p+1) == '/')
		switch {
		case !w.pathname:
			matchSlash = true
		case atDirStart && atDirEnd:
			if w.at(p) == '/' && w.match(p+1, text) == wildMatch {
				return wildMatch // "**/" matching no directory at all
			}
			matchSlash = true
		default:
			matchSlash = false // "**" inside a name is a plain "*"
		}
	}
	if p == len(w.pat) {
		if !matchSlash && strings.IndexByte(text, '/') >= 0 {
			return wildNoMatch
		}
		return wildMatch
	}
	if !matchSlash && w.pat[p] == '/' {
		// One "*" followed by "/" consumes exactly the rest of this path element.
		i := strings.IndexByte(text, '/')
		if i < 0 {
			return wildNoMatch
		}
		return w.match(p+1, text[i+1:])
	}
	for ; text != ""; text = text[1:] {
		r := w.match(p, text)
		if r != wildNoMatch {
			if !matchSlash || r != wildAbortToStarStar {
				return r
			}
		} else if !matchSlash && text[0] == '/' {
			return wildAbortToStarStar
		}
	}
	return wildAbortAll
}

// class matches the bracket expression starting at pattern index p against byte tc. It returns the index
// of the closing "]", whether tc matched, and a non-match result for a malformed expression.
func (w *wild) class(p int, tc byte) (end int, ok bool, res wildResult) {
	p++
	pc := w.at(p)
	negated := false
	if pc == '^' || pc == '!' {
		negated = true
		p++
		pc = w.at(p)
	}
	var prev byte
	matched := false
	for {
		if pc == 0 {
			return 0, false, wildAbortAll
		}
		switch {
		case pc == '\\':
			p++
			pc = w.at(p)
			if pc == 0 {
				return 0, false, wildAbortAll
			}
			if tc == pc {
				matched = true
			}
		case pc == '-' && prev != 0 && w.at(p+1) != 0 && w.at(p+1) != ']':
			p++
			pc = w.at(p)
			if pc == '\\' {
				p++
				pc = w.at(p)
				if pc == 0 {
					return 0, false, wildAbortAll
				}
			}
			if tc >= prev && tc <= pc {
				matched = true
			}
			pc = 0 // a range cannot start another range
		case pc == '[' && w.at(p+1) == ':':
			q, m, r := w.namedClass(p, tc)
			if r != wildMatch {
				return 0, false, r
			}
			if q < 0 { // no ":]": the "[" is an ordinary member
				if tc == '[' {
					matched = true
				}
			} else {
				p, matched, pc = q, matched || m, 0
			}
		default:
			if tc == pc {
				matched = true
			}
		}
		prev = pc
		p++
		pc = w.at(p)
		if pc == ']' {
			break
		}
	}
	if matched == negated || (w.pathname && tc == '/') {
		return p, false, wildMatch
	}
	return p, true, wildMatch
}

// namedClass handles "[:name:]" at pattern index p. It returns the index of its final "]" (or -1 when the
// text is not a class, so "[" is literal), whether tc is in the class, and wildAbortAll when malformed.
func (w *wild) namedClass(p int, tc byte) (int, bool, wildResult) {
	s := p + 2
	q := s
	for q < len(w.pat) && w.pat[q] != ']' {
		q++
	}
	if q >= len(w.pat) {
		return 0, false, wildAbortAll
	}
	if q-s-1 < 0 || w.pat[q-1] != ':' {
		return -1, false, wildMatch
	}
	in, known := classMember(w.pat[s:q-1], tc)
	if !known {
		return 0, false, wildAbortAll
	}
	return q, in, wildMatch
}

// classMember reports whether c is in the POSIX class name (ASCII only, as in git).
func classMember(name string, c byte) (in, known bool) {
	isUpper, isLower := c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z'
	isDigit := c >= '0' && c <= '9'
	isAlpha := isUpper || isLower
	isPrint := c >= 0x20 && c < 0x7F
	switch name {
	case "alnum":
		return isAlpha || isDigit, true
	case "alpha":
		return isAlpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7F, true
	case "digit":
		return isDigit, true
	case "graph":
		return isPrint && c != ' ', true
	case "lower":
		return isLower, true
	case "print":
		return isPrint, true
	case "punct":
		return isPrint && c != ' ' && !isAlpha && !isDigit, true
	case "space":
		return c == ' ' || (c >= '\t' && c <= '\r'), true
	case "upper":
		return isUpper, true
	case "xdigit":
		return isDigit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'), true
	}
	return false, false
}
