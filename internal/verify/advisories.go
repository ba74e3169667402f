package verify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mage-os/magerepo/internal/advisory"
)

// AdvisoryReport is what the security advisories a repository serves say about the versions it serves. It is
// information for the hoster, not a defect of the repository: serving a version that has a known advisory is
// what a mirror does (its users' lock files name it). Composer 2.9 and later refuse to install such a version
// by default (audit.block-insecure) and `composer audit` reports it. An advisory that Composer cannot read is a
// defect, and is a [Problem] instead.
type AdvisoryReport struct {
	// Listed counts the packages whose p2 file carries an advisories list (empty or not), Packages those with
	// at least one advisory, Advisories the advisories in the lists.
	Listed     int `json:"listed"`
	Packages   int `json:"packages"`
	Advisories int `json:"advisories"`
	// AffectedVersions counts the served versions that at least one advisory affects.
	AffectedVersions int `json:"affected_versions"`
	// Affected lists every advisory that affects a served version, by package and advisory id.
	Affected []Affected `json:"affected"`
}

// Affected is one advisory and the served versions it affects.
type Affected struct {
	Package          string   `json:"package"`
	AdvisoryID       string   `json:"advisory_id"`
	CVE              string   `json:"cve,omitempty"`
	Title            string   `json:"title"`
	Link             string   `json:"link,omitempty"`
	AffectedVersions string   `json:"affected_versions"`
	Versions         []string `json:"versions"`
}

// String renders "acme/lib MRSA-… (CVE-…) affects 1.0.0, 1.0.1: title [>=1.0,<1.0.2]".
func (a Affected) String() string {
	id := a.AdvisoryID
	if a.CVE != "" {
		id += " (" + a.CVE + ")"
	}
	return fmt.Sprintf("%s %s affects %s: %s [%s]", a.Package, id, strings.Join(a.Versions, ", "), a.Title, a.AffectedVersions)
}

// servedAdvisories is what a package's p2 file says about its advisories.
type servedAdvisories struct {
	listed bool // the file has a "security-advisories" list
	list   []advisory.Served
}

// servesAdvisories reports whether packages.json declares advisories in the p2 files
// ("security-advisories": {"metadata": true}); a repository with only an api-url is not checked.
func (f rootFile) servesAdvisories() bool {
	var cfg struct {
		Metadata bool `json:"metadata"`
	}
	return len(f.SecurityAdvisories) > 0 && json.Unmarshal(f.SecurityAdvisories, &cfg) == nil && cfg.Metadata
}

// readAdvisories reads the advisories list of the package's tag file (label names it in messages).
func (p *pkg) readAdvisories(data []byte, label string) []Problem {
	list, listed, errs := advisory.ParseServed(data)
	p.advisories = servedAdvisories{listed: listed, list: list}
	var probs []Problem
	for _, err := range errs {
		probs = append(probs, Problem{Package: p.name, Message: fmt.Sprintf("%s: %v; Composer 2.5 fails every audit and install that asks this repository for the package's advisories", label, err)})
	}
	return probs
}

// checkAdvisories matches every served version with its package's advisories, as Composer does (a version is
// affected when the advisory's affectedVersions match "== version"). It returns nil when the repository serves
// no advisories.
func checkAdvisories(r *repository) *AdvisoryReport {
	if !r.root.servesAdvisories() {
		return nil
	}
	rep := &AdvisoryReport{Affected: []Affected{}}
	for _, p := range r.packages {
		if !p.advisories.listed {
			continue
		}
		rep.Listed++
		if len(p.advisories.list) > 0 {
			rep.Packages++
		}
		rep.Advisories += len(p.advisories.list)
		affected := map[*entry]bool{}
		for _, a := range p.advisories.list {
			var versions []string
			for _, e := range p.entries {
				if e.normalized != "" && a.Affects(e.normalized) {
					versions = append(versions, e.version)
					affected[e] = true
				}
			}
			if len(versions) > 0 {
				rep.Affected = append(rep.Affected, Affected{Package: p.name, AdvisoryID: a.ID, CVE: a.CVE, Title: a.Title,
					Link: a.Link, AffectedVersions: a.AffectedVersions, Versions: versions})
			}
		}
		rep.AffectedVersions += len(affected)
	}
	return rep
}

// summary is the report's part of the summary line ("" when no advisories are served).
func (a *AdvisoryReport) summary() string {
	if a == nil {
		return ""
	}
	advisories := fmt.Sprintf("%d advisories", a.Advisories)
	if a.Advisories == 1 {
		advisories = "1 advisory"
	}
	return fmt.Sprintf("; security advisories: %s for %s, %s affected",
		advisories, plural(a.Packages, "package"), plural(a.AffectedVersions, "served version"))
}

// text is one "advisory: …" line per affected entry.
func (a *AdvisoryReport) text() string {
	if a == nil {
		return ""
	}
	var b strings.Builder
	for _, x := range a.Affected {
		b.WriteString("advisory: " + x.String() + "\n")
	}
	return b.String()
}
