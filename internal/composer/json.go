package composer

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Kind is the JSON type of a [Value].
type Kind int

// The JSON kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	ObjectKind
)

// Value is one JSON value of a composer.json document. Objects keep their key order, because composer.json key
// order is part of the published bytes (docs/architecture.md §2.7); numbers are float64, as in JavaScript, because the
// reference generator serialised documents with JSON.stringify.
//
// Strings are stored as Go strings; a lone UTF-16 surrogate from a \u escape (which UTF-8 cannot hold) is kept in
// its 3-byte generalised UTF-8 form so that serialisation can write it back as \udXXX, as JavaScript does.
type Value struct {
	kind Kind
	b    bool
	num  float64
	str  string
	arr  []*Value
	obj  *Object
}

// Object is a JSON object with JavaScript property-order semantics: keys keep their insertion order, a key set
// again keeps its first position, and array-index keys ("0" … "4294967294") are enumerated first, in numeric
// order, as V8 does.
type Object struct {
	keys []string
	vals map[string]*Value
}

// NewObject returns an empty object.
func NewObject() *Object { return &Object{vals: map[string]*Value{}} }

// NullValue returns a JSON null.
func NullValue() *Value { return &Value{kind: Null} }

// BoolValue returns a JSON boolean.
func BoolValue(b bool) *Value { return &Value{kind: Bool, b: b} }

// NumberValue returns a JSON number.
func NumberValue(f float64) *Value { return &Value{kind: Number, num: f} }

// StringValue returns a JSON string.
func StringValue(s string) *Value { return &Value{kind: String, str: s} }

// ArrayValue returns a JSON array holding vs.
func ArrayValue(vs ...*Value) *Value { return &Value{kind: Array, arr: vs} }

// ObjectValue wraps o as a value.
func ObjectValue(o *Object) *Value { return &Value{kind: ObjectKind, obj: o} }

// Kind returns the value's JSON type.
func (v *Value) Kind() Kind { return v.kind }

// Str returns the string of a String value and whether v is one.
func (v *Value) Str() (string, bool) { return v.str, v.kind == String }

// Bool returns the boolean of a Bool value and whether v is one.
func (v *Value) Bool() (bool, bool) { return v.b, v.kind == Bool }

// Num returns the number of a Number value and whether v is one.
func (v *Value) Num() (float64, bool) { return v.num, v.kind == Number }

// Arr returns the elements of an Array value and whether v is one.
func (v *Value) Arr() ([]*Value, bool) { return v.arr, v.kind == Array }

// Obj returns the object of an Object value and whether v is one.
func (v *Value) Obj() (*Object, bool) { return v.obj, v.kind == ObjectKind }

// Truthy reports JavaScript truthiness: the reference treats `"version": 0` and `""` as missing.
func (v *Value) Truthy() bool {
	switch v.kind {
	case Null:
		return false
	case Bool:
		return v.b
	case Number:
		return v.num != 0 && !math.IsNaN(v.num)
	case String:
		return v.str != ""
	default:
		return true
	}
}

// Clone returns a deep copy of v.
func (v *Value) Clone() *Value {
	c := *v
	if v.arr != nil {
		c.arr = make([]*Value, len(v.arr))
		for i, e := range v.arr {
			c.arr[i] = e.Clone()
		}
	}
	if v.obj != nil {
		c.obj = v.obj.Clone()
	}
	return &c
}

// Len returns the number of keys.
func (o *Object) Len() int { return len(o.keys) }

// Get returns the value of key.
func (o *Object) Get(key string) (*Value, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// GetString returns the value of key if it is a string.
func (o *Object) GetString(key string) (string, bool) {
	if v, ok := o.vals[key]; ok {
		return v.Str()
	}
	return "", false
}

// GetObject returns the value of key if it is an object.
func (o *Object) GetObject(key string) (*Object, bool) {
	if v, ok := o.vals[key]; ok {
		return v.Obj()
	}
	return nil, false
}

// Has reports whether key is present.
func (o *Object) Has(key string) bool {
	_, ok := o.vals[key]
	return ok
}

// Set assigns key. An existing key keeps its position; a new key is appended.
func (o *Object) Set(key string, v *Value) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// SetString is Set with a string value.
func (o *Object) SetString(key, s string) { o.Set(key, StringValue(s)) }

// Delete removes key; a later Set appends it at the end again, as in JavaScript.
func (o *Object) Delete(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	for i, k := range o.keys {
		if k == key {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// Keys returns the keys in JavaScript enumeration order: array indices ascending, then insertion order.
func (o *Object) Keys() []string {
	var idx []string
	var rest []string
	for _, k := range o.keys {
		if _, ok := arrayIndex(k); ok {
			idx = append(idx, k)
		} else {
			rest = append(rest, k)
		}
	}
	if len(idx) == 0 {
		return rest
	}
	sortByIndex(idx)
	return append(idx, rest...)
}

// Clone returns a deep copy of o.
func (o *Object) Clone() *Object {
	c := &Object{keys: append([]string(nil), o.keys...), vals: make(map[string]*Value, len(o.vals))}
	for k, v := range o.vals {
		c.vals[k] = v.Clone()
	}
	return c
}

// arrayIndex reports whether k is a canonical array index (0 … 2^32-2), the keys V8 enumerates first.
func arrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n > math.MaxUint32-1 {
		return 0, false
	}
	return n, true
}

func sortByIndex(ks []string) {
	// insertion sort: index keys are rare and few
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0; j-- {
			a, _ := arrayIndex(ks[j-1])
			b, _ := arrayIndex(ks[j])
			if a <= b {
				break
			}
			ks[j-1], ks[j] = ks[j], ks[j-1]
		}
	}
}

// Equal reports whether a and b are the same JSON value, object key order included.
func Equal(a, b *Value) bool {
	return string(MarshalCompact(a)) == string(MarshalCompact(b))
}

// errorf formats a parse error.
func errorf(pos int, format string, args ...any) error {
	return fmt.Errorf("json: offset %d: %s", pos, fmt.Sprintf(format, args...))
}

// validUTF8 is a fast path for decodeUTF8.
func validUTF8(b []byte) bool { return utf8.Valid(b) }
