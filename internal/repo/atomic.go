package repo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// tempPrefix starts the name of every temporary file the package writes. It is a
// dot file, so internal/server never serves it, and Open can recognise strays.
const tempPrefix = ".tmp-"

// writeAtomic writes b to path through a temporary file in the same directory:
// write, fsync, rename. Readers see either the old file or the new one, never a
// mix. The directory is synced so the rename survives a crash.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("repo: create directory: %w", err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("repo: create temporary file: %w", err)
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("repo: write %s: %w", path, err)
	}
	if err := finishTemp(f, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// finishTemp syncs, closes, sets the published mode on and renames the temporary
// file f to path.
func finishTemp(f *os.File, path string) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("repo: sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("repo: close %s: %w", path, err)
	}
	// CreateTemp makes 0600 files; published files must be readable by a web
	// server running as another user.
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("repo: chmod %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("repo: rename into %s: %w", path, err)
	}
	return nil
}

// syncDir fsyncs a directory so that renames in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("repo: open directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("repo: sync directory %s: %w", dir, err)
	}
	return nil
}

// writeIfChanged writes b to path unless the file already holds exactly b. It
// reports whether it wrote.
func writeIfChanged(path string, b []byte) (bool, error) {
	old, err := os.ReadFile(path)
	if err == nil && bytes.Equal(old, b) {
		return false, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("repo: read %s: %w", path, err)
	}
	return true, writeAtomic(path, b)
}

// gzipBytes compresses b deterministically: no name, no modification time, the
// same level every time, so the same JSON always gives the same .gz bytes.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("repo: gzip: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("repo: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("repo: gzip: %w", err)
	}
	return buf.Bytes(), nil
}

// gzFresh reports whether path+".gz" exists and is not older than path: the
// sibling is always written after its JSON, so an older one is left over from
// an interrupted publish (internal/server makes the same test before serving it).
func gzFresh(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	gi, err := os.Stat(path + ".gz")
	if err != nil {
		return false
	}
	return !gi.ModTime().Before(fi.ModTime())
}

// isTemp reports whether a file name is one of this package's temporary files.
func isTemp(name string) bool { return strings.HasPrefix(name, tempPrefix) }
