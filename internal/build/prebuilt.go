package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/prebuilt"
	"github.com/mage-os/magerepo/internal/repo"
)

// prebuiltDir is where prebuilt zips are published under the dist directory, keeping their file names: the
// reference served them at packages/additional/<file>.zip, and users' lock files name those URLs.
const prebuiltDir = "additional"

// prebuiltOrigin says where the zips of one scanned directory come from, for messages and the build state.
type prebuiltOrigin struct {
	src  *config.PrebuiltSource // nil for a prebuilt directory (profile prebuilt: or --prebuilt)
	tree *branchTree            // how src was read
	// dirTree is the git tree id of the zip directory ("" for a plain directory): recorded once every zip of it
	// is published, so that the same tree is not read again.
	dirTree string
}

// problem reports a problem with a file (or the directory) of this origin: rel is its path in the scanned file
// system, file its name (prebuilt.Package.File).
func (o prebuiltOrigin) problem(sev Severity, rel, file string, p Problem, err error) Problem {
	p.Severity, p.Path = sev, file
	switch {
	case o.src == nil:
		p.Message = prebuiltMessage(err)
	case o.tree.repo == nil:
		p.Source, p.Message = o.src.Name, "prebuilt zip in a plain directory: "+err.Error()
	default:
		// The path is repository-relative; the message names the branch and commit.
		p.Source, p.Path, p.Message = o.src.Name, rel, fmt.Sprintf("prebuilt zip at %s: %v", o.tree.at(), err)
	}
	return p
}

// addPrebuilt publishes the prebuilt zips byte for byte and returns the set of (name, version) they provide,
// which wins over any git-built package of the same name and version. The profile's prebuilt sources come
// first, then its prebuilt directories, then --prebuilt: of two zips with one name and version, the earlier is
// published (prebuilt.Scan's rules), and a version already published is never replaced.
func (b *builder) addPrebuilt(ctx context.Context) (map[string]bool, error) {
	var dirs []prebuilt.Dir
	var origins []prebuiltOrigin
	for i := range b.cfg.PrebuiltSources {
		ps := &b.cfg.PrebuiltSources[i]
		d, o, ok := b.openPrebuiltSource(ctx, ps)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if ok {
			dirs, origins = append(dirs, d), append(origins, o)
		}
	}
	for _, d := range b.prebuiltDirs() {
		abs, err := filepath.Abs(d)
		if err != nil {
			abs = d
		}
		dirs, origins = append(dirs, prebuilt.Dir{FS: os.DirFS(abs), Root: ".", OSDir: abs}), append(origins, prebuiltOrigin{})
	}
	provided := map[string]bool{}
	if len(dirs) == 0 {
		return provided, b.strictErr()
	}
	failed := make([]bool, len(dirs))
	pkgs, problems := prebuilt.ScanDirs(dirs...)
	for _, p := range problems {
		var pe *prebuilt.Error
		if !errors.As(p, &pe) {
			b.report.add(Problem{Severity: SeverityError, Message: prebuiltMessage(p)})
			continue
		}
		sev := SeverityError
		if errors.Is(p, prebuilt.ErrDuplicate) {
			sev = SeveritySkip
		} else {
			failed[pe.Dir] = true
		}
		b.report.add(origins[pe.Dir].problem(sev, pe.Rel, pe.Path, Problem{}, pe.Err))
	}
	for _, p := range pkgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o := origins[p.Dir]
		provided[p.Name+"\x00"+p.Version] = true
		pkg := Problem{Package: p.Name, Version: p.Version}
		if e, ok := b.out.Lookup(p.Name, p.Version); ok {
			if e.SHA1 != p.SHA1 {
				b.report.add(o.problem(SeveritySkip, p.Path, p.File, pkg, fmt.Errorf("this version is already published with other bytes (%s), which are kept", e.Dist)))
			}
			continue
		}
		if err := b.publishPrebuilt(p, o); err != nil {
			b.report.add(o.problem(SeverityError, p.Path, p.File, pkg, err))
			failed[p.Dir] = true
			continue
		}
		b.prebuilt++
	}
	// The state is saved only after the publish succeeds; a directory with a failure is read again next run.
	for i, o := range origins {
		if o.src != nil && o.dirTree != "" && !failed[i] {
			b.state.Prebuilt[o.src.Name] = &prebuiltState{Config: prebuiltHash(b.cfg, *o.src), Tree: o.dirTree}
		}
	}
	return provided, b.strictErr()
}

// openPrebuiltSource opens a prebuilt source as --sources-dir, its path or the cache has it, and returns the
// directory to scan. ok is false when there is nothing to scan: the source could not be opened (reported) or
// its zip directory is the tree a previous run published completely.
func (b *builder) openPrebuiltSource(ctx context.Context, ps *config.PrebuiltSource) (prebuilt.Dir, prebuiltOrigin, bool) {
	loc := ps.Location()
	if b.opts.SourcesDir != "" {
		loc = filepath.Join(b.opts.SourcesDir, ps.Name)
		if _, err := os.Stat(loc); err != nil {
			b.report.add(Problem{Severity: SeveritySkip, Source: ps.Name, Path: loc, Message: "source not found in --sources-dir; skipped"})
			return prebuilt.Dir{}, prebuiltOrigin{}, false
		}
	}
	t, err := b.openBranchTree(ctx, loc, ps.Branch)
	if err != nil {
		b.report.add(Problem{Severity: SeverityError, Source: ps.Name, Path: loc, Message: err.Error()})
		b.unreadable.add(ps.Name)
		return prebuilt.Dir{}, prebuiltOrigin{}, false
	}
	o := prebuiltOrigin{src: ps, tree: t}
	root := ps.Dir
	if root == "" {
		root = "."
	}
	if t.repo == nil {
		return prebuilt.Dir{FS: t.fsys, Root: root, OSDir: t.dir}, o, true
	}
	e, found, err := t.repo.Lookup(ctx, t.tree, ps.Dir)
	switch {
	case err != nil:
		b.report.add(Problem{Severity: SeverityError, Source: ps.Name, Path: ps.Dir, Message: fmt.Sprintf("prebuilt zips at %s: %v", t.at(), err)})
		b.unreadable.add(ps.Name)
		return prebuilt.Dir{}, o, false
	case !found || !e.IsTree():
		b.report.add(Problem{Severity: SeverityError, Source: ps.Name, Path: ps.Dir, Message: fmt.Sprintf("prebuilt zips at %s: no directory %q", t.at(), ps.Dir)})
		b.unreadable.add(ps.Name)
		return prebuilt.Dir{}, o, false
	}
	o.dirTree = e.ID
	if st := b.state.Prebuilt[ps.Name]; st != nil && st.Tree == e.ID && st.Config == prebuiltHash(b.cfg, *ps) {
		return prebuilt.Dir{}, o, false // every zip of this tree is published: nothing to read
	}
	return prebuilt.Dir{FS: t.fsys, Root: root, Label: ps.Name + ":"}, o, true
}

// prebuiltDirs are the configuration's prebuilt directories (relative to its data directory) and --prebuilt.
func (b *builder) prebuiltDirs() []string {
	var dirs []string
	for _, d := range b.cfg.Prebuilt {
		if !filepath.IsAbs(d) {
			base := b.cfg.DataDir
			if base == "" && b.cfg.File != "" {
				base = filepath.Dir(b.cfg.File)
			}
			d = filepath.Join(base, d)
		}
		dirs = append(dirs, d)
	}
	return append(dirs, b.opts.Prebuilt...)
}

// publishPrebuilt copies a zip into <dist-dir>/additional/<file name> and records it.
func (b *builder) publishPrebuilt(p prebuilt.Package, o prebuiltOrigin) error {
	meta := composer.MarshalCompact(composer.ObjectValue(p.Metadata))
	if err := repo.Check(repo.Entry{Name: p.Name, Version: p.Version, Metadata: meta}); err != nil {
		return fmt.Errorf("cannot be published: %w", err)
	}
	rel := path.Join(b.cfg.DistDir, prebuiltDir, p.Base)
	f, err := p.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	dw, err := b.out.CreateDist(rel)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dw, f); err != nil {
		dw.Abort()
		return err
	}
	sum, size, err := dw.Commit()
	if err != nil {
		return err
	}
	if sum != p.SHA1 {
		// The bytes changed between the scan and the copy (a directory edited during the run).
		return fmt.Errorf("the file changed while it was published (sha1 %s, then %s)", p.SHA1, sum)
	}
	source := "prebuilt"
	if o.src != nil {
		source = o.src.Location()
	}
	return b.out.Add(repo.Entry{Name: p.Name, Version: p.Version, Dist: rel, SHA1: sum, Size: size, Source: source,
		Key: prebuiltKeyPrefix + sum, Metadata: json.RawMessage(composer.MarshalCompact(composer.ObjectValue(p.Metadata)))})
}

// prebuiltKeyPrefix starts the content key of a prebuilt zip's manifest entry (its SHA-1 follows).
const prebuiltKeyPrefix = "prebuilt:"

// prebuiltMessage says that err is about prebuilt zips, once: internal/prebuilt's errors already begin so.
func prebuiltMessage(err error) string {
	if msg := err.Error(); strings.HasPrefix(msg, "prebuilt: ") {
		return msg
	}
	return "prebuilt: " + err.Error()
}
