package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

// The security advisories a mirror serves, proven with the real Composer clients: acme/vuln 1.0.0 has a known
// advisory (fixed in 1.0.1), the advisory database is a git repository in the layout of
// FriendsOfPHP/security-advisories, the repository is built and served by the real binary on 127.0.0.1, and
// packagist.org is disabled, so every advisory the clients know comes from the mirror.

const e2eAdvisory = `title:     Remote code execution in acme/vuln widgets
link:      https://example.invalid/advisories/CVE-2099-0001
cve:       CVE-2099-0001
branches:
    "1.0.x":
        time:     2099-01-02 03:04:05
        versions: ['>=1.0.0', '<1.0.1']
reference: composer://acme/vuln
`

// TestAdvisoriesComposer: composer audit (Composer from PATH, 2.5.5 on Debian bookworm, and the newest one,
// MAGEREPO_COMPOSER_NEW) reports the advisory of an installed acme/vuln 1.0.0; the newest Composer, whose
// audit.block-insecure is on by default, refuses to install acme/vuln:1.0.0 and installs acme/vuln:^1.0 as
// 1.0.1, even with --prefer-lowest. `magerepo verify` lists the affected version as an advisory, not a problem.
func TestAdvisoriesComposer(t *testing.T) {
	requireTool(t, "git")
	requireTool(t, "php")
	requireTool(t, "unzip")
	bin := buildMagerepoBinary(t)

	vuln := gittest.New(t)
	for _, v := range []string{"1.0.0", "1.0.1"} {
		vuln.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/vuln", v, nil), "src/Widget.php": "<?php // widget " + v + "\n"})
		vuln.CommitTag(v)
	}
	db := gittest.New(t)
	db.Git("branch", "-m", "master")
	db.Write(map[string]string{
		"acme/vuln/CVE-2099-0001.yaml": e2eAdvisory,
		"other/pkg/CVE-2099-0002.yaml": strings.ReplaceAll(e2eAdvisory, "acme/vuln", "other/pkg"),
		"README.md":                    "PHP Security Advisories Database (test copy)\n",
	})
	db.Commit("advisories")

	addr := freeLoopbackAddr(t)
	base := "http://" + addr + "/"
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	y := "name: Advisories end to end\nsources:\n  - name: vuln\n    path: " + vuln.Dir + "\n    packages:\n      - dir: \"\"\n" +
		"advisories:\n  path: " + db.Dir + "\n  branch: master\n"
	if err := os.WriteFile(profile, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("profile %s:\n%s", profile, y)
	out, cache := filepath.Join(t.TempDir(), "mirror"), t.TempDir()
	magerepo := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		b, err := cmd.CombinedOutput()
		t.Logf("$ magerepo %s\n%s(exit %d)", strings.Join(args, " "), b, cmd.ProcessState.ExitCode())
		if err != nil {
			t.Fatalf("magerepo %s: %v", args[0], err)
		}
		return string(b)
	}
	magerepo("build", "--config", profile, "--out", out, "--base-url", base, "--cache", cache)
	before := treeHashes(t, out)
	magerepo("build", "--config", profile, "--out", out, "--cache", cache)
	if after := treeHashes(t, out); len(after) != len(before) {
		t.Errorf("a second build changed the files")
	} else {
		for p, h := range before {
			if after[p] != h {
				t.Errorf("a second build rewrote %s", p)
			}
		}
	}
	t.Logf("p2/acme/vuln.json: %s", readFile(t, filepath.Join(out, "p2", "acme", "vuln.json")))
	t.Logf("packages.json: %s", readFile(t, filepath.Join(out, "packages.json")))
	ver := magerepo("verify", out)
	if !strings.Contains(ver, "advisory: acme/vuln MRSA-") || !strings.Contains(ver, "(CVE-2099-0001) affects 1.0.0:") ||
		!strings.Contains(ver, "0 problems; security advisories: 1 advisory for 1 package, 1 served version affected") {
		t.Errorf("verify does not report the affected version as an advisory:\n%s", ver)
	}
	startServe(t, bin, out, addr)

	forEachComposer(t, func(t *testing.T, composerBin string, newest bool) {
		cl := newAdvisoryClient(t, composerBin, base)

		// A project with the affected version installed: composer audit reports the advisory.
		pinned := cl.project(t, "pinned")
		args := []string{"require", "acme/vuln:1.0.0"}
		if newest {
			// Refused by default: the version is affected by a security advisory.
			o, err := cl.run(t, pinned, args...)
			if err == nil || installedVersion(t, pinned, "acme/vuln") != "" {
				t.Fatalf("composer %s installed an affected version:\n%s", strings.Join(args, " "), o)
			}
			if !strings.Contains(o, "security advisories") {
				t.Errorf("the refusal does not name the security advisories:\n%s", o)
			}
			args = append(args, "--no-blocking")
		}
		o, err := cl.run(t, pinned, args...)
		if got := installedVersion(t, pinned, "acme/vuln"); got != "1.0.0" {
			t.Fatalf("composer %s: installed %q (%v):\n%s", strings.Join(args, " "), got, err, o)
		}
		o, err = cl.run(t, pinned, "audit")
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Errorf("composer audit exited %v with an affected version installed", err)
		}
		for _, want := range []string{"acme/vuln", "CVE-2099-0001", "Remote code execution in acme/vuln widgets", ">=1.0.0,<1.0.1", "MRSA-"} {
			if !strings.Contains(o, want) && !(want == "MRSA-" && !newest) { // Composer 2.5 does not print the advisory id
				t.Errorf("composer audit does not show %q:\n%s", want, o)
			}
		}

		// A range: the newest Composer installs the fixed version, also when asked for the lowest.
		for _, extra := range [][]string{nil, {"--prefer-lowest"}} {
			p := cl.project(t, "range"+strings.Join(extra, ""))
			args := append([]string{"require", "acme/vuln:^1.0"}, extra...)
			o, err := cl.run(t, p, args...)
			got := installedVersion(t, p, "acme/vuln")
			want := "1.0.1"
			if !newest && extra != nil {
				want = "1.0.0" // Composer 2.5 does not block: --prefer-lowest takes the affected version
			}
			if got != want {
				t.Errorf("composer %s installed %q, want %s (%v):\n%s", strings.Join(args, " "), got, want, err, o)
			}
		}
	})
}

// advisoryClient runs one Composer client with a private COMPOSER_HOME whose config disables packagist.org
// and allows plain http.
type advisoryClient struct {
	bin, home, base string
}

func newAdvisoryClient(t *testing.T, bin, base string) *advisoryClient {
	t.Helper()
	home := t.TempDir()
	cfg := `{"config": {"secure-http": false}, "repositories": {"packagist.org": false}}`
	if err := os.WriteFile(filepath.Join(home, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &advisoryClient{bin: bin, home: home, base: base}
	v, _ := c.run(t, home, "--version")
	t.Logf("client %s: %s; COMPOSER_HOME/config.json: %s", bin, strings.SplitN(strings.TrimSpace(v), "\n", 2)[0], cfg)
	return c
}

// project makes an empty project that uses the mirror.
func (c *advisoryClient) project(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cj := `{"name": "test/` + strings.ToLower(strings.ReplaceAll(name, "-", "")) + `", "repositories": [{"type": "composer", "url": "` + c.base + `"}]}`
	if err := os.WriteFile(filepath.Join(dir, "composer.json"), []byte(cj), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s/composer.json: %s", name, cj)
	return dir
}

// run runs the client in dir and logs the command line and what it printed.
func (c *advisoryClient) run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(c.bin, append(args, "--no-interaction", "--no-ansi")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COMPOSER_HOME="+c.home, "COMPOSER_CACHE_DIR="+filepath.Join(c.home, "cache"),
		"COMPOSER_ALLOW_SUPERUSER=1", "COMPOSER_ROOT_VERSION=1.0.0")
	b, err := cmd.CombinedOutput()
	t.Logf("[%s] $ composer %s\n%s(exit %d)", filepath.Base(dir), strings.Join(cmd.Args[1:], " "), b, cmd.ProcessState.ExitCode())
	return string(b), err
}

// installedVersion returns the version of name in dir's vendor/composer/installed.json, or "".
func installedVersion(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "vendor", "composer", "installed.json"))
	if err != nil {
		return ""
	}
	var inst struct {
		Packages []struct{ Name, Version string } `json:"packages"`
	}
	if err := json.Unmarshal(b, &inst); err != nil {
		t.Fatal(err)
	}
	for _, p := range inst.Packages {
		if p.Name == name {
			return p.Version
		}
	}
	return ""
}
