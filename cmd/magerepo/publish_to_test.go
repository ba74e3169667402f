package main

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/objstore/objstoretest"
	"github.com/mage-os/magerepo/internal/repo/repotest"
	"github.com/mage-os/magerepo/internal/sync"
)

// buildTo runs `magerepo build --publish-to target` in this process and returns its stdout.
func buildTo(t *testing.T, cfg, out, cache, target string) string {
	t.Helper()
	g, stdout := testGlobals(t)
	opts := &buildOptions{Config: cfg, Out: out, Cache: cache, Jobs: 2}
	if err := opts.PublishTo.Set(target); err != nil {
		t.Fatal(err)
	}
	if err := runBuild(t.Context(), opts, g); err != nil {
		t.Fatalf("build --publish-to %s: %v\n%s", target, err, stdout)
	}
	return stdout.String()
}

// verifyURL runs `magerepo verify` on what the bucket serves (and with --against, compares it with a
// directory), failing the test unless it is clean.
func verifyURL(t *testing.T, url string, opts verifyOptions) {
	t.Helper()
	var out bytes.Buffer
	opts.BaseURL, opts.Jobs = url, 4
	if err := runVerify(t.Context(), &opts, url, &out); err != nil {
		t.Fatalf("verify %s (against %q): %v\n%s", url, opts.Against, err, out.String())
	}
}

// sameAsLocal reports whether the bucket serves every metadata file (but the .gz copies, which are not
// uploaded) and every dist of dir with the local bytes.
func sameAsLocal(t *testing.T, dir, base string) bool {
	t.Helper()
	ok := true
	for rel, hash := range treeHashes(t, dir) {
		if strings.HasSuffix(rel, ".gz") {
			continue
		}
		resp, err := http.Get(base + rel)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		local, _ := os.ReadFile(filepath.Join(dir, rel))
		if resp.StatusCode != 200 || !bytes.Equal(b, local) {
			t.Errorf("the bucket serves %s with status %d and %d bytes, not the local %d bytes (%s)", rel, resp.StatusCode, len(b), len(local), hash)
			ok = false
		}
	}
	return ok
}

// TestBuildPublishToBucket builds into a bucket (gofakes3 on loopback), verifies what it serves, alone and
// against the local directory, installs from it with Composer, and checks that a no-op run sends no request.
func TestBuildPublishToBucket(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/mirror/repo/"
	f := newFixture(t)
	cfg := f.config(t, base, "mageos")
	out, cache := t.TempDir(), t.TempDir()
	if got := buildTo(t, cfg, out, cache, "s3://bucket/mirror/repo"); !strings.Contains(got, "uploaded to s3://bucket/mirror/repo/: ") {
		t.Fatalf("build --publish-to printed:\n%s", got)
	}
	if !sameAsLocal(t, out, base) {
		t.Fatal("the bucket differs from the output directory")
	}
	verifyURL(t, base, verifyOptions{Deep: true, Own: []string{"acme/*"}})
	verifyURL(t, base, verifyOptions{Against: out})

	srv.Reset()
	if got := buildTo(t, cfg, out, cache, "s3://bucket/mirror/repo"); strings.Contains(got, "uploaded") {
		t.Fatalf("a no-op build uploaded:\n%s", got)
	}
	if n := srv.Total(); n != 0 {
		t.Fatalf("a no-op build --publish-to sent %d requests (%d PUT)", n, srv.Count("PUT"))
	}

	// Last: without composer (and MAGEREPO_REQUIRE_E2E unset) this skips.
	project := repotest.Install(t, base, map[string]string{"acme/suite": "1.1.0"})
	for _, p := range []string{"vendor/acme/module-a/registration.php", "vendor/acme/module-b/Model/B.php", "vendor/acme/lib/src/Lib.php"} {
		if _, err := os.Stat(filepath.Join(project, p)); err != nil {
			t.Errorf("installed from the bucket: %v", err)
		}
	}
}

// TestPublishToCrash kills `magerepo build --publish-to` with SIGKILL at random moments, first while it uploads
// a built directory into an empty bucket, then while it builds, publishes and uploads a new tag (modules, a
// new package and a metapackage pinning them): after every kill what the bucket serves verifies clean (no
// version a reader sees lacks what it requires), and an uninterrupted rerun makes the bucket the directory.
func TestPublishToCrash(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/repo/"
	f := newFixture(t)
	suite := suiteRepo(t, 24, "1.0.0")
	cfg := crashProfile(t, suite, f.lib, base)
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill times seeded with %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	dir, cache := t.TempDir(), t.TempDir()
	argsIn := func(dir, target string) string {
		return "build --quiet --config " + cfg + " --out " + dir + " --cache " + cache + " --jobs 2 --publish-to " + target
	}
	args := func(target string) string { return argsIn(dir, target) }
	buildExpectingFailure(t, cfg, dir, exitOK) // built and published locally; the bucket is empty

	// The kills land anywhere in the time an uninterrupted upload takes (into another prefix).
	start := time.Now()
	if err := startChild(t, args("s3://bucket/timing")).Wait(); err != nil {
		t.Fatalf("uninterrupted upload: %v", err)
	}
	full := time.Since(start)

	clean := 0
	kills := 0
	killAndVerify := func() {
		for k := 0; k < crashKills; k++ {
			killedRun(t, rng, full, args("s3://bucket/repo"))
			kills++
			resp, err := http.Get(base + "packages.json")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 404 {
				clean++ // nothing is visible yet
				continue
			}
			var out bytes.Buffer
			if err := runVerify(t.Context(), &verifyOptions{BaseURL: base, Jobs: 2, Own: []string{"acme/*"}}, base, &out); err != nil {
				t.Errorf("verify of the bucket after a kill: %v\n%s", err, out.String())
				continue
			}
			clean++
		}
	}
	killAndVerify()
	buildTo(t, cfg, dir, cache, "s3://bucket/repo")
	if !sameAsLocal(t, dir, base) {
		t.Fatal("the rerun after the kills did not converge")
	}

	writeSuiteTag(suite, 24, 1)
	suite.CommitTag("1.1.0")
	// Timed again: the update builds and publishes before it uploads (a copy of the directory, another prefix).
	timing := filepath.Join(t.TempDir(), "copy")
	if out, err := exec.Command("cp", "-a", dir, timing).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	start = time.Now()
	if err := startChild(t, argsIn(timing, "s3://bucket/timing")).Wait(); err != nil {
		t.Fatalf("uninterrupted update: %v", err)
	}
	full = time.Since(start)
	killAndVerify()
	buildTo(t, cfg, dir, cache, "s3://bucket/repo")
	converged := sameAsLocal(t, dir, base)
	verifyURL(t, base, verifyOptions{Against: dir})
	t.Logf("publish-to crash suite: %d kills within a %s upload, bucket verified clean after %d, converged: %v",
		kills, full.Round(time.Millisecond), clean, converged)
}

// TestSyncPublishToBucket syncs a built repository into a local copy published at the bucket's URL, uploads it
// with sync --publish-to, and verifies the bucket against the upstream; a no-op sync sends the bucket nothing.
func TestSyncPublishToBucket(t *testing.T) {
	srv := objstoretest.New(t, "bucket")
	base := srv.URL + "/bucket/copy/"
	f := newFixture(t)
	upLn, upBase := listen(t)
	up := t.TempDir()
	g, stdout := testGlobals(t)
	if err := runBuild(t.Context(), &buildOptions{Config: f.config(t, upBase, "mageos"), Out: up, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	serveDir(t, upLn, up)
	local := t.TempDir()
	syncTo := func() string {
		g, stdout := testGlobals(t)
		opts := &syncOptions{Options: sync.Options{BaseURL: base, DistDir: "dist", Jobs: 4, Retries: 2}}
		if err := opts.PublishTo.Set("s3://bucket/copy"); err != nil {
			t.Fatal(err)
		}
		if err := runSync(t.Context(), opts, g, upBase, local); err != nil {
			t.Fatalf("sync --publish-to: %v\n%s", err, stdout)
		}
		return stdout.String()
	}
	if out := syncTo(); !strings.Contains(out, "uploaded to s3://bucket/copy/") {
		t.Fatalf("sync --publish-to printed:\n%s", out)
	}
	if !sameAsLocal(t, local, base) {
		t.Fatal("the bucket differs from the synced copy")
	}
	verifyURL(t, base, verifyOptions{Deep: true, Against: upBase})
	srv.Reset()
	syncTo()
	if n := srv.Total(); n != 0 {
		t.Fatalf("a no-op sync --publish-to sent the bucket %d requests", n)
	}
}
