package composer

import (
	"fmt"
	"strings"
)

// Constraint is a parsed Composer version constraint (docs/composer-protocol.md §2.3).
//
// "self.version" is not a constraint: a caller that reads package links must replace it
// with the declaring package's pretty version before parsing, as Composer's ArrayLoader
// does.
type Constraint interface {
	// Matches reports whether the NORMALIZED version satisfies the constraint, as
	// Composer's Constraint::matches(new Constraint('==', $normalized)) does.
	Matches(normalized string) bool
	// String returns the same text as composer/semver's __toString, for example
	// "[>= 1.2.0.0-dev < 2.0.0.0-dev]".
	String() string
}

// opConstraint is composer/semver's Constraint: an operator and a normalized version.
type opConstraint struct {
	op      string // one of ==, !=, <, <=, >, >=
	version string
}

// canonicalOp maps the accepted operator spellings to Composer's canonical ones.
func canonicalOp(op string) string {
	switch op {
	case "", "=":
		return "=="
	case "<>":
		return "!="
	}
	return op
}

func (c opConstraint) String() string { return c.op + " " + c.version }

// Matches is Constraint::matches(new Constraint('==', v)).
func (c opConstraint) Matches(v string) bool {
	return c.intersects(opConstraint{"==", v})
}

// intersects is Constraint::matchSpecific with compareBranches=false: whether some
// version satisfies both c and p. A dev- branch only ever equals itself.
func (c opConstraint) intersects(p opConstraint) bool {
	noEq, pNoEq := strings.ReplaceAll(c.op, "=", ""), strings.ReplaceAll(p.op, "=", "")
	isEq, isNe := c.op == "==", c.op == "!="
	pEq, pNe := p.op == "==", p.op == "!="
	if isNe || pNe {
		if isNe && !pNe && !pEq && isBranch(p.version) {
			return false
		}
		if pNe && !isNe && !isEq && isBranch(c.version) {
			return false
		}
		if !isEq && !pEq {
			return true // two "!=" or "!=" and a range always overlap
		}
		return branchAwareCompare(p.version, c.version, "!=")
	}
	// Two ranges open in the same direction ("<= 2.0" and "< 1.0") always overlap.
	if !isEq && noEq == pNoEq {
		return !isBranch(c.version) && !isBranch(p.version)
	}
	v1, v2, op := p.version, c.version, c.op
	if isEq {
		v1, v2, op = c.version, p.version, p.op
	}
	if !branchAwareCompare(v1, v2, op) {
		return false
	}
	// ">= 1.0" against "< 1.0": the shared point is outside the open range.
	return !(p.op == pNoEq && c.op != noEq && phpVersionCompare(p.version, c.version) == 0)
}

// branchAwareCompare is Constraint::versionCompare with compareBranches=false.
func branchAwareCompare(a, b, op string) bool {
	aBranch, bBranch := isBranch(a), isBranch(b)
	if op == "!=" && (aBranch || bBranch) {
		return a != b
	}
	if aBranch && bBranch {
		return op == "==" && a == b
	}
	if aBranch || bBranch {
		return false
	}
	cmp := phpVersionCompare(a, b)
	switch op {
	case "==":
		return cmp == 0
	case "!=":
		return cmp != 0
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	}
	return false
}

// multiConstraint is composer/semver's MultiConstraint: AND (conjunctive) or OR.
type multiConstraint struct {
	parts       []Constraint
	conjunctive bool
}

func (m multiConstraint) Matches(v string) bool {
	for _, p := range m.parts {
		if p.Matches(v) != m.conjunctive {
			return !m.conjunctive
		}
	}
	return m.conjunctive
}

func (m multiConstraint) String() string {
	sep := " || "
	if m.conjunctive {
		sep = " "
	}
	parts := make([]string, len(m.parts))
	for i, p := range m.parts {
		parts[i] = p.String()
	}
	return "[" + strings.Join(parts, sep) + "]"
}

// matchAll is composer/semver's MatchAllConstraint ("*").
type matchAll struct{}

func (matchAll) Matches(string) bool { return true }
func (matchAll) String() string      { return "*" }

// ParseConstraint parses a constraint string exactly as composer/semver 3.4
// VersionParser::parseConstraints does: "|" and "||" separate OR groups, a comma or a
// space separates AND terms, and each term may be an operator comparison, "~", "^", a
// wildcard, a hyphen range, a branch, with "@stability", "#ref" and " as " parts.
// "self.version" is the caller's business (see [Constraint]).
func ParseConstraint(s string) (Constraint, error) {
	orParts := constraintOrSplit.Split(strings.Trim(s, phpTrimSet), -1)
	groups := make([]Constraint, 0, len(orParts))
	for _, orPart := range orParts {
		var terms []Constraint
		for _, andPart := range splitAndTerms(orPart) {
			cs, err := parseConstraintTerm(andPart)
			if err != nil {
				return nil, fmt.Errorf("composer: could not parse version constraint %q: %w", s, err)
			}
			terms = append(terms, cs...)
		}
		if len(terms) == 1 {
			groups = append(groups, terms[0])
			continue
		}
		groups = append(groups, multiConstraint{parts: terms, conjunctive: true})
	}
	return createDisjunction(groups), nil
}

// createDisjunction is MultiConstraint::create(groups, false), including its merge of
// contiguous ranges ([>= a < b] || [>= b < c] becomes [>= a < c]). The merge only
// compares strings, so for disordered input it changes the meaning; Composer does the
// same, so we must too.
func createDisjunction(groups []Constraint) Constraint {
	if len(groups) == 1 {
		return groups[0]
	}
	left := groups[0]
	var merged []Constraint
	optimized := false
	for _, right := range groups[1:] {
		if m, ok := mergeRanges(left, right); ok {
			left, optimized = m, true
			continue
		}
		merged = append(merged, left)
		left = right
	}
	if !optimized {
		return multiConstraint{parts: groups}
	}
	merged = append(merged, left)
	if len(merged) == 1 {
		return merged[0]
	}
	return multiConstraint{parts: merged}
}

func mergeRanges(left, right Constraint) (Constraint, bool) {
	l, ok1 := left.(multiConstraint)
	r, ok2 := right.(multiConstraint)
	if !ok1 || !ok2 || !l.conjunctive || !r.conjunctive || len(l.parts) != 2 || len(r.parts) != 2 {
		return nil, false
	}
	l0, l1, r0, r1 := l.parts[0].String(), l.parts[1].String(), r.parts[0].String(), r.parts[1].String()
	if !strings.HasPrefix(l0, ">=") || !strings.HasPrefix(l1, "<") ||
		!strings.HasPrefix(r0, ">=") || !strings.HasPrefix(r1, "<") || l1[2:] != r0[3:] {
		return nil, false
	}
	return multiConstraint{parts: []Constraint{l.parts[0], r.parts[1]}, conjunctive: true}, true
}

// Satisfies reports whether version (a pretty, not normalized, version) matches the
// constraint string, like Semver::satisfies. It fails when either does not parse.
func Satisfies(version, constraint string) (bool, error) {
	n, err := NormalizeVersion(version)
	if err != nil {
		return false, err
	}
	c, err := ParseConstraint(constraint)
	if err != nil {
		return false, err
	}
	return c.Matches(n), nil
}
