package gittest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// CommitRaw commits exactly the given files (path → content, mode 644) on top of HEAD's branch and returns the
// commit id. The trees are written with `git mktree`, which, unlike the index and the work tree, stores any
// name git's object format can hold: `..\..\evil.txt`, `a/.GIT/config`, control characters. Upstream
// repositories can contain such trees (pushed by other tools), so tests of what the build does with them need
// this. The work tree and index are left alone; use Tag afterwards to tag the commit.
func (r *Repo) CommitRaw(files map[string]string) string {
	r.t.Helper()
	tree := r.mktree(files, "")
	r.n++
	date := fmt.Sprintf("2024-01-%02dT12:00:00+00:00", r.n)
	args := []string{"commit-tree", tree, "-m", "raw commit"}
	if parent, err := r.run(nil, "rev-parse", "--verify", "--quiet", "HEAD"); err == nil && parent != "" {
		args = append(args, "-p", parent)
	}
	commit, err := r.run([]string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date}, args...)
	if err != nil {
		r.t.Fatalf("commit-tree: %v", err)
	}
	r.Git("update-ref", "HEAD", commit)
	return commit
}

// mktree writes the tree of the files below dir ("" or "a/b/") and returns its id.
func (r *Repo) mktree(files map[string]string, dir string) string {
	r.t.Helper()
	children := map[string]bool{} // name → is a directory
	for p := range files {
		rest, ok := strings.CutPrefix(p, dir)
		if !ok {
			continue
		}
		name, _, isDir := strings.Cut(rest, "/")
		children[name] = children[name] || isDir
	}
	var listing strings.Builder
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range children {
			if !yield(k) {
				return
			}
		}
	}) {
		if children[name] {
			fmt.Fprintf(&listing, "040000 tree %s\t%s\x00", r.mktree(files, dir+name+"/"), name)
			continue
		}
		fmt.Fprintf(&listing, "100644 blob %s\t%s\x00", r.hashObject(files[dir+name]), name)
	}
	return r.stdin(listing.String(), "mktree", "-z") // NUL-terminated: names may hold newlines
}

// hashObject stores content as a blob (no filters) and returns its id.
func (r *Repo) hashObject(content string) string {
	r.t.Helper()
	return r.stdin(content, "hash-object", "-w", "--no-filters", "--stdin")
}

// stdin runs git with input on standard input and returns its trimmed output.
func (r *Repo) stdin(input string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = Env(filepath.Join(r.Dir, ".git", "test-home"))
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}
