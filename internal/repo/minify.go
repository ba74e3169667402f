package repo

import (
	"fmt"

	"github.com/mage-os/magerepo/internal/composer"
)

// MinifiedFormat is the value of a p2 file's "minified" key when its version
// list is minified (composer-protocol.md §1.4).
const MinifiedFormat = "composer/2.0"

// unsetMarker marks a key removed from the running state in a minified list.
const unsetMarker = "__unset"

// Minify encodes a version list as composer/metadata-minifier does: the first
// version in full, every later one as the keys whose values differ from the
// running state (compared as canonical JSON, key order included) plus
// "__unset" for keys it no longer has. Nested objects are never diffed.
func Minify(versions []*composer.Object) []*composer.Value {
	out := make([]*composer.Value, 0, len(versions))
	var state *composer.Object
	for _, v := range versions {
		if state == nil {
			out = append(out, composer.ObjectValue(v.Clone()))
			state = v
			continue
		}
		diff := composer.NewObject()
		for _, k := range v.Keys() {
			nv, _ := v.Get(k)
			if ov, ok := state.Get(k); !ok || !composer.Equal(ov, nv) {
				diff.Set(k, nv.Clone())
			}
		}
		for _, k := range state.Keys() {
			if !v.Has(k) {
				diff.SetString(k, unsetMarker)
			}
		}
		out = append(out, composer.ObjectValue(diff))
		state = v
	}
	return out
}

// Expand decodes a minified version list (the inverse of [Minify], as the
// Composer client applies it): each entry is applied to a copy of the running
// state, and "__unset" deletes a key.
func Expand(minified []*composer.Value) ([]*composer.Object, error) {
	out := make([]*composer.Object, 0, len(minified))
	var state *composer.Object
	for i, mv := range minified {
		m, ok := mv.Obj()
		if !ok {
			return nil, fmt.Errorf("repo: minified version %d is not an object", i)
		}
		if state == nil {
			state = m.Clone()
		} else {
			state = state.Clone()
			for _, k := range m.Keys() {
				v, _ := m.Get(k)
				if s, ok := v.Str(); ok && s == unsetMarker {
					state.Delete(k)
					continue
				}
				state.Set(k, v.Clone())
			}
		}
		out = append(out, state.Clone())
	}
	return out, nil
}
