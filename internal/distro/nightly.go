package distro

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/fixes"
)

// The nightly version scheme is the reference generator's (docs/nightly.md): a package whose base version is
// 2.4.5 is published on 15 January 2024 as 2.4.5.1-a20240115, one fourth-level step above its release and an
// alpha, so it sorts after 2.4.5 and before 2.4.6 and installs only where alpha stability is allowed.

// nightlyBaseRe is what calcNightlyBuildPackageBaseVersion accepts: up to four numeric parts, a leading "v",
// and one "-word" suffix. Anything else throws in the reference (its issue #171: a branch name got here).
var nightlyBaseRe = regexp.MustCompile(`(?i)^v?(?:\d+\.){0,3}\d+(?:-[a-z]\w*|)$`)

// addSuffixRe is addSuffixToVersion's pattern: prefix, numbers, pre-release, legacy build part.
var addSuffixRe = regexp.MustCompile(`(v?)((?:\d+\.?){1,4})(-[^+]+)?(\+.+)?`)

// baseVersionRe is determinePackageForRef's test of a base version: a numeric prefix, not anchored at the end.
var baseVersionRe = regexp.MustCompile(`^v?(\d+\.){0,3}\d+`)

// suffixRe is a nightly suffix: a date and an optional ".N" making a second build of the same day unique.
var suffixRe = regexp.MustCompile(`^\d{8}(\.[1-9]\d*)?$`)

// DefaultBaseVersion is the base version of a package that has none (the reference's "0.0.1").
const DefaultBaseVersion = "0.0.1"

// NightlyVersion is the reference's transformVersionsToNightlyBuildVersion: the nightly version of a package
// whose base version is base, for the nightly suffix (a UTC date YYYYMMDD, optionally ".N"). A base of fewer
// than four numeric parts gets ".1" appended, a four-part one its last part incremented; a "-word" suffix of
// the base moves behind "+" (2.0.0-RC1 → 2.0.0.1-a<suffix>+RC1, which Composer reads without the "+RC1").
// Bases the reference rejects (1.0.0-p1.2, 1.x, five parts, a branch name) are an error; so is a suffix that
// is not a date. The result is always a valid Composer version of alpha stability.
func NightlyVersion(base, suffix string) (string, error) {
	if !suffixRe.MatchString(suffix) {
		return "", fmt.Errorf("distro: nightly suffix %q is not a date YYYYMMDD (optionally .N)", suffix)
	}
	if base == "" {
		base = DefaultBaseVersion
	}
	if !nightlyBaseRe.MatchString(base) {
		return "", fmt.Errorf("distro: unable to determine branch release version for input version %q", base)
	}
	numbers, pre, _ := strings.Cut(base, "-")
	prefix := ""
	if numbers[0] == 'v' || numbers[0] == 'V' {
		prefix, numbers = numbers[:1], numbers[1:]
	}
	parts := strings.Split(numbers, ".")
	if len(parts) < 4 {
		parts = append(parts, "1")
	} else {
		n, err := strconv.ParseUint(parts[3], 10, 63)
		if err != nil {
			return "", fmt.Errorf("distro: version %q: %w", base, err)
		}
		parts[3] = strconv.FormatUint(n+1, 10)
	}
	v := prefix + strings.Join(parts, ".")
	if pre != "" {
		v += "-alpha+" + pre
	}
	return addSuffix(v, suffix)
}

// addSuffix is addSuffixToVersion: <prefix><numbers>-a<suffix><+legacy>, the pre-release dropped.
func addSuffix(v, suffix string) (string, error) {
	m := addSuffixRe.FindStringSubmatch(v)
	out := v + "-a" + suffix
	if m != nil {
		out = m[1] + strings.TrimSuffix(m[2], ".") + "-a" + suffix + m[4]
	}
	if _, err := composer.NormalizeVersion(out); err != nil {
		return "", fmt.Errorf("distro: nightly version %q is not a Composer version: %w", out, err)
	}
	return out, nil
}

// BaseVersion is the base version the reference derives for a package (determinePackageForRef): the version
// of its composer.json at the base ref, else the base ref itself (the repository's latest tag, else the
// branch), kept only when it starts like a version; "" means DefaultBaseVersion.
func BaseVersion(composerVersion, baseRef string) string {
	v := composerVersion
	if v == "" {
		v = baseRef
	}
	if !baseVersionRe.MatchString(v) {
		return ""
	}
	return v
}

// LatestTag is the reference's getLatestTag: of a repository's tags, those not starting with "v" (the audit
// plugin's stray v1.0), the highest in the reference's tag order (fixes.CompareTags). Tags that order cannot
// read are left out (the reference would throw). "" when none is left.
func LatestTag(tags []string) string {
	var ok []string
	for _, t := range tags {
		if strings.HasPrefix(t, "v") {
			continue
		}
		if _, err := fixes.CompareTags(t, t); err == nil {
			ok = append(ok, t)
		}
	}
	if len(ok) == 0 {
		return ""
	}
	return slices.MaxFunc(ok, func(a, b string) int {
		c, _ := fixes.CompareTags(a, b)
		if c == 0 {
			c = strings.Compare(a, b) // equal in Adobe order (v-less duplicates such as 1.0 and 1.0.0): byte order decides
		}
		return c
	})
}

// NightlySuffix returns the suffix of a nightly built from commits whose newest committer date is at: its UTC
// date YYYYMMDD, or, when an earlier nightly already used that date (a second set of commits the same day),
// YYYYMMDD.2, .3, …, the first one not used. The commit's date and not the clock decides, so a rebuild of the
// same history anywhere gives the same versions. last is the suffix of the newest nightly so far ("" for
// none): a nightly never sorts below it, so after a branch is reset to older commits, the day of last is
// taken instead (the new nightly must be the one Composer installs).
func NightlySuffix(at time.Time, last string, used func(suffix string) bool) string {
	day := at.UTC().Format("20060102")
	if lastDay, _, _ := strings.Cut(last, "."); lastDay > day {
		day = lastDay
	}
	if !used(day) {
		return day
	}
	for n := 2; ; n++ {
		if s := day + "." + strconv.Itoa(n); !used(s) {
			return s
		}
	}
}
