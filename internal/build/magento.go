package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/magento"
)

// The Magento-specific layouts delegate every rule to internal/magento; this file only feeds them trees and
// release metadata.

// magentoBase expands magento/magento2-base: the repository root with the layout's (tag-dependent) excludes and
// empty directories, and the released composer.json of the tag.
func (x *expander) magentoBase(i int, l config.Layout) {
	md := x.b.releaseMetadata(x.ctx)
	if md == nil {
		x.problem(SeverityError, "", magento.BaseName, "magento-base needs release-metadata in the configuration")
		return
	}
	doc, err := magento.BaseComposerJSON(md, x.releaseName())
	if err != nil {
		// Release metadata often lags a new tag: try again on the next run rather than never.
		x.retry = true
		x.problem(SeveritySkip, "", magento.BaseName, "no base package yet: "+err.Error())
		return
	}
	e, found, err := x.s.repo.Lookup(x.ctx, x.t.tree, l.Dir)
	if err != nil || !found || !e.IsTree() {
		x.problem(SeverityError, l.Dir, magento.BaseName, fmt.Sprintf("base directory unreadable: %v", err))
		return
	}
	c := x.newCandidate(i, l, l.Dir, e.ID)
	if x.finish(c, doc, "release-metadata/"+x.t.name+"/magento2-base/composer.json", false) {
		x.out = append(x.out, c)
	}
}

// extraMetapackage expands magento/product-community-edition or magento/project-community-edition from the
// tag's root composer.json; the archive is named after the tag, as the reference names it.
func (x *expander) extraMetapackage(i int, l config.Layout) {
	if x.s.isNightly() {
		x.nightlyMetapackage(i, l)
		return
	}
	name := "magento/" + l.Dir
	md := x.b.releaseMetadata(x.ctx)
	root, ok := x.rootComposerJSON(name)
	if !ok {
		return
	}
	doc, extra, missing, err := magento.ExtraMetapackage(l.Dir, root, x.t.name, md, x.b.cfg.BaseURL)
	if missing != nil {
		x.problem(SeverityInfo, "", name, missing.Error()+"; published with composer.json only")
	}
	if err != nil {
		sev := SeverityError
		if errors.Is(err, magento.ErrNoReleaseMetadata) {
			// Composing from templates (as the reference does) would publish add-ons the release may not have,
			// and published versions never change: wait for the release metadata and try again next run.
			sev, x.retry = SeveritySkip, true
		}
		x.problem(sev, "", name, err.Error())
		return
	}
	c := x.newCandidate(i, l, "", "")
	c.composerOnly, c.distVersion = true, x.t.name
	for _, f := range extra {
		c.extra = append(c.extra, extraFile{Path: f.Path, Data: f.Data})
	}
	if x.finish(c, doc, "composer.json", true) {
		x.out = append(x.out, c)
	}
}

// rootComposerJSON reads the tag's root composer.json, which the product and project metapackages are made
// from; a problem is reported against the package name.
func (x *expander) rootComposerJSON(name string) (*composer.Object, bool) {
	rootTree, _, err := x.s.repo.Lookup(x.ctx, x.t.tree, "")
	if err != nil {
		x.problem(SeverityError, "composer.json", name, err.Error())
		return nil, false
	}
	return x.readComposerJSON(rootTree.ID, "composer.json")
}

// sampleDataSuggestPrefix is the reference's suggest rule, a Magento rule.
func sampleDataSuggestPrefix(doc *composer.Object) { magento.SampleDataSuggestPrefix(doc) }

// releaseMetadata opens the release-metadata source once per run: a plain directory, or a git repository read
// at its branch (main unless the source names one) without a checkout. nil when not configured or unreadable
// (reported once).
func (b *builder) releaseMetadata(ctx context.Context) *magento.ReleaseMetadata {
	b.mdOnce.Do(func() {
		src := b.cfg.ReleaseMetadata
		if src == nil {
			return
		}
		fsys, err := b.openMetadataFS(ctx, *src)
		if err != nil {
			b.report.add(Problem{Severity: SeverityError, Source: "release-metadata", Path: src.Location(), Message: err.Error()})
			b.unreadable.add("release-metadata")
			return
		}
		b.md = magento.NewReleaseMetadata(fsys)
	})
	return b.md
}

func (b *builder) openMetadataFS(ctx context.Context, src config.Source) (fs.FS, error) {
	loc := src.Location()
	if b.opts.SourcesDir != "" {
		loc = filepath.Join(b.opts.SourcesDir, config.ReleaseMetadataDir)
	}
	branch := ""
	if len(src.Branches) > 0 {
		branch = src.Branches[0]
	}
	t, err := b.openBranchTree(ctx, loc, branch)
	if err != nil {
		return nil, err
	}
	return t.fsys, nil
}

// isGitDir reports a local git repository (a clone or a bare repository).
func isGitDir(dir string) bool {
	for _, p := range []string{".git", "HEAD"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			return true
		}
	}
	return false
}
