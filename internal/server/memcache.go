package server

import (
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Limits of the in-memory copy of small files.
const (
	maxMemFile  = 1 << 20   // larger files are sent from disk (sendfile)
	maxMemTotal = 128 << 20 // all copies together
)

// memCache keeps the bytes of small metadata files (JSON, their .gz copies,
// index.html). Metadata is most of Composer's requests, and serving it from
// memory saves opening, reading and closing the file each time.
//
// A copy is only ever filled from a file opened through the [os.Root], and is
// used again only while a plain stat of the same name reports the same file
// (device and inode, size, time). A rename replacing the file, or anything that
// makes the name lead elsewhere, fails that check and the request goes through
// the root again; so the fast path can never serve something the root would not.
type memCache struct {
	dir string

	mu    sync.RWMutex
	size  int64
	files map[string]*memFile
}

type memFile struct {
	fi   fs.FileInfo
	data []byte
	// Response header values, formatted once: metadata is read far more often than it changes.
	etag, lastModified, length []string
	gzETag                     []string // the ETag of this file served as the gzip encoding of its JSON
}

func newMemCache(dir string) *memCache {
	return &memCache{dir: dir, files: map[string]*memFile{}}
}

// cacheable reports whether name is metadata worth keeping in memory.
func cacheable(name string) bool {
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz") || strings.HasSuffix(name, ".html")
}

// get returns the copy of name, fresh or not.
func (c *memCache) get(name string) *memFile {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.files[name]
}

// fresh returns the copy of name if the file on disk is still the one copied.
func (c *memCache) fresh(name string) *memFile {
	c.mu.RLock()
	m := c.files[name]
	c.mu.RUnlock()
	if m == nil {
		return nil
	}
	fi, err := os.Stat(filepath.Join(c.dir, filepath.FromSlash(name)))
	if err != nil || !os.SameFile(fi, m.fi) || fi.Size() != m.fi.Size() || !fi.ModTime().Equal(m.fi.ModTime()) {
		return nil
	}
	return m
}

// store keeps a copy of name. Beyond the total limit, arbitrary copies are
// dropped: good enough for a cache that only saves system calls.
func (c *memCache) store(name string, fi fs.FileInfo, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.files[name]; old != nil {
		c.size -= int64(len(old.data))
	}
	for k, v := range c.files {
		if c.size+int64(len(data)) <= maxMemTotal {
			break
		}
		delete(c.files, k)
		c.size -= int64(len(v.data))
	}
	m := &memFile{fi: fi, data: data, etag: []string{etag(fi, "")}, gzETag: []string{etag(fi, "gz")},
		lastModified: []string{fi.ModTime().UTC().Format(http.TimeFormat)}, length: []string{strconv.Itoa(len(data))}}
	c.files[name] = m
	c.size += int64(len(data))
}
