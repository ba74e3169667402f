package composer

import (
	"slices"
	"testing"
)

func TestMinifyRoundTrip(t *testing.T) {
	var versions []*Object
	for _, m := range []string{
		`{"name":"a/b","version":"3.0.0","require":{"x/y":"^1"},"extra":{"k":[1,2]},"license":"MIT"}`,
		`{"name":"a/b","version":"2.0.0","require":{"x/y":"^1"},"extra":{"k":[1,2,3]}}`,
		`{"name":"a/b","version":"1.0.0","require":{"x/y":"^0.9"},"description":"old","license":"MIT"}`,
		`{"name":"a/b","version":"0.9.0"}`,
		`{"name":"a/b","version":"0.8.0","extra":{"k":[1,2]}}`,
	} {
		o, err := ParseDocument([]byte(m))
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, o)
	}
	min, err := Minify(versions)
	if err != nil {
		t.Fatal(err)
	}
	// The second version only differs in version and extra, and drops license.
	if got := string(MarshalCompact(min[1])); got != `{"version":"2.0.0","extra":{"k":[1,2,3]},"license":"__unset"}` {
		t.Errorf("minified second version: %s", got)
	}
	exp, err := Expand(min)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp) != len(versions) {
		t.Fatalf("expanded %d versions, want %d", len(exp), len(versions))
	}
	for i := range versions {
		if !sameKeysAndValues(exp[i], versions[i]) {
			t.Errorf("version %d: expanded %s, want %s", i, MarshalCompact(ObjectValue(exp[i])),
				MarshalCompact(ObjectValue(versions[i])))
		}
	}
}

// sameKeysAndValues compares two objects' top-level keys and values; the
// position of a key that reappears may differ after expansion, which Composer
// does not care about.
func sameKeysAndValues(a, b *Object) bool {
	ka, kb := a.Keys(), b.Keys()
	slices.Sort(ka)
	slices.Sort(kb)
	if !slices.Equal(ka, kb) {
		return false
	}
	for _, k := range ka {
		va, _ := a.Get(k)
		vb, _ := b.Get(k)
		if !Equal(va, vb) {
			return false
		}
	}
	return true
}

func TestExpandMinified(t *testing.T) {
	const minified = `[
		{"name":"a/b","version":"2.0.0","require":{"php":">=8"},"extra":{"x":1}},
		{"version":"1.0.0","require":{"php":">=7"},"extra":"__unset"},
		{"version":"0.9.0"},
		{"version":"0.8.0","extra":{"y":2},"require":"__unset"}
	]`
	want := []string{
		`{"name":"a/b","version":"2.0.0","require":{"php":">=8"},"extra":{"x":1}}`,
		`{"name":"a/b","version":"1.0.0","require":{"php":">=7"}}`,
		`{"name":"a/b","version":"0.9.0","require":{"php":">=7"}}`,
		`{"name":"a/b","version":"0.8.0","extra":{"y":2}}`,
	}
	list, err := ParseValue([]byte(minified))
	if err != nil {
		t.Fatal(err)
	}
	arr, _ := list.Arr()
	got, err := Expand(arr)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i, e := range got {
		if s := string(MarshalCompact(ObjectValue(e))); s != want[i] {
			t.Errorf("entry %d = %s, want %s", i, s, want[i])
		}
	}
}
