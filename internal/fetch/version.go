package fetch

import (
	"runtime/debug"
	"sync"
)

// Version returns magerepo's version as the Go toolchain recorded it in the binary: the module version when it
// was installed as a module (go install …@v1.2.3), else the VCS revision it was built from (12 hex digits,
// "+dirty" when the work tree had changes), else "devel".
var Version = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = "+dirty"
		}
	}
	if rev == "" {
		return "devel"
	}
	return rev + dirty
})

// UserAgent returns the User-Agent every request carries: "magerepo/<version>" and where to find the project,
// so that an upstream operator can tell magerepo's traffic apart and reach its authors.
func UserAgent() string {
	return "magerepo/" + Version() + " (+https://github.com/mage-os/magerepo)"
}
