package composer

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MarshalIndent serialises v as JavaScript's JSON.stringify(v, null, 2) does, without a trailing newline: the
// exact bytes of a composer.json in the reference generator's archives (docs/reference-generator.md §3.2).
func MarshalIndent(v *Value) []byte {
	var b strings.Builder
	writeValue(&b, v, "  ", "")
	return []byte(b.String())
}

// MarshalCompact serialises v as JSON.stringify(v): no white space. Used for repository metadata.
func MarshalCompact(v *Value) []byte {
	var b strings.Builder
	writeValue(&b, v, "", "")
	return []byte(b.String())
}

// MarshalObjectIndent is MarshalIndent for an object.
func MarshalObjectIndent(o *Object) []byte { return MarshalIndent(ObjectValue(o)) }

func writeValue(b *strings.Builder, v *Value, indent, prefix string) {
	switch v.kind {
	case Null:
		b.WriteString("null")
	case Bool:
		b.WriteString(strconv.FormatBool(v.b))
	case Number:
		b.WriteString(formatNumber(v.num))
	case String:
		writeString(b, v.str)
	case Array:
		writeArray(b, v.arr, indent, prefix)
	case ObjectKind:
		writeObject(b, v.obj, indent, prefix)
	}
}

func writeArray(b *strings.Builder, vs []*Value, indent, prefix string) {
	if len(vs) == 0 {
		b.WriteString("[]")
		return
	}
	inner := prefix + indent
	b.WriteByte('[')
	for i, e := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		newline(b, indent, inner)
		writeValue(b, e, indent, inner)
	}
	newline(b, indent, prefix)
	b.WriteByte(']')
}

func writeObject(b *strings.Builder, o *Object, indent, prefix string) {
	keys := o.Keys()
	if len(keys) == 0 {
		b.WriteString("{}")
		return
	}
	inner := prefix + indent
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		newline(b, indent, inner)
		writeString(b, k)
		b.WriteByte(':')
		if indent != "" {
			b.WriteByte(' ')
		}
		writeValue(b, o.vals[k], indent, inner)
	}
	newline(b, indent, prefix)
	b.WriteByte('}')
}

func newline(b *strings.Builder, indent, prefix string) {
	if indent == "" {
		return
	}
	b.WriteByte('\n')
	b.WriteString(prefix)
}

// writeString quotes s as JSON.stringify does: short escapes for " \ \b \f \n \r \t, \u00xx for other C0
// controls, \udxxx for lone surrogates, everything else (including "/" and non-ASCII) raw.
func writeString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			if r, ok := loneSurrogate(s[i:]); ok {
				b.WriteString(`\u`)
				b.WriteString(strconv.FormatInt(int64(r), 16))
				i += 3
				continue
			}
			_, n := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xF])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}

// loneSurrogate decodes the generalised-UTF-8 form of a surrogate written by the parser.
func loneSurrogate(s string) (rune, bool) {
	if len(s) < 3 || s[0] != 0xED || s[1] < 0xA0 || s[1] > 0xBF || s[2]&0xC0 != 0x80 {
		return 0, false
	}
	return rune(s[0]&0x0F)<<12 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), true
}

// formatNumber is ECMAScript Number::toString (radix 10), which JSON.stringify uses; NaN and ±Infinity become
// null.
func formatNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	if f == 0 {
		return "0" // also -0
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	// Shortest round-tripping digits, as ECMAScript requires: d.ddddde±x
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	s := sign + digits[:1]
	if k > 1 {
		s += "." + digits[1:]
	}
	if n-1 >= 0 {
		return s + "e+" + strconv.Itoa(n-1)
	}
	return s + "e-" + strconv.Itoa(1-n)
}
