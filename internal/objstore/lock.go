package objstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// LockKey is the lock object's key under the prefix.
const LockKey = ".magerepo/lock.json"

// DefaultLockTTL is how long a lock holds without being refreshed. A publisher refreshes its lock every third of
// it, so only a publisher that died (kill -9, a lost machine) leaves a lock that goes stale.
const DefaultLockTTL = 10 * time.Minute

// ErrLocked means another publisher holds the target's lock.
var ErrLocked = errors.New("objstore: another publisher holds the lock")

// lockDoc is the lock object's content.
type lockDoc struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Dir     string    `json:"dir"`     // the output directory published
	Expires time.Time `json:"expires"` // a lock past this time is stale and may be taken over
}

func (d lockDoc) holder() string { return fmt.Sprintf("%s (pid %d, %s)", d.Host, d.PID, d.Dir) }

// lock is a held lock.
type lock struct {
	s    Store
	doc  lockDoc
	etag string
	ttl  time.Duration

	mu     sync.Mutex              // etag and doc, between the refresher and release
	done   chan struct{}           // closed by stop
	cancel context.CancelCauseFunc // of the context keep returned
}

// acquire creates the lock object (If-None-Match: *). An existing lock is stale, and taken over with If-Match on
// the ETag read (so of two publishers that find it stale only one wins), when it is past its expiry, or when it
// names this host and this output directory: the caller holds the directory's own lock ([repo.Open]), so the
// process that wrote it is gone (killed before it could release it).
func acquire(ctx context.Context, s Store, dir string, ttl time.Duration, now func() time.Time) (*lock, error) {
	host, _ := os.Hostname()
	l := &lock{s: s, ttl: ttl, doc: lockDoc{Host: host, PID: os.Getpid(), Dir: dir}}
	l.doc.Expires = now().Add(ttl).UTC()
	b, _ := json.Marshal(l.doc)
	err := s.Create(ctx, LockKey, bytes.NewReader(b), int64(len(b)), Headers{ContentType: "application/json", CacheControl: "no-store"})
	if err == nil {
		return l, l.readETag(ctx)
	}
	if !errors.Is(err, ErrExists) {
		return nil, err
	}
	rc, etag, err := s.Open(ctx, LockKey)
	if errors.Is(err, ErrNotFound) {
		return acquire(ctx, s, dir, ttl, now) // released meanwhile
	}
	if err != nil {
		return nil, err
	}
	old, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, err
	}
	var held lockDoc
	if json.Unmarshal(old, &held) == nil && now().Before(held.Expires) && !(held.Host == host && held.Dir == dir) {
		return nil, fmt.Errorf("%w: %s%s is held by %s until %s (refreshed while it publishes; a lock not refreshed goes stale then)",
			ErrLocked, s, LockKey, held.holder(), held.Expires.Format(time.RFC3339))
	}
	if err := s.Replace(ctx, LockKey, bytes.NewReader(b), int64(len(b)), Headers{ContentType: "application/json", CacheControl: "no-store"}, etag); err != nil {
		if errors.Is(err, ErrChanged) {
			return nil, fmt.Errorf("%w: %s%s was taken over by another publisher", ErrLocked, s, LockKey)
		}
		return nil, err
	}
	return l, l.readETag(ctx)
}

// readETag learns the ETag of the lock just written, which the refresh and the release condition on.
func (l *lock) readETag(ctx context.Context) error {
	rc, etag, err := l.s.Open(ctx, LockKey)
	if err != nil {
		return err
	}
	rc.Close()
	l.etag = etag
	return nil
}

// refresh extends the lock; ErrChanged means it was taken over (this publisher stalled past its expiry).
func (l *lock) refresh(ctx context.Context, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.doc.Expires = now.Add(l.ttl).UTC()
	b, _ := json.Marshal(l.doc)
	if err := l.s.Replace(ctx, LockKey, bytes.NewReader(b), int64(len(b)), Headers{ContentType: "application/json", CacheControl: "no-store"}, l.etag); err != nil {
		return err
	}
	return l.readETag(ctx)
}

// release deletes the lock. (S3's conditional delete is not offered by every compatible store, so the delete is
// plain; the lock was ours a moment ago, refreshed within its TTL.)
func (l *lock) release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.Delete(ctx, LockKey)
}

// keep refreshes the lock every third of its TTL until stop, and returns a context cancelled when a refresh
// fails: a publisher that lost its lock stops uploading.
func (l *lock) keep(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	l.done = done
	go func() {
		t := time.NewTicker(l.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case now := <-t.C:
				if err := l.refresh(ctx, now); err != nil {
					cancel(fmt.Errorf("%w: lost the lock: %v", ErrLocked, err))
					return
				}
			}
		}
	}()
	l.cancel = cancel
	return ctx
}

// stop ends the refreshing.
func (l *lock) stop() {
	if l.done != nil {
		close(l.done)
		l.done = nil
		l.cancel(nil)
	}
}
