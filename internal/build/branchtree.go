package build

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mage-os/magerepo/internal/gitsrc"
)

// branchTree is a source read as files at one branch rather than by tags (the release metadata, prebuilt
// sources): a plain directory as it is, or a git repository's tree without a checkout.
type branchTree struct {
	fsys fs.FS
	// dir is set for a plain directory (the absolute path fsys is rooted at).
	dir string
	// repo, ref, commit and tree are set for a git repository; ref is "refs/heads/<branch>" or "HEAD".
	repo         *gitsrc.Repo
	ref          string
	commit, tree string
}

// at describes where a git tree was read, for messages: "branch main (commit 1a2b3c4d5e6f)".
func (t *branchTree) at() string {
	if t.repo == nil {
		return "a plain directory"
	}
	ref := "HEAD"
	if name, ok := strings.CutPrefix(t.ref, "refs/heads/"); ok {
		ref = "branch " + name
	}
	return ref + " (commit " + short(t.commit) + ")"
}

// openBranchTree opens loc: a plain directory is read as it is; a git repository (a remote one is fetched into
// the cache) at branch, or when branch is "" at main for a remote repository and at HEAD for a local one.
func (b *builder) openBranchTree(ctx context.Context, loc, branch string) (*branchTree, error) {
	if fi, err := os.Stat(loc); err == nil && fi.IsDir() && !isGitDir(loc) {
		abs, err := filepath.Abs(loc)
		if err != nil {
			return nil, err
		}
		return &branchTree{fsys: os.DirFS(abs), dir: abs}, nil
	}
	var branches []string
	switch {
	case branch != "":
		branches = []string{branch}
	case !isGitDir(loc):
		branches = []string{"main"}
	}
	r, err := (&gitsrc.Cache{Dir: b.opts.CacheDir}).Open(ctx, loc, gitsrc.Options{Branches: branches})
	if err != nil {
		return nil, err
	}
	b.extraRepos = append(b.extraRepos, r)
	t := &branchTree{repo: r, ref: "HEAD"}
	if len(branches) > 0 {
		t.ref = "refs/heads/" + branches[0]
	}
	if t.commit, err = r.Resolve(ctx, t.ref); err != nil {
		return nil, err
	}
	if t.tree, err = r.TreeOf(ctx, t.commit); err != nil {
		return nil, err
	}
	t.fsys = r.TreeFS(ctx, t.tree)
	return t, nil
}

// short abbreviates a commit id for messages.
func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
