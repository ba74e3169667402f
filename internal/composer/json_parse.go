package composer

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseDocument parses a composer.json document the way the reference generator read it
// (fs.readFileSync(…, 'utf8') then JSON.parse): invalid UTF-8 becomes U+FFFD, a byte-order mark is an error,
// duplicate keys keep their first position and take the last value. The root must be an object.
func ParseDocument(b []byte) (*Object, error) {
	v, err := ParseValue(b)
	if err != nil {
		return nil, err
	}
	o, ok := v.Obj()
	if !ok {
		return nil, errorf(0, "document is not a JSON object")
	}
	return o, nil
}

// ParseValue parses any JSON value with the semantics described at [ParseDocument].
func ParseValue(b []byte) (*Value, error) {
	p := &parser{s: decodeUTF8(b)}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, p.unexpected()
	}
	return v, nil
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 512

type parser struct {
	s string
	i int
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) unexpected() error {
	if p.i >= len(p.s) {
		return errorf(p.i, "unexpected end of input")
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return errorf(p.i, "unexpected character %U", r)
}

func (p *parser) value(depth int) (*Value, error) {
	if depth > maxDepth {
		return nil, errorf(p.i, "nesting deeper than %d", maxDepth)
	}
	if p.i >= len(p.s) {
		return nil, p.unexpected()
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return StringValue(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return BoolValue(true), nil
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return BoolValue(false), nil
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return NullValue(), nil
	}
	return nil, p.unexpected()
}

func (p *parser) object(depth int) (*Value, error) {
	p.i++ // {
	o := NewObject()
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return ObjectValue(o), nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.unexpected()
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.unexpected()
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		o.Set(k, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.unexpected()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return ObjectValue(o), nil
		default:
			return nil, p.unexpected()
		}
	}
}

func (p *parser) array(depth int) (*Value, error) {
	p.i++ // [
	var vs []*Value
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return ArrayValue(), nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.unexpected()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return ArrayValue(vs...), nil
		default:
			return nil, p.unexpected()
		}
	}
}

func (p *parser) number() (*Value, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	if !p.digits(true) {
		return nil, p.unexpected()
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if !p.digits(false) {
			return nil, p.unexpected()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if !p.digits(false) {
			return nil, p.unexpected()
		}
	}
	// ParseFloat reports overflow and underflow with ErrRange but still returns ±Inf or 0, which is what
	// JavaScript's Number parsing gives; the grammar has been checked above.
	f, _ := strconv.ParseFloat(p.s[start:p.i], 64)
	return NumberValue(f), nil
}

// digits consumes a run of digits; with int set, a leading zero must stand alone.
func (p *parser) digits(integer bool) bool {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	if p.i == start {
		return false
	}
	if integer && p.s[start] == '0' && p.i-start > 1 {
		p.i = start + 1 // "01": JSON.parse fails at the second digit
		return false
	}
	return true
}

func (p *parser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", errorf(p.i, "unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", errorf(p.i, "control character in string")
		default:
			b.WriteByte(c)
			p.i++
		}
	}
}

func (p *parser) escape(b *strings.Builder) error {
	p.i++ // backslash
	if p.i >= len(p.s) {
		return errorf(p.i, "unterminated escape")
	}
	c := p.s[p.i]
	p.i++
	switch c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		return p.unicodeEscape(b)
	default:
		return errorf(p.i-1, "invalid escape \\%c", c)
	}
	return nil
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

func (p *parser) unicodeEscape(b *strings.Builder) error {
	r, ok := p.hex4()
	if !ok {
		return errorf(p.i, "invalid \\u escape")
	}
	if r >= 0xD800 && r <= 0xDBFF && strings.HasPrefix(p.s[p.i:], `\u`) {
		save := p.i
		p.i += 2
		if lo, ok := p.hex4(); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			b.WriteRune(0x10000 + (r-0xD800)<<10 + (lo - 0xDC00))
			return nil
		}
		p.i = save
	}
	if r >= 0xD800 && r <= 0xDFFF {
		writeSurrogate(b, r)
		return nil
	}
	b.WriteRune(r)
	return nil
}

// writeSurrogate stores a lone surrogate in generalised UTF-8 (3 bytes), see [Value].
func writeSurrogate(b *strings.Builder, r rune) {
	b.WriteByte(byte(0xE0 | r>>12))
	b.WriteByte(byte(0x80 | (r>>6)&0x3F))
	b.WriteByte(byte(0x80 | r&0x3F))
}

// decodeUTF8 decodes b as the WHATWG UTF-8 decoder (Node's 'utf8') does: each maximal subpart of an invalid
// sequence becomes one U+FFFD.
func decodeUTF8(b []byte) string {
	if validUTF8(b) {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.Write(b[i : i+n])
			i += n
			continue
		}
		sb.WriteRune(utf8.RuneError)
		i += maximalSubpart(b[i:])
	}
	return sb.String()
}

// maximalSubpart returns the length of the invalid sequence at the start of b that the WHATWG decoder replaces
// with a single U+FFFD (at least 1).
func maximalSubpart(b []byte) int {
	lead := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead >= 0xE0 && lead <= 0xEF:
		need = 2
		if lead == 0xE0 {
			lo = 0xA0
		} else if lead == 0xED {
			hi = 0x9F
		}
	case lead >= 0xF0 && lead <= 0xF4:
		need = 3
		if lead == 0xF0 {
			lo = 0x90
		} else if lead == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		c := b[n]
		if c < lo || c > hi {
			break
		}
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}
