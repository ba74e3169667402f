package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/build"
	"github.com/mage-os/magerepo/internal/jsonreport"
)

// TestEachMessageOnce: the rule of docs/cli.md. A summary on stdout, logs on stderr, each problem once and on one
// channel; -q leaves only errors on stderr; no message repeats its own prefix ("some items failed: build: some
// items failed").
func TestEachMessageOnce(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(t, "https://repo.example.com/", "mageos")
	out, cache := t.TempDir(), t.TempDir()
	if _, stderr, code := runCLI(t, "build", "--config", cfg, "--out", out, "--cache", cache); code != exitOK {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	// One tag with an error (invalid composer.json) and an upstream conflict (published content changed).
	f.modules.Write(map[string]string{"ModuleB/composer.json": `{"name": "acme/module-b", "version": "100.2.0",`,
		"ModuleA/extra.txt": "changed content, same version"})
	f.modules.CommitTag("1.2.0")
	const errMsg, conflictMsg = "invalid composer.json", "yields different content than the published archive"

	for _, quiet := range []bool{false, true} {
		args := []string{"build", "--config", cfg, "--out", out, "--cache", cache}
		if quiet {
			args = append(args, "-q")
		}
		stdout, stderr, code := runCLI(t, args...)
		if code != exitFailed {
			t.Fatalf("-q=%v: exit %d, want %d\n%s%s", quiet, code, exitFailed, stdout, stderr)
		}
		if lines := nonEmptyLines(stdout); len(lines) != 1 || !strings.HasPrefix(lines[0], "built ") {
			t.Errorf("-q=%v: stdout is not the summary line alone:\n%s", quiet, stdout)
		}
		if n := strings.Count(stdout+stderr, errMsg); n != 1 {
			t.Errorf("-q=%v: the error appears %d times, want once:\n%s%s", quiet, n, stdout, stderr)
		}
		wantConflicts := 1
		if quiet {
			wantConflicts = 0 // a conflict is a warning: the summary counts it
		}
		if n := strings.Count(stdout+stderr, conflictMsg); n != wantConflicts {
			t.Errorf("-q=%v: the conflict appears %d times, want %d:\n%s%s", quiet, n, wantConflicts, stdout, stderr)
		}
		if quiet {
			for _, l := range nonEmptyLines(stderr) {
				if !strings.Contains(l, "level=ERROR") && !strings.HasPrefix(l, "magerepo: ") {
					t.Errorf("-q: a line that is no error on stderr: %s", l)
				}
			}
		}
		assertNoRepeatedPrefix(t, stdout+stderr)
	}

	// verify: its findings are its result, on stdout, once; stderr has the exit message only.
	bad := t.TempDir() + "/corrupt"
	corruptCopy(t, out, bad)
	stdout, stderr, code := runCLI(t, "verify", "-q", bad)
	if code != exitFailed || strings.Count(stdout+stderr, "dist sha-1 is") != 1 || strings.Contains(stderr, "dist sha-1") {
		t.Errorf("verify: exit %d; the problem must be on stdout once:\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if lines := nonEmptyLines(stderr); len(lines) != 1 || lines[0] != "magerepo: verify: 1 problem found" {
		t.Errorf("verify: stderr %q", stderr)
	}
	assertNoRepeatedPrefix(t, stdout+stderr)

	// sync: a dist whose checksum differs upstream fails once, on stderr, also with -q; stdout is the summary.
	ln, upstream := listen(t)
	served, corrupted := t.TempDir(), t.TempDir()+"/corrupt"
	if _, stderr, code := runCLI(t, "build", "--config", f.config(t, upstream, "mageos"), "--out", served, "--cache", cache, "-q"); code != exitFailed {
		t.Fatalf("build for the upstream: exit %d\n%s", code, stderr) // the invalid composer.json of tag 1.2.0
	}
	corruptCopy(t, served, corrupted)
	serveDir(t, ln, corrupted)
	for _, quiet := range []bool{false, true} {
		args := []string{"sync", "--base-url", "https://copy.example.com/", upstream, t.TempDir()}
		if quiet {
			args = append(args, "-q")
		}
		stdout, stderr, code := runCLI(t, args...)
		if code != exitFailed || strings.Count(stdout+stderr, "checksum") != 1 || !strings.Contains(stderr, "checksum") {
			t.Errorf("sync -q=%v: exit %d; the failure must be on stderr once:\nstdout:\n%s\nstderr:\n%s", quiet, code, stdout, stderr)
		}
		if lines := nonEmptyLines(stdout); len(lines) != 4 || !strings.HasPrefix(lines[0], "synced ") {
			t.Errorf("sync -q=%v: stdout is not the summary:\n%s", quiet, stdout)
		}
		assertNoRepeatedPrefix(t, stdout+stderr)
	}

	// A second repository that cannot be read is named once, with one "verify:".
	_, stderr, code = runCLI(t, "verify", "--against", t.TempDir(), out)
	if code != exitUsage || strings.Count(stderr, "verify:") != 1 {
		t.Errorf("verify --against an empty directory: exit %d, stderr %q", code, stderr)
	}
}

// assertNoRepeatedPrefix fails when a line says the same "word:" prefix twice ("prebuilt: prebuilt:", "verify: …:
// verify:", "some items failed: … some items failed").
func assertNoRepeatedPrefix(t *testing.T, s string) {
	t.Helper()
	for _, l := range nonEmptyLines(s) {
		for _, p := range []string{"prebuilt: ", "verify: ", "build: ", "sync: ", "some items failed"} {
			if strings.Count(l, p) > 1 {
				t.Errorf("%q repeated in %q", p, l)
			}
		}
	}
}

// TestInterruptedSummaryLine: after Ctrl-C the summary says what is on disk and that nothing was published,
// not a finished run's "built 0 … 141 new tags".
func TestInterruptedSummaryLine(t *testing.T) {
	var b strings.Builder
	printSummary(&b, &build.Summary{Built: 874, Skipped: 23, NewTags: 141, Interrupted: true, Duration: jsonreport.Seconds(8 * time.Second)}, false)
	want := "interrupted after 8s: built 874, reused 0, prebuilt 0, skipped 23, conflicts 0, failed 0; nothing published: " +
		"the next run publishes the 874 archives written and reads the 141 new tags again\n"
	if b.String() != want {
		t.Fatalf("got  %q\nwant %q", b.String(), want)
	}
}
