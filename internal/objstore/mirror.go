package objstore

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/repo"
)

// ErrImmutable means the bucket holds other bytes at a dist's key: the dist is never overwritten, and nothing
// that names it is uploaded.
var ErrImmutable = errors.New("objstore: a published dist has other bytes in the bucket")

// Options configures [Mirror].
type Options struct {
	// Jobs is the number of uploads at once (8 when 0): dists, and metadata no reader can see yet
	// ([invisibleRun]); the rest of the metadata goes one file at a time, in order.
	Jobs int
	// LockTTL is how long the lock holds unrefreshed ([DefaultLockTTL] when 0).
	LockTTL time.Duration
	// PruneAfter, when positive, deletes from the bucket what the directory no longer has, that long after the
	// first mirror that found it gone ([prune]); 0 keeps everything.
	PruneAfter time.Duration
	// Logger receives a line per phase (none when nil).
	Logger *slog.Logger
}

// Stats tells what a mirror did.
type Stats struct {
	DistsCreated int      `json:"dists_created"` // dists uploaded
	DistsPresent int      `json:"dists_present"` // dists found in the bucket with the same bytes
	Metadata     []string `json:"metadata"`      // metadata keys uploaded, in order (packages.json may recur)
	// Violations name the dists the bucket holds with other bytes (ErrImmutable).
	Violations []string `json:"violations"`
	// Deleted are the keys pruned (Options.PruneAfter).
	Deleted []string `json:"deleted"`
}

// Mirror brings the bucket behind s to the published output directory dir (docs/object-storage.md): it plans
// the uploads against what the directory's state says the bucket holds, and when there is anything to upload
// takes the bucket's lock, saves the plan, and carries it out step by step, saving the state after each. A
// directory already mirrored sends no request at all. The caller holds r open (and so the directory's lock,
// [repo.Open]) throughout, so no build changes the files it uploads.
func Mirror(ctx context.Context, r *repo.Repo, s Store, opts Options) (Stats, error) {
	dir := r.Dir()
	var stats Stats
	if opts.Jobs <= 0 {
		opts.Jobs = 8
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = DefaultLockTTL
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	st, err := loadState(dir, s.String())
	if err != nil {
		return stats, err
	}
	var held *lock
	defer func() {
		if held != nil {
			held.stop()
			// Released on a fresh context: an interrupted run still frees the bucket for the next.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = held.release(rctx)
		}
	}()
	take := func() error {
		if held != nil {
			return nil
		}
		abs, _ := filepath.Abs(dir)
		l, err := acquire(ctx, s, abs, opts.LockTTL, time.Now)
		if err != nil {
			return err
		}
		held, ctx = l, l.keep(ctx)
		return nil
	}
	for {
		plan, local, err := currentPlan(r, st)
		if err != nil {
			return stats, err
		}
		if len(plan) == 0 {
			return stats, prune(ctx, s, st, dir, local, opts.PruneAfter, take, &stats)
		}
		if held == nil {
			if err := take(); err != nil {
				return stats, err
			}
			if len(st.Uploaded) == 0 && st.Listed == nil {
				// A first upload into this prefix: learn what a packages.json already there lists (put there by
				// another tool, or by a directory whose state was lost), so that the intermediate listings are
				// made against what readers see. Then plan again.
				if err := learnListing(ctx, s, st); err != nil {
					return stats, err
				}
				continue
			}
		}
		st.Plan = plan
		if err := st.save(dir); err != nil {
			return stats, err
		}
		log.Info("uploading", "target", s.String(), "steps", len(plan))
		if err := execute(ctx, r, s, st, opts, log, &stats); err != nil {
			return stats, err
		}
	}
}

// invisibleRun returns how many of the plan's first steps no reader can see yet: p2 files of packages the
// bucket's packages.json does not list (Composer asks only for listed names) and package pages (nothing links
// to a new one before browse/index.json, which comes after them). The run ends at the first other step.
func invisibleRun(plan []step, listed []string) int {
	visible := map[string]bool{}
	for _, n := range listed {
		visible[n] = true
	}
	n := 0
	for _, p := range plan {
		name, isP2 := p2Name(p.Key)
		page := strings.HasPrefix(p.Key, "browse/") && strings.Count(p.Key, "/") == 2 && strings.HasSuffix(p.Key, ".html")
		if p.List != nil || !(isP2 && !visible[name] || page) {
			break
		}
		n++
	}
	return n
}

// learnListing reads the bucket's packages.json into the state (Listed, and its checksum as uploaded); none
// leaves an empty listing.
func learnListing(ctx context.Context, s Store, st *state) error {
	st.Listed = []string{}
	rc, _, err := s.Open(ctx, "packages.json")
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 256<<20))
	if err != nil {
		return err
	}
	st.Listed = listedIn(b)
	if st.Listed == nil {
		st.Listed = []string{}
	}
	st.Uploaded["packages.json"] = bytesSum(b)
	return nil
}

// currentPlan returns the saved plan when it still describes the local files, else a new one, and the keys the
// directory has (dists and metadata).
func currentPlan(r *repo.Repo, st *state) ([]step, map[string]bool, error) {
	var dists []repo.Entry
	distSums := map[string]string{}
	for _, e := range r.Entries() {
		if e.Dist == "" || isURL(e.Dist) {
			continue
		}
		if _, seen := distSums[e.Dist]; !seen {
			dists = append(dists, e)
			distSums[e.Dist] = "sha1:" + e.SHA1
		}
	}
	files, err := metadataFiles(r.Dir())
	if err != nil {
		return nil, nil, err
	}
	sums := map[string]string{}
	local := map[string]bool{}
	for _, f := range files {
		sums[f.key] = f.sum
		local[f.key] = true
	}
	for k := range distSums {
		local[k] = true
	}
	if len(st.Plan) > 0 && planValid(st.Plan, distSums, sums) {
		return st.Plan, local, nil
	}
	root, err := os.ReadFile(r.Path("packages.json"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	return makePlan(st, dists, files, root), local, nil
}

// prune deletes from the bucket the keys uploaded that the directory no longer has (a removed package's p2
// files and page, the dists sync --prune dropped), once grace has passed since the first mirror that found them
// gone: a CDN or a client that read the previous packages.json a moment ago still finds what it names. It runs
// only after a complete upload, so the bucket's packages.json names none of them. The times are recorded in
// the state, so waiting sends no request; grace 0 never deletes.
func prune(ctx context.Context, s Store, st *state, dir string, local map[string]bool, grace time.Duration, take func() error, stats *Stats) error {
	now := time.Now().UTC()
	changed := false
	if st.Orphaned == nil {
		st.Orphaned = map[string]time.Time{}
	}
	for k := range st.Uploaded {
		if _, seen := st.Orphaned[k]; !local[k] && !seen {
			st.Orphaned[k], changed = now, true
		}
	}
	var due []string
	for k, since := range st.Orphaned {
		switch {
		case local[k]:
			delete(st.Orphaned, k) // back (a package published again)
			changed = true
		case grace > 0 && now.Sub(since) >= grace:
			due = append(due, k)
		}
	}
	if len(due) > 0 {
		if err := take(); err != nil {
			return err
		}
		slices.Sort(due)
		for _, k := range due {
			if err := s.Delete(ctx, k); err != nil {
				return err
			}
			delete(st.Uploaded, k)
			delete(st.Orphaned, k)
			stats.Deleted = append(stats.Deleted, k)
		}
		changed = true
	}
	if !changed {
		return nil
	}
	return st.save(dir)
}

// isURL reports whether an entry's dist is a remote URL (one that stays upstream), not a file of the directory.
func isURL(s string) bool { return strings.Contains(s, "://") }

// execute carries out st.Plan: the dists on opts.Jobs workers, then the metadata steps in order, saving the
// state after each. Consecutive steps that no reader can see yet ([invisibleRun]) go on opts.Jobs workers too:
// their order among themselves cannot matter, and a cold upload of a large repository is one round trip per
// file otherwise.
func execute(ctx context.Context, r *repo.Repo, s Store, st *state, opts Options, log *slog.Logger, stats *Stats) error {
	var dists, meta []step
	for _, p := range st.Plan {
		if p.Dist {
			dists = append(dists, p)
		} else {
			meta = append(meta, p)
		}
	}
	if err := uploadDists(ctx, r, s, st, dists, opts.Jobs, stats); err != nil {
		return err
	}
	st.Plan = meta
	if err := st.save(r.Dir()); err != nil {
		return err
	}
	root, err := os.ReadFile(r.Path("packages.json"))
	if err != nil {
		return fmt.Errorf("objstore: %w", err)
	}
	for len(st.Plan) > 0 {
		n := max(1, invisibleRun(st.Plan, st.Listed))
		batch := st.Plan[:n]
		sums := make([]string, n)
		listed := make([][]string, n)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(opts.Jobs)
		for i, p := range batch {
			g.Go(func() error {
				var b []byte
				var err error
				if p.List != nil {
					b, err = withListing(root, p.List)
				} else {
					b, err = os.ReadFile(r.Path(p.Key))
				}
				if err != nil {
					return fmt.Errorf("objstore: %w", err)
				}
				if err := s.Put(gctx, p.Key, bytes.NewReader(b), int64(len(b)), headersFor(p.Key, false)); err != nil {
					return err
				}
				sums[i] = bytesSum(b)
				if p.Key == "packages.json" {
					listed[i] = listedIn(b)
				}
				return nil
			})
		}
		err := g.Wait()
		var left []step
		for i, p := range batch {
			if sums[i] == "" {
				left = append(left, p)
				continue
			}
			stats.Metadata = append(stats.Metadata, p.Key)
			log.Debug("uploaded", "key", p.Key) // the list of what a CDN purge needs (docs/object-storage.md)
			st.Uploaded[p.Key] = sums[i]
			if p.Key == "packages.json" {
				st.Listed = listed[i]
			}
		}
		st.Plan = append(left, st.Plan[n:]...)
		if serr := st.save(r.Dir()); err == nil {
			err = serr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// uploadDists creates each dist the bucket lacks (If-None-Match: *). One that exists is read back: the same
// bytes count as uploaded, other bytes are a violation, reported and never overwritten; then ErrImmutable stops
// the mirror before any metadata names it.
func uploadDists(ctx context.Context, r *repo.Repo, s Store, st *state, dists []step, jobs int, stats *Stats) error {
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	done := 0
	for _, d := range dists {
		g.Go(func() error {
			created, err := uploadDist(gctx, r, s, d)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrImmutable):
				stats.Violations = append(stats.Violations, d.Key)
				return nil
			case err != nil:
				return err
			case created:
				stats.DistsCreated++
			default:
				stats.DistsPresent++
			}
			st.Uploaded[d.Key] = d.Sum
			// Saved now and then, so a rerun after a crash does not read back every dist it had uploaded.
			if done++; done%100 == 0 {
				return st.save(r.Dir())
			}
			return nil
		})
	}
	err := g.Wait()
	if serr := st.save(r.Dir()); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if len(stats.Violations) > 0 {
		return fmt.Errorf("%w: %d dists; nothing naming them was uploaded", ErrImmutable, len(stats.Violations))
	}
	return nil
}

func uploadDist(ctx context.Context, r *repo.Repo, s Store, d step) (created bool, err error) {
	f, err := os.Open(r.Path(d.Key))
	if err != nil {
		return false, fmt.Errorf("objstore: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	err = s.Create(ctx, d.Key, f, fi.Size(), headersFor(d.Key, true))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, ErrExists) {
		return false, err
	}
	rc, _, err := s.Open(ctx, d.Key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	h := sha1.New()
	if _, err := io.Copy(h, rc); err != nil {
		return false, err
	}
	if "sha1:"+hex.EncodeToString(h.Sum(nil)) != d.Sum {
		return false, fmt.Errorf("%w: %s", ErrImmutable, d.Key)
	}
	return false, nil
}
