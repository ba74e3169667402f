package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/build"
	"github.com/mage-os/magerepo/internal/gittest"
)

// buildExpectingFailure runs a build and returns its stdout and problems; it fails the test unless the exit status
// corresponds to wantExit (0 or 1).
func buildExpectingFailure(t *testing.T, cfg, out string, wantExit int) string {
	t.Helper()
	g, stdout := testGlobals(t)
	err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	got := exitCode(t.Context(), err)
	if got != wantExit {
		t.Fatalf("exit status %d (err %v), want %d\n%s", got, err, wantExit, stdout)
	}
	return stdout.String() + problemLines(t, out)
}

// problemLines renders the problems of the last build in out one a line, as a person reads them in the log:
// the summary on stdout only counts them.
func problemLines(t *testing.T, out string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, ".magerepo", "last-build.json"))
	if err != nil {
		return "" // a build refused before it started writes no report
	}
	var sum build.Summary
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for _, p := range sum.Problems {
		lines.WriteString(p.String() + "\n")
	}
	return lines.String()
}

// assertBuilt fails unless every path exists under out.
func assertBuilt(t *testing.T, out string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("%s was not built: the rest of the build must go on", p)
		}
	}
}

func TestBuildInvalidComposerJSON(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{"ModuleB/composer.json": `{"name": "acme/module-b", "version": "100.2.0",`,
		"ModuleA/composer.json": gittest.ComposerJSON("acme/module-a", "100.2.0", nil)})
	f.modules.CommitTag("1.2.0")
	out := t.TempDir()
	cfg := f.config(t, "https://r.example/", "mageos")
	s := buildExpectingFailure(t, cfg, out, exitFailed)
	want := "error: source modules tag 1.2.0 ModuleB/composer.json: invalid composer.json"
	if !strings.Contains(s, want) {
		t.Fatalf("report lacks %q:\n%s", want, s)
	}
	// the other package of the same tag is built, and so is everything else
	assertBuilt(t, out, "dist/acme/module-a-100.2.0.zip", "dist/acme/module-a-100.1.0.zip", "dist/acme/module-b-100.1.0.zip",
		"dist/acme/lib-2.1.0.zip", "packages.json")
	// the failed tag is tried again on the next run (and fails again: the exit status keeps saying so)
	if s := buildExpectingFailure(t, cfg, out, exitFailed); !strings.Contains(s, want) {
		t.Fatalf("second run did not retry the failed tag:\n%s", s)
	}
}

func TestBuildDirectoryWithoutComposerJSON(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{"Docs/README.md": "no package here"})
	f.modules.CommitTag("1.2.0")
	out := t.TempDir()
	buildExpectingFailure(t, f.config(t, "https://r.example/", "mageos"), out, exitOK)
	rep := readFile(t, filepath.Join(out, ".magerepo/last-build.json"))
	if !strings.Contains(rep, `"path": "Docs/composer.json"`) || !strings.Contains(rep, "no composer.json") {
		t.Fatalf("skip not reported precisely:\n%s", rep)
	}
	assertBuilt(t, out, "dist/acme/module-a-100.1.0.zip")
}

func TestBuildTagThatIsNoVersion(t *testing.T) {
	f := newFixture(t)
	f.modules.Git("tag", "latest-stable", "1.0.0")
	out := t.TempDir()
	buildExpectingFailure(t, f.config(t, "https://r.example/", "mageos"), out, exitOK)
	rep := readFile(t, filepath.Join(out, ".magerepo/last-build.json"))
	if !strings.Contains(rep, `"tag": "latest-stable"`) || !strings.Contains(rep, "not a release version") {
		t.Fatalf("non-version tag not reported:\n%s", rep)
	}
	assertBuilt(t, out, "dist/acme/module-a-100.1.0.zip")
}

// TestBuildUnreachableSource: an unreachable source is reported with its URL; once the repository exists, an
// update goes on with the other sources (a first build publishes nothing: TestFirstBuildWithUnreadableSource...).
func TestBuildUnreachableSource(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, "https://r.example/", "mageos")
	out := t.TempDir()
	buildExpectingFailure(t, cfg, out, exitOK)
	y := strings.Replace(readFile(t, cfg), "path: "+f.lib.Dir, "url: file:///nonexistent/lib.git", 1)
	os.WriteFile(cfg, []byte(y), 0o644)
	f.modules.Write(map[string]string{"ModuleA/composer.json": gittest.ComposerJSON("acme/module-a", "100.2.0", nil)})
	f.modules.CommitTag("1.2.0")
	s := buildExpectingFailure(t, cfg, out, exitFailed)
	if !strings.Contains(s, "error: source lib file:///nonexistent/lib.git: fetching file:///nonexistent/lib.git") {
		t.Fatalf("unreachable source not reported with its URL:\n%s", s)
	}
	assertBuilt(t, out, "dist/acme/module-a-100.2.0.zip", "dist/acme/lib-2.1.0.zip")
	if p2 := readFile(t, filepath.Join(out, "p2/acme/module-a.json")); !strings.Contains(p2, `"100.2.0"`) {
		t.Fatalf("the reachable source's new version was not published:\n%s", p2)
	}
}

func TestBuildMissingBlob(t *testing.T) {
	f := newFixture(t)
	// Delete the object of one file of ModuleB at 1.1.0 (unpacked objects, as gittest commits them).
	blob := f.modules.Git("rev-parse", "1.1.0:ModuleB/Model/B.php")
	obj := filepath.Join(f.modules.Dir, ".git", "objects", blob[:2], blob[2:])
	if err := os.Remove(obj); err != nil {
		t.Fatalf("removing object: %v", err)
	}
	out := t.TempDir()
	s := buildExpectingFailure(t, f.config(t, "https://r.example/", "mageos"), out, exitFailed)
	if !strings.Contains(s, "tag 1.1.0 ModuleB (acme/module-b 100.1.0)") || !strings.Contains(s, blob) {
		t.Fatalf("missing blob not reported with tag, path and object:\n%s", s)
	}
	assertBuilt(t, out, "dist/acme/module-a-100.1.0.zip", "dist/acme/lib-2.1.0.zip", "dist/acme/module-b-100.0.0.zip")
	if _, err := os.Stat(filepath.Join(out, "dist/acme/module-b-100.1.0.zip")); err == nil {
		t.Fatal("a half-built archive is visible")
	}
}

// TestBuildInvalidConstraintLeftOut: a version whose composer.json has an unparsable constraint is reported
// with package, version and field, and left out of the metadata (it would break every Composer client).
func TestBuildInvalidConstraintLeftOut(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{"ModuleB/composer.json": gittest.ComposerJSON("acme/module-b", "100.2.0",
		map[string]string{"acme/module-a": "^100.0 || >= foo"})})
	f.modules.CommitTag("1.2.0")
	out := t.TempDir()
	s := buildExpectingFailure(t, f.config(t, "https://r.example/", "mageos"), out, exitFailed)
	if !strings.Contains(s, "(acme/module-b 100.2.0)") || !strings.Contains(s, "require acme/module-a: invalid constraint") {
		t.Fatalf("invalid constraint not reported with package, version and field:\n%s", s)
	}
	if p2 := readFile(t, filepath.Join(out, "p2/acme/module-b.json")); strings.Contains(p2, "100.2.0") {
		t.Fatal("the invalid version was published")
	}
	assertBuilt(t, out, "dist/acme/module-b-100.1.0.zip")
}

func TestBuildStrictStopsAtFirstFailure(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{"ModuleB/composer.json": `{broken`})
	f.modules.CommitTag("1.2.0")
	g, _ := testGlobals(t)
	err := runBuild(t.Context(), &buildOptions{Config: f.config(t, "https://r.example/", "mageos"), Out: t.TempDir(), Cache: t.TempDir(), Jobs: 2, Strict: true}, g)
	if exitCode(t.Context(), err) != exitFailed || !strings.Contains(err.Error(), "--strict") {
		t.Fatalf("strict run: %v", err)
	}
}

func TestBuildBadConfigIsUsageError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(p, []byte("sources:\n  - name: x\n    colour: red\n"), 0o644)
	g, _ := testGlobals(t)
	err := runBuild(t.Context(), &buildOptions{Config: p, Out: t.TempDir()}, g)
	if exitCode(t.Context(), err) != exitUsage || !strings.Contains(err.Error(), "bad.yaml: line 3") {
		t.Fatalf("bad config: %v", err)
	}
}

// TestBuildCrashSafety kills a real build process with SIGKILL at a random point, reruns it, and expects the
// same output as an uninterrupted build.
func TestBuildCrashSafety(t *testing.T) {
	f := newFixture(t)
	// more tags and larger files widen the window in which the kill lands mid-build
	for i := 2; i <= 9; i++ {
		v := fmt.Sprintf("100.1.%d", i)
		f.modules.Write(map[string]string{
			"ModuleA/composer.json": gittest.ComposerJSON("acme/module-a", v, map[string]string{"acme/lib": "^2.0"}),
			"ModuleA/data.txt":      strings.Repeat("line of text "+v+"\n", 40000),
		})
		f.modules.CommitTag(fmt.Sprintf("1.1.%d", i))
	}
	cfg := f.config(t, "https://r.example/", "deflate")
	ref := t.TempDir()
	start := time.Now()
	buildExpectingFailure(t, cfg, ref, exitOK)
	full := time.Since(start)
	want := treeHashes(t, ref)

	out := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	exe, _ := os.Executable()
	for attempt := 0; attempt < 3; attempt++ {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "MAGEREPO_TEST_MAIN=1",
			"MAGEREPO_TEST_ARGS=build --quiet --config "+cfg+" --out "+out+" --cache "+t.TempDir()+" --jobs 2")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		t.Logf("attempt %d killed; %d files present", attempt, len(treeHashes(t, out)))
	}
	buildExpectingFailure(t, cfg, out, exitOK)
	got := treeHashes(t, out)
	for p, h := range want {
		if got[p] != h {
			t.Errorf("%s differs after an interrupted build", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s left behind by an interrupted build", p)
		}
	}
}

// TestBuildBrokenTag: a tag whose commit object is missing fails only that tag; every other tag is built.
func TestBuildBrokenTag(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{"ModuleA/composer.json": gittest.ComposerJSON("acme/module-a", "100.9.0", nil)})
	commit := f.modules.CommitTag("1.9.0")
	if err := os.Remove(filepath.Join(f.modules.Dir, ".git", "objects", commit[:2], commit[2:])); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	s := buildExpectingFailure(t, f.config(t, "https://r.example/", "mageos"), out, exitFailed)
	if !strings.Contains(s, "error: source modules tag 1.9.0: unreadable tag") {
		t.Fatalf("broken tag not reported:\n%s", s)
	}
	assertBuilt(t, out, "dist/acme/module-a-100.1.0.zip", "dist/acme/module-b-100.1.0.zip", "dist/acme/suite-1.1.0.zip", "dist/acme/lib-2.1.0.zip")
}

// TestBuildUnpublishableVersionPublishesAfterFix: a version Composer could not load is reported, neither
// written nor recorded, and its tag stays unprocessed, so it publishes on the first run after upstream fixes it
// (here by moving the tag).
func TestBuildUnpublishableVersionPublishesAfterFix(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{"ModuleB/composer.json": `{"name": "acme/module-b", "version": "100.2.0", "require": ["foo/bar"]}`})
	f.modules.CommitTag("1.2.0")
	out := t.TempDir()
	cfg := f.config(t, "https://r.example/", "mageos")
	want := "error: source modules tag 1.2.0 ModuleB/composer.json (acme/module-b 100.2.0): cannot be published: require 0: the package name is a number"
	for run := 1; run <= 2; run++ { // reported on every run
		if s := buildExpectingFailure(t, cfg, out, exitFailed); !strings.Contains(s, want) {
			t.Fatalf("run %d: report lacks %q:\n%s", run, want, s)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "dist/acme/module-b-100.2.0.zip")); err == nil {
		t.Fatal("the unpublishable version's archive was written")
	}
	if m := readFile(t, filepath.Join(out, ".magerepo/manifest/acme/module-b.json")); strings.Contains(m, "100.2.0") {
		t.Fatalf("the unpublishable version was recorded in the manifest:\n%s", m)
	}
	f.modules.Write(map[string]string{"ModuleB/composer.json": gittest.ComposerJSON("acme/module-b", "100.2.0", map[string]string{"foo/bar": "*"})})
	f.modules.Commit("fix require")
	f.modules.Git("tag", "-f", "1.2.0")
	buildExpectingFailure(t, cfg, out, 0)
	if p2 := readFile(t, filepath.Join(out, "p2/acme/module-b.json")); !strings.Contains(p2, `"version":"100.2.0"`) {
		t.Fatalf("the fixed version was not published:\n%s", p2)
	}
}

// TestBuildSharedDistPathRefused: two packages whose archives would have one path in one run: the first in
// build order is built, the second refused and reported, on every run, with the same result.
func TestBuildSharedDistPathRefused(t *testing.T) {
	f := newFixture(t)
	f.modules.Write(map[string]string{
		"ModuleC/composer.json": gittest.ComposerJSON("acme/c", "dev-foo-1.0.0", nil),
		"ModuleD/composer.json": gittest.ComposerJSON("acme/c-dev-foo", "1.0.0", nil),
	})
	f.modules.CommitTag("1.2.0")
	out := t.TempDir()
	cfg := f.config(t, "https://r.example/", "mageos")
	var first []byte
	for run, by := range []string{"acme/c dev-foo-1.0.0", "a published archive"} {
		run++
		want := "(acme/c-dev-foo 1.0.0): dist path dist/acme/c-dev-foo-1.0.0.zip is already taken by " + by + "; not built"
		if s := buildExpectingFailure(t, cfg, out, exitFailed); !strings.Contains(s, want) {
			t.Fatalf("run %d: report lacks %q:\n%s", run, want, s)
		}
		zip, err := os.ReadFile(filepath.Join(out, "dist/acme/c-dev-foo-1.0.0.zip"))
		if err != nil {
			t.Fatal(err)
		}
		if run == 1 {
			first = zip
		} else if string(zip) != string(first) {
			t.Fatal("the shared path's archive changed between runs")
		}
	}
	if _, err := os.Stat(filepath.Join(out, "p2/acme/c-dev-foo.json")); err == nil {
		t.Fatal("the refused package was published")
	}
	if p2 := readFile(t, filepath.Join(out, "p2/acme/c~dev.json")); !strings.Contains(p2, "dev-foo-1.0.0") {
		t.Fatalf("the first package was not published:\n%s", p2)
	}
}
