package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/fixes"
	"github.com/mage-os/magerepo/internal/repo"
)

// candidate is one package version a (source, tag, layout entry, directory) yields.
type candidate struct {
	src    *source
	tag    tagRef
	layout config.Layout
	phase  int    // the reference's phase order within a source (see phaseOf)
	lidx   int    // layout index within the source
	dir    string // repository-relative package directory ("" = root)
	tree   string // tree id of dir (empty for composer.json-only packages)

	name, version string
	distVersion   string // version in the archive file name (the tag for product/project packages)
	doc           []byte // the archive's composer.json (JSON.stringify(…, null, 2) bytes)
	metadata      []byte // the same document, compact, for the repository metadata
	excludes      []string
	emptyDirs     []string
	attrs         map[string]string // directory -> .gitattributes blob id, for ancestors of dir
	composerOnly  bool              // the archive holds composer.json (and extra files) only
	extra         []extraFile       // files added after composer.json, unsorted (project 2.4.0 .gitignore)
	replacements  []fixes.Replacement
	nightlyBase   string // a nightly's upstream version: its composer.json version at the latest tag ("" when none)
	key           string
}

// extraFile is a file a composer.json-only package carries besides composer.json.
type extraFile struct {
	Path string
	Data []byte
}

// phaseOf orders layout kinds as the reference builds them: each-dir, then individual packages (dir and the
// base), then composer.json-only metapackages, then the product/project packages.
func phaseOf(k config.LayoutKind) int {
	switch k {
	case config.EachDir:
		return 0
	case config.Dir, config.MagentoBase:
		return 1
	case config.MetapackageDir:
		return 2
	default:
		return 3
	}
}

// expandAll expands every new tag of every source into candidates, sorted in walk order.
func (b *builder) expandAll(ctx context.Context) ([]*candidate, error) {
	var all []*candidate
	for _, s := range b.sources {
		if s.repo == nil {
			continue
		}
		for _, t := range s.tags {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			all = append(all, b.expandTag(ctx, s, t)...)
			if err := b.strictErr(); err != nil {
				return nil, err
			}
		}
	}
	slices.SortStableFunc(all, candidateOrder)
	return all, nil
}

// candidateOrder is the walk order: source, the reference's phase, layout entry, tag.
func candidateOrder(a, c *candidate) int {
	return cmpInts(a.src.idx, c.src.idx, a.phase, c.phase, a.lidx, c.lidx, a.tag.idx, c.tag.idx)
}

func cmpInts(pairs ...int) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] != pairs[i+1] {
			if pairs[i] < pairs[i+1] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// expandTag returns the candidates of one tag. A package that fails does not hold back the others; the tag is
// marked processed only when nothing failed and nothing waits for data that may still come (release metadata),
// so the next run expands it again.
func (b *builder) expandTag(ctx context.Context, s *source, t tagRef) []*candidate {
	x := &expander{b: b, ctx: ctx, s: s, t: t, ok: true}
	for i, l := range s.cfg.Packages {
		x.layout(i, l)
	}
	if x.ok && !x.retry {
		s.done(t)
	}
	return x.out
}

// done marks a tag expanded without errors; it counts as processed once its archives are published.
func (s *source) done(t tagRef) { s.pending = append(s.pending, t) }

// failed marks a tag whose archive failed: it is expanded again next run.
func (s *source) failed(t tagRef) {
	s.mu.Lock()
	s.failedTags[t.name] = true
	s.mu.Unlock()
}

// commit records the processed tags in the state and forgets tags that no longer exist.
func (s *source) commit() {
	if s.state == nil {
		return
	}
	for _, t := range s.pending {
		if !s.failedTags[t.name] {
			s.state.Tags[t.name] = t.commit
		}
	}
	for name := range s.state.Tags {
		if _, ok := s.seen[name]; !ok {
			delete(s.state.Tags, name)
		}
	}
}

// expander expands the layout entries of one tag.
type expander struct {
	b   *builder
	ctx context.Context
	s   *source
	t   tagRef
	out []*candidate
	ok  bool // false once an error means the tag must be retried
	// retry is set when a package waits for data that may appear later (release metadata for a new release).
	retry bool
}

func (x *expander) problem(sev Severity, p, pkg, msg string) {
	if sev == SeverityError {
		x.ok = false
	}
	x.b.report.add(Problem{Severity: sev, Source: x.s.cfg.Name, Tag: x.t.name, Path: p, Package: pkg, Message: msg})
}

func (x *expander) layout(i int, l config.Layout) {
	switch l.Kind {
	case config.EachDir:
		x.eachDir(i, l)
	case config.Dir:
		x.dir(i, l, l.Dir)
	case config.MetapackageDir:
		x.metapackageDir(i, l)
	case config.MagentoBase:
		x.magentoBase(i, l)
	case config.ExtraMetapackage:
		x.extraMetapackage(i, l)
	}
}

// eachDir makes every immediate, non-hidden sub-directory of l.Dir a package, unless an exclude matches it.
func (x *expander) eachDir(i int, l config.Layout) {
	e, found, err := x.s.repo.Lookup(x.ctx, x.t.tree, l.Dir)
	if err != nil {
		x.problem(SeverityError, l.Dir, "", err.Error())
		return
	}
	if !found || !e.IsTree() {
		return // the reference lists nothing for a missing directory
	}
	es, err := x.s.repo.ReadTree(x.ctx, e.ID)
	if err != nil {
		x.problem(SeverityError, l.Dir, "", err.Error())
		return
	}
	excl := activeExcludes(l, x.t.name)
	for _, c := range es {
		folder := path.Join(l.Dir, c.Name)
		if !c.IsTree() || strings.HasPrefix(c.Name, ".") || folderExcluded(folder, excl) {
			continue
		}
		x.dir(i, l, folder)
	}
}

// folderExcluded applies the reference's folder rule: equal to an exclude without its trailing "/", or
// starting with the exclude.
func folderExcluded(folder string, excl []string) bool {
	for _, e := range excl {
		if folder == strings.TrimSuffix(e, "/") || strings.HasPrefix(folder, e) {
			return true
		}
	}
	return false
}

// activeExcludes returns the layout's excludes in force for tag, plus the two every package has.
func activeExcludes(l config.Layout, tag string) []string {
	var out []string
	for _, e := range l.Exclude {
		if e.Applies(tag) {
			out = append(out, e.Path)
		}
	}
	return append(out, "composer.json", ".git/")
}

// dir makes directory d one package built from its files.
func (x *expander) dir(i int, l config.Layout, d string) {
	e, found, err := x.s.repo.Lookup(x.ctx, x.t.tree, d)
	if err != nil {
		x.problem(SeverityError, d, "", err.Error())
		return
	}
	if !found || !e.IsTree() {
		x.problem(SeveritySkip, d, "", "directory does not exist at this tag")
		return
	}
	cjPath := path.Join(d, "composer.json")
	doc, ok := x.readComposerJSON(e.ID, cjPath)
	if !ok {
		return
	}
	c := x.newCandidate(i, l, d, e.ID)
	if !x.finish(c, doc, cjPath, false) {
		return
	}
	x.out = append(x.out, c)
}

// readComposerJSON reads and parses dir/composer.json; a missing file is a skip, a broken one an error.
func (x *expander) readComposerJSON(dirTree, p string) (*composer.Object, bool) {
	e, found, err := x.s.repo.Lookup(x.ctx, dirTree, "composer.json")
	if err != nil {
		x.problem(SeverityError, p, "", err.Error())
		return nil, false
	}
	if !found || !e.IsFile() {
		x.problem(SeveritySkip, p, "", "no composer.json; directory skipped")
		return nil, false
	}
	blob, err := x.s.repo.Blob(x.ctx, e.ID)
	if err != nil {
		x.problem(SeverityError, p, "", err.Error())
		return nil, false
	}
	doc, err := composer.ParseDocument(blob)
	if err != nil {
		x.problem(SeverityError, p, "", "invalid composer.json: "+err.Error())
		return nil, false
	}
	return doc, true
}

func (x *expander) newCandidate(i int, l config.Layout, d, tree string) *candidate {
	return &candidate{src: x.s, tag: x.t, layout: l, phase: phaseOf(l.Kind), lidx: i, dir: d, tree: tree,
		excludes: activeExcludes(l, x.t.name), emptyDirs: l.EmptyDirs}
}

// metapackageDir makes a package of l.Dir/composer.json alone; its version falls back to the tag.
func (x *expander) metapackageDir(i int, l config.Layout) {
	e, found, err := x.s.repo.Lookup(x.ctx, x.t.tree, l.Dir)
	if err != nil {
		x.problem(SeverityError, l.Dir, "", err.Error())
		return
	}
	cjPath := path.Join(l.Dir, "composer.json")
	if !found || !e.IsTree() {
		x.problem(SeveritySkip, cjPath, "", "metapackage directory does not exist at this tag")
		return
	}
	doc, ok := x.readComposerJSON(e.ID, cjPath)
	if !ok {
		return
	}
	c := x.newCandidate(i, l, l.Dir, "")
	c.composerOnly = true
	if x.finish(c, doc, cjPath, true) {
		x.out = append(x.out, c)
	}
}

// finish selects the version, rewrites and validates the document and computes the content key. fallbackTag
// lets the tag stand in for a missing version (metapackage-dir). It reports and returns false on failure.
func (x *expander) finish(c *candidate, doc *composer.Object, p string, fallbackTag bool) bool {
	name, _ := doc.GetString("name")
	if name == "" {
		x.problem(SeverityError, p, "", "composer.json has no name")
		return false
	}
	var version string
	var ok bool
	if x.s.isNightly() {
		if version, ok = x.nightlyVersion(c, doc, name, p); !ok {
			return false
		}
	} else if version, ok = x.selectVersion(doc, name, fallbackTag || x.s.cfg.VersionFromTag); !ok {
		x.problem(SeveritySkip, p, name, "no version in composer.json; package skipped")
		return false
	}
	setVersion(doc, version)
	if err := x.rewrite(doc, name); err != nil {
		x.problem(SeverityError, p, name+" "+version, err.Error())
		return false
	}
	c.name, c.version = name, version
	if c.distVersion == "" {
		c.distVersion = version
	}
	c.doc = composer.MarshalObjectIndent(doc)
	c.metadata = composer.MarshalCompact(composer.ObjectValue(doc))
	// Validated before anything is written or recorded, by the rule the publish applies: a version that cannot
	// be published is reported on every run and its tag stays unprocessed until upstream or a patch fixes it.
	if err := repo.Check(repo.Entry{Name: name, Version: version, Metadata: c.metadata}); err != nil {
		x.problem(SeverityError, p, name+" "+version, "cannot be published: "+err.Error())
		return false
	}
	if !c.composerOnly {
		c.attrs = x.ancestorAttributes(c.dir)
		// Looked up here, not when the archive is written: a replacement of a version that is already
		// published applied when it was built, and must not be reported as unused by a later expansion.
		c.replacements = x.b.fixes.Replacements(x.s.cfg.Name, name, version)
	}
	c.key = c.contentKey(x.b.cfg.ArchiveFormat)
	return true
}

// selectVersion: a version pin, else the composer.json version (a falsy value such as 0 counts as missing, as
// in the reference), else the tag when allowed.
func (x *expander) selectVersion(doc *composer.Object, name string, fromTag bool) (string, bool) {
	if v, ok := x.b.fixes.PinnedVersion(x.s.cfg.Name, x.t.name, name); ok {
		return v, true
	}
	if v, ok := doc.Get("version"); ok && v.Truthy() {
		if s, isStr := v.Str(); isStr {
			return s, true
		}
		return string(composer.MarshalCompact(v)), true
	}
	if fromTag {
		return x.t.name, true
	}
	return "", false
}

// setVersion writes the chosen version in place, or as the last key when absent.
func setVersion(doc *composer.Object, version string) { doc.SetString("version", version) }

// rewrite applies, in the reference's order, version pins, the sample-data suggest rule (byte-compatible mode)
// and the configured patches.
func (x *expander) rewrite(doc *composer.Object, name string) error {
	x.b.fixes.ApplyPins(x.s.cfg.Name, x.t.name, doc)
	if x.b.cfg.ArchiveFormat == "mageos" {
		sampleDataSuggestPrefix(doc)
	}
	_, err := x.b.fixes.ApplyPatches(x.s.cfg.Name, name, doc)
	return err
}

// ancestorAttributes finds the .gitattributes files in the directories above dir (dir's own subtree is read
// when the archive is written): a checkout applies them to the package's files too.
func (x *expander) ancestorAttributes(dir string) map[string]string {
	out := map[string]string{}
	if dir == "" {
		return out
	}
	parts := strings.Split(dir, "/")
	for i := 0; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		e, ok, err := x.s.repo.Lookup(x.ctx, x.t.tree, path.Join(parent, ".gitattributes"))
		if err == nil && ok && e.IsFile() {
			out[parent] = e.ID
		}
	}
	return out
}

// contentKey identifies what the archive will contain without building it.
func (c *candidate) contentKey(format string) string {
	h := sha256.New()
	fmt.Fprintf(h, "v1\x00%s\x00%s\x00%s\x00%v\x00%q\x00%q\x00", format, c.tree, c.dir, c.composerOnly, c.excludes, c.emptyDirs)
	for _, k := range sortedKeys(c.attrs) {
		fmt.Fprintf(h, "%s=%s\x00", k, c.attrs[k])
	}
	for _, e := range c.extra {
		fmt.Fprintf(h, "%s\x00%x\x00", e.Path, sha256.Sum256(e.Data))
	}
	h.Write(c.doc)
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
