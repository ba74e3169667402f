package composer

import (
	"math"
	"strconv"
	"strings"
)

// This file holds the few PHP value rules that Composer's loaders inherit from the language: json_decode's
// associative arrays (an object key that is a canonical integer becomes an int key), isset, empty and the
// string cast. They are written by hand because they describe PHP, not JSON, and no Go library models them.

// phpIntKey reports whether json_decode(…, true) turns object key k into an integer key: a canonical decimal
// integer ("0", "12", "-3"; not "012", "-0", "+1" or "1.0") that fits in a PHP int.
func phpIntKey(k string) bool {
	s := strings.TrimPrefix(k, "-")
	if s == "" || (s[0] == '0' && (len(s) > 1 || len(k) > 1)) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	_, err := strconv.ParseInt(k, 10, 64)
	return err == nil
}

// phpIsset is isset($doc[key]): the key exists and its value is not null.
func phpIsset(doc *Object, key string) (*Value, bool) {
	v, ok := doc.Get(key)
	if !ok || v.Kind() == Null {
		return nil, false
	}
	return v, true
}

// phpEmpty is PHP's empty(): null, false, 0, "", "0" and an empty array.
func phpEmpty(v *Value) bool {
	switch v.Kind() {
	case Null:
		return true
	case Bool:
		return !v.b
	case Number:
		return v.num == 0
	case String:
		return v.str == "" || v.str == "0"
	case Array:
		return len(v.arr) == 0
	default:
		return v.obj.Len() == 0
	}
}

// isPHPArray reports whether v decodes to a PHP array (a JSON object or list).
func isPHPArray(v *Value) bool { return v.Kind() == Array || v.Kind() == ObjectKind }

// phpScalarString is the (string) cast of a JSON scalar as PHP decodes it; ok is false for null, arrays and
// objects (is_scalar is false for them, and casting an array warns, which Composer turns into an exception).
// Numbers keep the spelling PHP prints for the integers and short decimals that occur as versions.
func phpScalarString(v *Value) (string, bool) {
	switch v.Kind() {
	case String:
		return v.str, true
	case Bool:
		if v.b {
			return "1", true
		}
		return "", true
	case Number:
		return formatNumber(v.num), true
	default:
		return "", false
	}
}

// phpCastable reports whether (string) $v succeeds under Composer's error handler: null and scalars do, arrays
// raise "Array to string conversion".
func phpCastable(v *Value) bool { return !isPHPArray(v) }

// phpEntries returns the key/value pairs a PHP foreach visits for an array: object members in the order
// json_decode inserted them (integer-like keys included: PHP arrays keep insertion order, unlike [Object.Keys]),
// or list elements with their integer index as key.
func phpEntries(v *Value) (keys []string, vals []*Value) {
	if o, ok := v.Obj(); ok {
		for _, k := range o.keys {
			keys, vals = append(keys, k), append(vals, o.vals[k])
		}
		return keys, vals
	}
	arr, _ := v.Arr()
	for i, val := range arr {
		keys, vals = append(keys, strconv.Itoa(i)), append(vals, val)
	}
	return keys, vals
}

// phpArrayKey is the key PHP makes of v used as an array offset ($a[$v]), tagged with its type: an integer for
// a canonical integer string, an integer, a bool or a float (truncated), the empty string for null. ok is false
// for arrays, which are no offset (and for floats out of the integer range, which this package does not model).
func phpArrayKey(v *Value) (key string, ok bool) {
	switch v.Kind() {
	case Null:
		return "s:", true
	case Bool:
		if v.b {
			return "i:1", true
		}
		return "i:0", true
	case Number:
		if math.Abs(v.num) >= 1<<63 {
			return "", false
		}
		return "i:" + strconv.FormatInt(int64(v.num), 10), true
	case String:
		if phpIntKey(v.str) {
			return "i:" + v.str, true
		}
		return "s:" + v.str, true
	}
	return "", false
}
