package composer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// semverVectors is testdata/semver/vectors.json: composer/semver's published test
// vectors (tests/VersionParserTest.php, tests/Constraint/ConstraintTest.php,
// tests/SemverTest.php, tests/ComparatorTest.php at composer/semver 3.4.4), transcribed
// as data, plus the inline assertions of those files and the facts of
// docs/composer-protocol.md §2 (rows named "inline:" and "doc:").
type semverVectors struct {
	Normalize []struct{ Name, Input, Want string } `json:"normalize"`
	NormFail  []struct{ Name, Input string }       `json:"normalize_fail"`
	Branch    []struct{ Name, Input, Want string } `json:"branch"`
	Parse     []struct{ Name, Input, Want string } `json:"constraint"`
	ParseFail []struct{ Name, Input string }       `json:"constraint_fail"`
	Stability []struct{ Name, Input, Want string } `json:"stability"`
	Intersect []struct {
		Name      string
		RequireOp string `json:"require_op"`
		Require   string `json:"require"`
		ProvideOp string `json:"provide_op"`
		Provide   string `json:"provide"`
		Want      bool   `json:"want"`
	} `json:"intersect"`
	Satisfies []struct {
		Name, Version, Constraint string
		Want                      bool
	} `json:"satisfies"`
	SatisfiedBy []struct {
		Name, Constraint string
		Versions, Want   []string
	} `json:"satisfied_by"`
	Sort []struct {
		Name        string
		Input, Want []string
		WantReverse []string `json:"want_reverse"`
	} `json:"sort"`
	Compare []struct {
		Name, A, Op, B string
		Want           bool
	} `json:"compare"`
}

func loadSemverVectors(t *testing.T) semverVectors { return mustLoadSemverVectors(t) }

func mustLoadSemverVectors(t testing.TB) semverVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "semver", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v semverVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSemverVectorsNormalize(t *testing.T) {
	v := loadSemverVectors(t)
	for _, r := range v.Normalize {
		t.Run(r.Name, func(t *testing.T) {
			got, err := NormalizeVersion(r.Input)
			if err != nil || got != r.Want {
				t.Errorf("NormalizeVersion(%q) = %q, %v; want %q", r.Input, got, err, r.Want)
			}
		})
	}
	for _, r := range v.NormFail {
		t.Run("fail/"+r.Name, func(t *testing.T) {
			if got, err := NormalizeVersion(r.Input); err == nil {
				t.Errorf("NormalizeVersion(%q) = %q, want an error", r.Input, got)
			}
		})
	}
	for _, r := range v.Branch {
		t.Run("branch/"+r.Name, func(t *testing.T) {
			got, ok := normalizeNumericBranch(r.Input)
			if !ok {
				got = "dev-" + r.Input // what normalizeBranch returns for other names
			}
			if got != r.Want {
				t.Errorf("normalizeBranch(%q) = %q, want %q", r.Input, got, r.Want)
			}
		})
	}
	if n := len(v.Normalize) + len(v.NormFail) + len(v.Branch); n < 100 {
		t.Errorf("only %d normalize vectors", n)
	}
}

func TestSemverVectorsParseConstraint(t *testing.T) {
	v := loadSemverVectors(t)
	for _, r := range v.Parse {
		t.Run(r.Name, func(t *testing.T) {
			c, err := ParseConstraint(r.Input)
			if err != nil {
				t.Fatalf("ParseConstraint(%q): %v", r.Input, err)
			}
			if c.String() != r.Want {
				t.Errorf("ParseConstraint(%q) = %s, want %s", r.Input, c, r.Want)
			}
		})
	}
	for _, r := range v.ParseFail {
		t.Run("fail/"+r.Name, func(t *testing.T) {
			if c, err := ParseConstraint(r.Input); err == nil {
				t.Errorf("ParseConstraint(%q) = %s, want an error", r.Input, c)
			}
		})
	}
}

func TestSemverVectorsStability(t *testing.T) {
	for _, r := range loadSemverVectors(t).Stability {
		t.Run(r.Name, func(t *testing.T) {
			if got := VersionStability(r.Input); got != r.Want {
				t.Errorf("VersionStability(%q) = %q, want %q", r.Input, got, r.Want)
			}
		})
	}
}

// TestSemverVectorsIntersect checks ConstraintTest's matrix both ways round, as the PHP
// test does (the operation is commutative).
func TestSemverVectorsIntersect(t *testing.T) {
	for _, r := range loadSemverVectors(t).Intersect {
		t.Run(r.Name, func(t *testing.T) {
			req := opConstraint{canonicalOp(r.RequireOp), r.Require}
			prov := opConstraint{canonicalOp(r.ProvideOp), r.Provide}
			if got := req.intersects(prov); got != r.Want {
				t.Errorf("%s intersects %s = %v, want %v", req, prov, got, r.Want)
			}
			if got := prov.intersects(req); got != r.Want {
				t.Errorf("%s intersects %s = %v, want %v", prov, req, got, r.Want)
			}
			if prov.op == "==" && req.Matches(prov.version) != r.Want {
				t.Errorf("%s Matches %q != %v", req, prov.version, r.Want)
			}
		})
	}
}

func TestSemverVectorsSatisfies(t *testing.T) {
	v := loadSemverVectors(t)
	for _, r := range v.Satisfies {
		t.Run(r.Name, func(t *testing.T) {
			got, err := Satisfies(r.Version, r.Constraint)
			if err != nil || got != r.Want {
				t.Errorf("Satisfies(%q, %q) = %v, %v; want %v", r.Version, r.Constraint, got, err, r.Want)
			}
		})
	}
	for _, r := range v.SatisfiedBy {
		t.Run(r.Name, func(t *testing.T) {
			var got []string
			for _, ver := range r.Versions {
				if ok, err := Satisfies(ver, r.Constraint); err != nil {
					t.Fatal(err)
				} else if ok {
					got = append(got, ver)
				}
			}
			if !slices.Equal(got, r.Want) {
				t.Errorf("satisfiedBy(%q) = %q, want %q", r.Constraint, got, r.Want)
			}
		})
	}
}

func TestSemverVectorsSort(t *testing.T) {
	for _, r := range loadSemverVectors(t).Sort {
		t.Run(r.Name, func(t *testing.T) {
			got := slices.Clone(r.Input)
			SortVersions(got)
			if !slices.Equal(got, r.Want) {
				t.Errorf("SortVersions(%q) = %q, want %q", r.Input, got, r.Want)
			}
			slices.Reverse(got)
			if !slices.Equal(got, r.WantReverse) {
				t.Errorf("reversed = %q, want %q", got, r.WantReverse)
			}
		})
	}
}

// TestSemverVectorsCompare runs ComparatorTest, which compares raw (not normalized)
// strings with version_compare.
func TestSemverVectorsCompare(t *testing.T) {
	for _, r := range loadSemverVectors(t).Compare {
		t.Run(r.Name, func(t *testing.T) {
			req := opConstraint{canonicalOp(r.Op), r.B}
			if got := req.Matches(r.A); got != r.Want {
				t.Errorf("%q %s %q = %v, want %v", r.A, r.Op, r.B, got, r.Want)
			}
		})
	}
}

func TestSemverVectorCount(t *testing.T) {
	v := loadSemverVectors(t)
	n := len(v.Normalize) + len(v.NormFail) + len(v.Branch) + len(v.Parse) + len(v.ParseFail) +
		len(v.Stability) + len(v.Intersect) + len(v.Satisfies) + len(v.SatisfiedBy) + len(v.Sort) + len(v.Compare)
	t.Logf("%d vector rows", n)
	if n < 700 {
		t.Errorf("vector file shrank to %d rows", n)
	}
}
