package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gitsrc"
	"github.com/mage-os/magerepo/internal/plan"
)

// fetchConcurrency bounds simultaneous git fetches: they are network-bound, unlike archive writing (--jobs).
const fetchConcurrency = 4

// source is one configured repository, opened.
type source struct {
	idx   int
	cfg   config.Source
	repo  *gitsrc.Repo // nil when it could not be opened
	tags  []tagRef     // tags to expand this run, in walk order
	state *sourceState
	// seen records every tag selected this run (processed or not), to prune stale state entries.
	seen map[string]string

	pending    []tagRef // tags expanded without errors this run
	mu         sync.Mutex
	failedTags map[string]bool // tags whose archives failed
}

// tagRef is a tag with its commit and root tree.
type tagRef struct {
	idx    int // position in walk order among all selected tags of the source
	name   string
	commit string
	tree   string
}

// ErrOptions is returned (wrapped) when the run's options cannot work, before anything is built.
var ErrOptions = errors.New("build: unusable options")

// checkSourcesDir refuses a --sources-dir that does not exist or holds none of the profile's sources (a typo
// would otherwise build an empty repository that looks valid).
func (b *builder) checkSourcesDir() error {
	dir := b.opts.SourcesDir
	if dir == "" {
		return nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%w: --sources-dir %s is not a directory", ErrOptions, dir)
	}
	names := []string{}
	for _, s := range b.cfg.Sources {
		names = append(names, s.Name)
	}
	if b.cfg.ReleaseMetadata != nil {
		names = append(names, config.ReleaseMetadataDir)
	}
	for _, p := range b.cfg.PrebuiltSources {
		names = append(names, p.Name)
	}
	if b.cfg.Advisories != nil {
		names = append(names, b.cfg.Advisories.Name)
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return nil
		}
	}
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("%w: --sources-dir %s holds none of the profile's %d sources (it should have directories named like %q)",
		ErrOptions, dir, len(names), names[0])
}

// openSources opens (fetching remote ones) every source concurrently, then selects each one's new tags.
func (b *builder) openSources(ctx context.Context) error {
	if err := b.checkSourcesDir(); err != nil {
		return err
	}
	b.sources = make([]*source, len(b.cfg.Sources))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchConcurrency)
	for i, sc := range b.cfg.Sources {
		s := &source{idx: i, cfg: sc, seen: map[string]string{}, failedTags: map[string]bool{}}
		b.sources[i] = s
		g.Go(func() error {
			r, p := b.openRepo(gctx, sc, b.commitsFor(sc.Name))
			if p != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				b.report.add(*p)
				if p.Severity == SeverityError {
					b.unreadable.add(sc.Name)
				}
				return nil
			}
			s.repo = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := b.strictErr(); err != nil {
		return err
	}
	if err := b.firstRunComplete(); err != nil {
		return err
	}
	// A distribution release not done yet may be made of packages of any tag.
	b.expandEveryTag = len(b.pendingReleases()) > 0
	for _, s := range b.sources {
		if s.repo != nil {
			b.selectTags(ctx, s)
		}
	}
	b.planNightly()
	return b.strictErr()
}

// unreadableSources records the sources of this run that could not be read at all (a git source, the release
// metadata, a prebuilt or an advisories source: unreachable, not a repository, no such branch), for
// firstRunComplete. Safe for concurrent use.
type unreadableSources struct {
	mu    sync.Mutex
	names []string
}

func (u *unreadableSources) add(name string) {
	u.mu.Lock()
	u.names = append(u.names, name)
	u.mu.Unlock()
}

func (u *unreadableSources) list() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := slices.Clone(u.names)
	slices.Sort(out)
	return slices.Compact(out)
}

// firstRunComplete stops a repository's first run when a source could not be read (unreachable, not a
// repository): publishing what the others give would advertise a mirror with holes as complete. Nothing is
// published; the next run starts afresh. Later runs publish what they can, since the repository already
// serves the rest. A source left out of --sources-dir is a skip, not a failure. It runs once the git sources
// are open (so a run that cannot publish writes no archive) and again right before the publish (for the
// sources read later: release metadata, prebuilt and advisories sources).
func (b *builder) firstRunComplete() error {
	if _, err := os.Stat(b.out.Path("packages.json")); err == nil {
		return nil
	}
	failed := b.unreadable.list()
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%w: a new repository is published only when every source can be read; nothing published (%d unreadable: %s)",
		ErrFailed, len(failed), strings.Join(failed, ", "))
}

// openRepo opens a source from --sources-dir, its local path or the cache; a source that cannot be opened is
// returned as the problem to report.
func (b *builder) openRepo(ctx context.Context, sc config.Source, commits []string) (*gitsrc.Repo, *Problem) {
	loc := sc.Location()
	if b.opts.SourcesDir != "" {
		loc = filepath.Join(b.opts.SourcesDir, sc.Name)
		if _, err := os.Stat(loc); err != nil {
			// Offline builds may cover only some sources: report and go on with the rest.
			return nil, &Problem{Severity: SeveritySkip, Source: sc.Name, Path: loc,
				Message: "source not found in --sources-dir; skipped"}
		}
	}
	cache := &gitsrc.Cache{Dir: b.opts.CacheDir}
	r, err := cache.Open(ctx, loc, gitsrc.Options{Branches: fetchBranches(sc), Commits: commits})
	if err != nil {
		return nil, &Problem{Severity: SeverityError, Source: sc.Name, Path: loc, Message: err.Error()}
	}
	return r, nil
}

// commitsFor lists the extra-ref commits a source must contain.
func (b *builder) commitsFor(name string) []string {
	var cs []string
	for _, r := range b.fixes.ExtraRefs(name) {
		cs = append(cs, r.Commit)
	}
	return cs
}

// walkOrder is the tag order that decides which tag wins a (name, version): the reference's byte order for the
// byte-compatible format, version order otherwise.
func (b *builder) walkOrder() plan.Order {
	if b.cfg.ArchiveFormat == "mageos" {
		return plan.ByteOrder
	}
	return plan.VersionOrder
}

// selectTags lists a source's tags (plus extra refs), keeps the release tags from "from" on, and marks those
// not processed before at their current commit as this run's work.
func (b *builder) selectTags(ctx context.Context, s *source) {
	if s.isNightly() {
		b.selectBranch(ctx, s)
		return
	}
	refs, err := s.repo.Tags(ctx)
	if err != nil {
		b.report.add(Problem{Severity: SeverityError, Source: s.cfg.Name, Message: "listing tags: " + err.Error()})
		return
	}
	byName := map[string]gitsrc.Tag{}
	var in []plan.Tag
	for _, t := range refs {
		byName[t.Name] = t
		in = append(in, plan.Tag{Name: t.Name, Commit: t.Commit})
	}
	in = b.addExtraRefs(ctx, s, in, byName)
	sel, skipped, err := plan.SelectTags(in, s.cfg.From, b.walkOrder())
	if err != nil {
		b.report.add(Problem{Severity: SeverityError, Source: s.cfg.Name, Message: err.Error()})
		return
	}
	for _, sk := range skipped {
		b.report.add(Problem{Severity: SeveritySkip, Source: s.cfg.Name, Tag: sk.Name, Message: "tag " + sk.Reason + "; skipped"})
	}
	s.state = b.state.forSource(s.cfg.Location(), configHash(b.cfg, s.cfg))
	for i, t := range sel {
		s.seen[t.Name] = t.Commit
		if err := byName[t.Name].Err; err != nil {
			// A broken ref fails only its own packages; it is tried again next run.
			b.report.add(Problem{Severity: SeverityError, Source: s.cfg.Name, Tag: t.Name, Message: "unreadable tag: " + err.Error()})
			continue
		}
		processed := s.state.Tags[t.Name] == t.Commit
		if processed && !b.expandEveryTag {
			continue
		}
		if !processed {
			b.newTags++
		}
		s.tags = append(s.tags, tagRef{idx: i, name: t.Name, commit: t.Commit, tree: byName[t.Name].Tree})
	}
	b.expanded += len(s.tags)
}

// addExtraRefs adds the configured releases upstream never tagged, as virtual tags at their commit. A real tag
// of the same name wins, and is reported: the fix is then obsolete.
func (b *builder) addExtraRefs(ctx context.Context, s *source, in []plan.Tag, byName map[string]gitsrc.Tag) []plan.Tag {
	for _, r := range b.fixes.ExtraRefs(s.cfg.Name) {
		if t, ok := byName[r.Release]; ok {
			if t.Commit != r.Commit {
				b.report.add(Problem{Severity: SeverityInfo, Source: s.cfg.Name, Tag: r.Release,
					Message: fmt.Sprintf("extra ref %s: the repository now has a tag %s (at %s); the tag is used", r.Commit, r.Release, t.Commit)})
			}
			continue
		}
		tree, err := s.repo.TreeOf(ctx, r.Commit)
		if err != nil {
			b.report.add(Problem{Severity: SeverityError, Source: s.cfg.Name, Tag: r.Release,
				Message: fmt.Sprintf("extra ref %s: %v", r.Commit, err)})
			continue
		}
		byName[r.Release] = gitsrc.Tag{Name: r.Release, Commit: r.Commit, Tree: tree}
		in = append(in, plan.Tag{Name: r.Release, Commit: r.Commit})
	}
	return in
}
