package distro

import (
	"maps"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// offersOf serves a fixed catalogue to Closure.
func offersOf(cat map[string][]Offer) func(string) []Offer {
	return func(name string) []Offer { return cat[name] }
}

// TestClosure: pins select their version; a range selects the highest stable version released by the
// release's date (not the newest); unknown names (third party) stay out; a requirement that only an unstable
// version satisfies takes it; the closure follows requirements of requirements.
func TestClosure(t *testing.T) {
	cat := map[string][]Offer{
		"magento/product": {{Version: "2.4.3", Released: day("2022-04-13"), Requires: map[string]string{
			"magento/module-a": "100.0.2", "magento/installer": ">=0.1.11", "laminas/laminas-code": "^4", "magento/security": "1.1.0-beta1"}}},
		"magento/module-a": {
			{Version: "100.0.1", Released: day("2021-01-01"), Requires: map[string]string{"magento/framework": "103.0.1"}},
			{Version: "100.0.2", Released: day("2022-04-01"), Requires: map[string]string{"magento/framework": "103.0.*"}},
		},
		"magento/framework": {
			{Version: "103.0.1", Released: day("2021-01-01")}, {Version: "103.0.2", Released: day("2022-03-01")},
			{Version: "103.0.3", Released: day("2023-01-01")}, {Version: "104.0.0", Released: day("2021-06-01")},
		},
		"magento/installer": {
			{Version: "0.3.0", Released: day("2021-12-17")}, {Version: "0.4.0", Released: day("2022-12-01")},
			{Version: "0.4.0-beta1", Released: day("2022-04-01")},
		},
		"magento/security": {{Version: "1.1.0-beta1", Released: day("2022-01-01")}},
		"magento/unused":   {{Version: "1.0.0"}},
	}
	got, unresolved := Closure(map[string]string{"magento/product": "2.4.3"}, offersOf(cat), day("2022-04-13"))
	want := map[string]string{"magento/product": "2.4.3", "magento/module-a": "100.0.2", "magento/framework": "103.0.2",
		"magento/installer": "0.3.0", "magento/security": "1.1.0-beta1"}
	if !maps.Equal(got, want) || len(unresolved) != 0 {
		t.Errorf("Closure = %v %v, want %v", got, unresolved, want)
	}
}

// TestClosureAfterRelease: a range that only versions released after the release satisfy takes the lowest of
// them (the first that existed), and every requirement on a name narrows the choice.
func TestClosureAfterRelease(t *testing.T) {
	cat := map[string][]Offer{
		"v/root": {{Version: "1.0.0", Requires: map[string]string{"v/a": "^2.0", "v/b": "*"}}},
		"v/b":    {{Version: "1.0.0", Requires: map[string]string{"v/a": "<2.2"}}},
		"v/a":    {{Version: "2.1.0", Released: day("2024-02-01")}, {Version: "2.0.5", Released: day("2024-01-15")}, {Version: "2.2.0", Released: day("2024-03-01")}, {Version: "1.9.0"}},
	}
	got, _ := Closure(map[string]string{"v/root": "1.0.0"}, offersOf(cat), day("2023-01-01"))
	if got["v/a"] != "2.0.5" || got["v/b"] != "1.0.0" {
		t.Errorf("Closure = %v", got)
	}
}

// TestClosureUnresolved names the package and the constraints no version satisfies.
func TestClosureUnresolved(t *testing.T) {
	cat := map[string][]Offer{
		"v/root": {{Version: "1.0.0", Requires: map[string]string{"v/a": "3.0.0"}}},
		"v/a":    {{Version: "2.0.0"}},
	}
	_, unresolved := Closure(map[string]string{"v/root": "1.0.0"}, offersOf(cat), day("2023-01-01"))
	if len(unresolved) != 1 || unresolved[0].Name != "v/a" || unresolved[0].Error() != `v/a: no version the sources yield satisfies ["3.0.0"]` {
		t.Errorf("unresolved = %v", unresolved)
	}
}

// TestClosureDeterministic: the same catalogue gives the same closure however often it is computed (map
// iteration order must not leak into the choice).
func TestClosureDeterministic(t *testing.T) {
	cat := map[string][]Offer{"v/root": {{Version: "1.0.0", Requires: map[string]string{}}}}
	req := cat["v/root"][0].Requires
	for i := range 40 {
		name := "v/p" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		req[name] = "^1.0"
		cat[name] = []Offer{{Version: "1.0.0"}, {Version: "1.1.0"}, {Version: "1.2.0", Released: day("2030-01-01")}}
	}
	first, _ := Closure(map[string]string{"v/root": "1.0.0"}, offersOf(cat), day("2025-01-01"))
	for range 20 {
		if got, _ := Closure(map[string]string{"v/root": "1.0.0"}, offersOf(cat), day("2025-01-01")); !maps.Equal(got, first) {
			t.Fatalf("closure changed: %v vs %v", got, first)
		}
	}
	if first["v/paa"] != "1.1.0" {
		t.Errorf("v/paa = %s", first["v/paa"])
	}
}

// TestClosureExternal: a requirement a prebuilt zip satisfies (an external offer) leaves the package out of
// the closure, even when the sources build other versions; what the zip requires still narrows the choice of
// the others (the real 2.4.3-p2: the prebuilt magento/adobe-ims pins module-adobe-ims-api 2.1.0, which adobe
// stock requires as 2.1.*, so the git-built 2.1.1 must not be chosen).
func TestClosureExternal(t *testing.T) {
	cat := map[string][]Offer{
		"v/root":  {{Version: "1.0.0", Requires: map[string]string{"v/ims": "2.1.2", "v/other": "^1.0", "v/stock": "1.0.0"}}},
		"v/stock": {{Version: "1.0.0", Requires: map[string]string{"v/ims-api": "2.1.*"}}},
		"v/ims": {{Version: "2.1.1", Requires: map[string]string{"v/ims-api": "*"}},
			{Version: "2.1.2", External: true, Requires: map[string]string{"v/ims-api": "2.1.0"}}},
		"v/other": {{Version: "1.1.0", External: true, Released: day("2020-01-01")}, {Version: "1.0.0", Released: day("2019-01-01")},
			{Version: "1.2.0", Released: day("2024-01-01")}},
		"v/ims-api": {{Version: "2.1.0", External: true}, {Version: "2.1.1"}},
	}
	got, unresolved := Closure(map[string]string{"v/root": "1.0.0"}, offersOf(cat), day("2023-01-01"))
	if want := map[string]string{"v/root": "1.0.0", "v/stock": "1.0.0"}; !maps.Equal(got, want) || len(unresolved) != 0 {
		t.Errorf("Closure = %v %v, want %v", got, unresolved, want)
	}
}

// TestClosureUnsettled: requirements that exclude each other in a cycle (a 2.0 needs b 1.0, b 1.0 needs a
// 1.0, a 1.0 needs b 2.0, b 2.0 needs a 2.0) never settle; Closure says so instead of returning a
// closure that does not install.
func TestClosureUnsettled(t *testing.T) {
	cat := map[string][]Offer{
		"v/root": {{Version: "1.0.0", Requires: map[string]string{"v/a": "*", "v/b": "*"}}},
		"v/a":    {{Version: "1.0.0", Requires: map[string]string{"v/b": "2.0.0"}}, {Version: "2.0.0", Requires: map[string]string{"v/b": "1.0.0"}}},
		"v/b":    {{Version: "1.0.0", Requires: map[string]string{"v/a": "1.0.0"}}, {Version: "2.0.0", Requires: map[string]string{"v/a": "2.0.0"}}},
	}
	got, unresolved := Closure(map[string]string{"v/root": "1.0.0"}, offersOf(cat), day("2023-01-01"))
	if len(unresolved) == 0 {
		t.Fatalf("Closure = %v with nothing unresolved", got)
	}
	for _, u := range unresolved {
		if !u.Unsettled || !strings.Contains(u.Error(), "keep changing") {
			t.Errorf("unresolved %v, want the unsettled packages", u)
		}
	}
}
