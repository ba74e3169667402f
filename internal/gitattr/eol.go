package gitattr

import "bytes"

// crlfAction mirrors the checkout-relevant values of git's convert_crlf_action.
type crlfAction int

const (
	actionBinary    crlfAction = iota // no conversion
	actionTextInput                   // text, LF in the work tree
	actionTextCRLF                    // text, CRLF in the work tree
	actionAuto                        // text=auto, LF in the work tree
	actionAutoCRLF                    // text=auto eol=crlf
)

// action computes git's decision (convert_attrs) for core.autocrlf=false and core.eol=lf.
func action(attrs map[string]string) crlfAction {
	a, known := textAction(attrs["text"])
	if !known {
		a, known = textAction(attrs["crlf"]) // legacy attribute, consulted only when text is unspecified
	}
	if !known {
		a = -1
	}
	if a != actionBinary {
		switch eol := attrs["eol"]; {
		case a == actionAuto && eol == "lf":
			a = actionAuto
		case a == actionAuto && eol == "crlf":
			a = actionAutoCRLF
		case eol == "lf":
			a = actionTextInput
		case eol == "crlf":
			a = actionTextCRLF
		}
	}
	if a < 0 { // nothing specified: autocrlf=false leaves the file alone
		return actionBinary
	}
	return a
}

// textAction maps a value of text (or crlf) to an action; known is false when it is unspecified.
func textAction(v string) (a crlfAction, known bool) {
	switch v {
	case valTrue:
		return actionTextInput, true // text with core.eol=lf
	case valFalse:
		return actionBinary, true
	case "input":
		return actionTextInput, true
	case "auto":
		return actionAuto, true
	}
	return 0, false
}

// CRLF reports whether checking path out converts the LF line endings of content to CRLF, so that the work
// tree holds ToCRLF(content). It is false when nothing would change.
//
// That is the case for eol=crlf (with text set or unspecified, or the legacy crlf attribute), and for
// text=auto with eol=crlf when content looks like text to git: no NUL, no lone CR, no CRLF already, and few
// control characters. -text and the binary macro disable it.
func (m *Matcher) CRLF(path string, content []byte) bool {
	if m == nil || len(m.dirs) == 0 {
		return false
	}
	a := action(m.lookup(path))
	if a != actionTextCRLF && a != actionAutoCRLF {
		return false
	}
	s := gatherStats(content)
	if s.loneLF == 0 {
		return false
	}
	if a == actionAutoCRLF && (s.loneCR > 0 || s.crlf > 0 || s.isBinary()) {
		return false
	}
	return true
}

// ToCRLF converts every LF not preceded by CR to CRLF, as a checkout does.
func ToCRLF(b []byte) []byte {
	out := make([]byte, 0, len(b)+bytes.Count(b, []byte("\n")))
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		if i == 0 || b[i-1] != '\r' {
			out = append(out, '\r')
		}
		out = append(out, '\n')
		b = b[i+1:]
	}
}

// textStats are git's gather_stats counts over the whole content.
type textStats struct {
	nul, loneCR, loneLF, crlf, printable, nonPrintable int
}

func gatherStats(b []byte) textStats {
	var s textStats
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				s.crlf++
				i++
			} else {
				s.loneCR++
			}
		case c == '\n':
			s.loneLF++
		case c == 127:
			s.nonPrintable++
		case c == '\b' || c == '\t' || c == 0x1b || c == '\f':
			s.printable++
		case c == 0:
			s.nul++
			s.nonPrintable++
		case c < 32:
			s.nonPrintable++
		default:
			s.printable++
		}
	}
	if len(b) > 0 && b[len(b)-1] == 0x1a { // a trailing DOS EOF (Ctrl-Z) does not count
		s.nonPrintable--
	}
	return s
}

// isBinary is git's convert_is_binary.
func (s textStats) isBinary() bool {
	return s.loneCR > 0 || s.nul > 0 || s.printable>>7 < s.nonPrintable
}
