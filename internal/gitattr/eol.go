package gitattr

import (
	"bytes"
	"io"
)

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

// EOL is what a checkout does to the line endings of one file.
type EOL int

const (
	// EOLKeep: the checkout writes the blob's bytes.
	EOLKeep EOL = iota
	// EOLCRLF: every LF not preceded by CR becomes CRLF (eol=crlf with text set or unspecified, or the legacy
	// crlf attribute). Content without such an LF is unchanged, so no statistics are needed.
	EOLCRLF
	// EOLCRLFIfText: as EOLCRLF, but only when the whole content looks like text to git and has no CR yet
	// (text=auto eol=crlf): the decision needs every byte before the first one is converted.
	EOLCRLFIfText
)

// EOL returns the conversion a checkout applies to path.
func (m *Matcher) EOL(path string) EOL {
	if m == nil || len(m.dirs) == 0 {
		return EOLKeep
	}
	switch action(m.lookup(path)) {
	case actionTextCRLF:
		return EOLCRLF
	case actionAutoCRLF:
		return EOLCRLFIfText
	}
	return EOLKeep
}

// CRLF reports whether checking path out converts the LF line endings of content to CRLF, so that the work
// tree holds ToCRLF(content). It is false when nothing would change.
//
// That is the case for eol=crlf (with text set or unspecified, or the legacy crlf attribute), and for
// text=auto with eol=crlf when content looks like text to git: no NUL, no lone CR, no CRLF already, and few
// control characters. -text and the binary macro disable it.
func (m *Matcher) CRLF(path string, content []byte) bool {
	e := m.EOL(path)
	if e == EOLKeep {
		return false
	}
	var s textStats
	s.Write(content)
	return s.converts(e)
}

// Checkout returns, as a stream, the bytes a checkout writes for path, whose blob open returns. Memory stays
// bounded whatever the size: open is called once, or twice for [EOLCRLFIfText] (a first pass gathers git's
// statistics, a second converts). Closing the result closes the blob reader.
func (m *Matcher) Checkout(path string, open func() (io.ReadCloser, error)) (io.ReadCloser, error) {
	e := m.EOL(path)
	if e == EOLCRLFIfText {
		var s textStats
		if err := drain(&s, open); err != nil {
			return nil, err
		}
		e = EOLKeep
		if s.converts(EOLCRLFIfText) {
			e = EOLCRLF
		}
	}
	rc, err := open()
	if err != nil || e == EOLKeep {
		return rc, err
	}
	return crlfReadCloser{Reader: NewCRLFReader(rc), Closer: rc}, nil
}

// drain copies the content open returns into w.
func drain(w io.Writer, open func() (io.ReadCloser, error)) error {
	rc, err := open()
	if err != nil {
		return err
	}
	_, err = io.Copy(w, rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return err
}

type crlfReadCloser struct {
	io.Reader
	io.Closer
}

// ToCRLF converts every LF not preceded by CR to CRLF, as a checkout does.
func ToCRLF(b []byte) []byte {
	out, _ := appendCRLF(make([]byte, 0, len(b)+bytes.Count(b, []byte("\n"))), b, false)
	return out
}

// appendCRLF appends b to dst with every LF not preceded by CR turned into CRLF; prevCR says whether the byte
// before b (in an earlier piece) was CR. It returns the result and whether b's last byte is CR.
func appendCRLF(dst, b []byte, prevCR bool) ([]byte, bool) {
	if len(b) == 0 {
		return dst, prevCR
	}
	lastCR := b[len(b)-1] == '\r'
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return append(dst, b...), lastCR
		}
		dst = append(dst, b[:i]...)
		if i > 0 && b[i-1] != '\r' || i == 0 && !prevCR {
			dst = append(dst, '\r')
		}
		dst = append(dst, '\n')
		b = b[i+1:]
		prevCR = false
	}
}

// NewCRLFReader returns a reader of r's content converted as [ToCRLF] converts it, in pieces: a CR at the end
// of one read is remembered for an LF at the start of the next.
func NewCRLFReader(r io.Reader) io.Reader {
	return &crlfReader{r: r, buf: make([]byte, 32<<10)}
}

type crlfReader struct {
	r      io.Reader
	buf    []byte // raw input
	store  []byte // converted input; out is its unread part
	out    []byte
	prevCR bool
	err    error
}

func (c *crlfReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.buf)
		c.store, c.prevCR = appendCRLF(c.store[:0], c.buf[:n], c.prevCR)
		c.out, c.err = c.store, err
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// textStats are git's gather_stats counts over the whole content, gathered as it is written in pieces.
type textStats struct {
	nul, loneCR, loneLF, crlf, printable, nonPrintable int

	pendingCR bool // the last byte written was CR: lone or half of a CRLF, as the next byte decides
	last      byte // the last byte written, for the trailing DOS EOF rule
	n         int64
}

// Write counts p (io.Writer, never fails).
func (s *textStats) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b := p
	if s.pendingCR {
		s.pendingCR = false
		if b[0] == '\n' {
			s.crlf++
			b = b[1:]
		} else {
			s.loneCR++
		}
	}
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\r':
			switch {
			case i+1 == len(b):
				s.pendingCR = true
			case b[i+1] == '\n':
				s.crlf++
				i++
			default:
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
	s.last = p[len(p)-1]
	s.n += int64(len(p))
	return len(p), nil
}

// final returns the counts of everything written: a CR at the very end is lone, and a trailing DOS EOF
// (Ctrl-Z) does not count.
func (s textStats) final() textStats {
	if s.pendingCR {
		s.loneCR++
		s.pendingCR = false
	}
	if s.n > 0 && s.last == 0x1a {
		s.nonPrintable--
	}
	return s
}

// converts is git's will_convert_lf_to_crlf for rule e over the content written.
func (s *textStats) converts(e EOL) bool {
	f := s.final()
	switch {
	case e == EOLKeep || f.loneLF == 0:
		return false
	case e == EOLCRLFIfText && (f.loneCR > 0 || f.crlf > 0 || f.isBinary()):
		return false
	}
	return true
}

// isBinary is git's convert_is_binary.
func (s textStats) isBinary() bool {
	return s.loneCR > 0 || s.nul > 0 || s.printable>>7 < s.nonPrintable
}
