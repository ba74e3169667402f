package fixes

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"sync"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
)

// Set is the upstream fixes of one configuration, indexed for lookups during a build. Its methods are safe for
// concurrent use; the documents they change belong to the caller.
type Set struct {
	pins      map[string]map[string]pin // source\x00tag -> package -> pin
	patches   map[string][]*patch       // source\x00package -> patches in configuration order
	extraRefs map[string][]config.ExtraRef
	repl      map[string][]Replacement // source\x00package\x00version

	entries []Fix // every entry, in configuration order
	mu      sync.Mutex
	used    map[string]bool // by Fix.ID
}

// Fix names one configured entry: the source it belongs to and a description that identifies it ("patches[3]:
// magento2 magento/product-community-edition when version 2.4.7").
type Fix struct {
	Source string
	ID     string
}

// Replacement is one replaced file of a package version: Path in the package and the released bytes. Data is
// shared; callers must not modify it.
type Replacement struct {
	Path string
	Data []byte
}

type pin struct {
	version string
	id      string
}

// dependencySections are the composer.json sections version pins rewrite; other sections are left alone.
var dependencySections = []string{"require", "require-dev", "suggest"}

var commitRe = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// New indexes the fixes of c. data is where file-replacement data paths resolve (nil if c has none); every
// replacement file is read and checked against its declared size and SHA-256 here, so a build never starts
// with a fix it cannot apply. All problems are returned together.
func New(c *config.Config, data fs.FS) (*Set, error) {
	s := &Set{
		pins:      map[string]map[string]pin{},
		patches:   map[string][]*patch{},
		extraRefs: map[string][]config.ExtraRef{},
		repl:      map[string][]Replacement{},
		used:      map[string]bool{},
	}
	var errs []error
	errs = append(errs, s.addPins(c.VersionPins)...)
	errs = append(errs, s.addPatches(c.Patches)...)
	errs = append(errs, s.addExtraRefs(c.ExtraRefs)...)
	errs = append(errs, s.addReplacements(c.FileReplacements, data)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func key(parts ...string) string { return strings.Join(parts, "\x00") }

func (s *Set) addPins(vps []config.VersionPin) []error {
	var errs []error
	for i, vp := range vps {
		k := key(vp.Source, vp.Tag)
		if s.pins[k] == nil {
			s.pins[k] = map[string]pin{}
		}
		for _, kv := range vp.Pins {
			if kv.Key == "" || kv.Value == "" {
				errs = append(errs, fmt.Errorf("fixes: version-pins[%d] (%s %s): empty package or version", i, vp.Source, vp.Tag))
				continue
			}
			if _, dup := s.pins[k][kv.Key]; dup {
				errs = append(errs, fmt.Errorf("fixes: version-pins[%d]: %s is pinned twice for %s %s", i, kv.Key, vp.Source, vp.Tag))
				continue
			}
			id := fmt.Sprintf("version-pins[%d]: %s %s: %s %s", i, vp.Source, vp.Tag, kv.Key, kv.Value)
			s.pins[k][kv.Key] = pin{version: kv.Value, id: id}
			s.entries = append(s.entries, Fix{vp.Source, id})
		}
	}
	return errs
}

func (s *Set) addExtraRefs(refs []config.ExtraRef) []error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range refs {
		k := key(r.Source, r.Release)
		switch {
		case !commitRe.MatchString(r.Commit):
			errs = append(errs, fmt.Errorf("fixes: extra-refs[%d]: commit %q must be a hex commit id", i, r.Commit))
		case r.Release == "":
			errs = append(errs, fmt.Errorf("fixes: extra-refs[%d]: release is empty", i))
		case seen[k]:
			errs = append(errs, fmt.Errorf("fixes: extra-refs[%d]: release %s of %s given twice", i, r.Release, r.Source))
		default:
			seen[k] = true
			s.extraRefs[r.Source] = append(s.extraRefs[r.Source], r)
			s.entries = append(s.entries, Fix{r.Source, extraRefID(r)})
		}
	}
	return errs
}

func extraRefID(r config.ExtraRef) string {
	return fmt.Sprintf("extra-refs: %s %s = %s", r.Source, r.Release, r.Commit)
}

func (s *Set) addReplacements(frs []config.FileReplacement, data fs.FS) []error {
	var errs []error
	for i, fr := range frs {
		k := key(fr.Source, fr.Package, fr.Version)
		if fr.Package == "" || fr.Version == "" || len(fr.Files) == 0 {
			errs = append(errs, fmt.Errorf("fixes: file-replacements[%d]: needs a package, a version and files", i))
			continue
		}
		if _, dup := s.repl[k]; dup {
			errs = append(errs, fmt.Errorf("fixes: file-replacements[%d]: %s %s given twice", i, fr.Package, fr.Version))
			continue
		}
		var rs []Replacement
		for _, f := range fr.Files {
			b, err := readReplacement(f, data)
			if err != nil {
				errs = append(errs, fmt.Errorf("fixes: file-replacements[%d] %s %s: %w", i, fr.Package, fr.Version, err))
				continue
			}
			rs = append(rs, Replacement{Path: f.Path, Data: b})
		}
		s.repl[k] = rs
		s.entries = append(s.entries, Fix{fr.Source, replacementID(fr.Source, fr.Package, fr.Version)})
	}
	return errs
}

func replacementID(source, name, version string) string {
	return fmt.Sprintf("file-replacements: %s %s %s", source, name, version)
}

// readReplacement reads one replacement file and checks its size and checksum.
func readReplacement(f config.ReplacementFile, data fs.FS) ([]byte, error) {
	if data == nil {
		return nil, fmt.Errorf("%s: no data directory to read %s from", f.Path, f.Data)
	}
	if !fs.ValidPath(f.Data) {
		return nil, fmt.Errorf("%s: data path %q must be a clean relative path", f.Path, f.Data)
	}
	if len(f.SHA256) != sha256.Size*2 {
		return nil, fmt.Errorf("%s: sha256 must be 64 hex digits", f.Path)
	}
	b, err := fs.ReadFile(data, f.Data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if f.Bytes != 0 && int64(len(b)) != f.Bytes {
		return nil, fmt.Errorf("%s: %s has %d bytes, the configuration says %d", f.Path, f.Data, len(b), f.Bytes)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, f.SHA256) {
		return nil, fmt.Errorf("%s: %s has sha256 %s, the configuration says %s", f.Path, f.Data, got, f.SHA256)
	}
	return b, nil
}

func (s *Set) markUsed(id string) {
	s.mu.Lock()
	s.used[id] = true
	s.mu.Unlock()
}

// PinnedVersion returns the pinned version of package name when built from (source, tag).
func (s *Set) PinnedVersion(source, tag, name string) (string, bool) {
	p, ok := s.pins[key(source, tag)][name]
	if !ok {
		return "", false
	}
	s.markUsed(p.id)
	return p.version, true
}

// ApplyPins sets the constraint of every pinned package in require, require-dev and suggest of a package built
// from (source, tag); the key keeps its place. Other sections, and sections that are not objects, are left alone.
func (s *Set) ApplyPins(source, tag string, doc *composer.Object) {
	pins := s.pins[key(source, tag)]
	if len(pins) == 0 {
		return
	}
	for _, name := range dependencySections {
		sec, ok := doc.GetObject(name)
		if !ok {
			continue
		}
		for _, dep := range sec.Keys() {
			if p, ok := pins[dep]; ok {
				sec.SetString(dep, p.version)
				s.markUsed(p.id)
			}
		}
	}
}

// ExtraRefs returns the commits of source to build as if tagged with their release name, in configuration
// order. They count as used once asked for.
func (s *Set) ExtraRefs(source string) []config.ExtraRef {
	refs := s.extraRefs[source]
	for _, r := range refs {
		s.markUsed(extraRefID(r))
	}
	return append([]config.ExtraRef(nil), refs...)
}

// Replacements returns the replaced files of (source, name, version): path in package and bytes.
func (s *Set) Replacements(source, name, version string) []Replacement {
	rs, ok := s.repl[key(source, name, version)]
	if !ok {
		return nil
	}
	s.markUsed(replacementID(source, name, version))
	return append([]Replacement(nil), rs...)
}

// Unused returns the entries never used since New, in configuration order: pins never selected as a version or
// written into a dependency, patches whose condition never matched, extra refs never asked for and
// replacements never fetched. A build reports them because a fix that never applies is usually a typo.
func (s *Set) Unused() []string {
	var out []string
	for _, f := range s.UnusedIn(func(string) bool { return true }) {
		out = append(out, f.ID)
	}
	return out
}

// UnusedIn is [Set.Unused] for the entries of the sources judged reports true for: a caller that read only
// some sources, or only some tags of a source, cannot tell whether the others' fixes apply.
func (s *Set) UnusedIn(judged func(source string) bool) []Fix {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fix
	for _, f := range s.entries {
		if !s.used[f.ID] && judged(f.Source) {
			out = append(out, f)
		}
	}
	return out
}
