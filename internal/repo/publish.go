package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/site"
)

// RenderVersion numbers the way Publish renders a manifest into files. Increment it whenever the same manifest
// and options give other bytes (a metadata fix, new web pages): a build records it with its publish, and a
// magerepo with another number publishes again on its first run, though nothing else is new.
const RenderVersion = 2

// PublishOptions configures [Repo.Publish].
type PublishOptions struct {
	// BaseURL is the URL the output directory is served at, e.g.
	// "https://mirror.example.com/sub/". Dist URLs are absolute under it;
	// metadata-url is root-absolute ("/sub/p2/%package%.json"), as Composer
	// resolves it against the host of the repository URL (docs/composer-protocol.md §1.1).
	BaseURL string
	// ChangeBaseURL allows BaseURL to differ from the URL the repository is recorded at ([Repo.BaseURL]):
	// every dist URL is rewritten in this publish. Without it such a publish fails with [ErrBaseURL].
	ChangeBaseURL bool
	// Advisories, when set, are served: packages.json declares "security-advisories": {"metadata": true} and
	// each package's p2/<name>.json carries its "security-advisories" list, an empty one for a package without
	// advisories (the repository answered: none known). Only the packages published get lists.
	Advisories AdvisorySet `json:"-"`
	// AdvisoriesKey identifies the content of Advisories (internal/advisory's DB.Key), so that the build can
	// tell from its state whether the last publish served the same advisories; Publish does not read it.
	AdvisoriesKey string `json:",omitempty"`
	// Title heads the web pages ("Composer repository" when empty).
	Title string
	// Auth says that the server wants credentials (magerepo serve --auth-file, nginx auth_basic): the web
	// pages then tell users how to put theirs in auth.json. Optional; the metadata does not depend on it.
	Auth bool
}

// PublishStats tells what a publish did.
type PublishStats struct {
	Packages int       // packages in packages.json
	Versions int       // versions in the metadata
	Written  []string  // files rewritten, relative to the output directory, in write order
	Deleted  []string  // files deleted because nothing names them any more
	Problems []Problem // versions left out, and why
}

// Publish writes the metadata for the manifest: the changed manifest files, then
// every p2 file (and its .gz) whose bytes change, each package after those it
// requires ([Repo.writeP2Files]), then the web pages ([Repo.writePages]: package
// pages, browse/index.json, index.html), then packages.json; each through a
// temporary file and a rename, and only when its bytes change. Files no longer
// named (a pruned package's p2 files and page, removed dists) are deleted afterwards.
// Versions that fail validation are left out and returned as problems; the
// error is for failures to write.
func (r *Repo) Publish(ctx context.Context, opts PublishOptions) (PublishStats, error) {
	var st PublishStats
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return st, err
	}
	// Recorded first: after a crash the next run goes on publishing at the URL this run meant.
	if err := r.useBaseURL(base.abs, opts.ChangeBaseURL); err != nil {
		return st, err
	}
	names, entries, dirty, orphans := r.snapshot()
	if err := r.step("manifest"); err != nil {
		return st, err
	}
	if err := r.saveManifest(dirty); err != nil {
		return st, err
	}
	r.clearDirty(dirty)

	root := func(names []string) []byte { return packagesJSON(base, names, opts.Advisories != nil) }
	pkgs, err := r.render(ctx, names, entries, base, opts.Advisories)
	if err != nil {
		return st, err
	}
	want := map[string]bool{}
	var avail []string
	var listed []packageFiles
	for _, p := range pkgs {
		st.Problems = append(st.Problems, p.problems...)
		if len(p.versions) == 0 {
			continue
		}
		st.Packages++
		st.Versions += len(p.versions)
		avail = append(avail, p.name)
		listed = append(listed, p)
	}
	if err := r.writeP2Files(&st, listed, root, want); err != nil {
		return st, err
	}
	st.Problems = sortedProblems(st.Problems)
	sr := site.Repository{Title: opts.Title, URL: base.abs, Auth: opts.Auth}
	if err := r.writePages(ctx, &st, listed, sr, want); err != nil {
		return st, err
	}
	if err := r.writeJSON(&st, "packages.json", root(avail)); err != nil {
		return st, err
	}
	// Only now does no published file name what follows.
	for _, dir := range []string{"p2", site.Dir} {
		if err := r.deleteStale(&st, dir, want); err != nil {
			return st, err
		}
	}
	r.deleteOrphans(&st, orphans)
	return st, nil
}

// writeP2Files writes the p2 files that change, each package after the packages it requires
// ([publishOrder]). A new package is invisible until packages.json lists it, so new packages are written
// unlisted and listed (in an intermediate packages.json) just before a listed package that may require them
// changes: a reader never sees a version whose requirements it cannot find. want collects the files written.
func (r *Repo) writeP2Files(st *PublishStats, listed []packageFiles, root func(names []string) []byte, want map[string]bool) error {
	visible := r.listedNames()
	var unlisted []string
	for _, i := range publishOrder(listed) {
		p := listed[i]
		files := []p2File{{p2Path(p.name, false), p.tags}, {p2Path(p.name, true), p.dev}}
		if visible[p.name] && len(unlisted) > 0 && r.anyChanged(files) {
			for _, n := range unlisted {
				visible[n] = true
			}
			unlisted = nil
			if err := r.writeJSON(st, "packages.json", root(sortedSet(visible))); err != nil {
				return err
			}
		}
		if !visible[p.name] {
			unlisted = append(unlisted, p.name)
		}
		for _, f := range files {
			want[f.rel] = true
			if err := r.writeJSON(st, f.rel, f.b); err != nil {
				return err
			}
		}
	}
	return nil
}

// p2File is one p2 file to write: its path in the output directory and its bytes.
type p2File struct {
	rel string
	b   []byte
}

// anyChanged reports whether one of the files differs from what is on disk.
func (r *Repo) anyChanged(files []p2File) bool {
	for _, f := range files {
		if old, err := os.ReadFile(r.Path(f.rel)); err != nil || !bytes.Equal(old, f.b) {
			return true
		}
	}
	return false
}

// snapshot copies what Publish needs under the lock, so Add may run meanwhile.
func (r *Repo) snapshot() (names []string, entries map[string][]Entry, dirty []string, orphans []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	entries = make(map[string][]Entry, len(r.pkgs))
	for n, p := range r.pkgs {
		names = append(names, n)
		entries[n] = p.sorted()
	}
	slices.Sort(names)
	for n := range r.dirty {
		dirty = append(dirty, n)
	}
	slices.Sort(dirty)
	for o := range r.orphans {
		orphans = append(orphans, o)
	}
	slices.Sort(orphans)
	return names, entries, dirty, orphans
}

func (r *Repo) clearDirty(names []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		delete(r.dirty, n)
	}
}

// render builds every package's files in parallel; results land by index, so
// the output does not depend on scheduling.
func (r *Repo) render(ctx context.Context, names []string, entries map[string][]Entry, base baseURL, adv AdvisorySet) ([]packageFiles, error) {
	out := make([]packageFiles, len(names))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	exists := func(rel string) bool {
		fi, err := os.Stat(r.Path(rel))
		return err == nil && fi.Mode().IsRegular()
	}
	for i, n := range names {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			out[i] = buildPackage(n, entries[n], base, exists, adv)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("repo: publish: %w", err)
	}
	return out, nil
}

// writeJSON writes a JSON file if its bytes changed, then its .gz sibling if the
// JSON changed or the sibling is missing or stale.
func (r *Repo) writeJSON(st *PublishStats, rel string, b []byte) error {
	if err := r.step(rel); err != nil {
		return err
	}
	if err := r.record(st, rel, b); err != nil {
		return err
	}
	path := r.Path(rel)
	if gzFresh(path) && !slices.Contains(st.Written, rel) {
		return nil
	}
	gz, err := gzipBytes(b)
	if err != nil {
		return err
	}
	if err := writeAtomic(path+".gz", gz); err != nil {
		return err
	}
	// The copy carries its JSON file's time, so both answer with the same Last-Modified (nginx's gzip_static
	// takes it from the .gz) and a .gz older than its JSON always means a stale copy.
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("repo: %w", err)
	}
	if err := os.Chtimes(path+".gz", fi.ModTime(), fi.ModTime()); err != nil {
		return fmt.Errorf("repo: %w", err)
	}
	st.Written = append(st.Written, rel+".gz")
	return nil
}

// record writes a file if its bytes changed and notes it in the stats.
func (r *Repo) record(st *PublishStats, rel string, b []byte) error {
	wrote, err := writeIfChanged(r.Path(rel), b)
	if err != nil {
		return err
	}
	if wrote {
		st.Written = append(st.Written, rel)
	}
	return nil
}

// deleteStale removes the files below dir (p2 files and .gz siblings, web pages) that
// no published file leads to any more, and temporary files left by interrupted runs.
func (r *Repo) deleteStale(st *PublishStats, dir string, want map[string]bool) error {
	root := r.Path(dir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(r.dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if want[strings.TrimSuffix(rel, ".gz")] {
			return nil
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		if !isTemp(d.Name()) {
			st.Deleted = append(st.Deleted, rel)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("repo: delete stale files of %s: %w", dir, err)
	}
	return nil
}

// deleteOrphans removes dists that no entry names any more (sync --prune). A
// failure leaves a harmless unreferenced file, so it is not an error.
func (r *Repo) deleteOrphans(st *PublishStats, orphans []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rel := range orphans {
		if r.distRefs[rel] > 0 || !r.orphans[rel] {
			continue
		}
		if err := os.Remove(r.Path(rel)); err == nil {
			st.Deleted = append(st.Deleted, rel)
		}
		delete(r.orphans, rel)
	}
}

// step runs the test hook that simulates a crash before a publish step.
func (r *Repo) step(name string) error {
	if r.failHook == nil {
		return nil
	}
	return r.failHook(name)
}
