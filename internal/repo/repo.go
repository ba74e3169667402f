package repo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/site"
)

// Errors callers branch on.
var (
	// ErrLocked means another run holds the output directory's lock.
	ErrLocked = errors.New("repo: output directory is locked by another run")
	// ErrConflict means a (name, version) or a dist path is already published with other bytes.
	ErrConflict = errors.New("repo: already published with different content")
	// ErrInvalid means an entry cannot be stored (bad name, version or dist path).
	ErrInvalid = errors.New("repo: invalid entry")
)

// stateDir is the private state directory inside the output directory. It is
// never served (internal/server refuses dot files).
const stateDir = ".magerepo"

// Entry is one published version in the manifest: an archive this repository
// serves, an archive that stays remote, or a metapackage without a dist.
type Entry struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	VersionNormalized string `json:"version_normalized,omitempty"`
	// Dist is the archive's path relative to the output directory ("dist/a/b-1.0.zip"),
	// an absolute URL for an archive that stays remote, or "" for none.
	Dist string `json:"dist,omitempty"`
	// DistType is the archive type published in the dist ("" means zip).
	DistType string `json:"dist_type,omitempty"`
	SHA1     string `json:"sha1,omitempty"`
	Size     int64  `json:"size,omitempty"`
	// Reference is the dist reference to publish; "" means the SHA-1.
	Reference string `json:"reference,omitempty"`
	// Mirrors are other URLs of the same bytes, published as non-preferred dist mirrors.
	Mirrors []string `json:"mirrors,omitempty"`
	// Provenance: the source repository URL (the upstream repository for sync), the
	// git tag and the git tree id the archive was built from.
	Source string `json:"source,omitempty"`
	Tag    string `json:"tag,omitempty"`
	Tree   string `json:"tree,omitempty"`
	// Key identifies the archive's content before it is built (internal/build's content key), so that a later
	// tag yielding the same version with other content is recognised without building it.
	Key string `json:"key,omitempty"`
	// Metadata is the package's composer.json (compact, key order kept); it becomes
	// the version's entry in the p2 file, with version, version_normalized and dist set.
	Metadata json.RawMessage `json:"metadata"`
}

// Repo is an open output directory. Its methods are safe for concurrent use.
type Repo struct {
	dir  string
	lock *os.File

	mu       sync.Mutex
	pkgs     map[string]*pkgEntries // by package name
	dirty    map[string]bool        // packages whose manifest file must be rewritten
	orphans  map[string]bool        // dist paths of removed entries, deleted after publishing
	distRefs map[string]int         // how many entries name each local dist path
	identity identity               // owner and base URL (repository.json)
	failHook func(step string) error
}

// pkgEntries holds the entries of one package, keyed by version key.
type pkgEntries struct {
	byKey map[string]Entry
}

// Open opens the output directory dir, creating it if needed, takes its lock and
// loads the manifest. Close releases the lock.
func Open(dir string) (*Repo, error) {
	if err := os.MkdirAll(filepath.Join(dir, stateDir), 0o755); err != nil {
		return nil, fmt.Errorf("repo: create %s: %w", dir, err)
	}
	lock, err := lockDir(filepath.Join(dir, stateDir, "lock"))
	if err != nil {
		return nil, err
	}
	r := &Repo{dir: dir, lock: lock, pkgs: map[string]*pkgEntries{}, dirty: map[string]bool{}, orphans: map[string]bool{},
		distRefs: map[string]int{}}
	if err := r.load(); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.loadIdentity(); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.removeTemps(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// removeTemps deletes the temporary files an interrupted run left behind. They
// were never renamed into place, so nothing names them; holding the lock, no
// other run is writing one. Partial downloads (".<name>.part") are kept for
// [Repo.ResumeDist].
func (r *Repo) removeTemps() error {
	err := filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == stateDir && filepath.Dir(path) == filepath.Clean(r.dir) {
			return filepath.SkipDir // cleaned by load
		}
		if !d.IsDir() && isTemp(d.Name()) {
			return os.Remove(path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("repo: remove temporary files: %w", err)
	}
	return nil
}

// lockDir takes an exclusive, non-blocking flock on path. The kernel releases it
// when the process dies, so a crashed run never leaves the directory locked.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("repo: open lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrLocked, path)
		}
		return nil, fmt.Errorf("repo: lock %s: %w", path, err)
	}
	return f, nil
}

// Close releases the lock. Entries added but not published are lost.
func (r *Repo) Close() error {
	if r.lock == nil {
		return nil
	}
	err := r.lock.Close() // closing the descriptor drops the flock
	r.lock = nil
	return err
}

// Dir returns the output directory.
func (r *Repo) Dir() string { return r.dir }

// Path returns the file path of rel, a path relative to the output directory.
func (r *Repo) Path(rel string) string { return filepath.Join(r.dir, filepath.FromSlash(rel)) }

// versionKey is the key one version is stored under: its normalized form when
// it has one, so "v1.0" and "1.0.0" are the same version, else the pretty string.
func versionKey(version, normalized string) string {
	if normalized != "" {
		return normalized
	}
	if n, err := composer.NormalizeVersion(version); err == nil {
		return n
	}
	return "pretty:" + version
}

// Lookup returns the entry of name at version, matched on the pretty version or
// on its normalized form.
func (r *Repo) Lookup(name, version string) (Entry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.pkgs[name]
	if !ok {
		return Entry{}, false
	}
	if e, ok := p.byKey[versionKey(version, "")]; ok {
		return cloneEntry(e), true
	}
	for _, e := range p.byKey {
		if e.Version == version {
			return cloneEntry(e), true
		}
	}
	return Entry{}, false
}

// Entries returns every entry, sorted by name and then by version, oldest first.
func (r *Repo) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Entry
	for _, n := range r.sortedNames() {
		for _, e := range r.pkgs[n].sorted() {
			out = append(out, cloneEntry(e))
		}
	}
	return out
}

// Names returns the package names in the manifest, sorted.
func (r *Repo) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sortedNames()
}

// sortedNames returns the package names, sorted; r.mu must be held.
func (r *Repo) sortedNames() []string {
	return slices.Sorted(maps.Keys(r.pkgs))
}

// sorted returns a package's entries oldest first.
func (p *pkgEntries) sorted() []Entry {
	es := make([]Entry, 0, len(p.byKey))
	for _, e := range p.byKey {
		es = append(es, e)
	}
	slices.SortFunc(es, compareEntries)
	return es
}

// compareEntries orders entries by Composer version order, then by pretty
// version, so the order never depends on how entries were added.
func compareEntries(a, b Entry) int {
	an, bn := a.VersionNormalized, b.VersionNormalized
	if an != "" && bn != "" {
		if c := composer.CompareVersions(an, bn); c != 0 {
			return c
		}
	}
	if c := strings.Compare(an, bn); c != 0 {
		return c
	}
	return strings.Compare(a.Version, b.Version)
}

func cloneEntry(e Entry) Entry {
	e.Metadata = slices.Clone(e.Metadata)
	e.Mirrors = slices.Clone(e.Mirrors)
	return e
}

// Add records e in the manifest; it is published by the next [Repo.Publish].
// Adding an entry with the same content as the one already recorded is a no-op;
// a different one for the same (name, version) is refused with [ErrConflict],
// because published versions are immutable. An entry that could not be
// published ([Check]) is refused with [ErrInvalid]: nothing is recorded that a
// publish would leave out.
func (r *Repo) Add(e Entry) error {
	return r.store(e, func(old, e Entry) (bool, error) {
		// Same bytes from other provenance (a second tag of the same content)
		// keeps the first record.
		if sameContent(old, e) {
			return false, nil
		}
		return false, fmt.Errorf("%w: %s %s (published sha1 %s, new %s)", ErrConflict, e.Name, e.Version, old.SHA1, e.SHA1)
	})
}

// Replace records e, replacing any entry of the same (name, version). Sync uses
// it when upstream changes a version's metadata; build never should.
func (r *Repo) Replace(e Entry) error {
	return r.store(e, func(old, e Entry) (bool, error) { return !entriesEqual(old, e), nil })
}

// store records e after checking (and completing) it; when an entry of the same (name, version) exists,
// existing decides, given the old and the checked new entry, whether the new one replaces it.
func (r *Repo) store(e Entry, existing func(old, e Entry) (replace bool, err error)) error {
	if err := checkEntry(&e); err != nil {
		return err
	}
	if err := Check(e); err != nil {
		return fmt.Errorf("%w: %s %s: %w", ErrInvalid, e.Name, e.Version, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := versionKey(e.Version, e.VersionNormalized)
	if old, ok := r.get(e.Name, k); ok {
		replace, err := existing(old, e)
		if err != nil || !replace {
			return err
		}
		r.del(e.Name, k)
	}
	r.put(k, e)
	return nil
}

// Remove deletes name at version from the manifest (sync --prune). Its dist file
// is deleted after the next publish no longer names it. It reports whether the
// entry existed.
func (r *Repo) Remove(name, version string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.pkgs[name]
	if !ok {
		return false
	}
	k := versionKey(version, "")
	if _, ok := p.byKey[k]; !ok {
		k = ""
		for kk, e := range p.byKey {
			if e.Version == version {
				k = kk
				break
			}
		}
	}
	if k == "" {
		return false
	}
	r.del(name, k)
	return true
}

func (r *Repo) get(name, k string) (Entry, bool) {
	p, ok := r.pkgs[name]
	if !ok {
		return Entry{}, false
	}
	e, ok := p.byKey[k]
	return e, ok
}

// put stores e under k and keeps the dist reference counts; r.mu is held.
func (r *Repo) put(k string, e Entry) {
	p := r.pkgs[e.Name]
	if p == nil {
		p = &pkgEntries{byKey: map[string]Entry{}}
		r.pkgs[e.Name] = p
	}
	p.byKey[k] = cloneEntry(e)
	r.dirty[e.Name] = true
	if local(e.Dist) {
		r.distRefs[e.Dist]++
		delete(r.orphans, e.Dist)
	}
}

// del removes the entry under k; a local dist nothing names any more becomes an
// orphan, deleted after the next publish. r.mu is held.
func (r *Repo) del(name, k string) {
	p := r.pkgs[name]
	e := p.byKey[k]
	delete(p.byKey, k)
	if len(p.byKey) == 0 {
		delete(r.pkgs, name)
	}
	r.dirty[name] = true
	if local(e.Dist) {
		r.distRefs[e.Dist]--
		if r.distRefs[e.Dist] <= 0 {
			delete(r.distRefs, e.Dist)
			r.orphans[e.Dist] = true
		}
	}
}

// local reports whether a dist is a file in the output directory.
func local(dist string) bool { return dist != "" && !isURL(dist) }

// checkEntry validates what must hold before an entry can even be stored: a
// path-safe name, a version, a safe dist path and JSON metadata. It fills in
// VersionNormalized when the version normalizes.
func checkEntry(e *Entry) error {
	if err := checkName(e.Name); err != nil {
		return err
	}
	if e.Version == "" {
		return fmt.Errorf("%w: %s: empty version", ErrInvalid, e.Name)
	}
	if e.VersionNormalized == "" {
		if n, err := composer.NormalizeVersion(e.Version); err == nil {
			e.VersionNormalized = n
		}
	}
	if e.Dist != "" && !isURL(e.Dist) {
		if err := checkRel(e.Dist); err != nil {
			return fmt.Errorf("%w: %s %s: %w", ErrInvalid, e.Name, e.Version, err)
		}
	}
	if len(e.Metadata) == 0 {
		e.Metadata = json.RawMessage("{}")
	}
	doc, err := composer.ParseDocument(e.Metadata)
	if err != nil {
		return fmt.Errorf("%w: %s %s: metadata: %w", ErrInvalid, e.Name, e.Version, err)
	}
	// Stored compact and re-serialised, so equal documents are equal bytes and
	// the manifest always holds valid JSON.
	e.Metadata = composer.MarshalCompact(composer.ObjectValue(doc))
	return nil
}

// checkName accepts valid Composer package names only: they become file paths.
func checkName(name string) error {
	if err := composer.ValidatePackageName(name); err != nil {
		return fmt.Errorf("%w: package name %q: %w", ErrInvalid, name, err)
	}
	return nil
}

// metadataNames are the top-level names the metadata and the web pages ([site.Names]) use; no dist path starts
// with one.
var metadataNames = func() map[string]bool {
	m := map[string]bool{"packages.json": true, "packages.json.gz": true, "p2": true}
	for _, n := range site.Names {
		m[n] = true
	}
	return m
}()

// CheckDistPath reports why rel cannot be a dist path (relative to the output directory): not a clean relative
// slash path, leaving the directory, a dot-file segment, or a name the metadata, the web pages or the state use.
// [Repo.CreateDist] applies it; sync asks it before it keeps an upstream path.
func CheckDistPath(rel string) error { return checkRel(rel) }

// CheckDistDir reports why dir cannot hold dists: the test of every dist path below it ([Repo.CreateDist]),
// applied to the directory before a build starts, so a profile whose dist-dir collides with metadata or state
// ("p2", "packages.json", "browse", ".magerepo") is refused when it is checked, not at every publish.
func CheckDistDir(dir string) error {
	return checkRel(dir + "/x.zip")
}

// checkRel accepts a clean relative slash path that stays inside the output
// directory and does not collide with metadata or state.
func checkRel(rel string) error {
	switch {
	case rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "\\"):
		return fmt.Errorf("dist path %q is not a relative slash path", rel)
	case filepath.ToSlash(filepath.Clean(rel)) != rel || rel == "." || strings.HasPrefix(rel, "../"):
		return fmt.Errorf("dist path %q is not clean or leaves the output directory", rel)
	case metadataNames[strings.Split(rel, "/")[0]]:
		return fmt.Errorf("dist path %q collides with metadata", rel)
	}
	for _, seg := range strings.Split(rel, "/") {
		if strings.HasPrefix(seg, ".") {
			return fmt.Errorf("dist path %q has a dot-file segment", rel)
		}
	}
	return nil
}

// isURL reports whether a dist names a remote URL rather than a local path.
func isURL(s string) bool { return strings.Contains(s, "://") }

// sameContent reports whether two entries publish the same bytes.
func sameContent(a, b Entry) bool {
	return a.Dist == b.Dist && a.SHA1 == b.SHA1 && a.Size == b.Size && string(a.Metadata) == string(b.Metadata)
}

func entriesEqual(a, b Entry) bool {
	return a.Name == b.Name && a.Version == b.Version && a.VersionNormalized == b.VersionNormalized &&
		a.Dist == b.Dist && a.DistType == b.DistType && a.SHA1 == b.SHA1 && a.Size == b.Size && a.Reference == b.Reference &&
		slices.Equal(a.Mirrors, b.Mirrors) && a.Source == b.Source && a.Tag == b.Tag && a.Tree == b.Tree && a.Key == b.Key &&
		string(a.Metadata) == string(b.Metadata)
}
