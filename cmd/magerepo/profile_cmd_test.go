package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
)

// embeddedProfileFiles returns the names of internal/config/profiles/*.yaml, read from the source tree rather
// than through the registry, and their bytes.
func embeddedProfileFiles(t *testing.T) ([]string, map[string][]byte) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "internal", "config", "profiles", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no internal/config/profiles/*.yaml")
	}
	var names []string
	raw := map[string][]byte{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		raw[name] = b
	}
	return names, raw
}

// TestProfileList: `profile list` shows every profile file of the source tree, one line each, with the default
// marked and the file's first comment line; --json says the same.
func TestProfileList(t *testing.T) {
	names, raw := embeddedProfileFiles(t)
	stdout, stderr, code := runCLI(t, "profile", "list")
	if code != exitOK {
		t.Fatalf("profile list: exit %d\n%s", code, stderr)
	}
	lines := nonEmptyLines(stdout)
	if len(lines) != len(names)+1 || strings.Fields(lines[0])[0] != "NAME" {
		t.Fatalf("profile list: %d lines for %d profiles:\n%s", len(lines), len(names), stdout)
	}
	for i, name := range names {
		f := strings.Fields(lines[i+1])
		first := strings.SplitN(string(raw[name]), "\n", 2)[0]
		desc := strings.TrimPrefix(first, "# ")
		if f[0] != name || !strings.HasSuffix(lines[i+1], desc) {
			t.Errorf("line %d %q: want %s and its description %q", i+1, lines[i+1], name, desc)
		}
		if marked := f[1] == "*"; marked != (name == config.DefaultProfile) {
			t.Errorf("line %q: default mark %v, want it on %s only", lines[i+1], marked, config.DefaultProfile)
		}
	}

	stdout, _, code = runCLI(t, "profile", "list", "--json")
	var doc struct {
		Profiles []config.ProfileInfo `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != exitOK {
		t.Fatalf("profile list --json: exit %d, %v\n%s", code, err, stdout)
	}
	var got []string
	for _, p := range doc.Profiles {
		got = append(got, p.Name)
		if p.Default != (p.Name == config.DefaultProfile) || p.Description == "" {
			t.Errorf("--json: %+v", p)
		}
	}
	if !slices.Equal(got, names) {
		t.Fatalf("--json lists %v, the source tree holds %v", got, names)
	}
}

// TestProfileShowName: `profile show NAME` prints that file's profile: every line of the file except its data:
// paths, in order, and a profile that `config check` finds valid wherever it is saved; without NAME it prints
// the default profile.
func TestProfileShowName(t *testing.T) {
	names, raw := embeddedProfileFiles(t)
	dir := t.TempDir()
	for _, name := range names {
		stdout, stderr, code := runCLI(t, "profile", "show", name)
		if code != exitOK {
			t.Fatalf("profile show %s: exit %d\n%s", name, code, stderr)
		}
		rest := stdout
		for _, l := range strings.SplitAfter(string(raw[name]), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "data: ") {
				continue
			}
			i := strings.Index(rest, l)
			if i < 0 {
				t.Fatalf("profile show %s lacks the file's line %q (or has it out of order)", name, l)
			}
			rest = rest[i+len(l):]
		}
		p := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(p, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, stderr, code := runCLI(t, "config", "check", p); code != exitOK {
			t.Fatalf("config check of profile show %s: exit %d\n%s%s", name, code, out, stderr)
		}
		if out, stderr, code := runCLI(t, "config", "check", "--profile", name); code != exitOK ||
			!strings.Contains(out, "embedded profile "+name+".yaml: valid") {
			t.Fatalf("config check --profile %s: exit %d\n%s%s", name, code, out, stderr)
		}
	}
	def, _, _ := runCLI(t, "profile", "show")
	named, _, _ := runCLI(t, "profile", "show", config.DefaultProfile)
	if def != named || def == "" {
		t.Fatal("profile show without NAME is not the default profile")
	}
}

// TestProfileOptionErrors: an unknown --profile name (or profile show NAME) exits 2 with every embedded name in
// the message, before anything is built or served; --profile with --config exits 2 on every command that has
// both.
func TestProfileOptionErrors(t *testing.T) {
	names, _ := embeddedProfileFiles(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "p.yaml")
	os.WriteFile(cfg, []byte("base-url: https://r.example/\nsources:\n  - name: a\n    url: https://example.com/a.git\n    packages: [{dir: \"\"}]\n"), 0o644)
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"build", "--profile", "frobnicate", "--out", out},
		{"profile", "show", "frobnicate"},
		{"config", "check", "--profile", "frobnicate"},
		{"serve", "--listen", "127.0.0.1:0", "--update-every", "1h", "--profile", "frobnicate", out},
	} {
		_, stderr, code := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(stderr, `unknown profile "frobnicate"`) {
			t.Errorf("magerepo %s: exit %d, want 2 naming the profile\n%s", strings.Join(args, " "), code, stderr)
		}
		for _, n := range names {
			if !strings.Contains(stderr, n) {
				t.Errorf("magerepo %s: the error does not list %s:\n%s", strings.Join(args, " "), n, stderr)
			}
		}
	}
	for _, args := range [][]string{
		{"build", "--profile", config.DefaultProfile, "--config", cfg, "--out", out},
		{"serve", "--listen", "127.0.0.1:0", "--update-every", "1h", "--profile", config.DefaultProfile, "--config", cfg, out},
		{"config", "check", "--profile", config.DefaultProfile, cfg},
		{"serve", "--profile", config.DefaultProfile, out}, // a profile is for updates
		{"profile", "show", "a", "b"},
	} {
		if _, stderr, code := runCLI(t, args...); code != exitUsage {
			t.Errorf("magerepo %s: exit %d, want 2\n%s", strings.Join(args, " "), code, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused command wrote its output directory")
	}
}

// TestBuildProfileMirrorIsDefault: `build --profile mageos-mirror` builds what `build` without a profile does,
// byte for byte (from the same miniature sources), and both refuse the profile's own base-url.
func TestBuildProfileMirrorIsDefault(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	sources := miniMirrorSources(t, def.FileReplacements[0])
	dir := t.TempDir()
	trees := map[string]map[string]string{}
	for _, variant := range []string{"default", "profile"} {
		out := filepath.Join(dir, variant)
		args := []string{"build", "--sources-dir", sources, "--out", out, "--cache", t.TempDir(), "-q", "-j", "1"}
		if variant == "profile" {
			args = append(args, "--profile", config.DefaultProfile)
		}
		if _, stderr, code := runCLI(t, args...); code != exitUsage || !strings.Contains(stderr, "base-url") {
			t.Fatalf("%s build without --base-url: exit %d, want 2 (the embedded profile's URL is never used)\n%s", variant, code, stderr)
		}
		args = append(args, "--base-url", "https://mirror.example.com/")
		if stdout, stderr, code := runCLI(t, args...); code != exitOK {
			t.Fatalf("%s build: exit %d\n%s%s", variant, code, stdout, stderr)
		}
		trees[variant] = treeHashes(t, out)
	}
	a, b := trees["default"], trees["profile"]
	if len(a) == 0 {
		t.Fatal("the build wrote nothing")
	}
	if _, ok := a[def.DistDir+"/"+def.FileReplacements[0].Package+"-"+def.FileReplacements[0].Version+".zip"]; !ok {
		t.Fatalf("the build did not write the replaced package's zip: %v", slices.Sorted(maps.Keys(a)))
	}
	for p, s := range a {
		if t2, ok := b[p]; !ok || t2 != s {
			t.Errorf("%s differs between build and build --profile %s", p, config.DefaultProfile)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			t.Errorf("build --profile %s wrote %s, build did not", config.DefaultProfile, p)
		}
	}
}

// TestProfilesDocumented: docs/profiles.md has a section for every embedded profile and shows the output of
// `profile list` (-update rewrites it), so a profile file cannot land undocumented.
func TestProfilesDocumented(t *testing.T) {
	names, _ := embeddedProfileFiles(t)
	page, err := os.ReadFile(filepath.Join("..", "..", "docs", "profiles.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.Contains(string(page), "\n## `"+name+"`") {
			t.Errorf("docs/profiles.md has no section \"## `%s`\" saying what the profile builds", name)
		}
	}
	stdout, stderr, code := runCLI(t, "profile", "list")
	if code != exitOK {
		t.Fatalf("profile list: exit %d\n%s", code, stderr)
	}
	docBlock(t, "docs/profiles.md", "profile list", fence("console", "$ magerepo profile list\n"+stdout))
}
