package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// nightlyMiniProfile turns the miniature Magento's mirror profile into an upstream nightly: every source built
// from its main branch, whose magento2 head is one commit past 2.4.7 (2024-01-03, the newest head).
func nightlyMiniProfile(t *testing.T, m *miniMagento, base string) string {
	t.Helper()
	m.magento2.WriteFile("app/code/Magento/Catalog/Model/P.php", "<?php class P {} // develop\n", false)
	m.magento2.Commit("develop")
	p := m.profile(t, base)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(b), "    from: \"2.4.6\"\n", "", 1)
	y = regexp.MustCompile(`(?m)^(    path: .*)$`).ReplaceAllString(y, "$1\n    branch: main")
	y += "nightly: {keep: 3}\n"
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const nightlyProject = "2.4.7.1-a20240103"

// TestNightlyMagentoCreateProject builds an upstream nightly of the miniature Magento, verifies it and lets
// each Composer client create the nightly project from it, served on 127.0.0.1: the installed modules are the
// branch head's files, the project's minimum-stability is alpha and every link inside the set is pinned.
func TestNightlyMagentoCreateProject(t *testing.T) {
	requireTool(t, "composer")
	m := newMiniMagento(t)
	ln, base := listen(t)
	out := t.TempDir()
	cfg := nightlyMiniProfile(t, m, base)
	g, stdout := testGlobals(t)
	if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatalf("build: %v\n%s\n%s", err, stdout, problemLines(t, out))
	}
	var v bytes.Buffer
	if err := runVerify(t.Context(), &verifyOptions{Deep: true, BaseURL: base, Jobs: 2}, out, &v); err != nil {
		t.Fatalf("verify: %v\n%s", err, v.String())
	}
	project := zipComposerJSON(t, filepath.Join(out, "packages/magento/project-community-edition-"+nightlyProject+".zip"))
	if project["minimum-stability"] != "alpha" || project["version"] != nightlyProject {
		t.Errorf("project: minimum-stability %v version %v", project["minimum-stability"], project["version"])
	}
	product := zipComposerJSON(t, filepath.Join(out, "packages/magento/product-community-edition-"+nightlyProject+".zip"))
	req, _ := product["require"].(map[string]any)
	for name, want := range map[string]string{"magento/module-catalog": "104.0.7.1-a20240103", "magento/magento2-base": nightlyProject,
		"magento/security-package": "1.7.0.1-a20240103", "acme/base-deployer": "1.0.0.1-a20240103"} {
		if req[name] != want {
			t.Errorf("product requires %s %v, want %s", name, req[name], want)
		}
	}
	if _, ok := req["magento/inventory-metapackage"]; ok {
		t.Error("the product requires inventory-metapackage, which the nightly set does not have")
	}
	serveDir(t, ln, out)
	forEachComposer(t, func(t *testing.T, composer string, _ bool) {
		home := t.TempDir()
		os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"config": {"secure-http": false}}`), 0o644)
		dir := filepath.Join(t.TempDir(), "shop")
		cmd := exec.Command(composer, "create-project", "--no-interaction", "--no-ansi", "--repository-url="+base,
			"magento/project-community-edition="+nightlyProject, dir)
		cmd.Env = append(os.Environ(), "COMPOSER_HOME="+home, "COMPOSER_CACHE_DIR="+filepath.Join(home, "cache"),
			"COMPOSER_ALLOW_SUPERUSER=1", "COMPOSER_NO_AUDIT=1")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("composer create-project: %v\n%s", err, msg)
		}
		want := gitTreeFiles(t, m.magento2, "main", "app/code/Magento/Catalog")
		checkInstalled(t, dir, "magento/module-catalog", "", want, "104.0.7.1-a20240103")
		if got := readFile(t, filepath.Join(dir, "index.php")); got != "<?php // entry point 2.4.7\n" {
			t.Errorf("deployed index.php = %q", got)
		}
	})
}

// TestNightlyDeterministic builds the same nightly twice from scratch in child processes with different
// --jobs and time zones on either side of the date line: every published file is identical.
func TestNightlyDeterministic(t *testing.T) {
	m := newMiniMagento(t)
	cfg := nightlyMiniProfile(t, m, "https://nightly.example/")
	var trees []map[string]string
	exe, _ := os.Executable()
	for _, run := range []struct{ tz, jobs string }{{"Pacific/Kiritimati", "1"}, {"America/Adak", "8"}} {
		out := t.TempDir()
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "TZ="+run.tz, "MAGEREPO_TEST_MAIN=1",
			"MAGEREPO_TEST_ARGS=build --quiet --config "+cfg+" --out "+out+" --cache "+t.TempDir()+" --jobs "+run.jobs)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build (TZ %s): %v\n%s", run.tz, err, msg)
		}
		trees = append(trees, treeHashes(t, out))
	}
	sameTrees(t, trees[0], trees[1], 15, "the two builds")
	var found bool
	for p := range trees[0] {
		found = found || strings.HasSuffix(p, "module-catalog-104.0.7.1-a20240103.zip")
	}
	if !found {
		t.Error("no module-catalog nightly 104.0.7.1-a20240103")
	}
}

// TestNightlyRealMagento builds the embedded upstream-nightly profile offline from the real 2.4.3-p2 fixture's
// magento2 clone (branch 2.4-develop) and release metadata: every package of the head at its nightly version
// (the latest tag 2.4.3-p2 gives the base versions), verify --deep clean, and a second run writes nothing.
func TestNightlyRealMagento(t *testing.T) {
	fixture := realFixtureDir(t)
	sd := t.TempDir()
	for _, n := range []string{"magento2", "release-metadata"} {
		if err := os.Symlink(filepath.Join(fixture, "sources", n), filepath.Join(sd, n)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	ln, base := listen(t)
	build := func() string {
		g, stdout := testGlobals(t)
		opts := &buildOptions{Profile: "upstream-nightly", SourcesDir: sd, Out: out, Cache: t.TempDir(), Jobs: 4,
			BaseURL: base}
		if err := runBuild(t.Context(), opts, g); err != nil {
			t.Fatalf("build: %v\n%s\n%s", err, stdout, problemLines(t, out))
		}
		return stdout.String()
	}
	if s := build(); !strings.Contains(s, "failed 0;") || !strings.HasPrefix(s, "built 224,") {
		t.Fatalf("first run: %s", s)
	}
	for _, want := range []string{"magento2-base-2.4.3.1-a20220413+p2.zip", "product-community-edition-2.4.3.1-a20220413+p2.zip",
		"project-community-edition-2.4.3.1-a20220413+p2.zip", "framework-103.0.3.1-a20220413+p2.zip"} {
		if _, err := os.Stat(filepath.Join(out, "packages/magento", want)); err != nil {
			t.Errorf("%s not built", want)
		}
	}
	var v bytes.Buffer
	if err := runVerify(t.Context(), &verifyOptions{Deep: true, BaseURL: base, Jobs: 4}, out, &v); err != nil {
		t.Fatalf("verify: %v\n%s", err, v.String())
	}
	before := treeHashes(t, out)
	if s := build(); !strings.HasPrefix(s, "built 0,") || !strings.Contains(s, "0 new tags") {
		t.Fatalf("second run: %s", s)
	}
	after := treeHashes(t, out)
	if len(after) != len(before) {
		t.Errorf("second run: %d files, first %d", len(after), len(before))
	}
	for p, h := range before {
		if after[p] != h {
			t.Errorf("%s changed in the second run", p)
		}
	}
	serveDir(t, ln, out)
	thirdparty := serveThirdparty(t, filepath.Join(fixture, "thirdparty"))
	forEachComposer(t, func(t *testing.T, composerBin string, _ bool) {
		requireRealNightly(t, composerBin, base, thirdparty)
	})
}

// requireRealNightly installs nightly versions that carry build metadata (103.0.3.1-a20220413+p2, from the
// release's 103.0.3-p2) into a project of minimum-stability alpha with the real Composer client.
func requireRealNightly(t *testing.T, composerBin, base, thirdparty string) {
	dir := t.TempDir()
	doc := map[string]any{"name": "test/nightly", "minimum-stability": "alpha",
		"repositories": []any{map[string]any{"packagist.org": false}, map[string]string{"type": "composer", "url": base},
			map[string]string{"type": "composer", "url": thirdparty}},
		"config": map[string]any{"secure-http": false, "allow-plugins": true}}
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(filepath.Join(dir, "composer.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(composerBin, "require", "--ignore-platform-reqs", "--no-interaction", "--no-ansi", "--no-progress",
		"magento/framework:103.0.3.1-a20220413+p2", "magento/module-catalog:*")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COMPOSER_HOME="+filepath.Join(dir, ".home"), "COMPOSER_ALLOW_SUPERUSER=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("composer require of the nightly: %v\n%s", err, tailLines(string(msg), 40))
	}
	lock := readLock(t, filepath.Join(dir, "composer.lock"))
	got := map[string]string{}
	for _, p := range lock.Packages {
		got[p.Name] = p.Version
	}
	if got["magento/framework"] != "103.0.3.1-a20220413+p2" || got["magento/module-catalog"] != "104.0.3.1-a20220413+p1" {
		t.Errorf("installed framework %q, module-catalog %q", got["magento/framework"], got["magento/module-catalog"])
	}
	if _, err := os.Stat(filepath.Join(dir, "vendor/magento/framework/registration.php")); err != nil {
		t.Errorf("magento/framework not installed: %v", err)
	}
}
