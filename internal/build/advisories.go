package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mage-os/magerepo/internal/advisory"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/repo"
)

// advisoriesReader is the version of the rules that turn an advisory tree into what is published (internal/advisory's
// reading and magerepo's use of it); a state recorded under another version reads the tree again.
const advisoriesReader = 1

// advisoriesState is what the last complete run published as security advisories, and from which tree.
type advisoriesState struct {
	// Config is a hash of the advisories entry and advisoriesReader.
	Config string `json:"config"`
	// Tree is the git tree read ("" for a plain directory, which is read on every run).
	Tree string `json:"tree,omitempty"`
	// Names is a hash of the package names the tree was read for.
	Names string `json:"names"`
	// LeftOut counts the advisories of served packages that could not be used; they are reported again by
	// every run (which then reads the tree again) until the database fixes them.
	LeftOut int `json:"left_out,omitempty"`
	// Packages are the advisories published, by package. They are served again when the database cannot be
	// read: a failed fetch never drops advisories from the metadata.
	Packages map[string][]advisory.Advisory `json:"packages"`
}

// addAdvisories sets the security advisories to publish when the profile has an advisories source: those of
// every package in the manifest, read from the source's tree (or, when the tree is the one the last complete
// run read for the same packages, taken from the state without reading it). A source that cannot be read is
// reported, and the advisories of the last publish are served again; with none, no advisories are served.
func (b *builder) addAdvisories(ctx context.Context, opts *repo.PublishOptions) {
	src := b.cfg.Advisories
	if src == nil {
		b.state.Advisories = nil
		return
	}
	if db := b.readAdvisories(ctx, src); db != nil {
		opts.Advisories, opts.AdvisoriesKey = db, db.Key()
	}
}

func (b *builder) readAdvisories(ctx context.Context, src *config.AdvisorySource) *advisory.DB {
	prev := b.state.Advisories
	fallback := func(p Problem) *advisory.DB {
		if p.Severity == SeverityError {
			b.unreadable.add(src.Name)
		}
		if prev == nil {
			p.Message += "; no security advisories are served"
			b.report.add(p)
			return nil
		}
		p.Message += "; the security advisories of the last publish are served"
		b.report.add(p)
		return advisory.NewDB(prev.Packages)
	}
	loc := src.Location()
	if b.opts.SourcesDir != "" {
		loc = filepath.Join(b.opts.SourcesDir, src.Name)
		if _, err := os.Stat(loc); err != nil {
			return fallback(Problem{Severity: SeveritySkip, Source: src.Name, Path: loc, Message: "advisories not found in --sources-dir; skipped"})
		}
	}
	t, err := b.openBranchTree(ctx, loc, src.Branch)
	if err != nil {
		return fallback(Problem{Severity: SeverityError, Source: src.Name, Path: loc, Message: "security advisories: " + err.Error()})
	}
	names := b.out.Names()
	st := &advisoriesState{Config: advisoriesHash(*src), Tree: t.tree, Names: namesHash(names)}
	if prev != nil && st.Tree != "" && prev.Tree == st.Tree && prev.Config == st.Config && prev.Names == st.Names && prev.LeftOut == 0 {
		return advisory.NewDB(prev.Packages) // the tree the last publish read, for the same packages
	}
	db, left, err := advisory.Read(t.fsys, names)
	if err != nil {
		return fallback(Problem{Severity: SeverityError, Source: src.Name, Path: loc, Message: fmt.Sprintf("security advisories at %s: %v", t.at(), err)})
	}
	for _, e := range left {
		b.report.add(Problem{Severity: SeverityWarning, Source: src.Name, Package: e.Package, Path: e.Path,
			Message: fmt.Sprintf("security advisory at %s left out: %v", t.at(), e.Err)})
	}
	st.LeftOut, st.Packages = len(left), db.Packages()
	// Saved with the build state, which is written only once the publish succeeded.
	b.state.Advisories = st
	return db
}

// advisoriesHash covers what decides which advisories a tree yields besides its content.
func advisoriesHash(s config.AdvisorySource) string {
	s.Line = 0
	b, _ := json.Marshal(struct {
		V   int
		Src config.AdvisorySource
	}{advisoriesReader, s})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// namesHash identifies a sorted list of package names.
func namesHash(names []string) string {
	sum := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(sum[:])
}
