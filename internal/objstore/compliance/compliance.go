// Package compliance is the test suite every [objstore.Store] backend passes (athens' pkg/storage/compliance):
// the conditional create and replace that the publish guarantees rest on, reads and deletes.
package compliance

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/mage-os/magerepo/internal/objstore"
)

// Run runs the suite on the store newStore returns, an empty one for each subtest.
func Run(t *testing.T, newStore func(t *testing.T) objstore.Store) {
	ctx := context.Background()
	h := objstore.Headers{ContentType: "application/json", CacheControl: "public, max-age=60"}
	put := func(t *testing.T, s objstore.Store, f func(io.ReadSeeker, int64) error, body string) error {
		t.Helper()
		return f(bytes.NewReader([]byte(body)), int64(len(body)))
	}
	read := func(t *testing.T, s objstore.Store, key string) (string, string) {
		t.Helper()
		rc, etag, err := s.Open(ctx, key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), etag
	}
	t.Run("CreateOnlyIfAbsent", func(t *testing.T) {
		s := newStore(t)
		if err := put(t, s, func(b io.ReadSeeker, n int64) error { return s.Create(ctx, "a/b.json", b, n, h) }, "one"); err != nil {
			t.Fatal(err)
		}
		err := put(t, s, func(b io.ReadSeeker, n int64) error { return s.Create(ctx, "a/b.json", b, n, h) }, "two")
		if !errors.Is(err, objstore.ErrExists) {
			t.Fatalf("second create: %v, want ErrExists", err)
		}
		if got, _ := read(t, s, "a/b.json"); got != "one" {
			t.Fatalf("after a refused create: %q, want the first bytes", got)
		}
	})
	t.Run("ReplaceIfMatch", func(t *testing.T) {
		s := newStore(t)
		if err := put(t, s, func(b io.ReadSeeker, n int64) error { return s.Put(ctx, "k", b, n, h) }, "one"); err != nil {
			t.Fatal(err)
		}
		_, etag := read(t, s, "k")
		if err := put(t, s, func(b io.ReadSeeker, n int64) error { return s.Replace(ctx, "k", b, n, h, etag) }, "two"); err != nil {
			t.Fatalf("replace with the current ETag: %v", err)
		}
		err := put(t, s, func(b io.ReadSeeker, n int64) error { return s.Replace(ctx, "k", b, n, h, etag) }, "three")
		if !errors.Is(err, objstore.ErrChanged) {
			t.Fatalf("replace with a stale ETag: %v, want ErrChanged", err)
		}
		if got, _ := read(t, s, "k"); got != "two" {
			t.Fatalf("got %q, want two", got)
		}
	})
	t.Run("PutOverwrites", func(t *testing.T) {
		s := newStore(t)
		for _, b := range []string{"one", "two"} {
			if err := put(t, s, func(r io.ReadSeeker, n int64) error { return s.Put(ctx, "k", r, n, h) }, b); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := read(t, s, "k"); got != "two" {
			t.Fatalf("got %q, want two", got)
		}
	})
	t.Run("OpenAndDeleteMissing", func(t *testing.T) {
		s := newStore(t)
		if _, _, err := s.Open(ctx, "none"); !errors.Is(err, objstore.ErrNotFound) {
			t.Fatalf("open of a missing key: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "none"); err != nil {
			t.Fatalf("delete of a missing key: %v", err)
		}
		if err := put(t, s, func(r io.ReadSeeker, n int64) error { return s.Put(ctx, "k", r, n, h) }, "x"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Open(ctx, "k"); !errors.Is(err, objstore.ErrNotFound) {
			t.Fatalf("open after delete: %v, want ErrNotFound", err)
		}
	})
}
