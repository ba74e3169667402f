package gitsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Repo reads one repository's refs, trees and blobs.
type Repo struct {
	GitDir   string
	Location string

	once   sync.Once
	slots  chan struct{} // one token per cat-file process in use
	mu     sync.Mutex
	closed bool
	idle   []*catFile // long-lived `git cat-file --batch` processes not in use
	all    []*catFile
	trees  map[string][]Entry
}

// ErrClosed is returned (wrapped) by every method of a [Repo] after Close.
var ErrClosed = errors.New("gitsrc: repository closed")

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
	if err := r.usable(); err != nil {
		return nil, err
	}
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
	if err := r.usable(); err != nil {
		return "", err
	}
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
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("%s: %w", r.Location, ErrClosed)
	}
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

// Blob returns a blob's whole content; for files of any size use [Repo.OpenBlob].
func (r *Repo) Blob(ctx context.Context, id string) ([]byte, error) {
	return r.Object(ctx, id, "blob")
}

// OpenBlob returns a stream of a blob's content, read from a cat-file process as the caller reads: memory
// stays bounded whatever the blob's size. The reader holds one of the repository's few processes until it is
// closed, so close it before reading another object in the same goroutine (a goroutine holding a reader and
// waiting for a second process can wait forever when every process is held). Reads fail once ctx is done.
func (r *Repo) OpenBlob(ctx context.Context, id string) (*ObjectReader, error) {
	o, err := r.open(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.typ != "blob" {
		o.Close()
		return nil, fmt.Errorf("object %s is a %s, not a blob", id, o.typ)
	}
	return o, nil
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
	o, err := r.open(ctx, id)
	if err != nil {
		return nil, "", err
	}
	defer o.Close()
	body := make([]byte, o.size)
	if _, err := io.ReadFull(o, body); err != nil {
		return nil, "", err
	}
	return body, o.typ, nil
}

// Close stops the repository's cat-file processes. Afterwards every method returns [ErrClosed] and starts no
// process; a reader still open fails on its next read.
func (r *Repo) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	idle := r.idle
	var busy []*catFile
	for _, cf := range r.all {
		if !slices.Contains(idle, cf) {
			busy = append(busy, cf)
		}
	}
	r.all, r.idle = nil, nil
	r.mu.Unlock()
	for _, cf := range idle {
		cf.close()
	}
	for _, cf := range busy {
		cf.kill() // the holder's reader fails; closing it waits for the process
	}
	return nil
}

// usable returns ErrClosed once the repository is closed.
func (r *Repo) usable() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("%s: %w", r.Location, ErrClosed)
	}
	return nil
}
