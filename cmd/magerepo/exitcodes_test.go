package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exitCase is one documented exit status: the command line as docs/cli.md shows it, with placeholders the test
// fills with real files.
type exitCase struct {
	args    string // after "magerepo"; {profile} {broken} {unreachable} {out} {corrupt} {empty} are filled in
	code    int
	meaning string
	cancel  bool // run with an interrupted context (SIGINT/SIGTERM)
}

// exitCases is the exit-status table of docs/cli.md: every row runs against the real command tree.
var exitCases = []exitCase{
	{args: "version", code: exitOK, meaning: "prints the version"},
	{args: "--version", code: exitOK, meaning: "the same line"},
	{args: "config check {profile}", code: exitOK, meaning: "a valid profile"},
	{args: "build --config {profile} --out {out}", code: exitOK, meaning: "a build with no failure"},
	{args: "verify {out}", code: exitOK, meaning: "a repository without problems"},
	{args: "build --config {unreachable} --out {empty}", code: exitFailed, meaning: "a source cannot be read (a first build then publishes nothing)"},
	{args: "verify {corrupt}", code: exitFailed, meaning: "a dist whose SHA-1 differs from the metadata"},
	{args: "frobnicate", code: exitUsage, meaning: "unknown command"},
	{args: "config frobnicate", code: exitUsage, meaning: "unknown subcommand"},
	{args: "build extra-arg", code: exitUsage, meaning: "an argument the command does not take"},
	{args: "verify", code: exitUsage, meaning: "a missing argument"},
	{args: "build --frobnicate", code: exitUsage, meaning: "unknown flag"},
	{args: "build --jobs 0", code: exitUsage, meaning: "--jobs/-j must be at least 1, on every command that has it"},
	{args: "build -j -3", code: exitUsage, meaning: ""},
	{args: "sync --jobs 0 https://repo.example.com/ {empty}", code: exitUsage, meaning: ""},
	{args: "verify -j 0 {out}", code: exitUsage, meaning: ""},
	{args: "-q -v version", code: exitUsage, meaning: "--quiet with --verbose"},
	{args: "config check {broken}", code: exitUsage, meaning: "a profile with problems (each listed on stdout)"},
	{args: "build --config {broken} --out {empty}", code: exitUsage, meaning: "the same profile given to build"},
	{args: "build --profile frobnicate --out {empty}", code: exitUsage, meaning: "an unknown embedded profile (the message lists them: magerepo profile list), on every command that takes --profile"},
	{args: "profile show frobnicate", code: exitUsage, meaning: ""},
	{args: "build --profile mageos-mirror --config {profile} --out {empty}", code: exitUsage, meaning: "--profile with --config"},
	{args: "verify {empty}", code: exitUsage, meaning: "no packages.json: not a repository"},
	{args: "serve --tls-cert missing.pem --tls-key missing.key {out}", code: exitUsage, meaning: "an unreadable certificate, before anything is announced"},
	{args: "build --config {profile} --out {out}", code: exitCanceled, cancel: true, meaning: "interrupted (SIGINT/SIGTERM)"},
}

// docNames are how the table in docs/cli.md shows the placeholders.
var docNames = map[string]string{"{profile}": "profile.yaml", "{broken}": "broken.yaml", "{unreachable}": "unreachable.yaml",
	"{out}": "public", "{corrupt}": "corrupt", "{empty}": "empty"}

// TestExitCodes runs every row of the documented table through the command tree main runs, and checks that the
// table in docs/cli.md is this one.
func TestExitCodes(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	files := map[string]string{
		"{profile}":     f.config(t, "https://repo.example.com/", "mageos"),
		"{broken}":      filepath.Join(dir, "broken.yaml"),
		"{unreachable}": filepath.Join(dir, "unreachable.yaml"),
		"{out}":         filepath.Join(dir, "public"),
		"{corrupt}":     filepath.Join(dir, "corrupt"),
		"{empty}":       filepath.Join(dir, "empty"),
	}
	os.WriteFile(files["{broken}"], []byte("sources:\n  - name: a\n    urll: https://example.com/a.git\n"), 0o644)
	os.WriteFile(files["{unreachable}"], []byte("base-url: https://repo.example.com/\nsources:\n  - name: gone\n    url: file://"+
		filepath.Join(dir, "no-such-repository")+"\n    packages: [{dir: \"\"}]\n"), 0o644)
	os.Mkdir(files["{empty}"], 0o755)
	cache := t.TempDir()

	var table strings.Builder
	table.WriteString("| command | status | meaning |\n|---|---|---|\n")
	for i, tc := range exitCases {
		args := strings.Fields(tc.args)
		for j, a := range args {
			if p, ok := files[a]; ok {
				args[j] = p
			}
		}
		if args[0] == "build" && len(args) > 1 {
			args = append(args, "--cache", cache)
		}
		if tc.args == "verify {corrupt}" {
			corruptCopy(t, files["{out}"], files["{corrupt}"])
		}
		ctx := t.Context()
		if tc.cancel {
			c, cancel := context.WithCancel(ctx)
			cancel()
			ctx = c
		}
		var stdout, stderr bytes.Buffer
		g := &globalOptions{stdout: &stdout, stderr: &stderr}
		root := newRootCommand(g)
		root.SetArgs(args)
		err := root.ExecuteContext(ctx)
		if got := exitCode(ctx, err); got != tc.code {
			t.Errorf("row %d: magerepo %s: exit %d (%v), want %d\nstdout:\n%s\nstderr:\n%s", i, tc.args, got, err, tc.code, stdout.String(), stderr.String())
		}
		shown := tc.args
		for p, name := range docNames {
			shown = strings.ReplaceAll(shown, p, name)
		}
		fmt.Fprintf(&table, "| `magerepo %s` | %d | %s |\n", shown, tc.code, tc.meaning)
	}
	docBlock(t, "docs/cli.md", "exit status", table.String())
}

// corruptCopy copies the repository in src to dst and changes one byte of one dist.
func corruptCopy(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	zips, _ := filepath.Glob(filepath.Join(dst, "dist", "acme", "*.zip"))
	if len(zips) == 0 {
		t.Fatal("no dist to corrupt")
	}
	b, err := os.ReadFile(zips[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(zips[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runCLI runs one command line as main does and returns stdout, stderr and the exit status.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// nonEmptyLines returns the lines of s that are not empty.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
