package objstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/objstore"
	"github.com/mage-os/magerepo/internal/objstore/objstoretest"
	"github.com/mage-os/magerepo/internal/objstore/s3store"
	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/repo/repotest"
)

// version is one version to publish.
type version struct{ name, version, meta string }

var v1 = []version{
	{"acme/util", "2.0.0", `{"name":"acme/util","type":"library","autoload":{"psr-4":{"Acme\\Util\\":"src/"}}}`},
	{"acme/lib", "1.0.0", `{"name":"acme/lib","type":"library","require":{"acme/util":"^2.0"}}`},
}

// v2 adds a package that an already-listed one (acme/lib 1.1.0) requires: the bucket must list it before that.
var v2 = []version{
	{"acme/new", "1.0.0", `{"name":"acme/new","type":"library"}`},
	{"acme/lib", "1.1.0", `{"name":"acme/lib","type":"library","require":{"acme/util":"^2.0","acme/new":"^1.0"}}`},
}

// publishLocal adds the versions (each with a zip dist) to the output directory and publishes it at base.
func publishLocal(t *testing.T, dir, base string, vs []version) repo.PublishStats {
	t.Helper()
	r, err := repo.OpenAs(dir, repo.OwnerBuild)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, v := range vs {
		rel := "dist/" + v.name + "-" + v.version + ".zip"
		w, err := r.CreateDist(rel)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(repotest.Zip(t, map[string]string{"src/" + v.version + ".php": "<?php // " + v.name + " " + v.version + "\n", "README": v.name})); err != nil {
			t.Fatal(err)
		}
		sum, size, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Add(repo.Entry{Name: v.name, Version: v.version, Metadata: []byte(v.meta), Dist: rel, SHA1: sum, Size: size}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := r.Publish(t.Context(), repo.PublishOptions{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// mirror opens the output directory and mirrors it.
func mirror(t *testing.T, dir string, s objstore.Store, opts objstore.Options) (objstore.Stats, error) {
	t.Helper()
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return objstore.Mirror(t.Context(), r, s, opts)
}

func newStore(t *testing.T, target string) objstore.Store {
	t.Helper()
	tg, err := s3store.ParseURL(target)
	if err != nil {
		t.Fatal(err)
	}
	s, err := s3store.New(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get fetches a URL of the bucket the way Composer or a CDN does: a plain, unsigned GET.
func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestMirror(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, v1)
	s := newStore(t, "s3://bucket/repo")

	st, err := mirror(t, dir, s, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.DistsCreated != 2 || st.Metadata[len(st.Metadata)-1] != "packages.json" {
		t.Fatalf("first mirror: %+v; want 2 dists and packages.json last", st)
	}
	// The bucket serves every file with the local bytes and the headers of its kind.
	for key, want := range map[string][2]string{
		"packages.json":           {"application/json", objstore.CacheMetadata},
		"p2/acme/lib.json":        {"application/json", objstore.CacheMetadata},
		"index.html":              {"text/html; charset=utf-8", objstore.CacheMetadata},
		"dist/acme/lib-1.0.0.zip": {"application/zip", objstore.CacheImmutable},
		"browse/acme/util.html":   {"text/html; charset=utf-8", objstore.CacheMetadata},
	} {
		resp, b := get(t, base+key)
		local, err := os.ReadFile(filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !bytes.Equal(b, local) {
			t.Errorf("%s: status %d, %d bytes; want the local %d bytes", key, resp.StatusCode, len(b), len(local))
		}
		if ct := resp.Header.Get("Content-Type"); ct != want[0] {
			t.Errorf("%s: Content-Type %q, want %q", key, ct, want[0])
		}
		if cc := resp.Header.Get("Cache-Control"); cc != want[1] {
			t.Errorf("%s: Cache-Control %q, want %q", key, cc, want[1])
		}
	}
	if resp, _ := get(t, base+objstore.LockKey); resp.StatusCode != 404 {
		t.Errorf("the lock is still there after the mirror: %d", resp.StatusCode)
	}

	// A no-op mirror sends nothing at all.
	srv.Reset()
	if st, err := mirror(t, dir, s, objstore.Options{}); err != nil || st.DistsCreated != 0 || len(st.Metadata) != 0 {
		t.Fatalf("no-op mirror: %+v, %v", st, err)
	}
	if n := srv.Total(); n != 0 {
		t.Fatalf("a no-op mirror sent %d requests", n)
	}

	// A new package required by a listed one is listed (an intermediate packages.json) before that one is
	// uploaded, after its own p2 files; dists before any metadata; packages.json last.
	local := publishLocal(t, dir, base, v2)
	st, err = mirror(t, dir, s, objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx := func(k string) int { return slices.Index(st.Metadata, k) }
	if st.DistsCreated != 2 || idx("p2/acme/new.json") < 0 || idx("packages.json") < idx("p2/acme/new.json") ||
		idx("p2/acme/lib.json") < idx("packages.json") || st.Metadata[len(st.Metadata)-1] != "packages.json" {
		t.Fatalf("second mirror uploaded %v (local publish wrote %v)", st.Metadata, local.Written)
	}
	_, b := get(t, base+"packages.json")
	if !strings.Contains(string(b), `"acme/new"`) {
		t.Fatalf("packages.json does not list acme/new: %s", b)
	}
}

func TestComposerInstallsFromBucket(t *testing.T) {
	repotest.Composer(t)
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/sub/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, append(slices.Clone(v1), v2...))
	if _, err := mirror(t, dir, newStore(t, "s3://bucket/sub/repo/"), objstore.Options{}); err != nil {
		t.Fatal(err)
	}
	project := repotest.Install(t, base, map[string]string{"acme/lib": "^1.1"})
	for _, f := range []string{"vendor/acme/lib/src/1.1.0.php", "vendor/acme/new/src/1.0.0.php", "vendor/acme/util/src/2.0.0.php"} {
		if _, err := os.Stat(filepath.Join(project, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestSecondPublisherRefused(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, v1)
	held := `{"host":"other-host","pid":1,"dir":"/srv/repo","expires":"2999-01-01T00:00:00Z"}`
	srv.Plant(t, "bucket", "repo/"+objstore.LockKey, []byte(held))
	_, err := mirror(t, dir, newStore(t, "s3://bucket/repo"), objstore.Options{})
	if !errors.Is(err, objstore.ErrLocked) || !strings.Contains(err.Error(), "other-host") {
		t.Fatalf("mirror with the lock held: %v, want ErrLocked naming the holder", err)
	}
	if resp, _ := get(t, base+"packages.json"); resp.StatusCode != 404 {
		t.Fatalf("packages.json uploaded by a publisher without the lock: %d", resp.StatusCode)
	}
	if _, b := get(t, base+objstore.LockKey); string(b) != held {
		t.Fatalf("the other publisher's lock was changed: %s", b)
	}

	// A stale lock (past its expiry, not refreshed: its holder died) is taken over.
	srv.Plant(t, "bucket", "repo/"+objstore.LockKey, []byte(`{"host":"dead","expires":"2000-01-01T00:00:00Z"}`))
	if _, err := mirror(t, dir, newStore(t, "s3://bucket/repo"), objstore.Options{}); err != nil {
		t.Fatalf("mirror with a stale lock: %v", err)
	}
	// So is one this host left for this directory (killed before it released it): this process holds the
	// directory's lock, so the other is gone.
	host, _ := os.Hostname()
	publishLocal(t, dir, base, v2)
	mine, _ := json.Marshal(map[string]any{"host": host, "pid": 1, "dir": dir, "expires": "2999-01-01T00:00:00Z"})
	srv.Plant(t, "bucket", "repo/"+objstore.LockKey, mine)
	if _, err := mirror(t, dir, newStore(t, "s3://bucket/repo"), objstore.Options{}); err != nil {
		t.Fatalf("mirror with a stale lock: %v", err)
	}
}

func TestPlantedDistIsReported(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, v1)
	srv.Plant(t, "bucket", "repo/dist/acme/lib-1.0.0.zip", []byte("other bytes"))
	st, err := mirror(t, dir, newStore(t, "s3://bucket/repo"), objstore.Options{})
	if !errors.Is(err, objstore.ErrImmutable) || !slices.Equal(st.Violations, []string{"dist/acme/lib-1.0.0.zip"}) {
		t.Fatalf("mirror over a planted dist: %+v, %v; want the violation reported", st, err)
	}
	if _, b := get(t, base+"dist/acme/lib-1.0.0.zip"); string(b) != "other bytes" {
		t.Fatalf("the planted dist was overwritten")
	}
	if resp, _ := get(t, base+"p2/acme/lib.json"); resp.StatusCode != 404 {
		t.Fatalf("metadata naming the violated dist was uploaded")
	}
	// A planted copy with the same bytes is fine: it counts as uploaded.
	local, _ := os.ReadFile(filepath.Join(dir, "dist/acme/lib-1.0.0.zip"))
	srv.Plant(t, "bucket", "repo/dist/acme/lib-1.0.0.zip", local)
	if st, err := mirror(t, dir, newStore(t, "s3://bucket/repo"), objstore.Options{}); err != nil || len(st.Violations) != 0 || st.DistsPresent == 0 {
		t.Fatalf("mirror over an identical dist: %+v, %v", st, err)
	}
}

// gatedStore holds the upload of packages.json until gate is closed, and counts the lock's refreshes.
type gatedStore struct {
	objstore.Store
	gate      chan struct{}
	refreshes atomic.Int32
}

func (s *gatedStore) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers) error {
	if key == "packages.json" {
		<-s.gate
	}
	return s.Store.Put(ctx, key, body, size, h)
}

func (s *gatedStore) Replace(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers, etag string) error {
	if key == objstore.LockKey {
		s.refreshes.Add(1)
	}
	return s.Store.Replace(ctx, key, body, size, h, etag)
}

// TestLockRefreshed: a mirror that takes longer than the lock's TTL keeps it by refreshing it, and a second
// publisher is refused meanwhile.
func TestLockRefreshed(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, append(slices.Clone(v1), v2...))
	s := &gatedStore{Store: newStore(t, "s3://bucket/repo"), gate: make(chan struct{})}
	const ttl = 150 * time.Millisecond
	done := make(chan error)
	go func() {
		_, err := mirror(t, dir, s, objstore.Options{LockTTL: ttl})
		done <- err
	}()
	// Held at packages.json until the lock has outlived its TTL twice over: only the refreshes keep it.
	deadline := time.Now().Add(10 * time.Second)
	for s.refreshes.Load() < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s.refreshes.Load() < 6 {
		t.Fatalf("the lock was refreshed %d times in 10 s", s.refreshes.Load())
	}
	other := t.TempDir()
	publishLocal(t, other, base, v1)
	if _, err := mirror(t, other, newStore(t, "s3://bucket/repo"), objstore.Options{}); !errors.Is(err, objstore.ErrLocked) {
		t.Errorf("a second publisher during a refreshed mirror: %v, want ErrLocked", err)
	}
	close(s.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// failingStore fails the upload of one metadata key, as a crash or a dropped connection would.
type failingStore struct {
	objstore.Store
	failKey string
}

func (s *failingStore) Put(ctx context.Context, key string, body io.ReadSeeker, size int64, h objstore.Headers) error {
	if key == s.failKey {
		return errors.New("connection reset")
	}
	return s.Store.Put(ctx, key, body, size, h)
}

// TestInterruptedMirrorResumesInOrder: a mirror that stops halfway leaves its plan in the directory's state and
// no packages.json in the bucket; the next run carries out the rest of it in the same order, and the two runs
// together upload what one run would.
func TestInterruptedMirrorResumesInOrder(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, v1)
	// The reference: the same directory (the same write order) mirrored in one run into another prefix.
	whole, err := mirror(t, dir, newStore(t, "s3://bucket/ref"), objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []string{"p2/acme/lib.json", "browse/index.json"} {
		t.Run(cut, func(t *testing.T) {
			target := "s3://bucket/" + strings.NewReplacer("/", "-", ".", "-").Replace(cut)
			first, err := mirror(t, dir, &failingStore{Store: newStore(t, target), failKey: cut}, objstore.Options{})
			if err == nil {
				t.Fatal("the failing mirror succeeded")
			}
			if slices.Contains(first.Metadata, "packages.json") {
				t.Fatalf("packages.json uploaded by an interrupted mirror: %v", first.Metadata)
			}
			second, err := mirror(t, dir, newStore(t, target), objstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// The rest, in the reference order (a subsequence of it), packages.json last.
			i := 0
			for _, k := range second.Metadata {
				for i < len(whole.Metadata) && whole.Metadata[i] != k {
					i++
				}
				if i == len(whole.Metadata) {
					t.Fatalf("resumed uploads %v are not in the order of one run %v", second.Metadata, whole.Metadata)
				}
			}
			both := append(slices.Clone(first.Metadata), second.Metadata...)
			for _, k := range whole.Metadata {
				if !slices.Contains(both, k) {
					t.Errorf("%s never uploaded (first %v, then %v)", k, first.Metadata, second.Metadata)
				}
			}
			if second.Metadata[len(second.Metadata)-1] != "packages.json" {
				t.Fatalf("resumed uploads %v: packages.json not last", second.Metadata)
			}
		})
	}
}

// TestFirstUploadReadsExistingListing: a first upload into a prefix whose packages.json already lists packages
// (another tool's, or a directory whose state was lost) lists new packages before a listed one that may need
// them changes, as against its own earlier upload.
func TestFirstUploadReadsExistingListing(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, append(slices.Clone(v1), v2...))
	srv.Plant(t, "bucket", "repo/packages.json", []byte(`{"packages":[],"available-packages":["acme/lib","acme/util"]}`))
	st, err := mirror(t, dir, newStore(t, "s3://bucket/repo"), objstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := slices.Index(st.Metadata, "packages.json")
	if first < 0 || first > slices.Index(st.Metadata, "p2/acme/lib.json") || first < slices.Index(st.Metadata, "p2/acme/new.json") {
		t.Fatalf("uploads %v: want an intermediate packages.json after acme/new's p2 file and before acme/lib's", st.Metadata)
	}
}

// TestPruneAfterGrace: what the directory no longer has stays in the bucket until the grace period since the
// first mirror that found it gone has passed; then it is deleted, and nothing else is.
func TestPruneAfterGrace(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	dir := t.TempDir()
	publishLocal(t, dir, base, append(slices.Clone(v1), v2...))
	s := newStore(t, "s3://bucket/repo")
	if _, err := mirror(t, dir, s, objstore.Options{PruneAfter: time.Hour}); err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.Remove("acme/lib", "1.1.0")
	r.Remove("acme/new", "1.0.0")
	if _, err := r.Publish(t.Context(), repo.PublishOptions{BaseURL: base}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	gone := []string{"p2/acme/new.json", "browse/acme/new.html", "dist/acme/new-1.0.0.zip", "dist/acme/lib-1.1.0.zip"}
	if st, err := mirror(t, dir, s, objstore.Options{PruneAfter: time.Hour}); err != nil || len(st.Deleted) != 0 {
		t.Fatalf("mirror within the grace period: %+v, %v", st, err)
	}
	for _, k := range gone {
		if resp, _ := get(t, base+k); resp.StatusCode != 200 {
			t.Errorf("%s deleted within the grace period: %d", k, resp.StatusCode)
		}
	}
	time.Sleep(10 * time.Millisecond)
	st, err := mirror(t, dir, s, objstore.Options{PruneAfter: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range gone {
		if !slices.Contains(st.Deleted, k) {
			t.Errorf("%s not pruned after the grace period (deleted %v)", k, st.Deleted)
		}
		if resp, _ := get(t, base+k); resp.StatusCode != 404 {
			t.Errorf("%s still served after the prune: %d", k, resp.StatusCode)
		}
	}
	for _, k := range []string{"packages.json", "p2/acme/lib.json", "dist/acme/lib-1.0.0.zip"} {
		if resp, _ := get(t, base+k); resp.StatusCode != 200 {
			t.Errorf("%s pruned though the directory has it: %d", k, resp.StatusCode)
		}
	}
	srv.Reset()
	if _, err := mirror(t, dir, s, objstore.Options{PruneAfter: 5 * time.Millisecond}); err != nil || srv.Total() != 0 {
		t.Fatalf("a no-op mirror after the prune: %v, %d requests", err, srv.Total())
	}
}
