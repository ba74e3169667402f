package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	cases := []struct {
		name        string
		bi          debug.BuildInfo
		short, line string
	}{
		{"module install", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}},
			"v1.2.3", "magerepo v1.2.3 (module v1.2.3, revision unknown, built with go1.26.8)"},
		{"work tree, dirty", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "f25978d0123456789abcdef0123456789abcdef0"}, {Key: "vcs.modified", Value: "true"}}},
			"f25978d01234+dirty", "magerepo f25978d01234+dirty (module (devel), revision f25978d0123456789abcdef0123456789abcdef0, dirty, built with go1.26.8)"},
		{"nothing recorded", debug.BuildInfo{GoVersion: "go1.26.8"},
			"devel", "magerepo devel (module (devel), revision unknown, built with go1.26.8)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := fromBuildInfo(&tc.bi)
			if in.Short() != tc.short || in.String() != tc.line {
				t.Fatalf("Short %q String %q, want %q %q", in.Short(), in.String(), tc.short, tc.line)
			}
		})
	}
}

func TestGetNamesGoVersion(t *testing.T) {
	if in := Get(); !strings.HasPrefix(in.Go, "go") {
		t.Fatalf("Go = %q", in.Go)
	}
}
