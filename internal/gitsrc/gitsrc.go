// Package gitsrc reads git repositories for the build: a cache of bare mirrors keyed by the full URL, refreshed
// with tags (and named branches) only, and plumbing readers for refs, trees and blobs. No work tree is ever
// checked out: trees and blobs are read from the object database through long-lived `git cat-file --batch`
// processes, which is both the fastest reader available and independent of the file system's case or mode
// handling.
package gitsrc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrMissing reports an object that is not in the repository.
var ErrMissing = errors.New("object missing from repository")

// Cache holds bare mirrors of remote repositories.
type Cache struct {
	Dir string
}

// DefaultCacheDir is the cache used when --cache is not given.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "magerepo", "git")
	}
	return filepath.Join(os.TempDir(), "magerepo-git-cache")
}

// Options say what to fetch besides tags.
type Options struct {
	// Branches are fetched as refs/heads/<name>; all other branches and refs/pull/* never are.
	Branches []string
	// Commits must be present after the fetch (e.g. releases upstream never tagged); they are fetched by id
	// when the tags did not bring them.
	Commits []string
}

// Open returns the repository at location: a local path is read in place, anything else is mirrored into the
// cache (created or refreshed: tags force-updated and pruned).
func (c *Cache) Open(ctx context.Context, location string, opts Options) (*Repo, error) {
	if isLocalPath(location) {
		return openLocal(ctx, location)
	}
	dir := filepath.Join(c.Dir, cacheKey(location))
	if err := c.refresh(ctx, dir, location, opts); err != nil {
		return nil, err
	}
	return &Repo{GitDir: dir, Location: location}, nil
}

// isLocalPath reports whether location names a directory on this machine rather than a URL.
func isLocalPath(location string) bool {
	if strings.Contains(location, "://") {
		return false
	}
	if m, _ := regexp.MatchString(`^[\w.-]+@[\w.-]+:`, location); m { // scp-like git@host:path
		return false
	}
	return true
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// cacheKey names the mirror directory of a URL: readable, and unique because of the hash of the full URL (two
// organisations' repositories of the same name must not collide, docs/reference-generator.md §8).
func cacheKey(url string) string {
	sum := sha256.Sum256([]byte(url))
	name := unsafeChars.ReplaceAllString(strings.TrimSuffix(url[strings.LastIndex(url, "/")+1:], ".git"), "_")
	if len(name) > 60 {
		name = name[:60]
	}
	return name + "-" + hex.EncodeToString(sum[:6]) + ".git"
}

// refresh creates or updates the mirror of url in dir. A mirror this call created is removed again when its
// first fetch fails, so an unreachable URL leaves no empty repository in the cache.
func (c *Cache) refresh(ctx context.Context, dir, url string, opts Options) (err error) {
	if _, serr := os.Stat(filepath.Join(dir, "HEAD")); serr != nil {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return fmt.Errorf("git cache: %w", err)
		}
		if _, err := run(ctx, "", "init", "--bare", "--quiet", dir); err != nil {
			os.RemoveAll(dir)
			return err
		}
		defer func() {
			if err != nil {
				os.RemoveAll(dir)
			}
		}()
	}
	// Explicit refspecs only: tags (forced, pruned) and the named branches. Never all branches and never
	// refs/pull/*: GitHub exposes tens of thousands of pull refs, and one unreadable branch must not break a
	// build. Depth 1: the build reads the trees of tagged commits, never history, and the history of the
	// magento2 monorepo is most of its size.
	args := []string{"fetch", "--quiet", "--force", "--prune", "--no-tags", "--depth=1", url, "+refs/tags/*:refs/tags/*"}
	for _, b := range opts.Branches {
		args = append(args, "+refs/heads/"+b+":refs/heads/"+b)
	}
	if _, err := run(ctx, dir, args...); err != nil {
		return fmt.Errorf("fetching %s: %w", url, err)
	}
	for _, c := range opts.Commits {
		if _, err := run(ctx, dir, "cat-file", "-e", c+"^{commit}"); err == nil {
			continue
		}
		if _, err := run(ctx, dir, "fetch", "--quiet", "--no-tags", "--depth=1", url, c); err != nil {
			return fmt.Errorf("fetching commit %s from %s: %w", c, url, err)
		}
	}
	return nil
}

func openLocal(ctx context.Context, path string) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	out, err := run(ctx, abs, "rev-parse", "--absolute-git-dir")
	if err != nil {
		return nil, fmt.Errorf("%s is not a git repository: %w", path, err)
	}
	return &Repo{GitDir: strings.TrimSpace(string(out)), Location: path}, nil
}

// run executes git with an argument list (never a shell string) in dir and returns stdout.
func run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	if dir != "" {
		cmd.Args = append([]string{"git", "--git-dir", dir}, args...)
		if fi, err := os.Stat(filepath.Join(dir, ".git")); err == nil && fi.IsDir() {
			cmd.Args = append([]string{"git", "-C", dir}, args...)
		}
	}
	cmd.Env = gitEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return stdout.Bytes(), nil
}

// gitEnv keeps git from prompting for credentials and from reading a pager or editor.
func gitEnv() []string {
	return append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "GIT_PAGER=cat", "LC_ALL=C")
}
