// Package fixes applies a profile's upstream fixes during a build: version pins, composer.json patches, extra
// refs and file replacements (docs/fixes.md). They are data in the configuration, so that a distribution's
// knowledge of its upstream's mistakes is reviewable and changes without code.
//
// The order in a build, per package and tag, is the reference generator's: version selection (a pin first, see
// [Set.PinnedVersion]), then pins of dependencies ([Set.ApplyPins]), then the sample-data suggest rule (not
// here), then patches ([Set.ApplyPatches]). File replacements ([Set.Replacements]) change archive entries.
package fixes
