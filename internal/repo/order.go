package repo

import (
	"encoding/json"
	"os"
	"slices"
)

// publishOrder returns the indexes of pkgs in the order their p2 files are written: every package after the
// packages it requires, so that a reader who sees a package's new versions, at any moment of a publish or after
// a crash, also sees the versions they require (metapackages, which pin exact versions, come last). Ties go by
// name. A cycle of requirements has no such order; its members are taken by name, and since such cycles are
// among modules that require each other by ranges the versions already published still satisfy, a reader
// still finds a consistent set (docs/format.md, publish order).
func publishOrder(pkgs []packageFiles) []int {
	index := make(map[string]int, len(pkgs))
	for i, p := range pkgs {
		index[p.name] = i
	}
	pending := make([]int, len(pkgs)) // requirements not yet written, per package
	users := make([][]int, len(pkgs)) // packages requiring each package
	for i, p := range pkgs {
		for _, r := range p.requires {
			if j, ok := index[r]; ok && j != i {
				pending[i]++
				users[j] = append(users[j], i)
			}
		}
	}
	order := make([]int, 0, len(pkgs))
	done := make([]bool, len(pkgs))
	for len(order) < len(pkgs) {
		next := readyOrFirst(pkgs, pending, done)
		done[next] = true
		order = append(order, next)
		for _, u := range users[next] {
			pending[u]--
		}
	}
	return order
}

// readyOrFirst returns the first package (pkgs are sorted by name) whose requirements are all written, or, in a
// cycle, the first not yet written. Quadratic in the number of packages, which is a few thousand at most.
func readyOrFirst(pkgs []packageFiles, pending []int, done []bool) int {
	first := -1
	for i := range pkgs {
		if done[i] {
			continue
		}
		if pending[i] <= 0 {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	return first
}

// listedNames returns the names packages.json lists now (none when it is missing or unreadable: then nothing
// is visible to clients yet).
func (r *Repo) listedNames() map[string]bool {
	out := map[string]bool{}
	b, err := os.ReadFile(r.Path("packages.json"))
	if err != nil {
		return out
	}
	var doc struct {
		Available []string `json:"available-packages"`
	}
	if json.Unmarshal(b, &doc) == nil {
		for _, n := range doc.Available {
			out[n] = true
		}
	}
	return out
}

// sortedSet returns the members of a set in order.
func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
