package repo

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// ErrChecksum means a dist's bytes do not have the expected SHA-1.
var ErrChecksum = errors.New("repo: checksum mismatch")

// DistWriter writes one dist archive to a temporary file next to its final
// path. Nothing is visible at the final path until [DistWriter.Commit].
type DistWriter struct {
	r      *Repo
	rel    string
	f      *os.File
	h      hash.Hash
	n      int64
	resume bool
	done   bool
}

// CreateDist returns a writer for a new dist at rel, a slash path relative to
// the output directory.
func (r *Repo) CreateDist(rel string) (*DistWriter, error) {
	dir, err := r.distDir(rel)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, tempPrefix+path.Base(rel)+"-*")
	if err != nil {
		return nil, fmt.Errorf("repo: create dist %s: %w", rel, err)
	}
	return &DistWriter{r: r, rel: rel, f: f, h: sha1.New()}, nil
}

// ResumeDist returns a writer for a dist at rel that continues a partial
// download left by an earlier run (".<name>.part" next to the final path):
// [DistWriter.Offset] tells how many bytes are already there. [DistWriter.Close]
// keeps the partial file for the next run; Commit and Abort end it.
func (r *Repo) ResumeDist(rel string) (*DistWriter, error) {
	dir, err := r.distDir(rel)
	if err != nil {
		return nil, err
	}
	name := filepath.Join(dir, "."+path.Base(rel)+".part")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("repo: open partial dist %s: %w", rel, err)
	}
	w := &DistWriter{r: r, rel: rel, f: f, h: sha1.New(), resume: true}
	// The prefix already on disk must enter the hash before new bytes do.
	n, err := io.Copy(w.h, f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("repo: read partial dist %s: %w", rel, err)
	}
	w.n = n
	return w, nil
}

func (r *Repo) distDir(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	dir := filepath.Dir(r.Path(rel))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("repo: create directory for %s: %w", rel, err)
	}
	return dir, nil
}

// Write appends p to the dist.
func (w *DistWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	if err != nil {
		return n, fmt.Errorf("repo: write dist %s: %w", w.rel, err)
	}
	return n, nil
}

// Offset returns the number of bytes written so far, including a resumed prefix.
func (w *DistWriter) Offset() int64 { return w.n }

// Restart discards everything written so far (for a server that ignored a
// range request).
func (w *DistWriter) Restart() error {
	if err := w.f.Truncate(0); err != nil {
		return fmt.Errorf("repo: truncate dist %s: %w", w.rel, err)
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("repo: seek dist %s: %w", w.rel, err)
	}
	w.h.Reset()
	w.n = 0
	return nil
}

// SHA1 returns the hex SHA-1 of the bytes written so far.
func (w *DistWriter) SHA1() string { return hex.EncodeToString(w.h.Sum(nil)) }

// Commit syncs the file and renames it into place, returning its SHA-1 and size.
// When a file already exists at the path, identical bytes are kept as they are;
// different bytes are refused with [ErrConflict] if a manifest entry names the
// path (published archives are immutable) and replaced otherwise (a leftover of
// an interrupted run that never reached the manifest).
func (w *DistWriter) Commit() (sha1sum string, size int64, err error) {
	if w.done {
		return "", 0, fmt.Errorf("repo: dist %s already finished", w.rel)
	}
	w.done = true
	sum := w.SHA1()
	final := w.r.Path(w.rel)
	tmp := w.f.Name()
	fail := func(err error) (string, int64, error) {
		os.Remove(tmp)
		return "", 0, err
	}
	if old, oldSize, err := hashFile(final); err == nil {
		if old == sum && oldSize == w.n {
			// same bytes already in place: keep them, and their mtime
			w.f.Close()
			os.Remove(tmp)
			return sum, w.n, nil
		}
		if w.r.distReferenced(w.rel) {
			w.f.Close()
			return fail(fmt.Errorf("%w: %s (published sha1 %s, new %s)", ErrConflict, w.rel, old, sum))
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		w.f.Close()
		return fail(err)
	}
	if err := finishTemp(w.f, final); err != nil {
		return fail(err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", 0, err
	}
	return sum, w.n, nil
}

// Abort closes and removes the temporary file.
func (w *DistWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("repo: remove temporary dist: %w", err)
	}
	return nil
}

// Close ends the writer without committing: a resumable writer keeps its
// partial file for the next run, any other writer is aborted.
func (w *DistWriter) Close() error {
	if w.done {
		return nil
	}
	if !w.resume {
		return w.Abort()
	}
	w.done = true
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return fmt.Errorf("repo: sync partial dist %s: %w", w.rel, err)
	}
	return w.f.Close()
}

// HashFile returns the SHA-1 and size of the file at rel (a path relative to the
// output directory).
func (r *Repo) HashFile(rel string) (sha1sum string, size int64, err error) {
	if err := checkRel(rel); err != nil {
		return "", 0, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return hashFile(r.Path(rel))
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha1.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("repo: hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// DistInUse reports whether a manifest entry names the dist path rel.
func (r *Repo) DistInUse(rel string) bool { return r.distReferenced(rel) }

// distReferenced reports whether a manifest entry names the dist path rel.
func (r *Repo) distReferenced(rel string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.distRefs[rel] > 0
}
