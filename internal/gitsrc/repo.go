package gitsrc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// Repo reads one repository's refs, trees and blobs.
type Repo struct {
	GitDir   string
	Location string

	once  sync.Once
	slots chan struct{} // one token per cat-file process in use
	mu    sync.Mutex
	idle  []*catFile // long-lived `git cat-file --batch` processes not in use
	all   []*catFile
	trees map[string][]Entry
}

// Tag is one tag with the objects it points at.
type Tag struct {
	Name   string
	Commit string
	Tree   string
	// Err is set when the tag's commit or tree cannot be read (a broken ref): only this tag is unusable.
	Err error
}

// Tags lists refs/tags with their peeled commit and tree ids, in byte order of the names (git's order). Only
// the ref names and ids come from for-each-ref, which reads no object: a tag whose objects are missing or broken
// gets its own Err and does not hide the others. Tags of trees or blobs are no releases and are left out.
func (r *Repo) Tags(ctx context.Context) ([]Tag, error) {
	out, err := run(ctx, r.GitDir, "for-each-ref", "--format=%(refname:strip=2)%00%(objectname)", "refs/tags")
	if err != nil {
		return nil, err
	}
	var tags []Tag
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, id, ok := strings.Cut(line, "\x00")
		if !ok {
			continue
		}
		t := Tag{Name: name}
		var typ string
		t.Commit, typ, t.Err = r.peel(ctx, id)
		if t.Err == nil && typ != "commit" {
			continue
		}
		if t.Err == nil {
			t.Tree, t.Err = r.TreeOf(ctx, t.Commit)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// peel follows annotated tag objects to the object they finally name, and returns its id and type.
func (r *Repo) peel(ctx context.Context, id string) (string, string, error) {
	for range 10 { // tags of tags exist; a cycle cannot, but bound the walk anyway
		body, typ, err := r.object(ctx, id)
		if err != nil {
			return "", "", err
		}
		if typ != "tag" {
			return id, typ, nil
		}
		line, _, _ := bytes.Cut(body, []byte("\n"))
		next, ok := bytes.CutPrefix(line, []byte("object "))
		if !ok {
			return "", "", fmt.Errorf("tag object %s: no object line", id)
		}
		id = string(next)
	}
	return "", "", fmt.Errorf("tag %s: tags nested too deep", id)
}

// Resolve returns the commit a ref (branch, tag or "HEAD") points at.
func (r *Repo) Resolve(ctx context.Context, ref string) (string, error) {
	out, err := run(ctx, r.GitDir, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("resolving %s in %s: %w", ref, r.Location, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// TreeOf returns the root tree id of a commit.
func (r *Repo) TreeOf(ctx context.Context, commit string) (string, error) {
	body, err := r.Object(ctx, commit, "commit")
	if err != nil {
		return "", err
	}
	line, _, _ := bytes.Cut(body, []byte("\n"))
	tree, ok := bytes.CutPrefix(line, []byte("tree "))
	if !ok {
		return "", fmt.Errorf("commit %s: no tree line", commit)
	}
	return string(tree), nil
}

// Entry is one entry of a tree object.
type Entry struct {
	Mode string // "100644", "100755", "120000", "40000", "160000"
	Name string
	ID   string
}

// IsTree reports a sub-directory.
func (e Entry) IsTree() bool { return e.Mode == "40000" }

// IsFile reports a regular file (symlinks and submodules are not files: the reference drops them).
func (e Entry) IsFile() bool { return e.Mode == "100644" || e.Mode == "100755" || e.Mode == "100664" }

// Executable reports git's executable mode.
func (e Entry) Executable() bool { return e.Mode == "100755" }

// ReadTree returns the entries of one tree object, in git's order. Trees are immutable, so recently read ones
// are cached: expanding layouts walks the same upper directories for every package of a tag.
func (r *Repo) ReadTree(ctx context.Context, id string) ([]Entry, error) {
	r.mu.Lock()
	es, ok := r.trees[id]
	r.mu.Unlock()
	if ok {
		return es, nil
	}
	body, err := r.Object(ctx, id, "tree")
	if err != nil {
		return nil, err
	}
	es, err = parseTree(id, body)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.trees == nil || len(r.trees) >= maxCachedTrees {
		r.trees = map[string][]Entry{} // crude but bounded: a full reset keeps memory flat
	}
	r.trees[id] = es
	r.mu.Unlock()
	return es, nil
}

// maxCachedTrees bounds the tree cache (a few MB for the largest repositories).
const maxCachedTrees = 8192

func parseTree(id string, b []byte) ([]Entry, error) {
	var es []Entry
	for len(b) > 0 {
		sp := bytes.IndexByte(b, ' ')
		nul := bytes.IndexByte(b, 0)
		if sp < 0 || nul < sp || len(b) < nul+21 {
			return nil, fmt.Errorf("tree %s: corrupt entry", id)
		}
		es = append(es, Entry{
			Mode: string(b[:sp]),
			Name: string(b[sp+1 : nul]),
			ID:   fmt.Sprintf("%x", b[nul+1:nul+21]),
		})
		b = b[nul+21:]
	}
	return es, nil
}

// File is a regular file found by [Repo.Walk], with its path relative to the walked tree.
type File struct {
	Path       string
	ID         string
	Executable bool
}

// Walk lists every regular file below tree id, depth first in git order, with paths relative to it.
func (r *Repo) Walk(ctx context.Context, id string) ([]File, error) {
	return r.WalkPruned(ctx, id, nil)
}

// WalkPruned is Walk without the sub-directories for which skip (given the directory's relative path with a
// trailing "/") returns true: excluded trees are never read.
func (r *Repo) WalkPruned(ctx context.Context, id string, skip func(dir string) bool) ([]File, error) {
	var files []File
	var walk func(id, prefix string) error
	walk = func(id, prefix string) error {
		es, err := r.ReadTree(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range es {
			switch {
			case e.IsTree():
				if skip != nil && skip(prefix+e.Name+"/") {
					continue
				}
				if err := walk(e.ID, prefix+e.Name+"/"); err != nil {
					return err
				}
			case e.IsFile():
				files = append(files, File{Path: prefix + e.Name, ID: e.ID, Executable: e.Executable()})
			}
		}
		return nil
	}
	return files, walk(id, "")
}

// Lookup resolves a slash-separated path below tree id to an entry; ok is false when it does not exist.
func (r *Repo) Lookup(ctx context.Context, tree, path string) (Entry, bool, error) {
	cur := Entry{Mode: "40000", ID: tree}
	if path == "" {
		return cur, true, nil
	}
	for _, part := range strings.Split(path, "/") {
		if !cur.IsTree() {
			return Entry{}, false, nil
		}
		es, err := r.ReadTree(ctx, cur.ID)
		if err != nil {
			return Entry{}, false, err
		}
		found := false
		for _, e := range es {
			if e.Name == part {
				cur, found = e, true
				break
			}
		}
		if !found {
			return Entry{}, false, nil
		}
	}
	return cur, true, nil
}

// Blob returns a blob's content.
func (r *Repo) Blob(ctx context.Context, id string) ([]byte, error) {
	return r.Object(ctx, id, "blob")
}

// Object reads an object of the given type through a cat-file process.
func (r *Repo) Object(ctx context.Context, id, typ string) ([]byte, error) {
	body, gotType, err := r.object(ctx, id)
	if errors.Is(err, ErrMissing) {
		return nil, fmt.Errorf("%s %s: %w", typ, id, ErrMissing)
	}
	if err != nil {
		return nil, err
	}
	if gotType != typ {
		return nil, fmt.Errorf("object %s is a %s, not a %s", id, gotType, typ)
	}
	return body, nil
}

// object reads an object of any type and returns its body and type.
func (r *Repo) object(ctx context.Context, id string) ([]byte, string, error) {
	cf, err := r.acquire(ctx)
	if err != nil {
		return nil, "", err
	}
	body, typ, err := cf.read(id)
	if err != nil && err != ErrMissing {
		cf.close() // the stream may be out of step: never reuse it
		r.drop(cf)
		return nil, "", fmt.Errorf("reading %s: %w", id, err)
	}
	r.release(cf)
	if err == ErrMissing {
		return nil, "", fmt.Errorf("object %s: %w", id, ErrMissing)
	}
	return body, typ, nil
}

// Close stops the repository's cat-file processes.
func (r *Repo) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cf := range r.all {
		cf.close()
	}
	r.all, r.idle = nil, nil
	return nil
}

// maxCatFiles bounds the cat-file processes per repository: one would serialise the build workers, and a few
// are enough to keep the zip writers busy (each process holds pack files open).
const maxCatFiles = 4

func (r *Repo) acquire(ctx context.Context) (*catFile, error) {
	r.once.Do(func() { r.slots = make(chan struct{}, maxCatFiles) })
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.mu.Lock()
	if n := len(r.idle); n > 0 {
		cf := r.idle[n-1]
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		return cf, nil
	}
	r.mu.Unlock()
	cf, err := startCatFile(r.GitDir)
	if err != nil {
		<-r.slots
		return nil, err
	}
	r.mu.Lock()
	r.all = append(r.all, cf)
	r.mu.Unlock()
	return cf, nil
}

func (r *Repo) release(cf *catFile) {
	r.mu.Lock()
	r.idle = append(r.idle, cf)
	r.mu.Unlock()
	<-r.slots
}

func (r *Repo) drop(cf *catFile) {
	r.mu.Lock()
	for i, c := range r.all {
		if c == cf {
			r.all = append(r.all[:i], r.all[i+1:]...)
			break
		}
	}
	r.mu.Unlock()
	<-r.slots
}

// catFile is one `git cat-file --batch` process.
type catFile struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func startCatFile(gitDir string) (*catFile, error) {
	// Not CommandContext: the process outlives single requests and is closed by Repo.Close.
	cmd := exec.Command("git", "--git-dir", gitDir, "cat-file", "--batch")
	cmd.Env = gitEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting git cat-file: %w", err)
	}
	return &catFile{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, nil
}

func (c *catFile) read(id string) ([]byte, string, error) {
	if strings.ContainsAny(id, "\n\r") {
		return nil, "", fmt.Errorf("invalid object name %q", id)
	}
	if _, err := io.WriteString(c.in, id+"\n"); err != nil {
		return nil, "", err
	}
	header, err := c.out.ReadString('\n')
	if err != nil {
		return nil, "", err
	}
	f := strings.Fields(header)
	if len(f) == 2 && f[1] == "missing" {
		return nil, "", ErrMissing
	}
	if len(f) != 3 {
		return nil, "", fmt.Errorf("unexpected cat-file header %q", header)
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return nil, "", err
	}
	body := make([]byte, size+1) // content and the trailing LF
	if _, err := io.ReadFull(c.out, body); err != nil {
		return nil, "", err
	}
	return body[:size], f[1], nil
}

func (c *catFile) close() {
	c.in.Close()
	_ = c.cmd.Wait()
}
