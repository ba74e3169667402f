package composer

import (
	"regexp"
	"strings"
	"testing"
)

// fourPart is the classical normalized shape, for which normalizing is idempotent.
var fourPart = regexp.MustCompile(`^\d{1,5}\.\d+\.\d+\.\d+(?:-(?:patch|RC|beta|alpha)[\d.]*)?(?:-dev)?$`)

func FuzzNormalizeVersion(f *testing.F) {
	v := loadSemverVectorsF(f)
	for _, r := range v.Normalize {
		f.Add(r.Input)
	}
	for _, r := range v.NormFail {
		f.Add(r.Input)
	}
	for _, s := range semverEdgeVersions {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st := VersionStability(s)
		switch st {
		case StabilityStable, StabilityRC, StabilityBeta, StabilityAlpha, StabilityDev:
		default:
			t.Fatalf("VersionStability(%q) = %q", s, st)
		}
		n, err := NormalizeVersion(s)
		if err != nil {
			return
		}
		if n == "" {
			t.Fatalf("NormalizeVersion(%q) = empty", s)
		}
		if CompareVersions(n, n) != 0 {
			t.Fatalf("CompareVersions(%q, itself) != 0", n)
		}
		// Classical four-part versions and plain branch names are fixed points. Not so
		// date versions ("2010.01.02" re-reads as the classical "2010.01.02.0") or
		// branches that still carry what a second pass strips ("dev-x " from
		// "dev-x @dev", "dev-x@dev" from "dev-x@dev@dev"); PHP behaves the same.
		plainBranch := isBranch(n) && n == strings.Trim(n, phpTrimSet) &&
			!versionFlagRe.MatchString(n) && !versionAliasRe.MatchString(n)
		if plainBranch || fourPart.MatchString(n) {
			n2, err := NormalizeVersion(n)
			if err != nil || n2 != n {
				t.Fatalf("NormalizeVersion(%q) = %q; again = %q, %v", s, n, n2, err)
			}
		}
		// An exact constraint on a plain version matches it.
		if fourPart.MatchString(n) {
			ok, err := Satisfies(n, "=="+n)
			if err != nil || !ok {
				t.Fatalf("Satisfies(%q, ==%s) = %v, %v", n, n, ok, err)
			}
		}
	})
}

// fuzzProbes are normalized versions every parsed constraint is matched against.
var fuzzProbes = []string{"0.0.0.0", "1.0.0.0", "1.0.0.0-dev", "1.2.3.0-beta1", "2.4.3.0-patch1", "2.4.7.0",
	"103.0.7.0-patch3", "1.9999999.9999999.9999999-dev", "dev-main", "dev-master", "9999999-dev"}

func FuzzParseConstraint(f *testing.F) {
	v := loadSemverVectorsF(f)
	for _, r := range v.Parse {
		f.Add(r.Input)
	}
	for _, r := range v.ParseFail {
		f.Add(r.Input)
	}
	for _, s := range semverEdgeConstraints {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConstraint(s)
		if err != nil {
			return
		}
		str := c.String()
		if str == "" {
			t.Fatalf("ParseConstraint(%q).String() is empty", s)
		}
		again, err := ParseConstraint(s)
		if err != nil || again.String() != str {
			t.Fatalf("ParseConstraint(%q) is not deterministic", s)
		}
		results := make([]bool, len(fuzzProbes))
		for i, p := range fuzzProbes {
			results[i] = c.Matches(p)
		}
		// Without OR groups there is nothing to merge, so "s || s" means s. (Only the
		// whole string is trimmed, so double the trimmed form: "X\x00" is "X", but
		// "X\x00 || X" is not valid.)
		s = strings.Trim(s, phpTrimSet)
		if strings.Contains(s, "|") {
			return
		}
		doubled, err := ParseConstraint(s + " || " + s)
		if err != nil {
			t.Fatalf("ParseConstraint(%q) ok but doubled fails: %v", s, err)
		}
		for i, p := range fuzzProbes {
			if doubled.Matches(p) != results[i] {
				t.Fatalf("%q and %q disagree on %s", s, s+" || "+s, p)
			}
		}
	})
}

func loadSemverVectorsF(f *testing.F) semverVectors { return mustLoadSemverVectors(f) }
