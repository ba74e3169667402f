package server

import (
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/singleflight"
)

// errTooLarge means a file is too big for the gzip cache; it is then sent
// uncompressed rather than compressed per request.
var errTooLarge = errors.New("server: file too large to compress in memory")

// gzipCache holds compressed copies of JSON files and pages, keyed by name, size and
// modification time, so a replaced file is never served stale. Least recently
// used entries are dropped beyond max bytes.
type gzipCache struct {
	max   int64
	group singleflight.Group

	mu    sync.Mutex
	size  int64
	lru   *list.List // of *gzipEntry, most recent first
	byKey map[string]*list.Element
}

type gzipEntry struct {
	key  string
	body []byte
}

func newGzipCache(max int64) *gzipCache {
	return &gzipCache{max: max, lru: list.New(), byKey: map[string]*list.Element{}}
}

// get returns the gzip-compressed bytes of f, which is name as described by fi.
// Concurrent misses for the same key compress once.
func (c *gzipCache) get(name string, fi fs.FileInfo, f io.Reader) ([]byte, error) {
	// A file may not take more than a quarter of the cache, so one huge file
	// cannot flush everything else.
	if fi.Size() > c.max/4 {
		return nil, errTooLarge
	}
	key := name + "\x00" + strconv.FormatInt(fi.Size(), 10) + "\x00" + strconv.FormatInt(fi.ModTime().UnixNano(), 10)
	if body, ok := c.lookup(key); ok {
		return body, nil
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		body, err := compress(f, fi.Size())
		if err != nil {
			return nil, fmt.Errorf("server: gzip %s: %w", name, err)
		}
		c.store(key, body)
		return body, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (c *gzipCache) lookup(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*gzipEntry).body, true
}

func (c *gzipCache) store(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.lru.PushFront(&gzipEntry{key: key, body: body})
	c.size += int64(len(body))
	for c.size > c.max {
		el := c.lru.Back()
		e := el.Value.(*gzipEntry)
		c.lru.Remove(el)
		delete(c.byKey, e.key)
		c.size -= int64(len(e.body))
	}
}

// compress reads exactly size bytes from f: the file may be replaced by a rename
// meanwhile, but the open handle keeps the old bytes, which match the key.
func compress(f io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(size/4) + 64)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(zw, io.LimitReader(f, size))
	if err != nil {
		return nil, err
	}
	if n != size {
		return nil, fmt.Errorf("short read: %d of %d bytes", n, size)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
