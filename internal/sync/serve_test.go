package sync

import (
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/mage-os/magerepo/internal/repo/repotest"
	"github.com/mage-os/magerepo/internal/server"
	"github.com/mage-os/magerepo/internal/verify"
)

// TestSyncFromMagerepoServe syncs from a repository served by internal/server
// (gzip, ETag, pre-compressed siblings), then checks the local copy with
// internal/verify, against the upstream too, and installs from it.
func TestSyncFromMagerepoServe(t *testing.T) {
	upDir := t.TempDir()
	srv, err := server.New(upDir, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	up := &upstream{t: t, dir: upDir, drop: map[string]bool{}, corrupt: map[string]bool{}, srv: hs}
	up.publish(testVersions)

	l := newLocal(t)
	rep := l.sync(t, hs.URL, nil)
	if rep.Failed() || rep.Versions != len(testVersions) {
		t.Fatalf("failures %v, %d versions", rep.Failures, rep.Versions)
	}
	client := verify.NewClient(nil)
	src, err := verify.NewDirSource(l.dir, l.base(), client)
	if err != nil {
		t.Fatal(err)
	}
	against, err := verify.NewHTTPSource(hs.URL, client)
	if err != nil {
		t.Fatal(err)
	}
	vr, err := verify.Run(t.Context(), src, verify.Options{Against: against})
	if err != nil {
		t.Fatal(err)
	}
	if !vr.Clean() {
		vr.WriteText(os.Stderr)
		t.Errorf("verify of the local copy is not clean: %s", vr.Summary())
	}
	if got, want := l.published(t), up.dists(t); !maps.Equal(got, want) {
		t.Errorf("local copy differs from upstream:\n got %v\nwant %v", got, want)
	}
	// A second run against the real server is all 304s too.
	rep = l.sync(t, hs.URL, nil)
	if rep.MetadataFetched != 0 || rep.Downloaded != 0 || rep.MetadataNotModified == 0 {
		t.Errorf("no-op run against magerepo serve: %+v", rep)
	}
	project := repotest.Install(t, l.srv.URL, map[string]string{"acme/meta": "1.0.0"})
	if _, err := os.Stat(filepath.Join(project, "vendor/acme/util/README")); err != nil {
		t.Error(err)
	}
}
