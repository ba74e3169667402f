// Package prebuilt indexes directories of ready-made package zips: versions that exist in no public git
// repository (bundled third-party extensions, magento/* releases without a tag). A zip is identified by the
// name and version in its own composer.json, never by its file name: repo.magento.com's 4-part file names
// ("x.y.z.0-patchN") and the short ones ("x.y.z-pN") are the same version (docs/reference-generator.md §6).
package prebuilt

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
)

// maxComposerJSON bounds how much of a zip's composer.json is read: the size a zip declares is not trusted.
const maxComposerJSON = 10 << 20

// Package is one prebuilt zip, served byte for byte.
type Package struct {
	// Name is the package name from composer.json, lower-cased as Composer compares names.
	Name string
	// Version is the version as written in composer.json; Normalized is Composer's normal form of it.
	Version    string
	Normalized string
	// File names the zip: its absolute path for a directory on disk, else the [Dir]'s Label followed by Path.
	// Base is its file name.
	File string
	Base string
	// Dir is the index of the [Dir] the zip was found in, and Path its slash-separated path in that Dir's FS.
	Dir  int
	Path string
	// SHA1 is the hex SHA-1 of the whole file (Composer's dist shasum) and Size its length in bytes.
	SHA1 string
	Size int64
	// Metadata is the zip's composer.json.
	Metadata *composer.Object

	fsys fs.FS // where Path is; nil for a Package made elsewhere (then File is opened)
}

// Open returns the zip's bytes.
func (p Package) Open() (io.ReadCloser, error) {
	if p.fsys == nil {
		return os.Open(p.File)
	}
	return p.fsys.Open(p.Path)
}

// Dir is one directory of zips: Root (slash-separated, "." for the top) in FS, which may be a directory on disk
// (os.DirFS) or a git tree (gitsrc's TreeFS). OSDir is the absolute directory FS is rooted at when it is on
// disk, so files are named by their absolute path; otherwise Label, followed by the path in FS, names them.
type Dir struct {
	FS    fs.FS
	Root  string
	OSDir string
	Label string
}

// name is how a file at p (slash-separated, in d.FS) is named.
func (d Dir) name(p string) string {
	if d.OSDir != "" {
		return filepath.Join(d.OSDir, filepath.FromSlash(p))
	}
	return d.Label + p
}

// Error is a problem with one file or directory; the file is skipped.
type Error struct {
	// Path names the file or directory as [Package.File] does; Dir is the index of its [Dir] and Rel its
	// slash-separated path in that Dir's FS.
	Path string
	Dir  int
	Rel  string
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("prebuilt: %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrDuplicate is the cause of a problem for a zip whose name and version another zip already provides.
var ErrDuplicate = errors.New("duplicate package version")

// Scan indexes the *.zip files under dirs (recursively, in lexical order), sorted by name and version. A zip
// that cannot be read, has no composer.json (at its root, or inside its single top-level directory, as
// Composer's artifact repository accepts), lacks a name or version, or has a version Composer rejects, is
// reported and skipped. Of several zips with one (name, normalized version), the one in the earliest directory
// argument is kept, then the one with the shortest file name (the short "-pN" spelling rather than
// repo.magento.com's "x.y.z.0-patchN"), then the first by file name and path; the others are reported with
// [ErrDuplicate].
func Scan(dirs ...string) (pkgs []Package, problems []error) {
	ds := make([]Dir, len(dirs))
	for i, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			abs = dir
		}
		ds[i] = Dir{FS: os.DirFS(abs), Root: ".", OSDir: abs}
	}
	return ScanDirs(ds...)
}

// ScanDirs is [Scan] over directories of any file system, with the same rules; a Dir's index is its
// precedence.
func ScanDirs(dirs ...Dir) (pkgs []Package, problems []error) {
	var all []Package
	for i, d := range dirs {
		files, err := zipFiles(d)
		if err != nil {
			problems = append(problems, &Error{Path: d.name(d.Root), Dir: i, Rel: d.Root, Err: err})
		}
		for _, f := range files {
			p, err := readFS(d.FS, f)
			if err != nil {
				problems = append(problems, &Error{Path: d.name(f), Dir: i, Rel: f, Err: err})
				continue
			}
			p.File, p.Dir = d.name(f), i
			all = append(all, p)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if c := composer.CompareVersions(a.Normalized, b.Normalized); c != 0 {
			return c < 0
		}
		if a.Dir != b.Dir {
			return a.Dir < b.Dir
		}
		if len(a.Base) != len(b.Base) {
			return len(a.Base) < len(b.Base)
		}
		if a.Base != b.Base {
			return a.Base < b.Base
		}
		return a.File < b.File
	})
	for i, f := range all {
		if i > 0 && f.Name == all[i-1].Name && f.Normalized == all[i-1].Normalized {
			kept := pkgs[len(pkgs)-1]
			same := "different bytes"
			if kept.SHA1 == f.SHA1 {
				same = "same bytes"
			}
			problems = append(problems, &Error{Path: f.File, Dir: f.Dir, Rel: f.Path, Err: fmt.Errorf("%w: %s %s is also in %s (%s), which is kept",
				ErrDuplicate, f.Name, f.Version, kept.File, same)})
			continue
		}
		pkgs = append(pkgs, f)
	}
	return pkgs, problems
}

// zipFiles lists the regular *.zip files under d.Root, in lexical order, as paths in d.FS.
func zipFiles(d Dir) ([]string, error) {
	var files []string
	err := fs.WalkDir(d.FS, d.Root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() && strings.EqualFold(path.Ext(p), ".zip") {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// Read indexes one zip file.
func Read(file string) (Package, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return Package{}, err
	}
	dir, base := filepath.Split(abs)
	p, err := readFS(os.DirFS(dir), base)
	if err != nil {
		return Package{}, err
	}
	p.File = abs
	return p, nil
}

// readFS indexes the zip at name in fsys. A file that is no io.ReaderAt (a git blob) is read into memory.
func readFS(fsys fs.FS, name string) (Package, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return Package{}, err
	}
	defer f.Close()
	h := sha1.New()
	var ra io.ReaderAt
	var size int64
	if r, ok := f.(io.ReaderAt); ok {
		if size, err = io.Copy(h, f); err != nil {
			return Package{}, err
		}
		ra = r
	} else {
		b, err := io.ReadAll(f)
		if err != nil {
			return Package{}, err
		}
		h.Write(b)
		size, ra = int64(len(b)), bytes.NewReader(b)
	}
	meta, err := composerJSON(ra, size)
	if err != nil {
		return Package{}, err
	}
	p := Package{File: name, Base: path.Base(name), Path: name, SHA1: hex.EncodeToString(h.Sum(nil)), Size: size,
		Metadata: meta, fsys: fsys}
	if err := p.identify(); err != nil {
		return Package{}, err
	}
	return p, nil
}

// identify takes the name and version from the metadata.
func (p *Package) identify() error {
	name, _ := p.Metadata.GetString("name")
	vendor, pkg, ok := strings.Cut(name, "/")
	if !ok || vendor == "" || pkg == "" || strings.ContainsAny(name, " \t\r\n") || strings.Count(name, "/") != 1 {
		return fmt.Errorf("composer.json has no valid name (%q)", name)
	}
	version, _ := p.Metadata.GetString("version")
	if version == "" {
		return fmt.Errorf("composer.json of %s has no version", name)
	}
	norm, err := composer.NormalizeVersion(version)
	if err != nil {
		return fmt.Errorf("composer.json of %s: %w", name, err)
	}
	p.Name, p.Version, p.Normalized = strings.ToLower(name), version, norm
	return nil
}

// composerJSON finds and parses the composer.json of a zip.
func composerJSON(r io.ReaderAt, size int64) (*composer.Object, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	zf, err := locate(zr.File)
	if err != nil {
		return nil, err
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxComposerJSON+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	if len(b) > maxComposerJSON {
		return nil, fmt.Errorf("%s: larger than %d bytes", zf.Name, maxComposerJSON)
	}
	doc, err := composer.ParseDocument(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", zf.Name, err)
	}
	return doc, nil
}

// locate returns the root composer.json, or else the composer.json inside the single top-level directory.
// Entries under __MACOSX (macOS resource forks) are ignored, as Composer does.
func locate(files []*zip.File) (*zip.File, error) {
	byName := map[string]*zip.File{}
	tops := map[string]bool{}
	for _, f := range files {
		if strings.Contains(f.Name, "__MACOSX") {
			continue
		}
		byName[f.Name] = f
		top, _, nested := strings.Cut(f.Name, "/")
		tops[top] = tops[top] || nested // false: a file at the root

	}
	if f, ok := byName["composer.json"]; ok {
		return f, nil
	}
	if len(tops) != 1 {
		return nil, errors.New("no composer.json at the top level, and not exactly one top-level directory")
	}
	for top, isDir := range tops {
		if f, ok := byName[top+"/composer.json"]; ok && isDir {
			return f, nil
		}
	}
	return nil, errors.New("no composer.json at the top level or in the top-level directory")
}
