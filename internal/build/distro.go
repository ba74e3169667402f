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

// distributing reports whether this run builds a distribution's releases (a nightly distribution is built by
// the nightly stage).
func (b *builder) distributing() bool { return b.cfg.Distribution != nil && !b.cfg.IsNightly() }

// releaseHash covers what decides a release's packages: the release and the distribution settings besides the
// list of releases.
func releaseHash(c *config.Config, r config.DistRelease) string {
	d := *c.Distribution
	d.Releases, d.Line = nil, 0
	b, _ := json.Marshal(struct {
		Vendor  string
		Dist    config.Distribution
		Release config.DistRelease
		Format  string
		BaseURL string
	}{c.Vendor, d, r, c.ArchiveFormat, c.BaseURL})
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
		if b.state.Releases[r.Version] != releaseHash(b.cfg, r) {
			out = append(out, r)
		}
	}
	return out
}

// distribution is one run's derivation of the pending releases.
type distribution struct {
	b     *builder
	set   *distro.Set // the release being derived
	byKey map[string]*candidate
	names map[string][]*candidate // upstream winners by name
	reqs  map[*candidate]map[string]string
	// aliases maps an upstream (name, version) to the distribution versions that replace it this run.
	aliases map[[2]string][]string
	alias   map[[2]string]*candidate
	done    []config.DistRelease
	// prebuilt are the versions of each name that prebuilt zips publish: as in the mirror, a prebuilt zip wins
	// over a git build of the same version, and it is published as it is, under its upstream name.
	prebuilt map[string][]repo.Entry
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

// prebuiltRequires reads the require section of a prebuilt zip's metadata.
func prebuiltRequires(e repo.Entry) map[string]string { return requireSection(e.Metadata, e.Name, e.Version) }

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

// distribute returns the distribution's candidates made from the upstream candidates: every pending release's
// packages, its editions and the alias metapackages not yet published.
func (b *builder) distribute(ctx context.Context, upstream []*candidate) []*candidate {
	d := &distribution{b: b, names: map[string][]*candidate{}, reqs: map[*candidate]map[string]string{},
		aliases: map[[2]string][]string{}, alias: map[[2]string]*candidate{}}
	d.prebuilt = b.prebuiltVersions()
	for _, w := range b.upstreamWinners(upstream) {
		c := upstream[w]
		if !slices.ContainsFunc(d.prebuilt[c.name], func(e repo.Entry) bool { return e.Version == c.version }) {
			d.names[c.name] = append(d.names[c.name], c)
		}
	}
	var out []*candidate
	for _, r := range b.pendingReleases() {
		made, ok := d.release(ctx, r)
		out = append(out, made...)
		if ok {
			d.done = append(d.done, r)
		}
	}
	b.doneReleases = d.done
	return append(append(out, d.aliasCandidates()...), b.otherVendors(upstream)...)
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

// release derives one release; ok reports that it is complete (its state may be recorded after the publish).
func (d *distribution) release(ctx context.Context, r config.DistRelease) ([]*candidate, bool) {
	b := d.b
	roots := d.roots(r.Upstream)
	if len(roots) == 0 {
		b.report.add(Problem{Severity: SeveritySkip, Version: r.Version, Message: fmt.Sprintf(
			"distribution release %s: the sources yield no metapackage of upstream release %s yet; built once they do",
			r.Version, r.Upstream)})
		return nil, false
	}
	closure, unresolved := distro.Closure(roots, d.offers(ctx), d.releaseTime(ctx, roots))
	for _, u := range unresolved {
		b.report.add(Problem{Severity: SeverityError, Package: u.Name, Version: r.Version, Message: fmt.Sprintf(
			"distribution release %s (upstream %s): %v; the release is not published", r.Version, r.Upstream, u)})
	}
	if len(unresolved) > 0 {
		return nil, false
	}
	d.set = d.newSet(r, closure, d.projects(closure))
	ok := true
	var out []*candidate
	for _, name := range slices.Sorted(maps.Keys(closure)) {
		c := d.find(name, closure[name])
		made, good := d.derive(c, r)
		ok = ok && good
		if made == nil {
			continue
		}
		out = append(out, made)
		if _, replaced := d.set.Replace[name]; replaced {
			d.aliases[[2]string{name, c.version}] = append(d.aliases[[2]string{name, c.version}], r.Version)
			d.alias[[2]string{name, c.version}] = c
		}
	}
	eds, good := d.editions(r, closure)
	slices.SortStableFunc(out, candidateOrder)
	return append(out, eds...), ok && good
}

// candidateOrder is the walk order expandAll sorts candidates in.
func candidateOrder(a, c *candidate) int {
	return cmpInts(a.src.idx, c.src.idx, a.phase, c.phase, a.lidx, c.lidx, a.tag.idx, c.tag.idx)
}

// roots are the release's metapackages: the extra-metapackage packages (product and project) at the upstream
// release's version.
func (d *distribution) roots(upstream string) map[string]string {
	roots := map[string]string{}
	for name, cs := range d.names {
		for _, c := range cs {
			if c.layout.Kind == config.ExtraMetapackage && c.version == upstream {
				roots[name] = upstream
			}
		}
	}
	return roots
}

// newSet is the rewriting of release r: every package of the closure at the release's version, replacing
// the upstream version it is made from. Projects replace nothing and get no alias: a project is the root of
// an installation, never a dependency.
func (d *distribution) newSet(r config.DistRelease, closure map[string]string, projects map[string]bool) *distro.Set {
	dc := d.b.cfg.Distribution
	s := &distro.Set{From: dc.UpstreamVendor, To: d.b.cfg.Vendor, Versions: map[string]string{}, Replace: map[string]string{}}
	for name, v := range closure {
		s.Versions[name] = r.Version
		if !projects[name] {
			s.Replace[name] = v
		}
	}
	for _, p := range dc.PublishedElsewhere {
		s.Elsewhere = append(s.Elsewhere, composer.NewNamePattern(p))
	}
	return s
}

// projects are the closure's packages of type project.
func (d *distribution) projects(closure map[string]string) map[string]bool {
	out := map[string]bool{}
	for name, v := range closure {
		if c := d.find(name, v); c != nil && c.layout.Type == "project" {
			out[name] = true
		}
	}
	return out
}

// offers lists what the sources yield of an upstream-vendor package, for distro.Closure.
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
			out = append(out, distro.Offer{Version: e.Version, External: true, Requires: prebuiltRequires(e)})
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

// derive makes the distribution's package of an upstream candidate under the current set.
func (d *distribution) derive(c *candidate, r config.DistRelease) (*candidate, bool) {
	doc, err := composer.ParseDocument(c.doc)
	if err != nil {
		d.problem(c, r, err)
		return nil, false
	}
	d.set.Apply(doc, c.name)
	if c.layout.Kind == config.ExtraMetapackage {
		distro.RecordUpstream(doc, r.Upstream)
	}
	if c.name == magento.ProjectName && doc.Has("minimum-stability") {
		doc.SetString("minimum-stability", magento.MinimumStability(r.Version))
	}
	return d.finish(c, doc, r)
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

func (d *distribution) problem(c *candidate, r config.DistRelease, err error) {
	d.b.report.add(Problem{Severity: SeverityError, Source: c.src.cfg.Name, Tag: c.tag.name, Path: c.dir,
		Package: c.name, Version: c.version, Message: fmt.Sprintf("distribution release %s: %v", r.Version, err)})
}

// editions makes each edition's product and project from the release's full ones.
func (d *distribution) editions(r config.DistRelease, closure map[string]string) ([]*candidate, bool) {
	product, project := d.find(magento.ProductName, closure[magento.ProductName]), d.find(magento.ProjectName, closure[magento.ProjectName])
	if product == nil || project == nil || len(d.b.cfg.Distribution.Editions) == 0 {
		return nil, true
	}
	vendor := d.b.cfg.Distribution.UpstreamVendor + "/"
	fullProduct, fullProject := magento.ProductName[len(vendor):], magento.ProjectName[len(vendor):]
	ok := true
	var out []*candidate
	for _, e := range d.b.cfg.Distribution.Editions {
		productName := vendor + distro.EditionName(fullProduct, e.Name)
		projectName := vendor + distro.EditionName(fullProject, e.Name)
		d.set.Versions[productName], d.set.Versions[projectName] = r.Version, r.Version
		var allow []composer.NamePattern
		for _, p := range e.Require {
			allow = append(allow, composer.NewNamePattern(p))
		}
		pdoc, err1 := composer.ParseDocument(product.doc)
		jdoc, err2 := composer.ParseDocument(project.doc)
		if err1 != nil || err2 != nil {
			d.problem(product, r, fmt.Errorf("edition %s: %v %v", e.Name, err1, err2))
			ok = false
			continue
		}
		for _, m := range []struct {
			c   *candidate
			doc *composer.Object
		}{
			{product, distro.EditionProduct(pdoc, productName, allow)},
			{project, distro.EditionProject(jdoc, projectName, magento.ProductName, productName)},
		} {
			name, _ := m.doc.GetString("name")
			d.set.Apply(m.doc, name)
			distro.RecordUpstream(m.doc, r.Upstream)
			if m.c == project && m.doc.Has("minimum-stability") {
				m.doc.SetString("minimum-stability", magento.MinimumStability(r.Version))
			}
			made, good := d.finish(m.c, m.doc, r)
			ok = ok && good
			if made != nil {
				out = append(out, made)
			}
		}
	}
	return out, ok
}

// aliasCandidates makes the alias metapackage of every upstream (name, version) a release of this run
// replaces, unless it is published: an alias never changes once published.
func (d *distribution) aliasCandidates() []*candidate {
	if !d.b.cfg.Distribution.AliasesEnabled() {
		return nil
	}
	keys := make([][2]string, 0, len(d.aliases))
	for k := range d.aliases {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1])) })
	var out []*candidate
	for _, k := range keys {
		if _, published := d.b.out.Lookup(k[0], k[1]); published {
			continue
		}
		c := d.alias[k]
		doc := distro.Alias(k[0], k[1], d.set.Rename(k[0]), distro.AliasTarget(d.aliases[k]))
		n := &candidate{src: c.src, tag: c.tag, layout: c.layout, phase: phaseOf(config.ExtraMetapackage) + 1, lidx: c.lidx,
			composerOnly: true, name: k[0], version: k[1], distVersion: k[1]}
		n.doc = composer.MarshalObjectIndent(doc)
		n.metadata = composer.MarshalCompact(composer.ObjectValue(doc))
		if err := repo.Check(repo.Entry{Name: n.name, Version: n.version, Metadata: n.metadata}); err != nil {
			d.b.report.add(Problem{Severity: SeverityError, Package: n.name, Version: n.version, Message: "alias: " + err.Error()})
			continue
		}
		n.key = n.contentKey(d.b.cfg.ArchiveFormat)
		out = append(out, n)
	}
	return out
}

// commitReleases records the releases completed by a run whose publish succeeded without failures.
func (b *builder) commitReleases() {
	if len(b.doneReleases) == 0 || b.report.failed() {
		return
	}
	if b.state.Releases == nil {
		b.state.Releases = map[string]string{}
	}
	for _, r := range b.doneReleases {
		b.state.Releases[r.Version] = releaseHash(b.cfg, r)
	}
}
