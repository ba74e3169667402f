// Package version says which magerepo this is, from what the Go toolchain recorded in the binary
// (runtime/debug build info): the module version, the VCS revision and whether the work tree was dirty, and the
// Go version. It is the one owner of that question: `magerepo version`, `--version` and the HTTP client's
// User-Agent all ask here, so they never disagree.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// Info is what the binary knows about its own build.
type Info struct {
	// Module is the module version ("v1.2.3" for `go install …@v1.2.3`), or "(devel)" for a build from a work
	// tree.
	Module string `json:"module"`
	// Revision is the full VCS revision the binary was built from; "" when the build recorded none (go test,
	// -buildvcs=false, a build outside a checkout).
	Revision string `json:"revision"`
	// Time is the commit time of Revision (RFC 3339), "" when unknown.
	Time string `json:"time"`
	// Dirty reports uncommitted changes in the work tree at build time.
	Dirty bool `json:"dirty"`
	// Go is the toolchain that built the binary.
	Go string `json:"go"`
}

// Get returns the build information of the running binary. It is read once: it cannot change while the process
// runs.
var Get = sync.OnceValue(func() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Module: "(devel)", Go: runtime.Version()}
	}
	return fromBuildInfo(bi)
})

func fromBuildInfo(bi *debug.BuildInfo) Info {
	in := Info{Module: bi.Main.Version, Go: bi.GoVersion}
	if in.Module == "" {
		in.Module = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Revision = s.Value
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			in.Dirty = s.Value == "true"
		}
	}
	return in
}

// Short returns the version in one word: the module version when magerepo was installed as a module, else the
// first 12 hex digits of the revision ("+dirty" when the work tree had changes), else "devel". The User-Agent
// carries it.
func (in Info) Short() string {
	if in.Module != "" && in.Module != "(devel)" {
		return in.Module
	}
	if in.Revision == "" {
		return "devel"
	}
	s := in.Revision[:min(12, len(in.Revision))]
	if in.Dirty {
		s += "+dirty"
	}
	return s
}

// String returns the line `magerepo version` prints: "magerepo <short> (module M, revision R[, dirty], built
// with G)", naming every fact, known or not, so a bug report carries all of them.
func (in Info) String() string {
	rev := in.Revision
	if rev == "" {
		rev = "unknown"
	}
	if in.Dirty {
		rev += ", dirty"
	}
	return fmt.Sprintf("magerepo %s (module %s, revision %s, built with %s)", in.Short(), in.Module, rev, in.Go)
}

// Short is [Get]().Short(): the version in one word.
func Short() string { return Get().Short() }
