package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
)

// memLimit is how much of a body [Client.Fetch] reads into memory before it spools the rest to disk: enough for
// nearly every metadata file, and small enough that many parallel requests for huge bodies cost little memory.
const memLimit = 1 << 20

// Body is a response body held in memory. Its bytes count against the client's in-flight budget until
// [Body.Release].
type Body struct {
	// Status is 200, or 304 (no bytes) when a conditional request found nothing changed.
	Status int
	// Header is the response's header.
	Header  http.Header
	data    []byte
	release func()
}

// Bytes returns the body; nil after Release.
func (b *Body) Bytes() []byte { return b.data }

// Release returns the body's bytes to the budget. It may be called more than once.
func (b *Body) Release() {
	b.data = nil
	if b.release != nil {
		b.release()
	}
}

// Fetch GETs url, retrying as [Client.Retry] does, and returns a 200 answer's body of at most max bytes in
// memory, or a 304 answer. Any other status is a [*StatusError] (404 and 410 match fs.ErrNotExist). A body
// over max fails with [ErrTooLarge]: at once when its Content-Length says so, otherwise when byte max+1
// arrives; beyond 1 MiB the bytes wait in a temporary file, so however large a body is, reading it costs
// little memory. The caller must release the body.
func (c *Client) Fetch(ctx context.Context, url string, header http.Header, max int64) (*Body, error) {
	var b *Body
	err := c.Retry(ctx, func() error {
		var err error
		b, err = c.fetchOnce(ctx, url, header, max)
		return err
	})
	return b, err
}

func (c *Client) fetchOnce(ctx context.Context, url string, header http.Header, max int64) (*Body, error) {
	resp, err := c.Get(ctx, url, header)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		return &Body{Status: resp.StatusCode, Header: resp.Header}, nil
	default:
		return nil, NewStatusError(resp)
	}
	sp, err := c.readCapped(resp, url, max)
	resp.Body.Close() // the transfer is over: the budget wait below must not count as a stall
	if err != nil {
		return nil, err
	}
	defer sp.close()
	// Wait for the budget before the bytes of a spooled body are brought into memory; a body larger than the
	// whole budget takes all of it.
	n := min(sp.size, c.o.MaxInFlight)
	if err := c.budget.Acquire(ctx, n); err != nil {
		return nil, err
	}
	data, err := sp.bytes()
	if err != nil {
		c.budget.Release(n)
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return &Body{Status: http.StatusOK, Header: resp.Header, data: data,
		release: sync.OnceFunc(func() { c.budget.Release(n) })}, nil
}

// spooled is a body read completely: in memory, or in a temporary file.
type spooled struct {
	mem  []byte
	file *os.File
	size int64
}

func (s *spooled) bytes() ([]byte, error) {
	if s.file == nil {
		return s.mem, nil
	}
	b := make([]byte, s.size)
	if _, err := s.file.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("reading spooled body: %w", err)
	}
	return b, nil
}

func (s *spooled) close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
	}
}

// readCapped reads the whole body, failing with ErrTooLarge beyond max bytes.
func (c *Client) readCapped(resp *http.Response, url string, max int64) (*spooled, error) {
	tooLarge := fmt.Errorf("GET %s: %w: more than %d bytes", url, ErrTooLarge, max)
	if resp.ContentLength > max {
		return nil, tooLarge
	}
	inMem := min(max, memLimit)
	var buf bytes.Buffer
	if resp.ContentLength >= 0 {
		buf.Grow(int(min(resp.ContentLength, inMem)) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, inMem+1))
	if err != nil {
		return nil, err
	}
	if n <= inMem {
		return &spooled{mem: buf.Bytes(), size: n}, nil
	}
	if n > max {
		return nil, tooLarge
	}
	f, err := os.CreateTemp(c.o.TempDir, "magerepo-fetch-*")
	if err != nil {
		return nil, fmt.Errorf("spooling %s: %w", url, err)
	}
	sp := &spooled{file: f}
	if _, err := f.Write(buf.Bytes()); err != nil {
		sp.close()
		return nil, fmt.Errorf("spooling %s: %w", url, err)
	}
	buf = bytes.Buffer{}
	m, err := io.Copy(f, io.LimitReader(resp.Body, max+1-n))
	if err != nil {
		sp.close()
		return nil, err
	}
	if sp.size = n + m; sp.size > max {
		sp.close()
		return nil, tooLarge
	}
	return sp, nil
}

// File is a downloaded body in a temporary file, removed on Close.
type File struct {
	*os.File
	size int64
	// Header is the response's header.
	Header http.Header
}

// Size returns the body's length.
func (f *File) Size() int64 { return f.size }

// Close closes and removes the file.
func (f *File) Close() error {
	err := f.File.Close()
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	return err
}

// Download GETs url, retrying as [Client.Retry] does, and writes a 200 answer's body to a temporary file; any
// other status is a [*StatusError]. max > 0 caps the body ([ErrTooLarge]). The body never sits in memory.
func (c *Client) Download(ctx context.Context, url string, header http.Header, max int64) (*File, error) {
	var f *File
	err := c.Retry(ctx, func() error {
		var err error
		f, err = c.downloadOnce(ctx, url, header, max)
		return err
	})
	return f, err
}

func (c *Client) downloadOnce(ctx context.Context, url string, header http.Header, max int64) (*File, error) {
	resp, err := c.Get(ctx, url, header)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, NewStatusError(resp)
	}
	tooLarge := fmt.Errorf("GET %s: %w: more than %d bytes", url, ErrTooLarge, max)
	if max > 0 && resp.ContentLength > max {
		return nil, tooLarge
	}
	tf, err := os.CreateTemp(c.o.TempDir, "magerepo-fetch-*")
	if err != nil {
		return nil, fmt.Errorf("spooling %s: %w", url, err)
	}
	f := &File{File: tf, Header: resp.Header}
	var r io.Reader = resp.Body
	if max > 0 {
		r = io.LimitReader(resp.Body, max+1)
	}
	f.size, err = io.Copy(tf, r)
	if err == nil && max > 0 && f.size > max {
		err = tooLarge
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
