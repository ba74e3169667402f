package verify

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/sync/hostile"
)

// TestHostileRemote verifies a server that sends an oversized p2 file, drip-feeds a p2 file and a dist, and
// answers 429 and 503 before the real files: verify downloads through the same client as sync, so the hostile
// files are problems found within the stall timeout and the others are checked after their retries.
func TestHostileRemote(t *testing.T) {
	h := hostile.New(hostile.Options{
		Packages: map[string]hostile.Behaviour{
			"acme/good":      hostile.Good,
			"acme/huge":      hostile.Oversized,
			"acme/drip-meta": hostile.DripMetadata,
			"acme/drip-dist": hostile.DripDist,
			"acme/limited":   hostile.RateLimited,
			"acme/flaky":     hostile.Unavailable,
		},
		OversizedSize: 64 << 20,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := NewClient(fetch.New(fetch.Options{Retries: 2, Backoff: time.Millisecond, StallTimeout: time.Second}))
	src, err := NewHTTPSource(srv.URL, c)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r, err := Run(t.Context(), src, Options{MaxMetadataSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("verify took %s with a 1 s stall timeout", took)
	}
	got := strings.Join(lines(r), "\n")
	for _, want := range []string{
		"acme/huge: p2 file acme/huge.json cannot be read: GET " + srv.URL + "/p2/acme/huge.json: body too large",
		"acme/drip-meta: p2 file acme/drip-meta.json cannot be read: GET " + srv.URL + "/p2/acme/drip-meta.json: transfer stalled",
		"acme/drip-dist 1.0.0: dist cannot be read: GET " + srv.URL + "/dist/acme/drip-dist-1.0.0.zip: transfer stalled",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no problem %q in:\n%s", want, got)
		}
	}
	if len(r.Problems) != 3 || r.Dists != 3 {
		t.Errorf("%d problems, %d dists checked; want the 3 hostile ones, and the good, limited and flaky dists:\n%s", len(r.Problems), r.Dists, got)
	}
}
