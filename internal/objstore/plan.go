package objstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/repo"
)

// stateDir is where a directory keeps what it knows of each bucket it is mirrored to, below its .magerepo/.
const stateDir = ".magerepo/objstore"

// state is what the output directory knows of one target: what the bucket holds (as this publisher uploaded it)
// and the upload in progress. With it a no-op mirror compares local files with the record and sends nothing.
type state struct {
	Target string `json:"target"`
	// Uploaded maps each key uploaded to the checksum of its bytes: "sha1:…" for dists (the manifest's), and
	// "sha256:…" for metadata.
	Uploaded map[string]string `json:"uploaded"`
	// Listed are the names the bucket's packages.json lists.
	Listed []string `json:"listed"`
	// Plan is the upload in progress, in order; saved before its first step and after each.
	Plan []step `json:"plan,omitempty"`
	// Orphaned maps each key uploaded that the directory no longer has to when a mirror first found it gone.
	Orphaned map[string]time.Time `json:"orphaned,omitempty"`
}

// step is one upload of a plan.
type step struct {
	Key  string `json:"key"`
	Sum  string `json:"sum,omitempty"`  // the local bytes' checksum when planned; other bytes void the plan
	Dist bool   `json:"dist,omitempty"` // an immutable dist: created only if absent
	// List, on a packages.json step before the last, is the intermediate listing: the names it lists.
	List []string `json:"list,omitempty"`
}

func statePath(dir, target string) string {
	h := sha256.Sum256([]byte(target))
	return filepath.Join(dir, filepath.FromSlash(stateDir), hex.EncodeToString(h[:8])+".json")
}

func loadState(dir, target string) (*state, error) {
	st := &state{Target: target, Uploaded: map[string]string{}}
	b, err := os.ReadFile(statePath(dir, target))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err == nil {
		err = json.Unmarshal(b, st)
	}
	if err != nil {
		return nil, fmt.Errorf("objstore: state of %s: %w", target, err)
	}
	if st.Uploaded == nil {
		st.Uploaded = map[string]string{}
	}
	return st, nil
}

// save writes the state through a temporary file and a rename, synced: after a crash it says at least what the
// bucket holds (a step is recorded only once its upload succeeded).
func (st *state) save(dir string) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	p := statePath(dir, st.Target)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-state-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("objstore: save state: %w", err)
	}
	return os.Rename(f.Name(), p)
}

// localFile is a metadata file of the output directory.
type localFile struct {
	key   string
	sum   string
	mtime time.Time
}

// metadataFiles returns packages.json, the p2 files and the web pages (index.html, browse/), without the .gz
// copies (docs/object-storage.md: the CDN compresses) and without temporary files.
func metadataFiles(dir string) ([]localFile, error) {
	var out []localFile
	add := func(path, key string) error {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		sum, err := fileSum(path)
		if err != nil {
			return err
		}
		out = append(out, localFile{key: key, sum: sum, mtime: fi.ModTime()})
		return nil
	}
	for _, top := range []string{"packages.json", "index.html"} {
		if err := add(filepath.Join(dir, top), top); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	for _, sub := range []string{"p2", "browse"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), ".gz") {
				return nil
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			return add(path, filepath.ToSlash(rel))
		})
		if err != nil {
			return nil, fmt.Errorf("objstore: %w", err)
		}
	}
	return out, nil
}

func fileSum(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return bytesSum(b), nil
}

func bytesSum(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// makePlan orders the uploads that bring the bucket to the local directory (docs/format.md, read and write
// ordering; docs/object-storage.md):
//
//  1. every dist the bucket lacks;
//  2. every changed p2 file and page, in the order the local publish wrote them: by modification time, since a
//     publish rewrites only changed files, each through a rename, in dependency order. A package the bucket's
//     packages.json does not list yet is invisible; before the first listed package that changes after such
//     packages, an intermediate packages.json lists them, as the local publish did;
//  3. packages.json.
func makePlan(st *state, dists []repo.Entry, files []localFile, localRoot []byte) []step {
	var plan []step
	for _, e := range dists {
		if st.Uploaded[e.Dist] != "sha1:"+e.SHA1 {
			plan = append(plan, step{Key: e.Dist, Sum: "sha1:" + e.SHA1, Dist: true})
		}
	}
	final := map[string]bool{}
	for _, n := range listedIn(localRoot) {
		final[n] = true
	}
	var root *localFile
	var changed []localFile
	for _, f := range files {
		switch {
		case f.key == "packages.json":
			root = &f
		case st.Uploaded[f.key] != f.sum:
			changed = append(changed, f)
		}
	}
	slices.SortStableFunc(changed, func(a, b localFile) int {
		if c := a.mtime.Compare(b.mtime); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	visible := map[string]bool{}
	for _, n := range st.Listed {
		visible[n] = true
	}
	var unlisted []string
	intermediate := false
	for _, f := range changed {
		name, ok := p2Name(f.key)
		if ok && visible[name] && len(unlisted) > 0 {
			for _, n := range unlisted {
				visible[n] = true
			}
			unlisted = nil
			plan = append(plan, step{Key: "packages.json", List: sortedKeys(visible)})
			intermediate = true
		}
		if ok && !visible[name] && final[name] && !slices.Contains(unlisted, name) {
			unlisted = append(unlisted, name)
		}
		plan = append(plan, step{Key: f.key, Sum: f.sum})
	}
	if root != nil && (intermediate || st.Uploaded["packages.json"] != root.sum) {
		plan = append(plan, step{Key: "packages.json", Sum: root.sum})
	}
	return plan
}

// p2Name returns the package a p2 file is of.
func p2Name(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "p2/")
	if !ok || !strings.HasSuffix(rest, ".json") {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimSuffix(rest, ".json"), "~dev"), true
}

// listedIn returns the available-packages of a packages.json.
func listedIn(root []byte) []string {
	var doc struct {
		Available []string `json:"available-packages"`
	}
	_ = json.Unmarshal(root, &doc)
	return doc.Available
}

// withListing returns the local packages.json with available-packages replaced by names: an intermediate
// listing, the same document as the final one otherwise.
func withListing(root []byte, names []string) ([]byte, error) {
	doc, err := composer.ParseDocument(root)
	if err != nil {
		return nil, fmt.Errorf("objstore: packages.json: %w", err)
	}
	vs := make([]*composer.Value, len(names))
	for i, n := range names {
		vs[i] = composer.StringValue(n)
	}
	doc.Set("available-packages", composer.ArrayValue(vs...))
	return composer.MarshalCompact(composer.ObjectValue(doc)), nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// planValid reports whether a saved plan still describes the local files: each remaining file step's bytes are
// those planned. A plan made void (the directory was published again) is made anew from the state, which
// records what the bucket holds.
func planValid(plan []step, dists map[string]string, files map[string]string) bool {
	for _, s := range plan {
		switch {
		case s.List != nil:
		case s.Dist:
			if dists[s.Key] != s.Sum {
				return false
			}
		default:
			if files[s.Key] != s.Sum {
				return false
			}
		}
	}
	return true
}
