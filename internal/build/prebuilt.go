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

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/prebuilt"
	"github.com/mage-os/magerepo/internal/repo"
)

// prebuiltDir is where prebuilt zips are published under the dist directory, keeping their file names: the
// reference served them at packages/additional/<file>.zip, and users' lock files name those URLs.
const prebuiltDir = "additional"

// addPrebuilt publishes the prebuilt zips byte for byte and returns the set of (name, version) they provide,
// which wins over any git-built package of the same name and version.
func (b *builder) addPrebuilt(ctx context.Context) (map[string]bool, error) {
	dirs := b.prebuiltDirs()
	provided := map[string]bool{}
	if len(dirs) == 0 {
		return provided, nil
	}
	pkgs, problems := prebuilt.Scan(dirs...)
	for _, p := range problems {
		sev := SeverityError
		if errorsIsDuplicate(p) {
			sev = SeveritySkip
		}
		b.report.add(Problem{Severity: sev, Message: "prebuilt: " + p.Error()})
	}
	for _, p := range pkgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		provided[p.Name+"\x00"+p.Version] = true
		if _, ok := b.out.Lookup(p.Name, p.Version); ok {
			continue
		}
		if err := b.publishPrebuilt(p); err != nil {
			b.report.add(Problem{Severity: SeverityError, Package: p.Name, Version: p.Version, Path: p.File, Message: err.Error()})
			continue
		}
		b.prebuilt++
	}
	return provided, nil
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

func (b *builder) publishPrebuilt(p prebuilt.Package) error {
	meta := composer.MarshalCompact(composer.ObjectValue(p.Metadata))
	if err := repo.Check(repo.Entry{Name: p.Name, Version: p.Version, Metadata: meta}); err != nil {
		return fmt.Errorf("cannot be published: %w", err)
	}
	rel := path.Join(b.cfg.DistDir, prebuiltDir, p.Base)
	f, err := os.Open(p.File)
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
	return b.out.Add(repo.Entry{Name: p.Name, Version: p.Version, Dist: rel, SHA1: sum, Size: size, Source: "prebuilt",
		Key: "prebuilt:" + sum, Metadata: json.RawMessage(composer.MarshalCompact(composer.ObjectValue(p.Metadata)))})
}

func errorsIsDuplicate(err error) bool { return errors.Is(err, prebuilt.ErrDuplicate) }
