package composer

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// MinifiedFormat is the value of a p2 file's "minified" key when its version list is minified
// (composer/metadata-minifier's format, which the client expands when it reads exactly this value).
const MinifiedFormat = "composer/2.0"

// unsetMarker marks, in a minified list, a key that the version no longer has.
const unsetMarker = "__unset"

// ParseP2 reads the versions of package name (lower-cased) from the body of a Composer 2 metadata file
// (p2/<name>.json), as ComposerRepository::loadAsyncPackages does: the body decoded by JsonFile::parseJson, the
// list under packages[name], expanded when "minified" is "composer/2.0". A file without packages[name] lists
// no versions (nil, nil), and so, for the client, does valid JSON whose root is no object, or that json_decode
// refuses while it is valid JSON (a lone UTF-16 surrogate escape, or more than 511 nested arrays and objects:
// parseJson then returns null). A body that is no JSON or no UTF-8, a list that is no array or a version that
// is no object is an error, as it is for the client. The entries are returned expanded, not loaded:
// [LoadVersion] loads each.
func ParseP2(body []byte, name string) ([]*Object, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("the file is not UTF-8") // parseJson throws
	}
	root, err := ParseValue(body)
	if err != nil {
		if json.Valid(body) { // valid, but nested deeper than ParseValue goes: json_decode refuses it too
			return nil, nil
		}
		return nil, err
	}
	doc, ok := root.Obj()
	if !ok || jsonDecodeRefuses(root, 1) {
		return nil, nil
	}
	pk, ok := doc.GetObject("packages")
	if !ok {
		return nil, nil
	}
	lv, ok := phpIsset(pk, name)
	if !ok {
		return nil, nil
	}
	if !isPHPArray(lv) {
		return nil, fmt.Errorf("packages[%q] is not a list", name)
	}
	_, list := phpEntries(lv)
	if m, _ := doc.GetString("minified"); m == MinifiedFormat {
		return Expand(list)
	}
	out := make([]*Object, 0, len(list))
	for i, v := range list {
		o, ok := v.Obj()
		if !ok || o.Len() == 0 {
			return nil, fmt.Errorf("version %d is not an object", i)
		}
		out = append(out, o)
	}
	return out, nil
}

// Expand decodes a minified version list as MetadataMinifier::expand does: each entry after the first is
// applied to a copy of the one before it, and the string "__unset" deletes a key. As there, an entry that
// follows an empty one (one whose keys were all unset) is taken as it is, "__unset" values included.
func Expand(minified []*Value) ([]*Object, error) {
	out := make([]*Object, 0, len(minified))
	var state *Object
	for i, mv := range minified {
		if !isPHPArray(mv) || (i == 0 && phpEmpty(mv)) {
			return nil, fmt.Errorf("minified version %d is not an object", i)
		}
		keys, vals := phpEntries(mv)
		base := state == nil || state.Len() == 0 // if (!$expandedVersion) $expandedVersion = $versionData;
		if base {
			state = NewObject()
		} else {
			state = state.Clone()
		}
		for j, k := range keys {
			if s, ok := vals[j].Str(); ok && s == unsetMarker && !base {
				state.Delete(k)
				continue
			}
			state.Set(k, vals[j].Clone())
		}
		out = append(out, state.Clone())
	}
	return out, nil
}

// Minify encodes a version list for a p2 file as composer/metadata-minifier does: the first version in full,
// every later one as the keys whose values differ from the version before it (compared as canonical JSON, key
// order included; nested objects are never diffed) plus "__unset" for keys it no longer has. A version with a
// key whose value is the string "__unset" after the first cannot be minified (the client would delete the
// key); Minify reports it.
func Minify(versions []*Object) ([]*Value, error) {
	out := make([]*Value, 0, len(versions))
	var prev *Object
	for i, v := range versions {
		if prev == nil {
			out = append(out, ObjectValue(v.Clone()))
			prev = v
			continue
		}
		diff := NewObject()
		for _, k := range v.Keys() {
			nv, _ := v.Get(k)
			if s, ok := nv.Str(); ok && s == unsetMarker {
				return nil, fmt.Errorf("composer: version %d: %s is the string %q, which a minified list cannot hold", i, k, unsetMarker)
			}
			if ov, ok := prev.Get(k); !ok || !Equal(ov, nv) {
				diff.Set(k, nv.Clone())
			}
		}
		for _, k := range prev.Keys() {
			if !v.Has(k) {
				diff.SetString(k, unsetMarker)
			}
		}
		out = append(out, ObjectValue(diff))
		prev = v
	}
	return out, nil
}

// phpJSONDepth is json_decode's default depth: it decodes at most phpJSONDepth-1 nested arrays and objects.
const phpJSONDepth = 512

// jsonDecodeRefuses reports whether json_decode fails on valid JSON value v, found depth arrays and objects
// deep: for a key or string holding a lone UTF-16 surrogate (which only a \u escape can put there in a UTF-8
// body), or for nesting deeper than phpJSONDepth allows.
func jsonDecodeRefuses(v *Value, depth int) bool {
	switch v.Kind() {
	case String:
		return !utf8.ValidString(v.str)
	case Array:
		if depth >= phpJSONDepth {
			return true
		}
		for _, e := range v.arr {
			if jsonDecodeRefuses(e, depth+1) {
				return true
			}
		}
	case ObjectKind:
		if depth >= phpJSONDepth {
			return true
		}
		for _, k := range v.obj.keys {
			if !utf8.ValidString(k) || jsonDecodeRefuses(v.obj.vals[k], depth+1) {
				return true
			}
		}
	}
	return false
}
