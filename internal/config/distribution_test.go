package config

import (
	"strings"
	"testing"
)

// TestDistributionValidate: each distribution and nightly mistake is reported at its key, with what to do.
func TestDistributionValidate(t *testing.T) {
	src := "sources:\n  - {name: a, path: /x, packages: [{dir: \"\"}]}\n"
	branch := "sources:\n  - {name: a, path: /x, branch: main, packages: [{dir: \"\"}]}\n"
	for _, tc := range []struct{ yaml, want string }{
		{"vendor: acme\n" + src, `line 1, column 1: vendor "acme" renames packages only in a distribution`},
		{"vendor: magento\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}]}\n" + src, "a distribution needs its own vendor"},
		{"vendor: acme\ndistribution: {}\n" + src, "needs at least one release"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}, {version: \"1.0\", upstream: \"2.4.8\"}]}\n" + src, `version "1.0" is released twice`},
		{"vendor: acme\ndistribution: {releases: [{version: \"dev-main\", upstream: \"2.4.7\"}]}\n" + src, "is a branch version"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"\"}]}\n" + src, "needs the upstream release"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0-rc" + strings.Repeat("1", 60) + "\", upstream: \"2.4.7\"}]}\n" + src, "longer than 64 characters"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}], editions: [{name: Minimal, require: [php]}]}\n" + src, `edition name "Minimal"`},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}], editions: [{name: community, require: [php]}]}\n" + src, "defined twice"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}], editions: [{name: minimal}]}\n" + src, "keeps nothing"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}], published-elsewhere: [nameonly]}\n" + src, "not a vendor/name pattern"},
		{"vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}]}\n" + branch, "a nightly distribution takes its versions from its branches"},
		{"nightly: {keep: 2}\n" + src, "none does"},
		{"vendor: acme\ndistribution: {upstream-vendor: foo, releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}]}\n" + src, "upstream-vendor must be magento"},
		{"vendor: acme\ndistribution: {editions: [{name: minimal, require: [php]}]}\n" + branch, "a nightly distribution has none"},
		{"nightly: {keep: -1}\n" + branch, "keep must be at least 1"},
		{branch + "  - {name: b, path: /y, packages: [{dir: \"\"}]}\n", "1 of 2 sources name a branch"},
		{"sources:\n  - {name: a, path: /x, branch: main, from: \"1.0\", packages: [{dir: \"\"}]}\n", "from: selects tags"},
	} {
		_, err := Parse([]byte(tc.yaml), "t.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %q", tc.yaml, err, tc.want)
		}
	}
	c, err := Parse([]byte("vendor: acme\ndistribution: {releases: [{version: \"1.0.0\", upstream: \"2.4.7\"}], aliases: false}\n"+src), "t.yaml")
	if err != nil || c.Distribution.UpstreamVendor != DefaultUpstreamVendor || c.Distribution.AliasesEnabled() {
		t.Errorf("a valid distribution: %v %+v", err, c)
	}
}
