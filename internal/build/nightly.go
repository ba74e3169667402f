package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/distro"
	"github.com/mage-os/magerepo/internal/magento"
	"github.com/mage-os/magerepo/internal/repo"
)

// Nightly builds (docs/nightly.md): every source of a nightly profile names a branch. A run reads the heads of
// the branches; when they differ from those of the last published nightly set, it publishes a new set: every
// package of every source at its nightly version (distro.NightlyVersion), with the suffix taken from the newest
// head commit's committer date, links inside the set pinned, and the oldest sets beyond nightly.keep removed
// from the metadata. A published nightly version is never built again: every set has a suffix no earlier set
// had.

// nightlyRun is what this run decided about the nightly set.
type nightlyRun struct {
	// suffix is the new set's suffix; "" when there is no new set (same heads as the last one, or a source
	// could not give its head).
	suffix string
	heads  map[string]string // source name -> head commit
	newest time.Time         // committer date of the newest head
	latest map[int]latestTag // source index -> the repository's latest tag (the base ref)
	set    *nightlySet       // the set this run publishes, once its archives are written
	retry  bool              // the set is the last one again, which was incomplete
}

// latestTag is a source's latest tag by the reference's rule, with its root tree ("" when it has no tag).
type latestTag struct{ name, tree string }

// nightlyState is the nightly part of the build state: the published sets, oldest first.
type nightlyState struct {
	// Config is nightlyHash of the configuration the last set was built with.
	Config string        `json:"config"`
	Sets   []*nightlySet `json:"sets"`
	// Suffixes are all suffixes ever published, retired sets' too: a retired version must never come back with
	// other bytes (a lock file may still name it).
	Suffixes []string `json:"suffixes"`
}

// nightlySet is one published nightly set.
type nightlySet struct {
	Suffix   string            `json:"suffix"`
	Heads    map[string]string `json:"heads"`
	Packages []nightlyPackage  `json:"packages"`
	// Incomplete reports that some package of the set failed: the next run with the same heads builds the set
	// again under the same suffix (what was published is reused) and reports the failures again.
	Incomplete bool `json:"incomplete,omitempty"`
}

// nightlyPackage is one (name, version) of a nightly set.
type nightlyPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// isNightly reports whether the source builds its branch head.
func (s *source) isNightly() bool { return s.cfg.Branch != "" }

// fetchBranches are the branches a source's mirror must hold: the configured extra ones and its nightly branch.
func fetchBranches(sc config.Source) []string {
	if sc.Branch == "" || slices.Contains(sc.Branches, sc.Branch) {
		return sc.Branches
	}
	return append(slices.Clone(sc.Branches), sc.Branch)
}

// selectBranch makes a nightly source's branch head its one virtual tag, and finds its latest tag (the base
// ref of the nightly versions). Whether the head is built is decided for all sources at once (planNightly).
func (b *builder) selectBranch(ctx context.Context, s *source) {
	fail := func(msg string, err error) {
		b.report.add(Problem{Severity: SeverityError, Source: s.cfg.Name, Tag: s.cfg.Branch,
			Message: fmt.Sprintf("branch %s: %s: %v", s.cfg.Branch, msg, err)})
	}
	commit, err := s.repo.Resolve(ctx, "refs/heads/"+s.cfg.Branch)
	if err != nil {
		fail("no such branch", err)
		return
	}
	tree, err := s.repo.TreeOf(ctx, commit)
	if err != nil {
		fail("reading the head commit", err)
		return
	}
	at, err := s.repo.CommitTime(ctx, commit)
	if err != nil {
		fail("reading the head commit's date", err)
		return
	}
	tags, err := s.repo.Tags(ctx)
	if err != nil {
		fail("listing tags", err)
		return
	}
	names := make([]string, 0, len(tags))
	trees := map[string]string{}
	for _, t := range tags {
		if t.Err == nil {
			names = append(names, t.Name)
			trees[t.Name] = t.Tree
		}
	}
	n := b.nightlyRun()
	latest := distro.LatestTag(names)
	n.latest[s.idx] = latestTag{name: latest, tree: trees[latest]}
	n.heads[s.cfg.Name] = commit
	if at.After(n.newest) {
		n.newest = at
	}
	s.seen[s.cfg.Branch] = commit
	s.tags = []tagRef{{idx: 0, name: s.cfg.Branch, commit: commit, tree: tree}}
}

// nightlyRun returns this run's nightly decision, created on first use.
func (b *builder) nightlyRun() *nightlyRun {
	if b.nightly == nil {
		b.nightly = &nightlyRun{heads: map[string]string{}, latest: map[int]latestTag{}}
	}
	return b.nightly
}

// planNightly decides whether this run publishes a new nightly set: only when every source gave its head and
// the heads (or the configuration) differ from the last published set's. Otherwise no branch is expanded, and
// a run with the same heads reads refs and writes nothing.
func (b *builder) planNightly() {
	if !b.cfg.IsNightly() {
		return
	}
	n := b.nightlyRun()
	st := b.nightlyState()
	// A source left out of --sources-dir is not part of an offline build's set; one that could not be read, or
	// gave no head, stops the new set (a partial set would pin links to versions that do not exist).
	opened := 0
	for _, s := range b.sources {
		if s.repo != nil {
			opened++
		}
	}
	complete := opened > 0 && len(n.heads) == opened && len(b.unreadable.list()) == 0
	var last *nightlySet
	if len(st.Sets) > 0 {
		last = st.Sets[len(st.Sets)-1]
	}
	same := last != nil && st.Config == nightlyHash(b.cfg) && maps.Equal(last.Heads, n.heads)
	if same && last.Incomplete && complete {
		n.suffix, n.retry = last.Suffix, true
		b.newTags += opened
		return
	}
	if !complete || same {
		if !complete {
			b.report.add(Problem{Severity: SeverityError, Message: fmt.Sprintf(
				"nightly: %d of %d sources could not be read or gave no branch head; no new nightly set this run",
				opened-len(n.heads)+len(b.unreadable.list()), opened+len(b.unreadable.list()))})
		}
		for _, s := range b.sources {
			s.tags = nil
		}
		return
	}
	n.suffix = nextSuffix(st, n.newest)
	b.newTags += opened
}

// nextSuffix is the suffix of a new set whose newest head commit is at: one no set ever had, never below the
// newest one published.
func nextSuffix(st *nightlyState, at time.Time) string {
	used := map[string]bool{}
	for _, s := range st.Suffixes {
		used[s] = true
	}
	newest := ""
	if len(st.Suffixes) > 0 {
		newest = st.Suffixes[len(st.Suffixes)-1]
	}
	return distro.NightlySuffix(at, newest, func(s string) bool { return used[s] })
}

// nightlyState returns the nightly state, created when absent (state files from before nightly builds).
func (b *builder) nightlyState() *nightlyState {
	if b.state.Nightly == nil {
		b.state.Nightly = &nightlyState{}
	}
	return b.state.Nightly
}

// nightlyHash covers what a nightly set's content derives from besides the heads: every source's
// configuration, the vendor and the distribution.
func nightlyHash(c *config.Config) string {
	h := sha256.New()
	for _, s := range c.Sources {
		fmt.Fprintf(h, "%s\x00", configHash(c, s))
	}
	d, _ := json.Marshal(c.Distribution)
	fmt.Fprintf(h, "%s\x00%s\x001", c.Vendor, d)
	return hex.EncodeToString(h.Sum(nil))
}

// baseRef is the ref a nightly source's base versions come from: its latest tag, else its branch.
func (x *expander) baseRef() latestTag {
	l := x.b.nightly.latest[x.s.idx]
	if l.name == "" {
		l.name = x.s.cfg.Branch
	}
	return l
}

// releaseName is the release whose metadata a tag's Magento packages are made from: the tag, or for a branch
// its latest tag (a branch has no release metadata of its own).
func (x *expander) releaseName() string {
	if x.s.isNightly() {
		return x.b.nightly.latest[x.s.idx].name
	}
	return x.t.name
}

// nightlyVersion is the nightly version of the package c of a branch head: the base version per the
// reference's rule (the composer.json version at the latest tag, the latest tag, ” for 0.0.1) plus the
// run's suffix. A package the latest tag does not have takes its base from the head's composer.json. A base
// the scheme rejects is an error naming source, branch and path.
func (x *expander) nightlyVersion(c *candidate, doc *composer.Object, name, p string) (string, bool) {
	ref := x.baseRef()
	var base string
	switch c.layout.Kind {
	case config.MagentoBase:
		base = distro.BaseVersion(truthyVersion(doc), ref.name) // the released base of the latest tag
	case config.ExtraMetapackage:
		base = distro.BaseVersion("", ref.name)
	default:
		if v, ok := x.versionAt(ref.tree, c.dir, name); ok {
			base = distro.BaseVersion(v, ref.name)
			c.nightlyBase = v
		} else {
			base = distro.BaseVersion(truthyVersion(doc), "")
		}
	}
	v, err := distro.NightlyVersion(base, x.b.nightly.suffix)
	if err != nil {
		x.problem(SeverityError, p, name, fmt.Sprintf("branch %s: no nightly version: %v", x.s.cfg.Branch, err))
		return "", false
	}
	return v, true
}

// versionAt reads dir/composer.json at a tag's tree: its version when it is the same package (ok false when
// the tag lacks it).
func (x *expander) versionAt(tree, dir, name string) (string, bool) {
	if tree == "" {
		return "", false
	}
	e, found, err := x.s.repo.Lookup(x.ctx, tree, path.Join(dir, "composer.json"))
	if err != nil || !found || !e.IsFile() {
		return "", false
	}
	blob, err := x.s.repo.Blob(x.ctx, e.ID)
	if err != nil {
		return "", false
	}
	doc, err := composer.ParseDocument(blob)
	if err != nil {
		return "", false
	}
	if n, _ := doc.GetString("name"); n != name {
		return "", false
	}
	return truthyVersion(doc), true
}

// truthyVersion is a document's version as the reference reads it: a falsy value counts as none.
func truthyVersion(doc *composer.Object) string {
	v, ok := doc.Get("version")
	if !ok || !v.Truthy() {
		return ""
	}
	if s, isStr := v.Str(); isStr {
		return s
	}
	return string(composer.MarshalCompact(v))
}

// nightlyMetapackage composes the product or project metapackage of a branch head from its root composer.json
// and the reference's template add-ons (a branch has no release metadata): the three product add-ons and the
// two project plug-ins, each only when the nightly set has it (it is then pinned to its nightly version; one
// it lacks could not install). The project's minimum-stability follows from its nightly version.
func (x *expander) nightlyMetapackage(i int, l config.Layout) {
	name := "magento/" + l.Dir
	root, ok := x.rootComposerJSON(name)
	if !ok {
		return
	}
	c := x.newCandidate(i, l, "", "")
	c.composerOnly = true
	version, ok := x.nightlyVersion(c, nil, name, "composer.json")
	if !ok {
		return
	}
	var doc *composer.Object
	switch {
	case strings.HasPrefix(l.Dir, "product-"):
		doc = magento.ComposeProduct(root, version, magento.TemplateProductAddOns("*", "*", "*"))
	case strings.HasPrefix(l.Dir, "project-"):
		doc = magento.ComposeProject(root, version, magento.TemplateProjectAddOns(), x.b.cfg.BaseURL)
	default:
		x.problem(SeverityError, "", name, fmt.Sprintf("%v: %q", magento.ErrUnknownMetapackage, l.Dir))
		return
	}
	if x.finish(c, doc, "composer.json", true) {
		x.out = append(x.out, c)
	}
}

// pinNightly rewrites the candidates of the new nightly set with distro.Set: names renamed for a distribution
// (with replace of the newest stable upstream release), links between packages of the set pinned to their
// nightly versions, template add-ons the set lacks dropped. A document that can no longer be published is
// reported and left out.
func (b *builder) pinNightly(ctx context.Context, cands []*candidate) []*candidate {
	if b.nightly == nil || b.nightly.suffix == "" {
		return cands
	}
	set := b.nightlySet(ctx, cands)
	out := cands[:0]
	for _, c := range cands {
		if !c.src.isNightly() {
			out = append(out, c)
			continue
		}
		if renamed := set.Rename(c.name); renamed != c.name {
			if _, clash := set.Versions[renamed]; clash {
				b.report.add(Problem{Severity: SeverityError, Source: c.src.cfg.Name, Tag: c.tag.name, Path: c.dir, Package: c.name,
					Message: fmt.Sprintf("nightly: renamed, it would be %s, a package the sources build too; choose a vendor no source builds", renamed)})
				continue
			}
		}
		doc, err := composer.ParseDocument(c.doc)
		if err == nil {
			if c.layout.Kind == config.ExtraMetapackage {
				dropMissingAddOns(doc, set)
			}
			set.Apply(doc, c.name)
			c.name, c.version = set.Rename(c.name), set.Versions[c.name]
			c.distVersion = c.version
			c.doc = composer.MarshalObjectIndent(doc)
			c.metadata = composer.MarshalCompact(composer.ObjectValue(doc))
			err = repo.Check(repo.Entry{Name: c.name, Version: c.version, Metadata: c.metadata})
		}
		if err != nil {
			b.report.add(Problem{Severity: SeverityError, Source: c.src.cfg.Name, Tag: c.tag.name, Path: c.dir,
				Package: c.name, Version: c.version, Message: "nightly: cannot be published: " + err.Error()})
			continue
		}
		c.key = c.contentKey(b.cfg.ArchiveFormat)
		out = append(out, c)
	}
	return out
}

// nightlySet is the distro.Set of this run's nightly set: every candidate's upstream name at its version.
func (b *builder) nightlySet(ctx context.Context, cands []*candidate) *distro.Set {
	set := &distro.Set{From: config.DefaultUpstreamVendor, To: config.DefaultUpstreamVendor, Versions: map[string]string{}}
	if d := b.cfg.Distribution; d != nil {
		set.From, set.To = d.UpstreamVendor, b.cfg.Vendor
		set.Replace = b.upstreamReplace(ctx)
		set.Elsewhere = composer.NewNamePatterns(d.PublishedElsewhere)
	}
	for _, c := range cands {
		if c.src.isNightly() {
			if _, dup := set.Versions[c.name]; !dup {
				set.Versions[c.name] = c.version
			}
		}
	}
	if set.From != set.To {
		addBaseReplace(set, cands)
	}
	return set
}

// addBaseReplace makes every package of the set that the released product does not name (a module inside a
// satellite's metapackage) replace its version at the latest tag, the newest release of its repository, so
// that extensions requiring it install against the nightly distribution too.
func addBaseReplace(set *distro.Set, cands []*candidate) {
	if set.Replace == nil {
		set.Replace = map[string]string{}
	}
	for _, c := range cands {
		if _, named := set.Replace[c.name]; !named && c.src.isNightly() && c.nightlyBase != "" && set.Rename(c.name) != c.name {
			set.Replace[c.name] = c.nightlyBase
		}
	}
}

// dropMissingAddOns removes from a nightly product's or project's require the template add-ons the set does
// not produce.
func dropMissingAddOns(doc *composer.Object, set *distro.Set) {
	req, ok := doc.GetObject("require")
	if !ok {
		return
	}
	names := append(magento.TemplateProductAddOns("", "", "").Keys(), magento.TemplateProjectAddOns().Keys()...)
	for _, k := range names {
		if _, produced := set.Versions[k]; !produced {
			req.Delete(k)
		}
	}
}

// upstreamReplace maps the upstream packages of the newest stable upstream release in the release metadata
// (its product metapackage's require, the product itself) to their versions: what a distribution's nightly
// packages replace. Empty (reported) without release metadata.
func (b *builder) upstreamReplace(ctx context.Context) map[string]string {
	md := b.releaseMetadata(ctx)
	release := newestStable(md.Releases())
	if release == "" {
		b.report.add(Problem{Severity: SeverityWarning, Source: "release-metadata",
			Message: "nightly: no stable upstream release in the release metadata; nightly packages replace nothing"})
		return nil
	}
	product, ok, err := md.File(release, magento.KindProduct)
	if err != nil || !ok {
		b.report.add(Problem{Severity: SeverityWarning, Source: "release-metadata", Path: release + "/" + magento.KindProduct,
			Message: fmt.Sprintf("nightly: no released product of %s (%v); nightly packages replace nothing", release, err)})
		return nil
	}
	out := map[string]string{magento.ProductName: release}
	req, _ := product.GetObject("require")
	prefix := b.cfg.Distribution.UpstreamVendor + "/"
	for _, k := range req.Keys() {
		// Only the upstream vendor's packages are replaced: a third-party requirement ("^1.0") is no version
		// a package could replace, and its package keeps its own name.
		if v, ok := req.GetString(k); ok && strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}

// newestStable is the highest release of Composer stability stable ("" when there is none).
func newestStable(releases []string) string {
	best, bestNorm := "", ""
	for _, r := range releases {
		n, err := composer.NormalizeVersion(r)
		if err != nil || composer.VersionStability(r) != composer.StabilityStable {
			continue
		}
		if best == "" || composer.CompareVersions(n, bestNorm) > 0 {
			best, bestNorm = r, n
		}
	}
	return best
}

// retireNightlies prepares the state of the new set (the nightly packages the manifest now holds) and removes
// from the manifest the versions of the sets beyond nightly.keep, oldest first: the publish that follows drops
// them from the metadata and then deletes their archives. Nothing is retired when the set published nothing.
func (b *builder) retireNightlies(cands []*candidate) {
	if b.nightly == nil || b.nightly.suffix == "" {
		return
	}
	set := &nightlySet{Suffix: b.nightly.suffix, Heads: b.nightly.heads}
	seen := map[nightlyPackage]bool{}
	for _, c := range cands {
		p := nightlyPackage{Name: c.name, Version: c.version}
		if _, ok := b.out.Lookup(c.name, c.version); ok && c.src.isNightly() && !seen[p] {
			seen[p] = true
			set.Packages = append(set.Packages, p)
		}
	}
	if len(set.Packages) == 0 {
		return
	}
	slices.SortFunc(set.Packages, func(a, c nightlyPackage) int { return strings.Compare(a.Name, c.Name) })
	b.nightly.set = set
	keep := b.cfg.Nightly.KeepOrDefault()
	for _, old := range b.priorSets()[:max(0, len(b.priorSets())+1-keep)] {
		for _, p := range old.Packages {
			b.out.Remove(p.Name, p.Version)
		}
	}
}

// recordNightly records the published set and forgets the retired ones; called once the publish succeeded.
func (b *builder) recordNightly() {
	if b.nightly == nil || b.nightly.set == nil {
		return
	}
	st := b.nightlyState()
	b.nightly.set.Incomplete = b.report.failed()
	st.Sets = append(b.priorSets(), b.nightly.set)
	st.Sets = st.Sets[max(0, len(st.Sets)-b.cfg.Nightly.KeepOrDefault()):]
	if !b.nightly.retry {
		st.Suffixes = append(st.Suffixes, b.nightly.set.Suffix)
	}
	st.Config = nightlyHash(b.cfg)
}

// priorSets are the published sets before this run's: all of them, or all but the last when this run builds
// the last one again.
func (b *builder) priorSets() []*nightlySet {
	sets := b.nightlyState().Sets
	if b.nightly != nil && b.nightly.retry {
		return sets[:len(sets)-1]
	}
	return sets
}
