package distro

import (
	"fmt"

	"github.com/mage-os/magerepo/internal/composer"
)

// Alias returns the composer.json of the alias metapackage of an upstream package: the upstream name at the
// upstream version, requiring the distribution's package at its version, so that an extension requiring the
// upstream name installs against the distribution. The document depends only on its four inputs, so an alias
// is the same bytes whenever it is made; once published it is never made again (published archives never
// change, unlike the reference's, which a later release rewrites).
func Alias(upstreamName, upstreamVersion, name, version string) *composer.Object {
	doc := composer.NewObject()
	doc.SetString("name", upstreamName)
	doc.SetString("description", fmt.Sprintf(
		"Alias metapackage for %s. Allows extensions requiring %s to use the distribution's equivalent.", name, upstreamName))
	doc.SetString("type", "metapackage")
	doc.SetString("version", upstreamVersion)
	req := composer.NewObject()
	req.SetString(name, version)
	doc.Set("require", composer.ObjectValue(req))
	return doc
}

// AliasTarget chooses which distribution version an alias requires when several releases replace the same
// upstream version: the highest, the reference's rule. versions are distribution versions.
func AliasTarget(versions []string) string {
	best := ""
	for _, v := range versions {
		if best == "" || composer.CompareVersions(v, best) > 0 {
			best = v
		}
	}
	return best
}
