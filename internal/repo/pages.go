package repo

import (
	"context"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/site"
)

// pageVersion is what a package's web page shows of one published version: obj is the version's p2 object, v
// the client's reading of it.
func pageVersion(e Entry, obj *composer.Object, v *composer.Version) site.Version {
	pv := site.Version{Version: e.Version, Type: v.Type}
	pv.Description, _ = obj.GetString("description")
	pv.Homepage, _ = obj.GetString("homepage")
	pv.Time, _ = obj.GetString("time")
	if l, ok := obj.Get("license"); ok {
		if s, ok := l.Str(); ok {
			pv.License = []string{s}
		} else if arr, ok := l.Arr(); ok {
			for _, x := range arr {
				if s, ok := x.Str(); ok {
					pv.License = append(pv.License, s)
				}
			}
		}
	}
	for _, l := range v.LinksOf("require") {
		pv.Require = append(pv.Require, site.Link{Target: l.Target, Constraint: l.Constraint})
	}
	if e.Dist != "" {
		pv.Dist = site.Dist{Type: e.DistType, SHA1: e.SHA1, Size: e.Size}
		if local(e.Dist) {
			pv.Dist.Path = e.Dist
		} else {
			pv.Dist.URL = e.Dist
		}
	}
	return pv
}

// writePages writes the web pages (internal/site) of the listed packages, each only when its bytes change:
// every package's page (rendered and written in parallel, noted in st in package order), the assets, the
// JSON index and index.html. want collects the files of site.Dir that stay.
func (r *Repo) writePages(ctx context.Context, st *PublishStats, listed []packageFiles, sr site.Repository, want map[string]bool) error {
	if err := r.step("pages"); err != nil {
		return err
	}
	names := make(map[string]bool, len(listed))
	for _, p := range listed {
		names[p.name] = true
	}
	has := func(name string) bool { return names[name] }
	wrote := make([]bool, len(listed))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range listed {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			var err error
			wrote[i], err = writeIfChanged(r.Path(site.PagePath(p.name)), site.PackagePage(sr, p.page, has))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("repo: publish pages: %w", err)
	}
	sums := make([]site.Summary, len(listed))
	for i, p := range listed {
		want[site.PagePath(p.name)] = true
		if wrote[i] {
			st.Written = append(st.Written, site.PagePath(p.name))
		}
		sums[i] = site.Summarize(p.page)
	}
	for _, f := range site.Assets() {
		want[f.Path] = true
		if err := r.record(st, f.Path, f.Data); err != nil {
			return err
		}
	}
	// The index lists only packages whose pages are in place, and index.html only loads the index.
	want[site.IndexJSON] = true
	if err := r.writeJSON(st, site.IndexJSON, site.IndexData(sums)); err != nil {
		return err
	}
	if err := r.step(site.Index); err != nil {
		return err
	}
	return r.record(st, site.Index, site.IndexPage(sr, sums))
}
