package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/testenv"

	"github.com/mage-os/magerepo/internal/gittest"
	"github.com/mage-os/magerepo/internal/server"
)

// TestMain lets tests run the real binary: the test executable re-runs itself as magerepo when
// MAGEREPO_TEST_MAIN is set (used by the crash-safety test, which kills a build).
func TestMain(m *testing.M) {
	if os.Getenv("MAGEREPO_TEST_MAIN") == "1" {
		os.Args = append([]string{"magerepo"}, strings.Fields(os.Getenv("MAGEREPO_TEST_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// fixture is two source repositories shaped like a Magento satellite repository and a library.
type fixture struct {
	modules *gittest.Repo // each-dir "" (excluding _metapackage/) + metapackage-dir _metapackage
	lib     *gittest.Repo // dir "": one package
}

// newFixture creates the repositories with three tags of modules and two of lib.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{modules: gittest.New(t), lib: gittest.New(t)}
	for _, v := range []struct{ tag, a, b string }{{"1.0.0", "100.0.0", "100.0.0"}, {"1.0.1", "100.0.1", "100.0.0"}, {"1.1.0", "100.1.0", "100.1.0"}} {
		f.modules.Write(map[string]string{
			"ModuleA/composer.json":    gittest.ComposerJSON("acme/module-a", v.a, map[string]string{"acme/lib": "^2.0", "php": ">=7.4"}),
			"ModuleA/registration.php": "<?php // module a " + v.a + "\n",
			"ModuleA/etc/module.xml":   "<config><module name=\"Acme_A\" version=\"" + v.a + "\"/></config>\n",
			"ModuleB/composer.json":    gittest.ComposerJSON("acme/module-b", v.b, map[string]string{"acme/module-a": "^100.0"}),
			"ModuleB/Model/B.php":      "<?php class B {} // " + v.b + "\n",
			"_metapackage/composer.json": `{"name": "acme/suite", "type": "metapackage", "version": "` + v.tag + `",
    "require": {"acme/module-a": "` + v.a + `", "acme/module-b": "` + v.b + `"}}`,
			".github/workflows/ci.yml": "on: push\n",
		})
		f.modules.WriteFile("ModuleA/bin/tool", "#!/bin/sh\necho "+v.a+"\n", true)
		f.modules.CommitTag(v.tag)
	}
	for _, v := range []string{"2.0.0", "2.1.0"} {
		f.lib.Write(map[string]string{
			"composer.json": gittest.ComposerJSON("acme/lib", v, nil),
			"src/Lib.php":   "<?php class Lib { const V = '" + v + "'; }\n",
			"README.md":     "lib " + v + "\n",
		})
		f.lib.CommitTag(v)
	}
	return f
}

// config writes a profile for the fixture and returns its path.
func (f *fixture) config(t *testing.T, baseURL, format string) string {
	t.Helper()
	y := "name: Fixture repository\nbase-url: " + baseURL + "\narchive-format: " + format + "\nsources:\n" +
		"  - name: modules\n    path: " + f.modules.Dir + "\n    from: \"1.0.0\"\n    packages:\n" +
		"      - each-dir: \"\"\n        exclude: [.github/, _metapackage/]\n" +
		"      - metapackage-dir: _metapackage\n" +
		"  - name: lib\n    path: " + f.lib.Dir + "\n    packages:\n      - dir: \"\"\n"
	p := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// testGlobals returns global options that keep the test output quiet.
func testGlobals(t *testing.T) (*globalOptions, *bytes.Buffer) {
	var out bytes.Buffer
	return &globalOptions{LogFormat: "text", Quiet: true, stdout: &out, stderr: &bytes.Buffer{}}, &out
}

// listen reserves a port on 127.0.0.1 and returns the listener and its base URL.
func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String() + "/"
}

// serveDir serves dir with magerepo's server on ln until the test ends.
func serveDir(t *testing.T, ln net.Listener, dir string) {
	t.Helper()
	h, err := server.New(dir, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

// requireTool returns the path of an external tool (see internal/testenv).
func requireTool(t *testing.T, name string) string { return testenv.Tool(t, name) }

// runComposer runs the real Composer client in dir with an isolated home and cache.
func runComposer(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	return runComposerHome(t, filepath.Join(t.TempDir(), "composer-home"), dir, args...)
}

// runComposerHome runs Composer with the given COMPOSER_HOME (and its cache inside it).
func runComposerHome(t *testing.T, home, dir string, args ...string) (string, error) {
	t.Helper()
	bin := requireTool(t, "composer")
	cmd := exec.Command(bin, append(args, "--no-interaction", "--no-ansi")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "COMPOSER_HOME="+home, "COMPOSER_CACHE_DIR="+filepath.Join(home, "cache"),
		"COMPOSER_ALLOW_SUPERUSER=1", "COMPOSER_DISABLE_NETWORK=0", "COMPOSER_NO_AUDIT=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// treeHashes returns path -> sha1 of every regular file below dir (relative paths).
func treeHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if filepath.Base(rel) == ".magerepo" || strings.HasPrefix(rel, ".magerepo"+string(filepath.Separator)) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha1.Sum(b)
		out[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTrees reports every file that differs between two treeHashes results (what names the two builds), and
// fails when the first has fewer than min files (a comparison of two empty builds proves nothing).
func sameTrees(t *testing.T, a, b map[string]string, min int, what string) {
	t.Helper()
	if len(a) < min {
		t.Fatalf("only %d files built", len(a))
	}
	for p, h := range a {
		if b[p] != h {
			t.Errorf("%s differs between %s", p, what)
		}
	}
	if len(a) != len(b) {
		t.Errorf("file counts differ between %s: %d vs %d", what, len(a), len(b))
	}
}

// gitTreeFiles returns path -> content of every regular file below dir at tag in a gittest repository.
func gitTreeFiles(t *testing.T, r *gittest.Repo, tag, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	list := r.Git("ls-tree", "-r", "-z", "--full-tree", tag+":"+dir)
	for _, line := range strings.Split(list, "\x00") {
		if line == "" {
			continue
		}
		meta, name, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if f[0] == "120000" || f[1] != "blob" {
			continue
		}
		cmd := exec.Command("git", "cat-file", "blob", f[2])
		cmd.Dir = r.Dir
		b, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	return out
}

// forEachComposer runs fn as a subtest with each Composer client the end-to-end tests install with: Debian's
// composer on PATH, and the newest client that MAGEREPO_COMPOSER_NEW names (.ci/composer-new.sh), which is
// required when MAGEREPO_REQUIRE_E2E is set. newest tells fn which one it has.
func forEachComposer(t *testing.T, fn func(t *testing.T, composer string, newest bool)) {
	for _, c := range []struct{ name, env string }{{"composer-from-PATH", ""}, {"MAGEREPO_COMPOSER_NEW", "MAGEREPO_COMPOSER_NEW"}} {
		t.Run(c.name, func(t *testing.T) {
			var bin string
			if c.env == "" {
				bin = requireTool(t, "composer")
			} else if bin = os.Getenv(c.env); bin == "" {
				if testenv.Required() {
					t.Fatalf("%s is required (MAGEREPO_REQUIRE_E2E is set): the newer Composer client (.ci/composer-new.sh)", c.env)
				}
				t.Skipf("%s not set (the newer Composer client, see .ci/composer-new.sh)", c.env)
			}
			fn(t, bin, c.env != "")
		})
	}
}
