package repo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// formatVersion is the version of the ".magerepo/" state layout (docs/format.md).
// A run refuses a directory written by a newer format rather than misread it.
const formatVersion = 1

// manifestFile is the on-disk form of one package's manifest.
type manifestFile struct {
	Name     string  `json:"name"`
	Versions []Entry `json:"versions"`
}

// formatFile is ".magerepo/format.json".
type formatFile struct {
	Format int `json:"format"`
}

func (r *Repo) manifestDir() string { return filepath.Join(r.dir, stateDir, "manifest") }

func (r *Repo) manifestPath(name string) string {
	return filepath.Join(r.manifestDir(), filepath.FromSlash(name)+".json")
}

// load reads the format file and every manifest file.
func (r *Repo) load() error {
	if err := r.checkFormat(); err != nil {
		return err
	}
	err := filepath.WalkDir(r.manifestDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == r.manifestDir() {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if isTemp(d.Name()) {
			// left over from an interrupted run: it was never renamed into place
			return os.Remove(path)
		}
		if !strings.HasSuffix(d.Name(), ".json") {
			return nil
		}
		return r.loadManifestFile(path)
	})
	if err != nil {
		return fmt.Errorf("repo: load manifest: %w", err)
	}
	return nil
}

func (r *Repo) checkFormat() error {
	path := filepath.Join(r.dir, stateDir, "format.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b, err := encodeJSON(formatFile{Format: formatVersion})
		if err != nil {
			return err
		}
		return writeAtomic(path, b)
	}
	if err != nil {
		return fmt.Errorf("repo: read format: %w", err)
	}
	var f formatFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("repo: %s: %w", path, err)
	}
	if f.Format != formatVersion {
		return fmt.Errorf("repo: %s: state format %d, this magerepo reads format %d", r.dir, f.Format, formatVersion)
	}
	return nil
}

func (r *Repo) loadManifestFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var mf manifestFile
	if err := json.Unmarshal(b, &mf); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := checkName(mf.Name); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if r.manifestPath(mf.Name) != path {
		return fmt.Errorf("%s: holds package %s", path, mf.Name)
	}
	for _, e := range mf.Versions {
		if e.Name == "" {
			e.Name = mf.Name
		}
		if e.Name != mf.Name {
			return fmt.Errorf("%s: entry for %s", path, e.Name)
		}
		if err := checkEntry(&e); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r.put(versionKey(e.Version, e.VersionNormalized), e)
	}
	delete(r.dirty, mf.Name)
	return nil
}

// saveManifest writes the manifest file of every changed package (removing it
// when the package has no entries left). Unchanged packages are not touched.
func (r *Repo) saveManifest(names []string) error {
	for _, name := range names {
		path := r.manifestPath(name)
		p, ok := r.pkgs[name]
		if !ok {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("repo: remove manifest of %s: %w", name, err)
			}
			continue
		}
		b, err := encodeJSON(manifestFile{Name: name, Versions: p.sorted()})
		if err != nil {
			return fmt.Errorf("repo: manifest of %s: %w", name, err)
		}
		if _, err := writeIfChanged(path, b); err != nil {
			return err
		}
	}
	return nil
}

// encodeJSON encodes v as indented JSON without HTML escaping, so metadata bytes
// round-trip unchanged.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("repo: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteReport writes v as indented JSON to ".magerepo/<name>" atomically (for
// example the build's run report). name must be a plain file name.
func (r *Repo) WriteReport(name string, v any) error {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || name == "lock" {
		return fmt.Errorf("repo: report name %q is not a plain file name", name)
	}
	b, err := encodeJSON(v)
	if err != nil {
		return fmt.Errorf("repo: report %s: %w", name, err)
	}
	return writeAtomic(filepath.Join(r.dir, stateDir, name), b)
}

// ReadState reads ".magerepo/<name>" into v; it reports false when the file does
// not exist. Sync keeps its Last-Modified memory there.
func (r *Repo) ReadState(name string, v any) (bool, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, stateDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("repo: read %s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("repo: %s: %w", name, err)
	}
	return true, nil
}
