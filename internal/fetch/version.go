package fetch

import "github.com/mage-os/magerepo/internal/version"

// UserAgent returns the User-Agent every request carries: "magerepo/<version>" (internal/version, the one
// owner of the version, so the header says what `magerepo version` says) and where to find the project, so
// that an upstream operator can tell magerepo's traffic apart and reach its authors.
func UserAgent() string {
	return "magerepo/" + version.Short() + " (+https://github.com/mage-os/magerepo)"
}
