package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/gittest"
)

// miniMagento is a miniature Magento Open Source: a magento2 monorepo with the real layout, a satellite
// repository with a _metapackage, a third-party Composer plugin, and release metadata shaped like
// mage-os/magento2-base-composer-json.
type miniMagento struct {
	magento2, security, deployer *gittest.Repo
	metadata                     string
	tags                         []string
}

func moduleVersion(major, tag string) string { return major + "." + tag[4:] } // ("100.4", "2.4.7") -> 100.4.7

func newMiniMagento(t *testing.T) *miniMagento {
	t.Helper()
	m := &miniMagento{magento2: gittest.New(t), security: gittest.New(t), deployer: gittest.New(t),
		metadata: t.TempDir(), tags: []string{"2.4.6", "2.4.7"}}
	m.writeDeployer(t)
	for _, tag := range m.tags {
		m.writeMagento2(t, tag)
		m.magento2.CommitTag(tag)
		sec := "1." + tag[4:] + ".0" // 2.4.6 -> 1.6.0
		m.security.Write(map[string]string{
			"TwoFactorAuth/composer.json": gittest.ComposerJSON("magento/module-two-factor-auth", sec, map[string]string{"magento/framework": moduleVersion("103.0", tag)}),
			"TwoFactorAuth/Model/Tfa.php": "<?php // tfa " + sec + "\n",
			"_metapackage/composer.json":  `{"name": "magento/security-package", "type": "metapackage", "require": {"magento/module-two-factor-auth": "` + sec + `"}}`,
			".github/ci.yml":              "on: push\n",
		})
		m.security.CommitTag(sec)
		m.writeMetadata(t, tag, sec)
	}
	return m
}

// writeDeployer makes a Composer plugin that copies magento/magento2-base's files into the project root after
// install, the job magento/magento-composer-installer does in a real installation (which this offline test cannot
// fetch).
func (m *miniMagento) writeDeployer(t *testing.T) {
	m.deployer.Write(map[string]string{
		"composer.json": `{"name": "acme/base-deployer", "type": "composer-plugin", "version": "1.0.0",
    "require": {"composer-plugin-api": "^2.0"}, "autoload": {"psr-4": {"Acme\\BaseDeployer\\": "src/"}},
    "extra": {"class": "Acme\\BaseDeployer\\Plugin"}}`,
		"src/Plugin.php": `<?php
namespace Acme\BaseDeployer;

use Composer\Composer;
use Composer\EventDispatcher\EventSubscriberInterface;
use Composer\IO\IOInterface;
use Composer\Plugin\PluginInterface;
use Composer\Script\ScriptEvents;

class Plugin implements PluginInterface, EventSubscriberInterface
{
    private $composer;
    public function activate(Composer $composer, IOInterface $io) { $this->composer = $composer; }
    public function deactivate(Composer $composer, IOInterface $io) {}
    public function uninstall(Composer $composer, IOInterface $io) {}
    public static function getSubscribedEvents() { return [ScriptEvents::POST_INSTALL_CMD => 'deploy', ScriptEvents::POST_UPDATE_CMD => 'deploy']; }
    public function deploy()
    {
        $vendor = $this->composer->getConfig()->get('vendor-dir');
        $bases = glob($vendor . '/*/magento2-base'); // magento/ in a mirror, the vendor of a distribution
        $base = $bases[0];
        $root = dirname($vendor);
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($base, \FilesystemIterator::SKIP_DOTS));
        foreach ($it as $f) {
            $rel = substr($f->getPathname(), strlen($base) + 1);
            if ($rel === 'composer.json') { continue; }
            $dst = $root . '/' . $rel;
            if (!is_dir(dirname($dst))) { mkdir(dirname($dst), 0777, true); }
            copy($f->getPathname(), $dst);
            chmod($dst, fileperms($f->getPathname()) & 0777);
        }
    }
}
`,
	})
	m.deployer.CommitTag("1.0.0")
}

// rootReplace lists the first-party packages the monorepo holds at tag, as the root composer.json's replace.
func rootReplace(tag string) map[string]string {
	return map[string]string{
		"magento/module-catalog":       moduleVersion("104.0", tag),
		"magento/module-store":         moduleVersion("101.2", tag),
		"magento/framework":            moduleVersion("103.0", tag),
		"magento/framework-amqp":       moduleVersion("100.4", tag),
		"magento/theme-frontend-blank": moduleVersion("100.4", tag),
		"magento/language-de_de":       moduleVersion("100.4", tag),
		"components/jquery":            "1.11.0",
	}
}

func (m *miniMagento) rootComposerJSON(tag string) string {
	rep, _ := json.Marshal(rootReplace(tag))
	return `{
    "name": "magento/magento2ce",
    "description": "Miniature Magento for tests",
    "type": "project",
    "version": "` + tag + `",
    "license": ["OSL-3.0"],
    "config": {"preferred-install": "dist", "sort-packages": true, "allow-plugins": {"acme/base-deployer": true}},
    "require": {"php": ">=7.4", "acme/base-deployer": "^1.0"},
    "require-dev": {},
    "replace": ` + string(rep) + `,
    "minimum-stability": "stable",
    "prefer-stable": true,
    "extra": {"component_paths": {}}
}
`
}

func (m *miniMagento) writeMagento2(t *testing.T, tag string) {
	mod := func(dir, name, major string, req map[string]string) {
		m.magento2.Write(map[string]string{
			dir + "/composer.json":    gittest.ComposerJSON(name, moduleVersion(major, tag), req),
			dir + "/registration.php": "<?php // " + name + " " + tag + "\n",
		})
	}
	fw := moduleVersion("103.0", tag)
	mod("app/code/Magento/Catalog", "magento/module-catalog", "104.0", map[string]string{"magento/framework": fw, "magento/module-store": moduleVersion("101.2", tag)})
	mod("app/code/Magento/Store", "magento/module-store", "101.2", map[string]string{"magento/framework": fw})
	mod("app/i18n/Magento/de_DE", "magento/language-de_de", "100.4", map[string]string{"magento/framework": fw})
	mod("lib/internal/Magento/Framework", "magento/framework", "103.0", map[string]string{"php": ">=7.4"})
	mod("lib/internal/Magento/Framework/Amqp", "magento/framework-amqp", "100.4", map[string]string{"magento/framework": fw})
	mod("app/design/frontend/Magento/blank", "magento/theme-frontend-blank", "100.4", map[string]string{"magento/framework": fw})
	m.magento2.Write(map[string]string{
		"composer.json":                                    m.rootComposerJSON(tag),
		"composer.lock":                                    `{"_readme": "lock file of the monorepo, never packaged"}`,
		"app/code/Magento/Catalog/Model/P.php":             "<?php class P {} // " + tag + "\n",
		"lib/internal/Magento/Framework/App/Bootstrap.php": "<?php // bootstrap " + tag + "\n",
		"index.php":                                        "<?php // entry point " + tag + "\n",
		"pub/index.php":                                    "<?php // pub " + tag + "\n",
		"app/etc/di.xml":                                   "<config/><!-- " + tag + " -->\n",
		"app/etc/vendor_path.php":                          "<?php return './vendor';\n",
		".gitignore":                                       "/vendor/\n",
		".github/workflows/ci.yml":                         "on: push\n",
		"dev/tests/static/testsuite/Magento/Test/Legacy/FilesystemTest.php": "<?php // excluded\n",
		"dev/tests/unit/phpunit.xml.dist":                                   "<phpunit/>\n",
	})
	m.magento2.WriteFile("bin/magento", "#!/usr/bin/env php\n<?php // cli "+tag+"\n", true)
}

// writeMetadata writes the released composer.json files of one release, as the real metadata has them.
func (m *miniMagento) writeMetadata(t *testing.T, tag, security string) {
	write := func(kind, content string) {
		p := filepath.Join(m.metadata, tag, kind, "composer.json")
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("git-tag", m.rootComposerJSON(tag))
	write("magento2-base", `{
    "name": "magento/magento2-base",
    "description": "Magento 2 Base (Community Edition)",
    "type": "magento2-component",
    "license": ["OSL-3.0"],
    "version": "`+tag+`",
    "require": {"acme/base-deployer": "^1.0", "php": ">=7.4"},
    "extra": {"map": [["index.php", "index.php"], ["bin/magento", "bin/magento"]]}
}`)
	req := map[string]string{"php": ">=7.4", "acme/base-deployer": "^1.0", "magento/magento2-base": tag, "magento/security-package": security}
	for k, v := range rootReplace(tag) {
		if strings.HasPrefix(k, "magento/") {
			req[k] = v
		}
	}
	r, _ := json.Marshal(req)
	write("product-community-edition", `{"name": "magento/product-community-edition", "type": "metapackage", "version": "`+tag+`", "require": `+string(r)+`}`)
	write("project-community-edition", `{"name": "magento/project-community-edition", "type": "project", "version": "`+tag+`",
    "require": {"magento/product-community-edition": "`+tag+`"}}`)
}

// metadataRepo commits the release metadata to a git repository (branch main), as the public
// mage-os/magento2-base-composer-json holds it, and returns its file:// URL.
func (m *miniMagento) metadataRepo(t *testing.T) string {
	g := gittest.New(t)
	if err := os.CopyFS(g.Dir, os.DirFS(m.metadata)); err != nil {
		t.Fatal(err)
	}
	g.Commit("release metadata")
	return "file://" + g.Dir
}

// profile is the Magento layout of the embedded profile, reduced to the miniature's sources; the release
// metadata is read from the directory.
func (m *miniMagento) profile(t *testing.T, baseURL string) string {
	return m.profileWith(t, baseURL, "path: "+m.metadata)
}

// profileWith takes the release-metadata location ("path: DIR" or "url: URL").
func (m *miniMagento) profileWith(t *testing.T, baseURL, metadata string) string {
	y := fmt.Sprintf(`name: Miniature Magento mirror
base-url: %s
archive-format: mageos
dist-dir: packages
release-metadata: {name: release-metadata, %s}
sources:
  - name: magento2
    path: %s
    from: "2.4.6"
    packages:
      - each-dir: app/code/Magento
      - each-dir: app/i18n/Magento
      - magento-base: ""
        composer-json: release-metadata
        exclude:
          - {path: .github/, keep-for-ref-prefix: "2.4.0"}
          - {path: .gitignore, keep-for-refs: ["2.4.0", "2.4.0-p1"]}
          - app/code/
          - app/design/frontend/
          - app/design/adminhtml/
          - app/i18n/
          - lib/internal/Magento/Framework/
          - composer.lock
          - app/etc/vendor_path.php
          - dev/tests/static/testsuite/Magento/Test/Legacy/FilesystemTest.php
        empty-dirs: [app/design/frontend/Magento, app/design/adminhtml/Magento, app/code/Magento, app/i18n/Magento, lib/internal/Magento]
      - dir: lib/internal/Magento/Framework
        exclude: [lib/internal/Magento/Framework/Amqp/]
      - dir: lib/internal/Magento/Framework/Amqp
      - dir: app/design/frontend/Magento/blank
      - extra-metapackage: project-community-edition
        type: project
      - extra-metapackage: product-community-edition
        type: metapackage
  - name: security-package
    path: %s
    packages:
      - each-dir: ""
        exclude: [.github/, _metapackage/]
      - metapackage-dir: _metapackage
  - name: deployer
    path: %s
    packages:
      - dir: ""
`, baseURL, metadata, m.magento2.Dir, m.security.Dir, m.deployer.Dir)
	p := filepath.Join(t.TempDir(), "mini.yaml")
	os.WriteFile(p, []byte(y), 0o644)
	return p
}

// TestMagentoCreateProject builds the miniature mirror, serves it on 127.0.0.1 and runs
// `composer create-project magento/project-community-edition=<tag>` with plugins enabled; the deployed root files
// and vendor/magento/* must equal the git trees.
func TestMagentoCreateProject(t *testing.T) {
	requireTool(t, "composer")
	m := newMiniMagento(t)
	ln, base := listen(t)
	out := t.TempDir()
	g, stdout := testGlobals(t)
	// The release metadata comes from a git repository, like the public one, fetched into the cache.
	cfg := m.profileWith(t, base, "url: "+m.metadataRepo(t))
	if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	serveDir(t, ln, out)
	for _, want := range []string{"packages/magento/magento2-base-2.4.7.zip", "packages/magento/product-community-edition-2.4.7.zip",
		"packages/magento/project-community-edition-2.4.7.zip", "packages/magento/framework-103.0.7.zip", "packages/magento/security-package-1.7.0.zip"} {
		if _, err := os.Stat(filepath.Join(out, want)); err != nil {
			t.Errorf("%s not built", want)
		}
	}
	home := t.TempDir()
	os.WriteFile(filepath.Join(home, "config.json"), []byte(`{"config": {"secure-http": false}}`), 0o644)
	dir := filepath.Join(t.TempDir(), "shop")
	msg, err := runComposerHome(t, home, filepath.Dir(dir), "create-project", "--repository-url="+base,
		"magento/project-community-edition=2.4.7", dir)
	if err != nil {
		t.Fatalf("composer create-project: %v\n%s", err, msg)
	}
	// Root files: the base package's files, deployed by the plugin.
	for p, c := range gitTreeFiles(t, m.magento2, "2.4.7", "") {
		if baseExcluded(p) {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || string(got) != c {
			t.Errorf("root file %s: %v (deployed %q, git %q)", p, err, got, c)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".github")); err == nil {
		t.Error(".github was deployed although 2.4.7 excludes it")
	}
	for name, gitDir := range map[string]string{"module-catalog": "app/code/Magento/Catalog", "framework": "lib/internal/Magento/Framework",
		"framework-amqp": "lib/internal/Magento/Framework/Amqp", "language-de_de": "app/i18n/Magento/de_DE"} {
		want := gitTreeFiles(t, m.magento2, "2.4.7", gitDir)
		if name == "framework" {
			for p := range want {
				if strings.HasPrefix(p, "Amqp/") {
					delete(want, p)
				}
			}
		}
		checkInstalled(t, dir, "magento/"+name, "", want, rootReplace("2.4.7")["magento/"+name])
	}
	var project struct {
		Repositories []struct{ Type, URL string } `json:"repositories"`
	}
	json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "composer.json"))), &project)
	if len(project.Repositories) != 1 || project.Repositories[0].URL != base {
		t.Errorf("project repositories = %+v, want only this mirror %s", project.Repositories, base)
	}
}

func baseExcluded(p string) bool {
	for _, e := range []string{".github/", ".gitignore", "app/code/", "app/design/frontend/", "app/i18n/", "lib/internal/Magento/Framework/",
		"composer.lock", "app/etc/vendor_path.php", "dev/tests/static/testsuite/Magento/Test/Legacy/FilesystemTest.php", "composer.json"} {
		if strings.HasPrefix(p, e) {
			return true
		}
	}
	return false
}

// TestMagentoReleaseMetadataArrivesLater: a tag without release metadata yields no base, product or project
// package (reported), and they are built on a later run once the metadata has the release.
func TestMagentoReleaseMetadataArrivesLater(t *testing.T) {
	m := newMiniMagento(t)
	held := filepath.Join(t.TempDir(), "2.4.7")
	if err := os.Rename(filepath.Join(m.metadata, "2.4.7"), held); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cfg := m.profile(t, "https://mirror.example/")
	g, stdout := testGlobals(t)
	if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatalf("build: %v\n%s", err, stdout)
	}
	rep := readFile(t, filepath.Join(out, ".magerepo/last-build.json"))
	if !strings.Contains(rep, "no base package yet") || !strings.Contains(rep, "magento/product-community-edition") {
		t.Fatalf("missing release metadata not reported:\n%s", rep)
	}
	for _, p := range []string{"magento2-base-2.4.7.zip", "product-community-edition-2.4.7.zip"} {
		if _, err := os.Stat(filepath.Join(out, "packages/magento", p)); err == nil {
			t.Fatalf("%s built without release metadata", p)
		}
	}
	assertBuilt(t, out, "packages/magento/module-catalog-104.0.7.zip", "packages/magento/magento2-base-2.4.6.zip")
	if err := os.Rename(held, filepath.Join(m.metadata, "2.4.7")); err != nil {
		t.Fatal(err)
	}
	g, stdout = testGlobals(t)
	if err := runBuild(t.Context(), &buildOptions{Config: cfg, Out: out, Cache: t.TempDir(), Jobs: 2}, g); err != nil {
		t.Fatalf("second build: %v\n%s", err, stdout)
	}
	assertBuilt(t, out, "packages/magento/magento2-base-2.4.7.zip", "packages/magento/product-community-edition-2.4.7.zip",
		"packages/magento/project-community-edition-2.4.7.zip")
}
