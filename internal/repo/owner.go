package repo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Owner names the command that maintains an output directory. Each keeps state the other does not understand
// (a build its processed tags, a sync its upstream's Last-Modified times and dist URLs), so a directory has one.
type Owner string

// The owners of output directories.
const (
	OwnerBuild Owner = "build"
	OwnerSync  Owner = "sync"
)

var (
	// ErrNotOwner means the output directory is maintained by another command, or holds files of another tool.
	ErrNotOwner = errors.New("repo: the output directory belongs to another owner")
	// ErrBaseURL means a publish would change the URL the repository is published at without being asked to.
	ErrBaseURL = errors.New("repo: the repository is published at another base URL")
	// ErrNoBaseURL means a repository's first publish has no base URL to publish at.
	ErrNoBaseURL = errors.New("repo: a new repository needs the URL it will be served at (--base-url)")
)

// identityFile is .magerepo/repository.json: who maintains the directory and at which URL it is published.
const identityFile = "repository.json"

// identity is the content of identityFile.
type identity struct {
	Owner   Owner  `json:"owner,omitempty"`
	BaseURL string `json:"base-url,omitempty"`
}

// OpenAs opens dir as [Open] does, for owner: a new or empty directory becomes owner's; a directory another
// owner maintains, or a non-empty one without magerepo's state (another tool's output), is refused with
// [ErrNotOwner] before anything in it changes.
func OpenAs(dir string, owner Owner) (*Repo, error) {
	if err := checkForeign(dir); err != nil {
		return nil, err
	}
	r, err := Open(dir)
	if err != nil {
		return nil, err
	}
	if err := r.claim(owner); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// checkForeign refuses a non-empty directory that has no magerepo state.
func checkForeign(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(ents) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("repo: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stateDir)); err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s holds files but no %s state of magerepo's (another tool's output?); use an empty directory", ErrNotOwner, dir, stateDir)
}

// claim records owner, or refuses when another owner is recorded. A directory made before owners were
// recorded belongs to sync when it has sync's state, else to build.
func (r *Repo) claim(owner Owner) error {
	id := r.identity
	if id.Owner == "" {
		id.Owner = OwnerBuild
		if _, err := os.Stat(filepath.Join(r.dir, stateDir, "sync-state.json")); err == nil {
			id.Owner = OwnerSync
		} else if !r.hasEntries() {
			id.Owner = owner // a new directory
		}
	}
	if id.Owner != owner {
		return fmt.Errorf("%w: %s is maintained by magerepo %s, not %s; use another directory", ErrNotOwner, r.dir, id.Owner, owner)
	}
	if id == r.identity {
		return nil
	}
	return r.saveIdentity(id)
}

// BaseURL returns the URL the repository is published at, "" before its first publish.
func (r *Repo) BaseURL() string { return r.identity.BaseURL }

// ResolveBaseURL returns the URL to publish at, given the one a run asks for (want, "" for none): the recorded
// URL when want is empty or the same, want for a new repository or when change is set. It fails with
// [ErrNoBaseURL] when neither is known and with [ErrBaseURL] when want differs without change, so a command can
// refuse before it does any work.
func (r *Repo) ResolveBaseURL(want string, change bool) (string, error) {
	rec := r.identity.BaseURL
	if want == "" {
		if rec == "" {
			return "", ErrNoBaseURL
		}
		return rec, nil
	}
	b, err := parseBaseURL(want)
	if err != nil {
		return "", err
	}
	if rec != "" && b.abs != rec && !change {
		return "", fmt.Errorf("%w: %s is published at %s, not %s (moving it rewrites every dist URL; say so explicitly)", ErrBaseURL, r.dir, rec, b.abs)
	}
	return b.abs, nil
}

// loadIdentity reads identityFile; a missing one is an unclaimed directory.
func (r *Repo) loadIdentity() error {
	b, err := os.ReadFile(filepath.Join(r.dir, stateDir, identityFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = json.Unmarshal(b, &r.identity)
	}
	if err != nil {
		return fmt.Errorf("repo: %s: %w", identityFile, err)
	}
	return nil
}

func (r *Repo) saveIdentity(id identity) error {
	b, err := encodeJSON(id)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(r.dir, stateDir, identityFile), b); err != nil {
		return err
	}
	r.identity = id
	return nil
}

// useBaseURL records base as the repository's URL before anything is published under it. A different recorded
// URL is kept unless change is set: a build or an update never moves a repository implicitly.
func (r *Repo) useBaseURL(base string, change bool) error {
	if _, err := r.ResolveBaseURL(base, change); err != nil {
		return err
	}
	if r.identity.BaseURL == base {
		return nil
	}
	id := r.identity
	id.BaseURL = base
	return r.saveIdentity(id)
}

func (r *Repo) hasEntries() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pkgs) > 0
}
