package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/build"
	"github.com/mage-os/magerepo/internal/gittest"
)

// distributionBlock turns the miniature's mirror profile into a distribution "mageos" of its releases.
func distributionBlock(releases ...[2]string) string {
	var b strings.Builder
	b.WriteString("vendor: mageos\ndistribution:\n  editions:\n    - name: minimal\n      require: [php, \"acme/*\", \"magento/framework\", \"magento/magento2-base\"]\n  releases:\n")
	for _, r := range releases {
		b.WriteString("    - {version: \"" + r[0] + "\", upstream: \"" + r[1] + "\"}\n")
	}
	return b.String()
}

// distributionProfile writes the miniature's profile with a distribution block.
func distributionProfile(t *testing.T, m *miniMagento, base string, releases ...[2]string) string {
	t.Helper()
	p := m.profile(t, base)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, distributionBlock(releases...)...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// zipComposerJSON reads an archive's composer.json as a generic document.
func zipComposerJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "composer.json" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: composer.json: %v", path, err)
		}
		return doc
	}
	t.Fatalf("%s has no composer.json", path)
	return nil
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestDistributionBuild builds a distribution of the miniature's 2.4.6 as mageos 1.0.0: renamed names and
// links pinned to the release, replace of the upstream version, aliases, the minimal edition, no upstream
// package; verify is clean; a second run writes nothing; adding a release builds only its packages.
func TestDistributionBuild(t *testing.T) {
	m := newMiniMagento(t)
	ln, base := listen(t)
	out := t.TempDir()
	g, stdout := testGlobals(t)
	cfg := distributionProfile(t, m, base, [2]string{"1.0.0", "2.4.6"})
	sum, err := runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	pkgs := filepath.Join(out, "packages")
	catalog := zipComposerJSON(t, filepath.Join(pkgs, "mageos/module-catalog-1.0.0.zip"))
	if got := jsonOf(catalog["require"]); got != `{"mageos/framework":"1.0.0","mageos/module-store":"1.0.0"}` {
		t.Errorf("module-catalog require = %s", got)
	}
	if got := jsonOf(catalog["replace"]); got != `{"magento/module-catalog":"104.0.6"}` {
		t.Errorf("module-catalog replace = %s", got)
	}
	if catalog["name"] != "mageos/module-catalog" || catalog["version"] != "1.0.0" {
		t.Errorf("module-catalog = %s %s", catalog["name"], catalog["version"])
	}
	product := zipComposerJSON(t, filepath.Join(pkgs, "mageos/product-community-edition-1.0.0.zip"))
	req := product["require"].(map[string]any)
	if req["mageos/security-package"] != "1.0.0" || req["acme/base-deployer"] != "^1.0" || req["php"] != ">=7.4" || req["magento/framework"] != nil {
		t.Errorf("product require = %s", jsonOf(req))
	}
	if got := jsonOf(product["extra"]); !strings.Contains(got, `"magento_version":"2.4.6"`) {
		t.Errorf("product extra = %s", got)
	}
	alias := zipComposerJSON(t, filepath.Join(pkgs, "magento/framework-103.0.6.zip"))
	if alias["type"] != "metapackage" || jsonOf(alias["require"]) != `{"mageos/framework":"1.0.0"}` {
		t.Errorf("alias = %s", jsonOf(alias))
	}
	minimal := zipComposerJSON(t, filepath.Join(pkgs, "mageos/product-minimal-edition-1.0.0.zip"))
	if got := jsonOf(minimal["require"]); got != `{"acme/base-deployer":"^1.0","mageos/framework":"1.0.0","mageos/magento2-base":"1.0.0","php":"\u003e=7.4"}` {
		t.Errorf("minimal product require = %s", got)
	}
	if _, err := os.Stat(filepath.Join(pkgs, "magento/module-catalog-104.0.6.zip")); err != nil {
		t.Errorf("alias of module-catalog missing: %v", err)
	}
	for _, upstream := range []string{"magento/project-community-edition-2.4.6.zip", "magento/magento2-base-2.4.6.zip"} {
		if _, err := os.Stat(filepath.Join(pkgs, upstream)); err == nil == strings.Contains(upstream, "project") {
			t.Errorf("%s: published %v (the project has no alias, the base has one)", upstream, err == nil)
		}
	}
	project := zipComposerJSON(t, filepath.Join(pkgs, "mageos/project-community-edition-1.0.0.zip"))
	if project["replace"] != nil || jsonOf(project["require"]) != `{"mageos/product-community-edition":"1.0.0"}` {
		t.Errorf("project = %s", jsonOf(project))
	}
	var v bytes.Buffer
	if err := runVerify(t.Context(), &verifyOptions{BaseURL: base, Jobs: 2}, out, &v); err != nil {
		t.Fatalf("verify: %v\n%s", err, v.String())
	}
	t.Logf("built %d, reused %d", sum.Built, sum.Reused)

	before := treeHashes(t, out)
	sum2, err := runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil || sum2.Built != 0 || sum2.NewTags != 0 {
		t.Fatalf("second run: %v %+v", err, sum2)
	}
	if after := treeHashes(t, out); jsonOf(after) != jsonOf(before) {
		t.Error("a run with nothing new changed the output")
	}
	serveDir(t, ln, out)
	installDistribution(t, base)

	// A second release builds its own packages and the aliases of upstream versions not aliased yet; every
	// file of the first stays as it was.
	cfg = distributionProfile(t, m, base, [2]string{"1.0.0", "2.4.6"}, [2]string{"1.1.0", "2.4.7"})
	sum3, err := runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil {
		t.Fatalf("third run (release 1.1.0 added): %v", err)
	}
	after := treeHashes(t, out)
	added := 0
	for p := range after {
		if _, old := before[p]; !old && strings.HasPrefix(p, "packages/") {
			added++
		}
	}
	for p, h := range before {
		if strings.HasPrefix(p, "packages/") && after[p] != h {
			t.Errorf("%s changed when a release was added", p)
		}
	}
	if sum3.Built != added || added == 0 {
		t.Errorf("release 1.1.0 built %d archives, %d new files", sum3.Built, added)
	}
	if got := jsonOf(zipComposerJSON(t, filepath.Join(pkgs, "magento/framework-103.0.7.zip"))["require"]); got != `{"mageos/framework":"1.1.0"}` {
		t.Errorf("alias of framework 103.0.7 requires %s", got)
	}
}

// installDistribution creates a project of the distribution with the real Composer client and installs an
// extension written against the upstream names into it.
func installDistribution(t *testing.T, base string) {
	t.Helper()
	requireTool(t, "composer")
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"config": {"secure-http": false}}`), 0o644)
	dir := filepath.Join(t.TempDir(), "shop")
	msg, err := runComposerHome(t, home, filepath.Dir(dir), "create-project", "--repository-url="+base,
		"mageos/project-community-edition=1.0.0", dir)
	if err != nil {
		t.Fatalf("composer create-project: %v\n%s", err, msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "vendor/mageos/framework/registration.php")); err != nil {
		t.Fatalf("mageos/framework not installed: %v\n%s", err, msg)
	}
	ext := t.TempDir()
	os.WriteFile(filepath.Join(ext, "composer.json"), []byte(`{"name": "test/extension", "version": "1.0.0", "type": "magento2-module",
    "require": {"magento/framework": "103.0.*", "magento/module-catalog": "*"}}`), 0o644)
	msg, err = runComposerHome(t, home, dir, "config", "repositories.ext", `{"type": "path", "url": "`+ext+`", "options": {"symlink": false}}`)
	if err != nil {
		t.Fatalf("composer config: %v\n%s", err, msg)
	}
	msg, err = runComposerHome(t, home, dir, "require", "test/extension:1.0.0")
	if err != nil {
		t.Fatalf("an extension requiring magento/framework does not install: %v\n%s", err, msg)
	}
	lock := readFile(t, filepath.Join(dir, "composer.lock"))
	if !strings.Contains(lock, `"name": "test/extension"`) || !strings.Contains(lock, `"name": "mageos/framework"`) {
		t.Errorf("lock after require lacks the extension or mageos/framework:\n%s", msg)
	}
}

// TestDistributionDeterministic: two fresh builds of the same distribution with 1 and 8 workers write the
// same bytes.
func TestDistributionDeterministic(t *testing.T) {
	m := newMiniMagento(t)
	cfg := distributionProfile(t, m, "https://repo.example/", [2]string{"1.0.0", "2.4.6"}, [2]string{"1.1.0", "2.4.7"})
	var trees []map[string]string
	for _, jobs := range []int{1, 8} {
		out := t.TempDir()
		g, stdout := testGlobals(t)
		if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: jobs}, g); err != nil {
			t.Fatalf("build: %v\n%s", err, stdout)
		}
		trees = append(trees, treeHashes(t, out))
	}
	sameTrees(t, trees[0], trees[1], 20, "--jobs 1 and --jobs 8")
}

// TestDistributionWaitsForUpstream: a release whose upstream release the sources do not have yet is reported
// and published by the first run that has it; the other release is published meanwhile.
func TestDistributionWaitsForUpstream(t *testing.T) {
	m := newMiniMagento(t)
	out := t.TempDir()
	g, stdout := testGlobals(t)
	cfg := distributionProfile(t, m, "https://repo.example/", [2]string{"1.0.0", "2.4.6"}, [2]string{"2.0.0", "2.4.9"})
	sum, err := runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil || sum.Skipped == 0 || !strings.Contains(stdout.String()+jsonOf(sum.Problems), "upstream release 2.4.9") {
		t.Fatalf("first run: %v %+v\n%s", err, sum, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "packages/mageos/framework-1.0.0.zip")); err != nil {
		t.Fatalf("release 1.0.0 not published: %v", err)
	}
	m.writeMagento2(t, "2.4.9")
	m.magento2.CommitTag("2.4.9")
	m.security.Write(map[string]string{
		"TwoFactorAuth/composer.json": gittest.ComposerJSON("magento/module-two-factor-auth", "1.9.0", map[string]string{"magento/framework": "103.0.9"}),
		"_metapackage/composer.json":  `{"name": "magento/security-package", "type": "metapackage", "require": {"magento/module-two-factor-auth": "1.9.0"}}`,
	})
	m.security.CommitTag("1.9.0")
	m.writeMetadata(t, "2.4.9", "1.9.0")
	sum, err = runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil {
		t.Fatalf("second run: %v %+v", err, sum)
	}
	fw := zipComposerJSON(t, filepath.Join(out, "packages/mageos/framework-2.0.0.zip"))
	if jsonOf(fw["replace"]) != `{"magento/framework":"103.0.9"}` {
		t.Errorf("framework 2.0.0 = %s", jsonOf(fw))
	}
}

// TestDistributionAliasesFindTheDistribution: in a project that requires nothing of the distribution but an
// extension written against magento/*, Composer loads the distribution's packages only through the aliases
// (a Composer repository has no index of which packages replace a name); without aliases the install fails.
func TestDistributionAliasesFindTheDistribution(t *testing.T) {
	requireTool(t, "composer")
	m := newMiniMagento(t)
	for _, aliases := range []bool{true, false} {
		ln, base := listen(t)
		out := t.TempDir()
		g, stdout := testGlobals(t)
		cfg := distributionProfile(t, m, base, [2]string{"1.0.0", "2.4.6"})
		if !aliases {
			b, _ := os.ReadFile(cfg)
			os.WriteFile(cfg, []byte(strings.Replace(string(b), "distribution:\n", "distribution:\n  aliases: false\n", 1)), 0o644)
		}
		if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
			t.Fatalf("build: %v\n%s", err, stdout)
		}
		serveDir(t, ln, out)
		ext, dir := t.TempDir(), t.TempDir()
		os.WriteFile(filepath.Join(ext, "composer.json"), []byte(`{"name": "test/extension", "version": "1.0.0",
    "require": {"magento/framework": "103.0.*", "magento/module-catalog": "*"}}`), 0o644)
		os.WriteFile(filepath.Join(dir, "composer.json"), []byte(`{"name": "test/shop", "require": {"test/extension": "1.0.0"},
    "repositories": [{"packagist.org": false}, {"type": "composer", "url": "`+base+`"}, {"type": "path", "url": "`+ext+`", "options": {"symlink": false}}],
    "config": {"secure-http": false}}`), 0o644)
		msg, err := runComposer(t, dir, "install")
		if aliases {
			if err != nil {
				t.Fatalf("with aliases: %v\n%s", err, msg)
			}
			lock := readFile(t, filepath.Join(dir, "composer.lock"))
			for _, want := range []string{`"name": "mageos/framework"`, `"name": "mageos/module-catalog"`} {
				if !strings.Contains(lock, want) {
					t.Errorf("with aliases, the lock lacks %s:\n%s", want, msg)
				}
			}
		} else if err == nil {
			t.Errorf("without aliases the extension installed; the test proves nothing:\n%s", msg)
		}
	}
}

// TestDistributionChangedRelease: a published release whose settings change (its upstream) is refused on every
// run, with nothing built: no archive changes, and no alias points at content the release does not have.
func TestDistributionChangedRelease(t *testing.T) {
	m := newMiniMagento(t)
	out := t.TempDir()
	g, _ := testGlobals(t)
	build := func(cfg string) (*build.Summary, error) {
		return runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	}
	if _, err := build(distributionProfile(t, m, "https://repo.example/", [2]string{"1.0.0", "2.4.6"})); err != nil {
		t.Fatal(err)
	}
	before := treeHashes(t, out)
	changed := distributionProfile(t, m, "https://repo.example/", [2]string{"1.0.0", "2.4.7"})
	for run := range 2 {
		sum, err := build(changed)
		if err == nil || sum.Built != 0 || !strings.Contains(jsonOf(sum.Problems), "published with other content") {
			t.Fatalf("run %d with the changed release: %v %+v", run, err, sum)
		}
	}
	after := treeHashes(t, out)
	for p, h := range after {
		if strings.HasPrefix(p, "packages/") && before[p] != h {
			t.Errorf("%s was written although the release changed", p)
		}
	}
}

// TestDistributionVendorClash: a release whose renamed packages would take the name of another vendor's
// package that the sources build is refused, naming both; an edition that keeps nothing is refused; a release
// dropped from the profile is reported.
func TestDistributionVendorClash(t *testing.T) {
	m := newMiniMagento(t)
	clash := gittest.New(t)
	clash.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/framework", "9.9.9", nil)})
	clash.CommitTag("9.9.9")
	p := m.profile(t, "https://repo.example/")
	b, _ := os.ReadFile(p)
	y := string(b) + "  - name: clash\n    path: " + clash.Dir + "\n    packages:\n      - dir: \"\"\n" +
		strings.Replace(distributionBlock([2]string{"1.0.0", "2.4.6"}), "vendor: mageos", "vendor: acme", 1)
	os.WriteFile(p, []byte(y), 0o644)
	g, _ := testGlobals(t)
	out := t.TempDir()
	sum, err := runBuildSummary(t.Context(), &buildOptions{Config: p, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err == nil || !strings.Contains(jsonOf(sum.Problems), "it would be acme/framework, which source clash builds too") {
		t.Fatalf("a vendor clash must fail the release: %v %s", err, jsonOf(sum.Problems))
	}
	if _, err := os.Stat(filepath.Join(out, "packages/acme/module-catalog-1.0.0.zip")); err == nil {
		t.Error("the clashing release was published")
	}

	m2 := newMiniMagento(t)
	p = distributionProfile(t, m2, "https://repo.example/", [2]string{"1.0.0", "2.4.6"})
	b, _ = os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(b), `require: [php, "acme/*", "magento/framework", "magento/magento2-base"]`, `require: ["nothing/*"]`, 1)), 0o644)
	sum, err = runBuildSummary(t.Context(), &buildOptions{Config: p, Out: t.TempDir(), Cache: t.TempDir(), Jobs: 2}, g)
	if err == nil || !strings.Contains(jsonOf(sum.Problems), "edition minimal: no requirement of magento/product-community-edition matches") {
		t.Fatalf("an empty edition must fail the release: %v %s", err, jsonOf(sum.Problems))
	}

	out = t.TempDir()
	two := distributionProfile(t, m2, "https://repo.example/", [2]string{"1.0.0", "2.4.6"}, [2]string{"1.1.0", "2.4.7"})
	if _, err := runBuildSummary(t.Context(), &buildOptions{Config: two, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatal(err)
	}
	one := distributionProfile(t, m2, "https://repo.example/", [2]string{"1.1.0", "2.4.7"})
	sum, err = runBuildSummary(t.Context(), &buildOptions{Config: one, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil || !strings.Contains(jsonOf(sum.Problems), "release 1.0.0 is published but no longer in the profile") {
		t.Fatalf("a dropped release must be reported: %v %s", err, jsonOf(sum.Problems))
	}
}

// TestDistributionHeldBackWhole: a release one of whose archives cannot be written (a blob missing from the
// repository) publishes none of its packages and no alias; once the blob is back, the next run publishes the
// release whole.
func TestDistributionHeldBackWhole(t *testing.T) {
	m := newMiniMagento(t)
	content := "<?php // magento/module-store 2.4.6\n"
	blob := strings.TrimSpace(gitStdin(t, m.magento2.Dir, content, "hash-object", "--stdin"))
	obj := filepath.Join(m.magento2.Dir, ".git", "objects", blob[:2], blob[2:])
	if err := os.Remove(obj); err != nil {
		t.Fatalf("removing the blob of module-store's registration.php: %v", err)
	}
	out := t.TempDir()
	g, _ := testGlobals(t)
	cfg := distributionProfile(t, m, "https://repo.example/", [2]string{"1.0.0", "2.4.6"})
	sum, err := runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err == nil || !strings.Contains(jsonOf(sum.Problems), "held back until every package of the release builds") {
		t.Fatalf("a release with a failed archive: %v %s", err, jsonOf(sum.Problems))
	}
	b, _ := os.ReadFile(filepath.Join(out, "packages.json"))
	if strings.Contains(string(b), "mageos/") || strings.Contains(string(b), "magento/") {
		t.Errorf("packages.json lists part of the release: %s", b)
	}
	gitStdin(t, m.magento2.Dir, content, "hash-object", "--stdin", "-w")
	sum, err = runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g)
	if err != nil {
		t.Fatalf("after the blob is back: %v %s", err, jsonOf(sum.Problems))
	}
	for _, f := range []string{"packages/mageos/module-store-1.0.0.zip", "packages/mageos/module-catalog-1.0.0.zip", "packages/magento/module-store-101.2.6.zip"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// gitStdin runs git in dir with input on stdin.
func gitStdin(t *testing.T, dir, input string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}

// TestDistributionMovedAndRebranded: after the repository moves (--change-base-url), an edition added to a
// published release is built (the project keeps the URL it was published with); a release whose vendor
// changes is refused.
func TestDistributionMovedAndRebranded(t *testing.T) {
	m := newMiniMagento(t)
	out := t.TempDir()
	g, _ := testGlobals(t)
	run := func(cfg, base string, change bool) (*build.Summary, error) {
		return runBuildSummary(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2, BaseURL: base, ChangeURL: change}, g)
	}
	cfg := distributionProfile(t, m, "https://one.example/", [2]string{"1.0.0", "2.4.6"})
	if _, err := run(cfg, "", false); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(cfg)
	withEdition := strings.Replace(string(b), "  editions:\n", "  editions:\n    - name: tiny\n      require: [php]\n", 1)
	os.WriteFile(cfg, []byte(withEdition), 0o644)
	sum, err := run(cfg, "https://two.example/", true)
	if err != nil {
		t.Fatalf("an edition added after a move: %v %s", err, jsonOf(sum.Problems))
	}
	if _, err := os.Stat(filepath.Join(out, "packages/mageos/product-tiny-edition-1.0.0.zip")); err != nil {
		t.Errorf("the added edition was not built: %v", err)
	}
	if got := jsonOf(zipComposerJSON(t, filepath.Join(out, "packages/mageos/project-community-edition-1.0.0.zip"))["repositories"]); !strings.Contains(got, "one.example") {
		t.Errorf("the published project changed its repositories to %s", got)
	}
	os.WriteFile(cfg, []byte(strings.Replace(withEdition, "vendor: mageos", "vendor: rebrand", 1)), 0o644)
	sum, err = run(cfg, "https://two.example/", false)
	if err == nil || !strings.Contains(jsonOf(sum.Problems), "published under vendor mageos") {
		t.Fatalf("a vendor change of a published release must be refused: %v %s", err, jsonOf(sum.Problems))
	}
	if _, err := os.Stat(filepath.Join(out, "packages/rebrand")); err == nil {
		t.Error("rebrand/* packages were written")
	}
}
