package gitsrc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

// bigRepo returns an opened repository whose tag 1.0.0 holds big.bin (size bytes of pseudo-random data) and
// small.txt, and the ids of both blobs.
func bigRepo(t *testing.T, size int) (*Repo, []byte, string, string) {
	t.Helper()
	data := make([]byte, size)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	g := gittest.New(t)
	g.Write(map[string]string{"big.bin": string(data), "small.txt": "small\n"})
	g.CommitTag("1.0.0")
	r, err := (&Cache{Dir: t.TempDir()}).Open(t.Context(), g.Dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, data, g.Git("rev-parse", "1.0.0:big.bin"), g.Git("rev-parse", "1.0.0:small.txt")
}

// TestOpenBlobStreams: a blob is read in pieces with bounded allocation, whatever its size, and a reader
// closed early leaves the repository usable.
func TestOpenBlobStreams(t *testing.T) {
	const size = 24 << 20
	r, data, big, small := bigRepo(t, size)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	o, err := r.OpenBlob(t.Context(), big)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, o)
	o.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size || o.Size() != size {
		t.Fatalf("read %d of %d bytes: %v", n, o.Size(), err)
	}
	if want := sha256.Sum256(data); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("streamed content differs from the blob")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("streaming %d MB allocated %d MB: the blob is buffered", size>>20, alloc>>20)
	}
	// Closed after a few bytes, far from the end: the process is replaced, the next read is correct.
	for range 2 {
		o, err := r.OpenBlob(t.Context(), big)
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, o, 10)
		o.Close()
		if b, err := r.Blob(t.Context(), small); err != nil || string(b) != "small\n" {
			t.Fatalf("after an early close: %q, %v", b, err)
		}
	}
	if _, err := r.OpenBlob(t.Context(), r.mustTree(t)); err == nil || !strings.Contains(err.Error(), "not a blob") {
		t.Fatalf("a tree opened as a blob: %v", err)
	}
}

func (r *Repo) mustTree(t *testing.T) string {
	t.Helper()
	tags, err := r.Tags(t.Context())
	if err != nil || len(tags) == 0 {
		t.Fatal(tags, err)
	}
	return tags[0].Tree
}

// TestOpenBlobHonoursContext: once the run's context is cancelled, the read in progress fails with the
// context's error instead of reading the rest of the blob, and other contexts still read.
func TestOpenBlobHonoursContext(t *testing.T) {
	r, _, big, small := bigRepo(t, 8<<20)
	ctx, cancel := context.WithCancel(t.Context())
	o, err := r.OpenBlob(ctx, big)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, o, 1<<20); err != nil {
		t.Fatal(err)
	}
	cancel()
	n, err := io.Copy(io.Discard, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %d bytes, %v; want context.Canceled", n, err)
	}
	o.Close()
	if _, err := r.Blob(ctx, small); !errors.Is(err, context.Canceled) {
		t.Fatalf("new read with a cancelled context: %v", err)
	}
	if b, err := r.Blob(t.Context(), small); err != nil || string(b) != "small\n" {
		t.Fatalf("another context after a cancel: %q, %v", b, err)
	}
}

// TestClosedRepo: after Close every method fails with ErrClosed and no process starts; a reader open during
// Close fails instead of hanging.
func TestClosedRepo(t *testing.T) {
	r, _, big, small := bigRepo(t, 4<<20)
	tree := r.mustTree(t)
	if _, err := r.ReadTree(t.Context(), tree); err != nil { // cached: must still fail after Close
		t.Fatal(err)
	}
	o, err := r.OpenBlob(t.Context(), big)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, o); !errors.Is(err, ErrClosed) {
		t.Errorf("reader open during Close: %v, want ErrClosed", err)
	}
	o.Close()
	calls := map[string]func() error{
		"Blob":     func() error { _, err := r.Blob(t.Context(), small); return err },
		"OpenBlob": func() error { _, err := r.OpenBlob(t.Context(), small); return err },
		"ReadTree": func() error { _, err := r.ReadTree(t.Context(), tree); return err },
		"TreeOf":   func() error { _, err := r.TreeOf(t.Context(), strings.Repeat("0", 40)); return err },
		"Tags":     func() error { _, err := r.Tags(t.Context()); return err },
		"Resolve":  func() error { _, err := r.Resolve(t.Context(), "HEAD"); return err },
		"Walk":     func() error { _, err := r.Walk(t.Context(), tree); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	r.mu.Lock()
	started := len(r.all) + len(r.idle)
	r.mu.Unlock()
	if started != 0 {
		t.Errorf("%d cat-file processes started after Close", started)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
