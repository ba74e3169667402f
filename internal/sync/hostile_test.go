package sync

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/sync/hostile"
)

// TestHostileUpstream syncs from an upstream that serves p2 files far over the size cap (streamed, and
// declared), drip-feeds a p2 file and a dist at one byte a second, rate-limits with Retry-After and answers 503
// before the real file. The oversized and drip-fed items fail within the stall timeout and are reported, the
// others are synced after their retries, and the directory lock is released.
func TestHostileUpstream(t *testing.T) {
	const stall = time.Second
	const limit = 1 << 20
	h := hostile.New(hostile.Options{
		Packages: map[string]hostile.Behaviour{
			"acme/good":      hostile.Good,
			"acme/huge":      hostile.Oversized,
			"acme/declared":  hostile.OversizedDeclared,
			"acme/drip-meta": hostile.DripMetadata,
			"acme/drip-dist": hostile.DripDist,
			"acme/limited":   hostile.RateLimited,
			"acme/flaky":     hostile.Unavailable,
		},
		OversizedSize: 64 << 20,
		DripEvery:     time.Second,
		RetryAfter:    1,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	l := newLocal(t)
	r, err := repo.Open(l.dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := Run(t.Context(), r, Options{Upstream: srv.URL, BaseURL: l.base(), Jobs: 8, Retries: 2,
		Backoff: time.Millisecond, StallTimeout: stall, MaxMetadataSize: limit})
	took := time.Since(start)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Two stalls one after the other (metadata, then dists) and a Retry-After of 1 s alongside: about 2 s.
	if took > 6*time.Second {
		t.Errorf("run took %s with a %s stall timeout", took, stall)
	}

	reasons := map[string]string{}
	for _, p := range rep.Failures {
		t.Logf("failure after %s: %s", took, p)
		reasons[p.Package] = p.Reason
	}
	for name, want := range map[string]string{
		"acme/huge":      fetch.ErrTooLarge.Error(),
		"acme/declared":  fetch.ErrTooLarge.Error(),
		"acme/drip-meta": fetch.ErrStalled.Error(),
		"acme/drip-dist": fetch.ErrStalled.Error(),
	} {
		if !strings.Contains(reasons[name], want) {
			t.Errorf("%s: failure %q, want one saying %q", name, reasons[name], want)
		}
	}
	if len(rep.Failures) != 4 {
		t.Errorf("failures %v, want the four hostile packages", rep.Failures)
	}
	got := l.published(t)
	for _, name := range []string{"acme/good", "acme/limited", "acme/flaky"} {
		if got[name+" 1.0.0"] != h.SHA1(name) {
			t.Errorf("%s 1.0.0 published with sha1 %q, want %s", name, got[name+" 1.0.0"], h.SHA1(name))
		}
	}
	if len(got) != 3 {
		t.Errorf("published %v, want the three packages that came through", got)
	}

	log := h.Log()
	for _, q := range log {
		switch {
		case q.Path == "/p2/acme/drip-meta.json" || q.Path == "/dist/acme/drip-dist-1.0.0.zip":
			if d := q.End.Sub(q.Start); !q.Gone || d < stall-100*time.Millisecond || d > stall+time.Second {
				t.Errorf("%s: client left after %s (gone %t), want about the %s stall timeout", q.Path, d, q.Gone, stall)
			}
		case q.Path == "/p2/acme/huge.json":
			// What the socket buffers took beyond the cap is the only slack.
			if q.Sent > limit+16<<20 {
				t.Errorf("%s: %d bytes sent for a %d-byte cap", q.Path, q.Sent, limit)
			}
		case q.Path == "/p2/acme/declared.json":
			if q.Sent > 16<<20 {
				t.Errorf("%s: %d bytes sent, though its Content-Length is over the cap", q.Path, q.Sent)
			}
		}
	}
	if n := count(log, "/p2/acme/drip-meta.json", "/dist/acme/drip-dist-1.0.0.zip"); n != 2 {
		t.Errorf("%d requests for the drip-fed files, want one each: a stall is not retried", n)
	}
	limited := requestsFor(log, "/p2/acme/limited.json")
	if len(limited) != 2 || limited[0].Status != 429 || limited[1].Status != 200 {
		t.Fatalf("acme/limited p2 requests: %+v, want 429 then 200", limited)
	}
	if gap := limited[1].Start.Sub(limited[0].Start); gap < 950*time.Millisecond {
		t.Errorf("429 retried after %s, before its 1 s Retry-After", gap)
	}
	if flaky := requestsFor(log, "/p2/acme/flaky.json"); len(flaky) != 2 || flaky[0].Status != 503 || flaky[1].Status != 200 {
		t.Errorf("acme/flaky p2 requests: %+v, want 503 then 200", flaky)
	}

	// The lock is free: another run can open the directory, and the partial dist waits for it.
	r2, err := repo.Open(l.dir)
	if err != nil {
		t.Fatalf("directory still locked after the run: %v", err)
	}
	r2.Close()
	if _, err := os.Stat(filepath.Join(l.dir, "dist", "acme", "drip-dist-1.0.0.zip")); err == nil {
		t.Error("the stalled dist was put in place")
	}
	if parts, _ := filepath.Glob(filepath.Join(l.dir, "dist", "acme", ".drip-dist-1.0.0.zip*")); len(parts) != 1 {
		t.Errorf("partial files of the stalled dist: %v, want one kept for the next run", parts)
	}
}

func requestsFor(log []hostile.Request, path string) []hostile.Request {
	var out []hostile.Request
	for _, q := range log {
		if q.Path == path {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b hostile.Request) int { return a.Start.Compare(b.Start) })
	return out
}

func count(log []hostile.Request, paths ...string) int {
	n := 0
	for _, q := range log {
		if slices.Contains(paths, q.Path) {
			n++
		}
	}
	return n
}
