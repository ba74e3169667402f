package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/gittest"
)

// The crash suite kills real magerepo processes with SIGKILL at random moments (bounded: a few kills per
// scenario, each within the length of an uninterrupted run) and checks two things after every kill: what is on
// disk then verifies clean (every version a reader can see has the versions it requires: the publish order),
// and a rerun converges to the uninterrupted output byte for byte.

// crashKills is the number of kills per scenario.
const crashKills = 8

// suiteRepo is a satellite repository of modules and a metapackage that pins each module's exact version, the
// shape of Magento's product metapackage: a reader who sees a metapackage version before the module versions
// it pins cannot install it.
func suiteRepo(t *testing.T, modules int, tags ...string) *gittest.Repo {
	t.Helper()
	r := gittest.New(t)
	for ti, tag := range tags {
		writeSuiteTag(r, modules, ti)
		r.CommitTag(tag)
	}
	return r
}

func writeSuiteTag(r *gittest.Repo, modules, ti int) {
	files := map[string]string{}
	pins := []string{}
	for m := 0; m < modules; m++ {
		name := fmt.Sprintf("acme/module-%02d", m)
		v := fmt.Sprintf("100.%d.0", ti)
		files[fmt.Sprintf("Module%02d/composer.json", m)] = gittest.ComposerJSON(name, v, map[string]string{"acme/lib": "^2.0"})
		files[fmt.Sprintf("Module%02d/Model/M.php", m)] = strings.Repeat(fmt.Sprintf("<?php // %s %s\n", name, v), 2000)
		pins = append(pins, fmt.Sprintf("%q: %q", name, v))
	}
	// a package new in this tag, required by the metapackage: listed only once what it requires is there
	newName := fmt.Sprintf("acme/new-in-%d", ti)
	files[fmt.Sprintf("New%d/composer.json", ti)] = gittest.ComposerJSON(newName, "1.0.0", map[string]string{"acme/module-00": fmt.Sprintf("100.%d.0", ti)})
	pins = append(pins, fmt.Sprintf("%q: %q", newName, "1.0.0"))
	// named to sort before what it requires: writing p2 files in name order would expose it first
	files["_metapackage/composer.json"] = fmt.Sprintf(`{"name": "acme/a-suite", "type": "metapackage", "version": "1.%d.0", "require": {%s}}`,
		ti, strings.Join(pins, ", "))
	r.Write(files)
}

// crashProfile builds the suite and the fixture's lib.
func crashProfile(t *testing.T, suite, lib *gittest.Repo, base string) string {
	t.Helper()
	y := "name: Crash suite\nbase-url: " + base + "\narchive-format: mageos\nsources:\n" +
		"  - name: lib\n    path: " + lib.Dir + "\n    packages:\n      - dir: \"\"\n" +
		"  - name: suite\n    path: " + suite.Dir + "\n    packages:\n" +
		"      - each-dir: \"\"\n        exclude: [_metapackage/]\n      - metapackage-dir: _metapackage\n"
	p := filepath.Join(t.TempDir(), "crash.yaml")
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// startChild starts magerepo with args as its own process.
func startChild(t *testing.T, args string) *exec.Cmd {
	t.Helper()
	exe, _ := os.Executable()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "MAGEREPO_TEST_MAIN=1", "MAGEREPO_TEST_ARGS="+args)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// killedRun starts magerepo with args, kills it after a random part of full, and returns the delay.
func killedRun(t *testing.T, rng *rand.Rand, full time.Duration, args string) time.Duration {
	t.Helper()
	cmd := startChild(t, args)
	d := time.Duration(rng.Int64N(int64(full) + 1))
	time.Sleep(d)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	return d
}

// verifyClean runs `magerepo verify` on what dir holds now; a directory with nothing published yet is clean.
func verifyClean(t *testing.T, dir, base string) bool {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "packages.json")); err != nil {
		return true
	}
	var out bytes.Buffer
	// --own acme/*: a requirement on a package packages.json does not list yet is a problem too
	err := runVerify(t.Context(), &verifyOptions{BaseURL: base, Jobs: 2, Own: []string{"acme/*"}}, dir, &out)
	if err != nil {
		t.Errorf("verify after a kill: %v\n%s", err, out.String())
		return false
	}
	return true
}

// converged reports whether dir holds exactly the files of want (state aside).
func converged(t *testing.T, dir string, want map[string]string) bool {
	t.Helper()
	got := treeHashes(t, dir)
	ok := len(got) == len(want)
	for p, h := range want {
		if got[p] != h {
			t.Errorf("%s differs from the uninterrupted run", p)
			ok = false
		}
	}
	return ok
}

type crashScenario struct {
	name  string
	setup func(t *testing.T, dir string) // brings dir to the state the killed runs start from
	args  func(dir string) string        // the killed command
	rerun func(t *testing.T, dir string) // the final uninterrupted run
}

func runCrashScenario(t *testing.T, sc crashScenario, base string, rng *rand.Rand) {
	ref := t.TempDir()
	sc.setup(t, ref)
	sc.rerun(t, ref)
	want := treeHashes(t, ref)
	// The kills land anywhere in the time the killed command takes when it is not killed.
	timed := t.TempDir()
	sc.setup(t, timed)
	start := time.Now()
	if err := startChild(t, sc.args(timed)).Wait(); err != nil {
		t.Fatalf("uninterrupted %s: %v", sc.name, err)
	}
	full := time.Since(start)
	if !converged(t, timed, want) {
		t.Fatal("the command run as a process does not give the reference output")
	}

	dir := t.TempDir()
	sc.setup(t, dir)
	clean := 0
	var delays []string
	for k := 0; k < crashKills; k++ {
		d := killedRun(t, rng, full, sc.args(dir))
		delays = append(delays, d.Round(time.Millisecond).String())
		if verifyClean(t, dir, base) {
			clean++
		}
	}
	sc.rerun(t, dir)
	same := converged(t, dir, want)
	t.Logf("crash suite %s: %d kills (at %s of a %s run), verify clean after %d/%d, converged byte for byte: %v",
		sc.name, crashKills, strings.Join(delays, ", "), full.Round(time.Millisecond), clean, crashKills, same)
}

// TestCrashSuite kills a cold build, an update that adds module versions, a new package and a metapackage
// version pinning them, and a sync.
func TestCrashSuite(t *testing.T) {
	f := newFixture(t)
	suite := suiteRepo(t, 24, "1.0.0")
	ln, base := listen(t)
	cfg := crashProfile(t, suite, f.lib, base)
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill times seeded with %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	buildArgs := func(dir string) string {
		return "build --quiet --config " + cfg + " --out " + dir + " --cache " + t.TempDir() + " --jobs 2"
	}
	build := func(t *testing.T, dir string) { buildExpectingFailure(t, cfg, dir, exitOK) }

	t.Run("cold-build", func(t *testing.T) {
		runCrashScenario(t, crashScenario{name: "cold build", setup: func(*testing.T, string) {}, args: buildArgs, rerun: build}, base, rng)
	})
	t.Run("update", func(t *testing.T) {
		// Each run starts from a build of 1.0.0; the tag 1.1.0 is added once, before the killed runs.
		updated := false
		setup := func(t *testing.T, dir string) {
			if updated {
				suite.Git("tag", "-d", "1.1.0")
			}
			build(t, dir)
			writeSuiteTag(suite, 24, 1)
			if updated {
				suite.Git("tag", "1.1.0")
			} else {
				suite.CommitTag("1.1.0")
				updated = true
			}
		}
		runCrashScenario(t, crashScenario{name: "update", setup: setup, args: buildArgs, rerun: build}, base, rng)
	})
	t.Run("sync", func(t *testing.T) {
		upstream := t.TempDir()
		build(t, upstream)
		serveDir(t, ln, upstream)
		copyBase := "http://127.0.0.1:9/copy/"
		sync := func(t *testing.T, dir string) {
			if got := syncOnce(t, base, dir, copyBase); got != 0 {
				t.Fatalf("sync: exit %d", got)
			}
		}
		args := func(dir string) string {
			return "sync --quiet --base-url " + copyBase + " --jobs 2 --retries 1 " + base + " " + dir
		}
		runCrashScenario(t, crashScenario{name: "sync", setup: func(*testing.T, string) {}, args: args, rerun: sync}, copyBase, rng)
	})
}
