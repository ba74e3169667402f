// Package plan holds the build's decisions as pure functions, without git or file system access: which tags of
// a source are built and in which order, and which candidate wins when several tags yield the same package
// version. Keeping them pure makes every rule table-testable.
package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// Order is the order in which a source's tags are walked; it decides which tag wins a (name, version).
type Order int

const (
	// ByteOrder walks tags in byte order of their names, as `git tag` lists them: the reference generator's
	// order, so 2.4.4-p10 comes before 2.4.4-p2. Used for the byte-compatible mageos format.
	ByteOrder Order = iota
	// VersionOrder walks tags from the lowest Composer version up, so the earliest release wins.
	VersionOrder
)

// Tag is a candidate tag: its name and the commit it points at.
type Tag struct {
	Name   string
	Commit string
}

// SkippedTag is a tag left out, with the reason.
type SkippedTag struct {
	Name   string
	Reason string
}

// SelectTags returns the tags to build, in walk order: tags that are valid Composer versions (a leading "v" is
// allowed) and not below from. Tags that are not versions are returned as skipped with the reason; tags below
// from are left out silently (they are history, not problems).
func SelectTags(tags []Tag, from string, order Order) ([]Tag, []SkippedTag, error) {
	var fromNorm string
	if from != "" {
		n, err := composer.NormalizeVersion(from)
		if err != nil {
			return nil, nil, fmt.Errorf("from %q is not a version: %w", from, err)
		}
		fromNorm = n
	}
	var keep []Tag
	var skipped []SkippedTag
	norm := map[string]string{}
	for _, t := range tags {
		n, err := composer.NormalizeVersion(t.Name)
		if err != nil || composer.VersionStability(t.Name) == "dev" {
			skipped = append(skipped, SkippedTag{t.Name, "not a release version"})
			continue
		}
		if fromNorm != "" && composer.CompareVersions(n, fromNorm) < 0 {
			continue
		}
		norm[t.Name] = n
		keep = append(keep, t)
	}
	slices.SortStableFunc(keep, func(a, b Tag) int {
		if order == VersionOrder {
			if c := composer.CompareVersions(norm[a.Name], norm[b.Name]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Name, b.Name)
	})
	return keep, skipped, nil
}

// Candidate is one package version a (source, tag, layout) yields, before the winner is chosen.
type Candidate struct {
	// Index is the candidate's position in walk order (source, layout phase, tag, directory).
	Index   int
	Name    string
	Version string
	// Key identifies the content: two candidates with equal keys produce identical archives.
	Key string
	// LastWins is set for composer.json-only packages, which the reference rewrites for every tag, so that the
	// last tag in walk order wins; for all others the first one does.
	LastWins bool
	// Tag is for messages.
	Tag string
}

// Published says whether a (name, version) is already in the output, and with which content key.
type Published func(name, version string) (key string, ok bool)

// Conflict is a (name, version) produced with different content by more than one tag.
type Conflict struct {
	Name, Version string
	Winner        string // tag (or "published") whose content is kept
	Loser         string
}

// Resolve picks, for each (name, version), the candidate to build. A version already published is never rebuilt
// (published archives are immutable). Among candidates, the first in walk order wins, or the last for LastWins
// candidates. Candidates whose content differs from what is kept are reported as conflicts. winners and reused
// hold candidate indices in ascending order; reused are the first candidates of versions already published.
func Resolve(cands []Candidate, published Published) (winners, reused []int, conflicts []Conflict) {
	groups := map[string]*group{}
	var order []string
	for i, c := range cands {
		id := c.Name + "\x00" + c.Version
		g, seen := groups[id]
		if !seen {
			g = &group{winner: i}
			g.pubKey, g.published = published(c.Name, c.Version)
			groups[id] = g
			order = append(order, id)
		} else if !g.published && c.LastWins {
			g.winner = i
		}
		g.members = append(g.members, i)
	}
	for _, id := range order {
		g := groups[id]
		if g.published {
			reused = append(reused, g.winner)
		} else {
			winners = append(winners, g.winner)
		}
		conflicts = append(conflicts, g.conflicts(cands)...)
	}
	slices.Sort(winners)
	slices.Sort(reused)
	return winners, reused, conflicts
}

// group is the candidates of one (name, version).
type group struct {
	winner    int
	members   []int
	published bool
	pubKey    string
}

// conflicts lists each distinct content that loses against the kept one, once.
func (g *group) conflicts(cands []Candidate) []Conflict {
	w := cands[g.winner]
	keptKey, keptBy := w.Key, w.Tag
	if g.published {
		keptKey, keptBy = g.pubKey, "published"
	}
	var out []Conflict
	reported := map[string]bool{keptKey: true}
	for _, i := range g.members {
		c := cands[i]
		if keptKey == "" || reported[c.Key] { // "": published before keys were recorded; nothing to compare
			continue
		}
		reported[c.Key] = true
		out = append(out, Conflict{Name: c.Name, Version: c.Version, Winner: keptBy, Loser: c.Tag})
	}
	return out
}
