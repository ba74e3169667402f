package verify

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/jsonreport"
)

// Problem is one thing wrong with a repository.
type Problem struct {
	// Package is the package name, or "packages.json" for the root file.
	Package string `json:"package"`
	// Version is the version as published; empty for a problem with a whole
	// package or file.
	Version string `json:"version,omitempty"`
	// Chain lists, for a metapackage, the requirements ("name version") that
	// lead from Package to the link that cannot be satisfied.
	Chain []string `json:"chain,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// String formats the problem as one line: "package version: message", with
// the chain as "package version -> a 1.0 -> b 2.0: message".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Package)
	if p.Version != "" {
		b.WriteString(" " + p.Version)
	}
	for _, c := range p.Chain {
		b.WriteString(" -> " + c)
	}
	b.WriteString(": " + p.Message)
	return b.String()
}

// Report is the result of a check.
type Report struct {
	// Source names the repository checked; Against the one it was compared with.
	Source  string `json:"source"`
	Against string `json:"against,omitempty"`
	// Packages and Versions count what the metadata lists; Dists counts the
	// archives downloaded or opened and checked.
	Packages int `json:"packages"`
	Versions int `json:"versions"`
	Dists    int `json:"dists"`
	// Advisories, when the repository serves security advisories, lists those that affect served versions:
	// information, not problems.
	Advisories *AdvisoryReport `json:"advisories,omitempty"`
	// Problems is sorted by package, version and text.
	Problems []Problem `json:"problems"`
	// Duration is how long the check took.
	Duration jsonreport.Seconds `json:"duration_seconds"`
}

// MarshalJSON writes the report in the shape every magerepo report has (internal/jsonreport): "failed" counts
// the problems, each problem has the severity "error", and every list is present.
func (r Report) MarshalJSON() ([]byte, error) {
	type problem struct {
		Severity string   `json:"severity"`
		Package  string   `json:"package"`
		Version  string   `json:"version,omitempty"`
		Chain    []string `json:"chain"`
		Message  string   `json:"message"`
	}
	probs := make([]problem, len(r.Problems))
	for i, p := range r.Problems {
		probs[i] = problem{"error", p.Package, p.Version, jsonreport.List(p.Chain), p.Message}
	}
	return jsonreport.Marshal(struct {
		Source   string             `json:"source"`
		Against  string             `json:"against,omitempty"`
		Packages int                `json:"packages"`
		Versions int                `json:"versions"`
		Dists    int                `json:"dists"`
		Failed   int                `json:"failed"`
		Duration jsonreport.Seconds `json:"duration_seconds"`
		// Advisories: security advisories that affect served versions (advisories.go), not problems.
		Advisories *AdvisoryReport `json:"advisories,omitempty"`
		Problems   []problem       `json:"problems"`
	}{r.Source, r.Against, r.Packages, r.Versions, r.Dists, len(r.Problems), r.Duration, r.Advisories, probs})
}

// Clean reports whether no problem was found.
func (r *Report) Clean() bool { return len(r.Problems) == 0 }

// sortProblems orders problems deterministically and drops exact duplicates.
func sortProblems(ps []Problem) []Problem {
	slices.SortFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			strings.Compare(a.Package, b.Package),
			strings.Compare(a.Version, b.Version),
			slices.Compare(a.Chain, b.Chain),
			strings.Compare(a.Message, b.Message))
	})
	ps = slices.CompactFunc(ps, func(a, b Problem) bool {
		return a.Package == b.Package && a.Version == b.Version &&
			slices.Equal(a.Chain, b.Chain) && a.Message == b.Message
	})
	if ps == nil {
		ps = []Problem{}
	}
	return ps
}

// Summary returns the one-line summary of the report.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d packages, %d versions, %d dists checked: %s",
		r.Packages, r.Versions, r.Dists, plural(len(r.Problems), "problem"))
	s += r.Advisories.summary()
	if r.Against != "" {
		s += " (compared with " + r.Against + ")"
	}
	return s
}

// WriteText writes one line per problem and the summary line.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	b.WriteString(r.Advisories.text())
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// plural returns "1 problem" or "n problems".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
