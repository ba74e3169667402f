package plan

import (
	"fmt"
	"reflect"
	"testing"
)

func names(ts []Tag) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func TestSelectTags(t *testing.T) {
	in := []Tag{{Name: "1.0.10"}, {Name: "1.0.9"}, {Name: "1.1.0-p1"}, {Name: "v1.0.8"}, {Name: "1.0.0"},
		{Name: "list"}, {Name: "2.4.4-p10"}, {Name: "2.4.4-p2"}, {Name: "2.4.4"}, {Name: "1.2-dev"}}
	cases := []struct {
		name    string
		from    string
		order   Order
		want    []string
		skipped int
	}{
		{"byte order from 1.0.8", "1.0.8", ByteOrder, []string{"1.0.10", "1.0.9", "1.1.0-p1", "2.4.4", "2.4.4-p10", "2.4.4-p2", "v1.0.8"}, 2},
		{"version order", "1.0.9", VersionOrder, []string{"1.0.9", "1.0.10", "1.1.0-p1", "2.4.4", "2.4.4-p2", "2.4.4-p10"}, 2},
		{"no from", "", VersionOrder, []string{"1.0.0", "v1.0.8", "1.0.9", "1.0.10", "1.1.0-p1", "2.4.4", "2.4.4-p2", "2.4.4-p10"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, skipped, err := SelectTags(in, tc.from, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(names(got), tc.want) || len(skipped) != tc.skipped {
				t.Fatalf("got %v (skipped %v), want %v (%d skipped)", names(got), skipped, tc.want, tc.skipped)
			}
		})
	}
	if _, _, err := SelectTags(in, "not-a-version", ByteOrder); err == nil {
		t.Fatal("bad from accepted")
	}
}

func TestResolve(t *testing.T) {
	none := func(string, string) (string, bool) { return "", false }
	cands := []Candidate{
		{Name: "a/beta", Version: "100.0.2", Key: "k10", Tag: "1.0.10"},
		{Name: "a/beta", Version: "100.0.2", Key: "k9", Tag: "1.0.9"},
		{Name: "a/beta", Version: "100.0.3", Key: "k11", Tag: "1.1.0-p1"},
		{Name: "a/meta", Version: "1.0", Key: "m1", Tag: "1.0.10", LastWins: true},
		{Name: "a/meta", Version: "1.0", Key: "m2", Tag: "1.0.9", LastWins: true},
		{Name: "a/same", Version: "1.0", Key: "s", Tag: "1.0.10"},
		{Name: "a/same", Version: "1.0", Key: "s", Tag: "1.0.9"},
	}
	winners, reused, conflicts := Resolve(cands, none)
	if !reflect.DeepEqual(winners, []int{0, 2, 4, 5}) || len(reused) != 0 {
		t.Fatalf("winners %v reused %v", winners, reused)
	}
	want := []Conflict{{"a/beta", "100.0.2", "1.0.10", "1.0.9"}, {"a/meta", "1.0", "1.0.9", "1.0.10"}}
	if !reflect.DeepEqual(conflicts, want) {
		t.Fatalf("conflicts %+v, want %+v", conflicts, want)
	}
	// published versions are never rebuilt; a differing candidate is reported against "published"
	pub := func(n, v string) (string, bool) { return "k9", n == "a/beta" && v == "100.0.2" }
	winners, reused, conflicts = Resolve(cands, pub)
	if fmt.Sprint(winners, reused) != "[2 4 5] [0]" {
		t.Fatalf("with published: winners %v reused %v", winners, reused)
	}
	if conflicts[0] != (Conflict{"a/beta", "100.0.2", "published", "1.0.10"}) {
		t.Fatalf("conflict %+v", conflicts[0])
	}
}
