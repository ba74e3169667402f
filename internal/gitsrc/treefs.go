package gitsrc

import (
	"context"
	"io"
	"io/fs"
	"path"
	"time"
)

// TreeFS returns a read-only file system over one git tree, so code written for directories (the release
// metadata reader) can read a git source without a checkout. It implements fs.ReadFileFS and fs.ReadDirFS.
// Open streams a file's content, so close each file before opening the next.
func (r *Repo) TreeFS(ctx context.Context, tree string) fs.FS {
	return &treeFS{ctx: ctx, repo: r, root: tree}
}

type treeFS struct {
	ctx  context.Context
	repo *Repo
	root string
}

func (t *treeFS) lookup(op, name string) (Entry, error) {
	if !fs.ValidPath(name) {
		return Entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	p := name
	if p == "." {
		p = ""
	}
	e, ok, err := t.repo.Lookup(t.ctx, t.root, p)
	if err != nil {
		return Entry{}, &fs.PathError{Op: op, Path: name, Err: err}
	}
	if !ok {
		return Entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

func (t *treeFS) ReadFile(name string) ([]byte, error) {
	e, err := t.lookup("read", name)
	if err != nil {
		return nil, err
	}
	if e.IsTree() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrInvalid}
	}
	return t.repo.Blob(t.ctx, e.ID)
}

func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := t.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !e.IsTree() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	es, err := t.repo.ReadTree(t.ctx, e.ID)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, 0, len(es))
	for _, c := range es {
		out = append(out, fs.FileInfoToDirEntry(info{name: c.Name, dir: c.IsTree()}))
	}
	return out, nil
}

func (t *treeFS) Open(name string) (fs.File, error) {
	e, err := t.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if e.IsTree() {
		return &file{info: info{name: path.Base(name), dir: true}}, nil
	}
	o, err := t.repo.OpenBlob(t.ctx, e.ID)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{info: info{name: path.Base(name), size: o.Size()}, r: o}, nil
}

type info struct {
	name string
	size int64
	dir  bool
}

func (i info) Name() string { return i.name }
func (i info) Size() int64  { return i.size }
func (i info) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.dir }
func (i info) Sys() any           { return nil }

// file is an open directory or blob. A blob streams from a cat-file process, which it holds until closed
// (see [Repo.OpenBlob]).
type file struct {
	info info
	r    *ObjectReader // nil for a directory
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Read(p []byte) (int, error) {
	if f.r == nil {
		return 0, io.EOF
	}
	return f.r.Read(p)
}
func (f *file) Close() error {
	if f.r == nil {
		return nil
	}
	return f.r.Close()
}
