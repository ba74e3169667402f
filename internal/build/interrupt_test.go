package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// cancelAfter cancels its context once n archives are written.
type cancelAfter struct {
	n      int64
	done   atomic.Int64
	cancel context.CancelFunc
}

func (p *cancelAfter) Start(int) {}
func (p *cancelAfter) Finish()   {}
func (p *cancelAfter) Add(n int) {
	if p.done.Add(int64(n)) == p.n {
		p.cancel()
	}
}

// TestInterruptedSummaryIsTruthful: a build interrupted while it writes archives stops writing, says how many it
// wrote (they are on disk) and that it published nothing, rather than "built 0"; the next run publishes
// everything.
func TestInterruptedSummaryIsTruthful(t *testing.T) {
	g := gittest.New(t)
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("M%02d/composer.json", i)] = gittest.ComposerJSON(fmt.Sprintf("acme/m%02d", i), "1.0.0", nil)
	}
	g.Write(files)
	g.CommitTag("1.0.0")
	c, err := config.Parse([]byte("base-url: https://r.example/\nsources:\n  - name: s\n    path: "+g.Dir+
		"\n    packages: [{each-dir: \"\"}]\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, cache := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sum, err := Run(ctx, Options{Config: c, Out: out, CacheDir: cache, Jobs: 1, Progress: &cancelAfter{n: 5, cancel: cancel}})
	if err == nil || sum == nil {
		t.Fatalf("interrupted run: %v %+v", err, sum)
	}
	zips, _ := filepath.Glob(filepath.Join(out, "dist", "acme", "*.zip"))
	t.Logf("interrupted: built %d, %d zips on disk", sum.Built, len(zips))
	// One writer: the interrupt comes after the fifth archive, and no writer starts after it.
	if !sum.Interrupted || sum.Published || sum.Built != 5 || sum.Built != len(zips) || sum.NewTags != 1 {
		t.Fatalf("summary: interrupted %v, published %v, built %d, %d zips on disk, %d new tags", sum.Interrupted,
			sum.Published, sum.Built, len(zips), sum.NewTags)
	}
	if _, err := os.Stat(filepath.Join(out, "packages.json")); err == nil {
		t.Fatal("an interrupted first build published packages.json")
	}
	sum, err = Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache, Jobs: 1})
	// What the interrupted run wrote is not written again: built or reused, every version is published now.
	if err != nil || sum.Interrupted || !sum.Published || sum.Built+sum.Reused != 40 {
		t.Fatalf("the next run: %v %+v", err, sum)
	}
}
