package build

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/distro"
	"github.com/mage-os/magerepo/internal/magento"
	"github.com/mage-os/magerepo/internal/plan"
	"github.com/mage-os/magerepo/internal/repo"
)

// A distribution build expands the sources as a mirror build does, then turns the upstream packages of each
// release into the distribution's (internal/distro holds the rules); the upstream packages themselves are not
// published. The build state records the releases done, so a run after them expands nothing; a release not
// done yet needs every tag (its packages may come from old tags), so then every selected tag is expanded
// again, which reads composer.json files and trees only, and published archives are reused.
//
// A release is done once every package it makes is published with the content its settings give. Its alias
// metapackages, which never change once published, are made only then, in a second pass over the archive
// writers: an alias must not point at a release that failed, or at a published archive of other content.

// distributing reports whether this run builds a distribution's releases (a nightly distribution is built by
// the nightly stage).
func (b *builder) distributing() bool { return b.cfg.Distribution != nil && !b.cfg.IsNightly() }

// releaseHash covers what decides a release's packages: the release and the distribution settings besides the
// list of releases. The base URL is left out: a repository that moves keeps its published archives (the
// project's repositories entry among them), as a mirror does.
func releaseHash(c *config.Config, r config.DistRelease) string {
	d := *c.Distribution
	d.Releases, d.Line = nil, 0
	b, _ := json.Marshal(struct {
		Vendor  string
		Dist    config.Distribution
		Release config.DistRelease
		Format  string
	}{c.Vendor, d, r, c.ArchiveFormat})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pendingReleases lists the releases the state does not record as done with the current settings.
func (b *builder) pendingReleases() []config.DistRelease {
	if !b.distributing() {
		return nil
	}
	var out []config.DistRelease
	for _, r := range b.cfg.Distribution.Releases {
		if st := b.state.Releases[r.Version]; st == nil || st.Config != releaseHash(b.cfg, r) {
			out = append(out, r)
		}
	}
	return out
}

// distribution is one run's derivation of the pending releases.
type distribution struct {
	b     *builder
	names map[string][]*candidate // upstream winners by name, prebuilt versions left out
	reqs  map[*candidate]map[string]string
	// prebuilt are the versions of each name that prebuilt zips publish: as in the mirror, a prebuilt zip wins
	// over a git build of the same version, and it is published as it is, under its upstream name.
	prebuilt map[string][]repo.Entry
	// prePublished are the (name, version) of the releases' packages published before this run.
	prePublished map[[2]string]bool
	// others maps the names of the packages of other vendors the sources build (published unchanged) to the
	// source that builds each.
	others   map[string]string
	releases []*releaseBuild
}

// releaseBuild is what one release makes this run.
type releaseBuild struct {
	cfg  config.DistRelease
	set  *distro.Set
	made []*candidate
	ok   bool // derived without errors (its archives may still fail)
	// upstreamOf maps a made package's name to the upstream (name, version) it replaces ("" for editions and
	// projects).
	upstreamOf map[string][2]string
}

// distribute returns the distribution's candidates made from the upstream candidates: every pending release's
// packages and editions, and the packages of other vendors. The aliases follow in writeAliases.
func (b *builder) distribute(ctx context.Context, upstream []*candidate) []*candidate {
	d := &distribution{b: b, names: map[string][]*candidate{}, reqs: map[*candidate]map[string]string{},
		prebuilt: b.prebuiltVersions(), others: map[string]string{}, prePublished: map[[2]string]bool{}}
	others := b.otherVendors(upstream)
	for _, c := range others {
		d.others[c.name] = c.src.cfg.Name
	}
	for _, w := range b.upstreamWinners(upstream) {
		if c := upstream[w]; !d.isPrebuilt(c.name, c.version) {
			d.names[c.name] = append(d.names[c.name], c)
		}
	}
	b.reportRemovedReleases()
	var out []*candidate
	for _, r := range b.pendingReleases() {
		rb := d.release(ctx, r)
		d.releases = append(d.releases, rb)
		out = append(out, rb.made...)
		for _, c := range rb.made {
			if _, ok := b.out.Lookup(c.name, c.version); ok {
				d.prePublished[[2]string{c.name, c.version}] = true
			}
		}
	}
	b.dist = d
	return append(out, others...)
}

// isPrebuilt reports whether a prebuilt zip publishes (name, version).
func (d *distribution) isPrebuilt(name, version string) bool {
	return slices.ContainsFunc(d.prebuilt[name], func(e repo.Entry) bool { return e.Version == version })
}

// reportRemovedReleases says which published releases the profile no longer lists: their packages stay
// published (published archives never change), and the state keeps them, so listing them again rebuilds
// nothing.
func (b *builder) reportRemovedReleases() {
	listed := map[string]bool{}
	for _, r := range b.cfg.Distribution.Releases {
		listed[normalized(r.Version)] = true
	}
	for _, v := range slices.Sorted(maps.Keys(b.state.Releases)) {
		if !listed[normalized(v)] {
			b.report.add(Problem{Severity: SeverityInfo, Version: v, Message: fmt.Sprintf(
				"distribution release %s is published but no longer in the profile; its packages stay published", v)})
		}
	}
}

// normalized is a version's Composer normalization (the version itself when it has none): 1.1 and 1.1.0 are
// one release.
func normalized(v string) string {
	if n, err := composer.NormalizeVersion(v); err == nil {
		return n
	}
	return v
}

// prebuiltVersions lists the prebuilt zips the repository publishes, by name.
func (b *builder) prebuiltVersions() map[string][]repo.Entry {
	out := map[string][]repo.Entry{}
	for _, e := range b.out.Entries() {
		if strings.HasPrefix(e.Key, prebuiltKeyPrefix) {
			out[e.Name] = append(out[e.Name], e)
		}
	}
	return out
}

// requireSection reads a composer.json's require links by Composer's rules; a document that does not parse
// (none reaches here: each passed repo.Check) requires nothing.
func requireSection(doc []byte, name, version string) map[string]string {
	r := map[string]string{}
	obj, err := composer.ParseDocument(doc)
	if err != nil {
		return r
	}
	links, err := composer.ReadLinks(obj, name, version)
	if err != nil {
		return r
	}
	for _, l := range links {
		if l.Type == "require" {
			r[l.Target] = l.Constraint
		}
	}
	return r
}

// otherVendors are the candidates of packages of other vendors than the upstream's (a Composer plugin of a
// third party built from one of the sources): the distribution publishes them as a mirror does, unchanged.
func (b *builder) otherVendors(upstream []*candidate) []*candidate {
	prefix := b.cfg.Distribution.UpstreamVendor + "/"
	var out []*candidate
	for _, c := range upstream {
		if !strings.HasPrefix(c.name, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// upstreamWinners chooses the candidate of each upstream (name, version) as a mirror build would, without the
// published archives (they are the distribution's, not upstream's).
func (b *builder) upstreamWinners(cands []*candidate) []int {
	pc := make([]plan.Candidate, len(cands))
	for i, c := range cands {
		pc[i] = plan.Candidate{Index: i, Name: c.name, Version: c.version, Key: c.key,
			LastWins: c.composerOnly && b.walkOrder() == plan.ByteOrder, Tag: c.tag.name}
	}
	winners, _, _ := plan.Resolve(pc, func(string, string) (string, bool) { return "", false })
	return winners
}

// release derives one release: its packages and editions, or nothing when it cannot be made.
func (d *distribution) release(ctx context.Context, r config.DistRelease) *releaseBuild {
	rb := &releaseBuild{cfg: r, upstreamOf: map[string][2]string{}}
	roots, ok := d.roots(r)
	if !ok {
		return rb
	}
	closure, unresolved := distro.Closure(roots, d.offers(ctx), d.releaseTime(ctx, roots))
	for _, u := range unresolved {
		d.releaseProblem(r, u.Name, u.Error()+"; the release is not published")
	}
	if len(unresolved) > 0 || !d.vendorFree(r, closure) {
		return rb
	}
	rb.set = d.newSet(r, closure)
	rb.ok = true
	for _, name := range slices.Sorted(maps.Keys(closure)) {
		c := d.find(name, closure[name])
		made, good := d.derive(rb, c)
		rb.ok = rb.ok && good
		if made != nil {
			rb.made = append(rb.made, made)
			if up, replaced := rb.set.Replace[name]; replaced {
				rb.upstreamOf[made.name] = [2]string{name, up}
			}
		}
	}
	slices.SortStableFunc(rb.made, candidateOrder)
	rb.ok = d.editions(rb, roots) && rb.ok
	if d.changed(rb) {
		rb.made, rb.ok = nil, false
	}
	return rb
}

// changed reports (as an error) a release published under another vendor, or some of whose packages are
// published with other content than its settings give now: published archives never change, so new settings
// need a new release version. Packages a release adds (an edition added later) are not a change, nor is the
// project's repository URL after a move.
func (d *distribution) changed(rb *releaseBuild) bool {
	if st := d.b.state.Releases[rb.cfg.Version]; st != nil && st.Vendor != d.b.cfg.Vendor {
		d.releaseProblem(rb.cfg, "", fmt.Sprintf("it is published under vendor %s; a release's vendor never changes: "+
			"publish %s/* as a new release version; nothing of the release is built", st.Vendor, d.b.cfg.Vendor))
		return true
	}
	var differ []string
	for _, c := range rb.made {
		if e, ok := d.b.out.Lookup(c.name, c.version); ok && e.Key != c.key && !d.isProject(c) {
			differ = append(differ, c.name)
		}
	}
	if len(differ) == 0 {
		return false
	}
	d.releaseProblem(rb.cfg, differ[0], fmt.Sprintf("%s (and %d more of its packages) is published with other content "+
		"than the release's settings give now; published archives never change: publish the new settings as a new "+
		"release version; nothing of the release is built", differ[0], len(differ)-1))
	return true
}

// settledAs reports whether c is published as the release makes it. A project counts as published whatever
// its bytes: it embeds the repository's URL, and after a move (--change-base-url) the published project keeps
// the old one, as in a mirror, while every other package is the same.
func (d *distribution) settledAs(c *candidate) bool {
	e, ok := d.b.out.Lookup(c.name, c.version)
	return ok && (e.Key == c.key || d.isProject(c))
}

// releaseProblem reports an error of release r about package pkg.
func (d *distribution) releaseProblem(r config.DistRelease, pkg, msg string) {
	d.b.report.add(Problem{Severity: SeverityError, Package: pkg, Version: r.Version, Message: fmt.Sprintf(
		"distribution release %s (upstream %s): %s", r.Version, r.Upstream, msg)})
}

// roots are the release's metapackages: the extra-metapackage packages (product and project) of the upstream
// vendor at the upstream release's version. ok is false (reported) when the sources have none yet.
func (d *distribution) roots(r config.DistRelease) (map[string]string, bool) {
	roots := map[string]string{}
	prefix := d.b.cfg.Distribution.UpstreamVendor + "/"
	for name, cs := range d.names {
		for _, c := range cs {
			if c.layout.Kind == config.ExtraMetapackage && c.version == r.Upstream && strings.HasPrefix(name, prefix) {
				roots[name] = r.Upstream
			}
		}
	}
	if len(roots) == 0 {
		d.b.report.add(Problem{Severity: SeveritySkip, Version: r.Version, Message: fmt.Sprintf(
			"distribution release %s: the sources yield no %s metapackage of upstream release %s yet; built once they do",
			r.Version, strings.TrimSuffix(prefix, "/"), r.Upstream)})
	}
	return roots, len(roots) > 0
}

// vendorFree refuses a release whose renamed packages would take the name of a package of another vendor
// that the sources build (vendor: acme, and a source also builds acme/base-deployer).
func (d *distribution) vendorFree(r config.DistRelease, closure map[string]string) bool {
	s := distro.Set{From: d.b.cfg.Distribution.UpstreamVendor, To: d.b.cfg.Vendor}
	free := true
	for _, name := range slices.Sorted(maps.Keys(closure)) {
		if renamed := s.Rename(name); d.others[renamed] != "" {
			d.releaseProblem(r, name, fmt.Sprintf("renamed, it would be %s, which source %s builds too; "+
				"choose a vendor no source builds; the release is not published", renamed, d.others[renamed]))
			free = false
		}
	}
	return free
}

// newSet is the rewriting of release r: every package of the closure at the release's version, replacing
// the upstream version it is made from. Projects replace nothing and get no alias: a project is the root of
// an installation, never a dependency.
func (d *distribution) newSet(r config.DistRelease, closure map[string]string) *distro.Set {
	dc := d.b.cfg.Distribution
	s := &distro.Set{From: dc.UpstreamVendor, To: d.b.cfg.Vendor, Versions: map[string]string{}, Replace: map[string]string{}}
	for name, v := range closure {
		s.Versions[name] = r.Version
		if !d.isProject(d.find(name, v)) {
			s.Replace[name] = v
		}
	}
	s.Elsewhere = composer.NewNamePatterns(dc.PublishedElsewhere)
	return s
}

// isProject reports a package of type project (the project metapackage).
func (d *distribution) isProject(c *candidate) bool { return c != nil && c.layout.Type == "project" }

// offers lists what the sources yield of an upstream-vendor package, for distro.Closure: the git builds, and
// the prebuilt zips as external offers.
func (d *distribution) offers(ctx context.Context) func(string) []distro.Offer {
	prefix := d.b.cfg.Distribution.UpstreamVendor + "/"
	times := map[string]time.Time{}
	return func(name string) []distro.Offer {
		cs := d.names[name]
		if len(cs)+len(d.prebuilt[name]) == 0 || !strings.HasPrefix(name, prefix) {
			return nil
		}
		out := make([]distro.Offer, 0, len(cs))
		for _, c := range cs {
			out = append(out, distro.Offer{Version: c.version, Requires: d.requires(c), Released: d.tagTime(ctx, c, times)})
		}
		for _, e := range d.prebuilt[name] {
			out = append(out, distro.Offer{Version: e.Version, External: true, Requires: requireSection(e.Metadata, e.Name, e.Version)})
		}
		return out
	}
}

// tagTime is when the candidate's tag was committed (cached per commit). An unreadable commit counts as the
// oldest time, which only matters for a range that several versions satisfy.
func (d *distribution) tagTime(ctx context.Context, c *candidate, cache map[string]time.Time) time.Time {
	if t, ok := cache[c.tag.commit]; ok {
		return t
	}
	t, _ := c.src.repo.CommitTime(ctx, c.tag.commit)
	cache[c.tag.commit] = t
	return t
}

// releaseTime is when the upstream release was made: the newest tag commit among its metapackages.
func (d *distribution) releaseTime(ctx context.Context, roots map[string]string) time.Time {
	var newest time.Time
	cache := map[string]time.Time{}
	for name, v := range roots {
		if t := d.tagTime(ctx, d.find(name, v), cache); t.After(newest) {
			newest = t
		}
	}
	return newest
}

// requires reads a candidate's require section (cached).
func (d *distribution) requires(c *candidate) map[string]string {
	if r, ok := d.reqs[c]; ok {
		return r
	}
	r := requireSection(c.doc, c.name, c.version)
	d.reqs[c] = r
	return r
}

// find returns the upstream winner of (name, version).
func (d *distribution) find(name, version string) *candidate {
	for _, c := range d.names[name] {
		if c.version == version {
			return c
		}
	}
	return nil
}

// derive makes the distribution's package of an upstream candidate under the release's set.
func (d *distribution) derive(rb *releaseBuild, c *candidate) (*candidate, bool) {
	doc, err := composer.ParseDocument(c.doc)
	if err != nil {
		d.problem(c, rb.cfg, err)
		return nil, false
	}
	rb.set.Apply(doc, c.name)
	d.finishDoc(doc, c, rb.cfg)
	return d.finish(c, doc, rb.cfg)
}

// finishDoc records the upstream release in the release's metapackages, and gives the project the minimum
// stability of the release's version.
func (d *distribution) finishDoc(doc *composer.Object, c *candidate, r config.DistRelease) {
	if c.layout.Kind != config.ExtraMetapackage {
		return
	}
	distro.RecordUpstream(doc, r.Upstream)
	if d.isProject(c) && doc.Has("minimum-stability") {
		doc.SetString("minimum-stability", magento.MinimumStability(r.Version))
	}
}

// finish turns a rewritten document into a candidate with the same files as c.
func (d *distribution) finish(c *candidate, doc *composer.Object, r config.DistRelease) (*candidate, bool) {
	n := *c
	n.name, _ = doc.GetString("name")
	n.version, n.distVersion = r.Version, r.Version
	n.doc = composer.MarshalObjectIndent(doc)
	n.metadata = composer.MarshalCompact(composer.ObjectValue(doc))
	if err := repo.Check(repo.Entry{Name: n.name, Version: n.version, Metadata: n.metadata}); err != nil {
		d.problem(c, r, fmt.Errorf("cannot be published: %w", err))
		return nil, false
	}
	n.key = n.contentKey(d.b.cfg.ArchiveFormat)
	return &n, true
}

// problem reports an error of release r about an upstream candidate, with its source, tag and path.
func (d *distribution) problem(c *candidate, r config.DistRelease, err error) {
	d.b.report.add(Problem{Severity: SeverityError, Source: c.src.cfg.Name, Tag: c.tag.name, Path: c.dir,
		Package: c.name, Version: c.version, Message: fmt.Sprintf("distribution release %s: %v", r.Version, err)})
}

// editions makes each edition's product and project from the release's metapackages; false (reported) when
// one cannot be made.
func (d *distribution) editions(rb *releaseBuild, roots map[string]string) bool {
	var product, project *candidate
	for name, v := range roots {
		if c := d.find(name, v); d.isProject(c) {
			project = c
		} else {
			product = c
		}
	}
	if product == nil || project == nil {
		return true
	}
	ok := true
	for _, e := range d.b.cfg.Distribution.Editions {
		ok = d.edition(rb, e, product, project) && ok
	}
	return ok
}

// edition makes one edition's product and project, named after the full ones ("product-community-edition"
// gives "product-minimal-edition").
func (d *distribution) edition(rb *releaseBuild, e config.Edition, product, project *candidate) bool {
	vendor, fullProduct, _ := strings.Cut(product.name, "/")
	_, fullProject, _ := strings.Cut(project.name, "/")
	productName := vendor + "/" + magento.EditionName(fullProduct, e.Name)
	projectName := vendor + "/" + magento.EditionName(fullProject, e.Name)
	rb.set.Versions[productName], rb.set.Versions[projectName] = rb.cfg.Version, rb.cfg.Version
	allow := composer.NewNamePatterns(e.Require)
	pdoc, err1 := composer.ParseDocument(product.doc)
	jdoc, err2 := composer.ParseDocument(project.doc)
	if err := cmp.Or(err1, err2); err != nil {
		d.problem(product, rb.cfg, fmt.Errorf("edition %s: %w", e.Name, err))
		return false
	}
	d.unusedPatterns(rb, e, pdoc)
	pdoc = distro.EditionProduct(pdoc, productName, allow)
	if req, _ := pdoc.GetObject("require"); req == nil || req.Len() == 0 {
		d.problem(product, rb.cfg, fmt.Errorf("edition %s: no requirement of %s matches its require patterns %q", e.Name, product.name, e.Require))
		return false
	}
	ok := true
	for _, m := range []struct {
		c   *candidate
		doc *composer.Object
	}{{product, pdoc}, {project, distro.EditionProject(jdoc, projectName, product.name, productName)}} {
		name, _ := m.doc.GetString("name")
		rb.set.Apply(m.doc, name)
		d.finishDoc(m.doc, m.c, rb.cfg)
		made, good := d.finish(m.c, m.doc, rb.cfg)
		ok = ok && good
		if made != nil {
			rb.made = append(rb.made, made)
		}
	}
	return ok
}

// unusedPatterns warns about each pattern of an edition that matches none of the full product's requirements
// (a typo keeps the edition installable, without what the pattern meant to keep).
func (d *distribution) unusedPatterns(rb *releaseBuild, e config.Edition, product *composer.Object) {
	req, _ := product.GetObject("require")
	for _, p := range e.Require {
		pat := composer.NewNamePattern(p)
		if req == nil || !slices.ContainsFunc(req.Keys(), pat.Match) {
			d.b.report.add(Problem{Severity: SeverityWarning, Version: rb.cfg.Version, Message: fmt.Sprintf(
				"distribution release %s: edition %s: pattern %q matches none of the product's requirements", rb.cfg.Version, e.Name, p)})
		}
	}
}

// complete reports whether every package the release made is published with the content its settings give.
func (d *distribution) complete(rb *releaseBuild) bool {
	if !rb.ok {
		return false
	}
	for _, c := range rb.made {
		if !d.settledAs(c) {
			return false // its archive failed (reported)
		}
	}
	return true
}

// finishReleases ends the distribution part of a run once the archives are written: a release of which a
// package failed is held back whole (its packages written this run leave the manifest, so no half of a
// release is ever published; the next run builds it again), and the aliases of the releases complete are
// written. A release is done when its aliases are published too.
func (b *builder) finishReleases(ctx context.Context) error {
	if b.dist == nil {
		return nil
	}
	targets := map[[2]string][]string{} // upstream (name, version) -> distribution versions replacing it
	renamed := map[[2]string]string{}
	var complete []*releaseBuild
	for _, rb := range b.dist.releases {
		if !b.dist.complete(rb) {
			b.dist.holdBack(rb)
			continue
		}
		complete = append(complete, rb)
		for name, up := range rb.upstreamOf {
			targets[up] = append(targets[up], rb.cfg.Version)
			renamed[up] = name
		}
	}
	if b.cfg.Distribution.AliasesEnabled() && len(targets) > 0 {
		aliases := b.aliasCandidates(targets, renamed)
		if err := b.writeArchives(ctx, aliases, b.resolve(aliases, nil)); err != nil {
			return err
		}
	}
	for _, rb := range complete {
		if b.aliasesPublished(rb) {
			b.doneReleases = append(b.doneReleases, rb.cfg)
		}
	}
	return nil
}

// holdBack takes out of the manifest the packages of an incomplete release that this run added.
func (d *distribution) holdBack(rb *releaseBuild) {
	held := 0
	for _, c := range rb.made {
		if !d.prePublished[[2]string{c.name, c.version}] && d.b.out.Remove(c.name, c.version) {
			held++
		}
	}
	if held > 0 {
		d.releaseProblem(rb.cfg, "", fmt.Sprintf("%d of its packages built this run are held back until every package "+
			"of the release builds (a release is published whole)", held))
	}
}

// aliasesPublished reports whether every alias of a complete release is published (an alias archive that
// failed is written again by the next run, which finds the release not done).
func (b *builder) aliasesPublished(rb *releaseBuild) bool {
	if !b.cfg.Distribution.AliasesEnabled() {
		return true
	}
	for _, up := range rb.upstreamOf {
		if _, ok := b.out.Lookup(up[0], up[1]); !ok {
			return false
		}
	}
	return true
}

// aliasCandidates makes the alias metapackage of every upstream (name, version) in targets that is not
// published: an alias never changes once published.
func (b *builder) aliasCandidates(targets map[[2]string][]string, renamed map[[2]string]string) []*candidate {
	keys := slices.SortedFunc(maps.Keys(targets), func(a, c [2]string) int {
		return cmp.Or(strings.Compare(a[0], c[0]), strings.Compare(a[1], c[1]))
	})
	var out []*candidate
	for _, k := range keys {
		if _, published := b.out.Lookup(k[0], k[1]); published {
			continue
		}
		doc := distro.Alias(k[0], k[1], renamed[k], distro.AliasTarget(targets[k]))
		n := &candidate{src: b.dist.sourceOf(renamed[k]), composerOnly: true, name: k[0], version: k[1], distVersion: k[1],
			phase: phaseOf(config.ExtraMetapackage) + 1}
		n.doc = composer.MarshalObjectIndent(doc)
		n.metadata = composer.MarshalCompact(composer.ObjectValue(doc))
		if err := repo.Check(repo.Entry{Name: n.name, Version: n.version, Metadata: n.metadata}); err != nil {
			b.report.add(Problem{Severity: SeverityError, Package: n.name, Version: n.version, Message: "alias: " + err.Error()})
			continue
		}
		n.key = n.contentKey(b.cfg.ArchiveFormat)
		out = append(out, n)
	}
	return out
}

// sourceOf returns the source a made package comes from (for the alias's messages and manifest entry).
func (d *distribution) sourceOf(name string) *source {
	for _, rb := range d.releases {
		for _, c := range rb.made {
			if c.name == name {
				return c.src
			}
		}
	}
	return d.b.sources[0]
}

// commitReleases records the releases completed by a run whose publish succeeded.
func (b *builder) commitReleases() {
	if len(b.doneReleases) == 0 {
		return
	}
	if b.state.Releases == nil {
		b.state.Releases = map[string]*releaseState{}
	}
	for _, r := range b.doneReleases {
		b.state.Releases[r.Version] = &releaseState{Config: releaseHash(b.cfg, r), Vendor: b.cfg.Vendor}
	}
}
