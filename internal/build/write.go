package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/archive"
	"github.com/mage-os/magerepo/internal/gitattr"
	"github.com/mage-os/magerepo/internal/gitsrc"
	"github.com/mage-os/magerepo/internal/plan"
	"github.com/mage-os/magerepo/internal/repo"
)

// resolve chooses the candidate that builds each (name, version) and reports conflicts. Prebuilt packages win
// over every git-built candidate of the same (name, version).
func (b *builder) resolve(cands []*candidate, prebuilt map[string]bool) []int {
	pc := make([]plan.Candidate, len(cands))
	for i, c := range cands {
		pc[i] = plan.Candidate{Index: i, Name: c.name, Version: c.version, Key: c.key, LastWins: c.composerOnly && b.walkOrder() == plan.ByteOrder, Tag: c.tag.name}
	}
	published := func(name, version string) (string, bool) {
		if prebuilt[name+"\x00"+version] {
			return "", true
		}
		e, ok := b.out.Lookup(name, version)
		return e.Key, ok
	}
	winners, reused, conflicts := plan.Resolve(pc, published)
	b.reused += len(reused)
	for _, cf := range conflicts {
		msg := fmt.Sprintf("same version built with different content by tag %s; the content of %s is kept", cf.Loser, cf.Winner)
		if cf.Winner == "published" {
			msg = fmt.Sprintf("tag %s yields different content than the published archive, which is kept (published archives never change)", cf.Loser)
		}
		b.report.add(Problem{Severity: SeverityConflict, Package: cf.Name, Version: cf.Version, Message: msg})
	}
	return winners
}

// writeArchives writes the winners' archives on a pool of opts.Jobs workers, then records them in the manifest
// in candidate order, so the manifest never depends on scheduling.
func (b *builder) writeArchives(ctx context.Context, cands []*candidate, winners []int) error {
	winners = b.refuseSharedDists(cands, winners)
	entries := make([]*repo.Entry, len(winners))
	if b.opts.Progress != nil {
		b.opts.Progress.Start(len(winners))
		defer b.opts.Progress.Finish()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(b.opts.Jobs)
	for i, w := range winners {
		c := cands[w]
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err // interrupted: errgroup still runs the queued writers, which must not start
			}
			e, err := b.writeOne(gctx, c)
			if b.opts.Progress != nil {
				b.opts.Progress.Add(1)
			}
			if err != nil {
				if gctx.Err() != nil {
					return gctx.Err()
				}
				b.report.add(Problem{Severity: SeverityError, Source: c.src.cfg.Name, Tag: c.tag.name, Path: c.dir,
					Package: c.name, Version: c.version, Message: err.Error()})
				c.src.failed(c.tag)
				return b.strictErr()
			}
			entries[i] = e
			b.built.Add(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, e := range entries {
		if e == nil {
			continue
		}
		if err := b.out.Add(*e); err != nil {
			return err
		}
	}
	return nil
}

// refuseSharedDists keeps, of winners whose archives would have one dist path ("acme/c" "dev-foo-1.0.0" and
// "acme/c-dev-foo" "1.0.0" both make acme/c-dev-foo-1.0.0.zip), the first in candidate order, and refuses the
// others, as a path a published archive already has is refused: one path, one archive.
func (b *builder) refuseSharedDists(cands []*candidate, winners []int) []int {
	taken := map[string]*candidate{}
	kept := winners[:0:0]
	for _, w := range winners {
		c := cands[w]
		rel := b.distPath(c.name, c.distVersion)
		other, dup := taken[rel]
		if dup || b.out.DistInUse(rel) {
			by := "a published archive"
			if dup {
				by = other.name + " " + other.version
			}
			b.report.add(Problem{Severity: SeverityError, Source: c.src.cfg.Name, Tag: c.tag.name, Path: c.dir,
				Package: c.name, Version: c.version, Message: fmt.Sprintf("dist path %s is already taken by %s; not built", rel, by)})
			c.src.failed(c.tag)
			continue
		}
		taken[rel] = c
		kept = append(kept, w)
	}
	return kept
}

// distPath is where an archive goes: <dist-dir>/<vendor>/<name>-<version>.zip, the reference's naming.
func (b *builder) distPath(name, version string) string {
	return path.Join(b.cfg.DistDir, name+"-"+version+".zip")
}

// writeOne writes one candidate's archive into the output and returns its manifest entry.
func (b *builder) writeOne(ctx context.Context, c *candidate) (*repo.Entry, error) {
	entries, err := b.archiveEntries(ctx, c)
	if err != nil {
		return nil, err
	}
	rel := b.distPath(c.name, c.distVersion)
	dw, err := b.out.CreateDist(rel)
	if err != nil {
		return nil, err
	}
	if err := archive.Write(dw, b.format, entries); err != nil {
		dw.Abort()
		return nil, err
	}
	sum, size, err := dw.Commit()
	if err != nil {
		return nil, err
	}
	return &repo.Entry{Name: c.name, Version: c.version, Dist: rel, SHA1: sum, Size: size,
		Source: c.src.cfg.Location(), Tag: c.tag.name, Tree: c.tree, Key: c.key, Metadata: json.RawMessage(c.metadata)}, nil
}

// archiveEntries lists a candidate's zip entries in final order.
func (b *builder) archiveEntries(ctx context.Context, c *candidate) ([]archive.Entry, error) {
	cj := archive.File{Path: "composer.json", Size: int64(len(c.doc)), Open: bytesOpener(c.doc)}
	if c.composerOnly {
		es := []archive.Entry{{Path: cj.Path, Mode: archive.ModeFile, File: &cj}}
		for _, x := range c.extra {
			f := archive.File{Path: x.Path, Size: int64(len(x.Data)), Open: bytesOpener(x.Data)}
			es = append(es, archive.Entry{Path: x.Path, Mode: archive.ModeFile, File: &f})
		}
		return es, nil
	}
	files, err := b.packageFiles(ctx, c)
	if err != nil {
		return nil, err
	}
	return archive.Layout(append(files, cj), c.emptyDirs), nil
}

// packageFiles lists the regular files of a package directory minus excludes, with end-of-line conversion as a
// checkout would apply it and the configured file replacements.
func (b *builder) packageFiles(ctx context.Context, c *candidate) ([]archive.File, error) {
	r := c.src.repo
	// A directory whose path starts with an exclude holds only excluded files (excludes are prefixes), and its
	// .gitattributes can only concern those: it is not read at all.
	listed, err := r.WalkPruned(ctx, c.tree, func(dir string) bool {
		return excluded(path.Join(c.dir, dir)+"/", c.excludes) || b.leftOut(c, dir)
	})
	if err != nil {
		return nil, err
	}
	matcher, err := b.attributes(ctx, c, listed)
	if err != nil {
		return nil, err
	}
	repl := map[string][]byte{}
	for _, x := range c.replacements {
		repl[x.Path] = x.Data
	}
	var files []archive.File
	for _, f := range listed {
		full := path.Join(c.dir, f.Path)
		switch data, replaced := repl[f.Path]; {
		case f.Path == "composer.json" || excluded(full, c.excludes) || b.leftOut(c, f.Path):
		case replaced:
			// A replaced file keeps its position and gets the reference's fixed mode 644.
			files = append(files, archive.File{Path: f.Path, Size: int64(len(data)), Open: bytesOpener(data)})
			delete(repl, f.Path)
		default:
			if err := b.reportUnapplied(ctx, c, matcher, f, full); err != nil {
				return nil, err
			}
			files = append(files, archive.File{Path: f.Path, Executable: f.Executable, Size: -1,
				Open: blobOpener(ctx, r, matcher, f.ID, full)})
		}
	}
	for p := range repl {
		return nil, fmt.Errorf("file replacement %s: no such file in the package", p)
	}
	return files, nil
}

// attributes builds the .gitattributes matcher of a package: the files above its directory and every one inside
// it, excluded or not (a checkout has them all in the work tree).
func (b *builder) attributes(ctx context.Context, c *candidate, listed []gitsrc.File) (*gitattr.Matcher, error) {
	files := map[string][]byte{}
	read := func(dir, id string) error {
		blob, err := c.src.repo.Blob(ctx, id)
		if err != nil {
			return fmt.Errorf("%s: %w", path.Join(dir, ".gitattributes"), err)
		}
		files[dir] = blob
		return nil
	}
	for dir, id := range c.attrs {
		if err := read(dir, id); err != nil {
			return nil, err
		}
	}
	for _, f := range listed {
		if path.Base(f.Path) == ".gitattributes" {
			if err := read(attrDir(path.Join(c.dir, f.Path)), f.ID); err != nil {
				return nil, err
			}
		}
	}
	return gitattr.NewMatcher(files), nil
}

// attrDir is the directory a .gitattributes file governs, as the matcher names it ("" for the root).
func attrDir(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

// excluded applies the reference's file rule: the repository-relative path equals an exclude or starts with it.
func excluded(p string, excl []string) bool {
	for _, e := range excl {
		if p == e || strings.HasPrefix(p, e) {
			return true
		}
	}
	return false
}

// blobOpener streams a blob when the zip writer reaches it, converting line endings where .gitattributes says a
// checkout would; nothing holds a whole blob in memory.
func blobOpener(ctx context.Context, r *gitsrc.Repo, matcher *gitattr.Matcher, id, full string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		rc, err := matcher.Checkout(full, func() (io.ReadCloser, error) { return r.OpenBlob(ctx, id) })
		if err != nil {
			return nil, fmt.Errorf("%s: %w", full, err)
		}
		return rc, nil
	}
}

func bytesOpener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// publish writes the repository metadata (dists are already in place) and records the processed tags.
func (b *builder) publish(ctx context.Context) error {
	opts := repo.PublishOptions{BaseURL: b.cfg.BaseURL, ChangeBaseURL: b.opts.ChangeBaseURL, Title: b.cfg.Name}
	b.addAdvisories(ctx, &opts)
	if err := b.firstRunComplete(); err != nil {
		return err
	}
	if !b.needsPublish(opts) {
		b.published = true
		return nil // nothing new since the last complete publish: a no-op run reads refs and writes nothing
	}
	stats, err := b.out.Publish(ctx, opts)
	if err != nil {
		return err
	}
	for _, p := range stats.Problems {
		b.report.add(Problem{Severity: SeverityError, Message: p.String()})
	}
	for _, s := range b.sources {
		s.commit()
	}
	b.recordNightly()
	b.commitReleases()
	opts.ChangeBaseURL = false // a fact of this run, not of what was published
	opts.Advisories = nil      // recorded by AdvisoriesKey and state.Advisories
	b.state.Published = &opts
	b.state.Renderer = repo.RenderVersion
	b.published = true
	return nil
}

// needsPublish reports whether the metadata may differ from what the last complete run published. The manifest
// only grows when a tag is expanded or a prebuilt zip is added, and a tag is recorded as processed only after a
// publish, so without either (and with the same options) there is nothing to write; after an interrupted run
// the unrecorded tags are expanded again, which forces the publish.
func (b *builder) needsPublish(opts repo.PublishOptions) bool {
	opts.ChangeBaseURL = false
	opts.Advisories = nil // compared by AdvisoriesKey, their content
	if b.newTags > 0 || b.expanded > 0 || b.prebuilt > 0 || b.state.Published == nil || *b.state.Published != opts ||
		b.state.Renderer != repo.RenderVersion {
		return true
	}
	_, err := os.Stat(b.out.Path("packages.json"))
	return err != nil
}
