package main

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/testenv"
)

// The real Magento Open Source 2.4.3-p2 end to end (fixture: shared/data/magento-e2e-2.4.3-p2, see its README.md):
// the embedded profile is built by the real magerepo binary with the README's main command and --sources-dir (the
// fixture's git sources, and its prebuilt zips laid out as the profile's prebuilt source: no --prebuilt),
// served by `magerepo serve`, and the real Composer client runs `composer create-project
// magento/project-community-edition=2.4.3-p2` against it with every plugin enabled (the real
// magento-composer-installer, built from its git source, deploys magento2-base into the project root; the
// dependency-version audit plugin runs). The installed project is then compared with the official 2021 install:
// package set and versions with expected/composer.lock, every vendor/magento/* file and every deployed root file
// with expected/files.tsv (git blob id and exec bit). Every difference must fall under one of the rules below,
// each stated in code and counted in the log; anything else fails.
//
// Rules (names as logged):
//   - composer.json-as-json: the mageos archive format re-serialises each package's composer.json (as
//     mirror.mage-os.org serves it), so a package's own composer.json whose bytes differ is compared with the
//     official file (found by its blob id in the fixture's git repositories) as parsed JSON.
//   - newer-plugin: the release does not pin magento/composer-dependency-version-audit-plugin (~0.1) and
//     magento/composer-root-update-plugin (~2.0); Composer today picks newer releases than the 2021 install did.
//     Such a package is compared with its own git tag in the fixture instead of files.tsv.
//   - installer-export-ignore / installer-differs-from-zipball: magento/magento-composer-installer is built
//     from git (as mirror.mage-os.org builds it) while the official install had GitHub's zipball, which applies
//     export-ignore from .gitattributes. The installed package must equal its git tag; against files.tsv, its
//     extra files must be exactly those `git archive` leaves out, and a file that differs must equal the git tag.
//   - placeholder: files of 4 MiB and more whose bytes the fixture's source snapshot lacks hold a one-line
//     placeholder (listed in expected/placeholders.txt, or naming their own path and expected blob id).
//   - exec-bit-from-git: content identical, the installed file is executable and the official one is not, and
//     the fixture's git source holds that blob with mode 100755 at that package path: magerepo keeps git's exec
//     bit (git mode 100755 -> zip mode 0755, as the reference generator does: testdata/mageos-zip-vectors,
//     "Modes come from the git tree mode"), while the official repository's zips drop it (in files.tsv only
//     bin/magento and packages from GitHub zipballs are executable).
//   - official-zip-macosx: the official zip of magento/composer-root-update-plugin 2.0.2 (repo.magento.com) carries
//     20 macOS AppleDouble files under __MACOSX/ that its git tag does not have; a build from git that installs
//     2.0.2 (the distribution's closure picks the release-day version, distribution_real_e2e_test.go) lacks
//     them. Only a missing __MACOSX/ file of a package of ownTagPackages that is in no git tree of its tag.
//   - root-target-not-in-files.tsv: a deployed extra.map target that files.tsv does not list (vendor/.htaccess
//     lies under vendor/ but not vendor/magento/) is compared with the official magento2-base's copy of its source.

const realFixtureName = "magento-e2e-2.4.3-p2"

// realFixtureDir returns the fixture directory: $MAGEREPO_E2E_FIXTURE, or ../../../shared/data/<name> relative to
// this package. A missing fixture skips the test, or fails it when end-to-end tests are required.
func realFixtureDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MAGEREPO_E2E_FIXTURE")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", realFixtureName)
	}
	if _, err := os.Stat(filepath.Join(dir, "expected", "files.tsv")); err != nil {
		if testenv.Required() {
			t.Fatalf("the real Magento fixture is required (MAGEREPO_REQUIRE_E2E is set): %v (set MAGEREPO_E2E_FIXTURE)", err)
		}
		t.Skipf("real Magento fixture not found (%v); set MAGEREPO_E2E_FIXTURE, or MAGEREPO_REQUIRE_E2E=1 to make this a failure", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// buildMagerepoBinary builds the real binary once for this test (without -race: the build it runs is large).
func buildMagerepoBinary(t *testing.T) string {
	t.Helper()
	goTool := requireTool(t, "go")
	bin := filepath.Join(t.TempDir(), "magerepo")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeLoopbackAddr returns a 127.0.0.1 address that was free a moment ago (for a server in another process).
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe runs `magerepo serve DIR --listen addr` until the test ends (stopped with SIGTERM) and waits until
// it answers.
func startServe(t *testing.T, bin, dir, addr string) {
	t.Helper()
	serve := exec.Command(bin, "serve", dir, "--listen", addr, "-q")
	var stderr bytes.Buffer
	serve.Stderr = &stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	t.Cleanup(func() {
		serve.Process.Signal(syscall.SIGTERM)
		<-done
	})
	url := "http://" + addr + "/packages.json"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case werr := <-done:
			done <- werr
			t.Fatalf("magerepo serve exited: %v\n%s", werr, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered 200: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// buildReport is the part of .magerepo/last-build.json the test reads.
type buildReport struct {
	Built, Reused, Prebuilt, Skipped, Failed, Conflicts int
	Problems                                            []struct {
		Severity, Source, Tag, Package, Version, Path, Message string
	}
}

// realSourcesDir lays out a --sources-dir: the fixture's repositories (linked) and its prebuilt zips (copied)
// under the profile's prebuilt source name.
func realSourcesDir(t *testing.T, fx string) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(filepath.Join(fx, "sources"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if err := os.Symlink(filepath.Join(fx, "sources", e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	zips := filepath.Join(dir, "additional-packages", "resource", "additional-packages")
	if err := os.MkdirAll(zips, 0o755); err != nil {
		t.Fatal(err)
	}
	pre, err := os.ReadDir(filepath.Join(fx, "prebuilt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pre {
		b, err := os.ReadFile(filepath.Join(fx, "prebuilt", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(zips, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// realTestSetup skips the test in -short mode (why: what it does), finds the fixture and the tools, and builds
// the binary.
func realTestSetup(t *testing.T, why string) (fx, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip(why)
	}
	fx = realFixtureDir(t)
	requireTool(t, "git")
	requireTool(t, "php")
	requireTool(t, "unzip")
	return fx, buildMagerepoBinary(t)
}

// TestRealMagentoCreateProject: see the comment at the top of this file.
func TestRealMagentoCreateProject(t *testing.T) {
	fx, bin := realTestSetup(t, "builds a whole Magento release and installs it twice")

	// Build the embedded profile (no --config) from the fixture.
	addr := freeLoopbackAddr(t)
	base := "http://" + addr + "/"
	out := filepath.Join(t.TempDir(), "mirror")
	runRealBuild(t, bin, out, base, realSourcesDir(t, fx))

	// Serve it with the real server, and the third-party stand-in for packagist.org on another port.
	startServe(t, bin, out, addr)
	thirdparty := serveThirdparty(t, filepath.Join(fx, "thirdparty"))

	exp := loadRealExpected(t, fx)
	forEachComposer(t, func(t *testing.T, composerBin string, _ bool) {
		project := realCreateProject(t, composerBin, base, thirdparty)
		compareRealInstall(t, fx, exp, project, base)
	})
}

// runRealBuild runs the README's main command offline into out: --sources-dir, and no --prebuilt (the prebuilt
// zips come from the profile's prebuilt source, here a copy of the fixture's zips laid out as
// mage-os/generate-mirror-repo-js has them: DIR/additional-packages/resource/additional-packages), with a cache of
// its own; extra adds flags (--config). It checks the report (checkBuildReport) and returns it and the wall time.
func runRealBuild(t *testing.T, bin, out, base, sourcesDir string, extra ...string) (buildReport, time.Duration) {
	t.Helper()
	start := time.Now()
	args := append([]string{"build", "--out", out, "--base-url", base, "--sources-dir", sourcesDir, "--cache", t.TempDir(), "-q"}, extra...)
	buildOut, err := exec.Command(bin, args...).CombinedOutput()
	d := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("magerepo build: %v\n%s", err, buildOut)
	}
	var rep buildReport
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(out, ".magerepo", "last-build.json"))), &rep); err != nil {
		t.Fatalf("build report: %v\n%s", err, buildOut)
	}
	if errs := checkBuildReport(t, rep, d); err != nil && errs == 0 {
		t.Errorf("magerepo build: %v, but its report has no error\n%s", err, buildOut)
	}
	return rep, d
}

// checkBuildReport accepts skips (the sources of the embedded profile that the fixture does not hold, and the
// reference generator's skips such as a composer.json without version) and conflicts (facts about upstream);
// every error fails the test, named. It returns the number of errors.
func checkBuildReport(t *testing.T, rep buildReport, d time.Duration) int {
	t.Helper()
	skips := map[string]int{}
	errs := 0
	for _, p := range rep.Problems {
		switch p.Severity {
		case "skipped":
			if strings.Contains(p.Message, "not found in --sources-dir") {
				skips["source not in the fixture"]++
			} else {
				skips[p.Message]++
			}
		case "conflict", "info":
		case "warning": // e.g. fixes for releases the fixture's clones do not have
			t.Logf("build warning: source %s tag %s: %s: %s", p.Source, p.Tag, p.Path, p.Message)
		default:
			errs++
			t.Errorf("build %s: source %s tag %s package %s %s: %s", p.Severity, p.Source, p.Tag, p.Package, p.Version, p.Message)
		}
	}
	t.Logf("build: built %d, reused %d, prebuilt %d, skipped %d, conflicts %d, failed %d in %s", rep.Built, rep.Reused,
		rep.Prebuilt, rep.Skipped, rep.Conflicts, rep.Failed, d.Round(time.Millisecond))
	for _, k := range sortedKeys(skips) {
		t.Logf("build skipped %d× %s", skips[k], k)
	}
	return errs
}

// serveThirdparty serves the fixture's static Composer repository on 127.0.0.1, with its dist URLs rewritten in
// a temporary copy of packages.json, and returns its URL.
func serveThirdparty(t *testing.T, dir string) string {
	t.Helper()
	ln, url := listen(t)
	raw, err := os.ReadFile(filepath.Join(dir, "packages.json"))
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "http://thirdparty.invalid/"
	if !bytes.Contains(raw, []byte(prefix)) {
		t.Fatalf("thirdparty/packages.json has no %s dist URLs", prefix)
	}
	copyPath := filepath.Join(t.TempDir(), "packages.json")
	if err := os.WriteFile(copyPath, bytes.ReplaceAll(raw, []byte(prefix), []byte(url)), 0o644); err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(dir))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/packages.json" {
			http.ServeFile(w, r, copyPath)
			return
		}
		files.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return url
}

// realCreateProject runs the real `composer create-project` for 2.4.3-p2 from the mirror and returns the project.
func realCreateProject(t *testing.T, composerBin, base, thirdparty string) string {
	t.Helper()
	project, _ := createProjectFrom(t, composerBin, base, thirdparty, "magento/project-community-edition=2.4.3-p2")
	return project
}

// createProjectFrom runs the real `composer create-project spec` from the repository at base with a Composer home
// of its own, and returns the project and the environment it ran with (for later Composer commands in it).
// vendors are more vendors whose plugins are allowed (a distribution's).
func createProjectFrom(t *testing.T, composerBin, base, thirdparty, spec string, vendors ...string) (string, []string) {
	t.Helper()
	home := t.TempDir()
	// Every plugin the release uses is allowed, packagist.org is off (the stand-in replaces it), plain http to
	// 127.0.0.1 is allowed. Composer's audit is left at its defaults: from 2.9 on it blocks packages with security
	// advisories; the advisories come from the repositories, and neither the mirror nor the stand-in publishes
	// any, which the log line "advisories" below shows.
	plugins := map[string]bool{"magento/*": true, "laminas/laminas-dependency-plugin": true,
		"dealerdirect/phpcodesniffer-composer-installer": true}
	for _, v := range vendors {
		plugins[v+"/*"] = true
	}
	cfg := map[string]any{
		"config":       map[string]any{"secure-http": false, "allow-plugins": plugins},
		"repositories": map[string]any{"packagist.org": false, "thirdparty": map[string]string{"type": "composer", "url": thirdparty}},
	}
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(filepath.Join(home, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "COMPOSER_HOME="+home, "COMPOSER_CACHE_DIR="+filepath.Join(home, "cache"),
		"COMPOSER_ALLOW_SUPERUSER=1")
	version, err := exec.Command(composerBin, "--version", "--no-ansi").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", composerBin, err)
	}
	t.Logf("client: %s (%s)", strings.SplitN(strings.TrimSpace(string(version)), "\n", 2)[0], composerBin)

	parent := t.TempDir()
	project := filepath.Join(parent, "shop")
	cmd := exec.Command(composerBin, "create-project", "--repository-url="+base, "--ignore-platform-reqs",
		"--no-interaction", "--no-ansi", "--no-progress", spec, project)
	cmd.Dir = parent
	cmd.Env = env
	start := time.Now()
	msg, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		t.Fatalf("composer create-project after %s: %v\n%s", d.Round(time.Millisecond), err, tailLines(string(msg), 80))
	}
	t.Logf("create-project %s: %s wall time", spec, d.Round(time.Millisecond))
	for _, line := range strings.Split(string(msg), "\n") {
		if strings.Contains(strings.ToLower(line), "advisor") || strings.Contains(line, "Higher matching version") {
			t.Logf("composer said: %s", strings.TrimSpace(line))
		}
	}
	return project, env
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// fileEntry is a file as files.tsv records it: git blob id and x (executable), - (not) or l (symlink).
type fileEntry struct {
	blob string
	mode string
}

type lockPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Type    string `json:"type"`
	Dist    *struct {
		URL string `json:"url"`
	} `json:"dist"`
}

type lockFile struct {
	Packages    []lockPackage `json:"packages"`
	PackagesDev []lockPackage `json:"packages-dev"`
}

func readLock(t *testing.T, p string) lockFile {
	t.Helper()
	var l lockFile
	if err := json.Unmarshal([]byte(readFile(t, p)), &l); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return l
}

// realExpected is the fixture's expected/ directory, read once.
type realExpected struct {
	files        map[string]fileEntry
	targets      []string
	placeholders map[string]bool
	lock         lockFile
	officialRepo string // the official project's repository, where the 2021 install got the Magento packages
}

func loadRealExpected(t *testing.T, fx string) *realExpected {
	t.Helper()
	e := &realExpected{files: map[string]fileEntry{}, placeholders: map[string]bool{}}
	for i, line := range strings.Split(readFile(t, filepath.Join(fx, "expected", "files.tsv")), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("files.tsv line %d: %q", i+1, line)
		}
		e.files[f[0]] = fileEntry{f[1], f[2]}
	}
	for _, l := range strings.Split(readFile(t, filepath.Join(fx, "expected", "root-targets.txt")), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			e.targets = append(e.targets, l)
		}
	}
	for _, l := range strings.Split(readFile(t, filepath.Join(fx, "expected", "placeholders.txt")), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			e.placeholders[strings.Fields(l)[0]] = true
		}
	}
	e.lock = readLock(t, filepath.Join(fx, "expected", "composer.lock"))
	var proj struct {
		Repositories []struct{ URL string } `json:"repositories"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(fx, "expected", "project-composer.json"))), &proj); err != nil || len(proj.Repositories) == 0 {
		t.Fatalf("expected/project-composer.json: no repositories (%v)", err)
	}
	e.officialRepo = proj.Repositories[0].URL
	return e
}

// ownTagPackages are compared with their own git tag (source as the embedded profile names it, package dir in it).
// The two plugins only when Composer picked another version than the 2021 lock (rule newer-plugin); the
// installer always (rules installer-*).
var ownTagPackages = map[string]struct{ source, dir string }{
	"magento/composer-dependency-version-audit-plugin": {"composer-dependency-version-audit-plugin", ""},
	"magento/composer-root-update-plugin":              {"composer-root-update-plugin", "src/Magento/ComposerRootUpdatePlugin"},
	"magento/magento-composer-installer":               {"magento-composer-installer", ""},
}

const installerPackage = "magento/magento-composer-installer"

// tally counts per rule and collects unclassified differences.
type tally struct {
	counts       map[string]int
	unclassified []string
}

func (c *tally) add(rule string) { c.counts[rule]++ }
func (c *tally) fail(format string, args ...any) {
	c.unclassified = append(c.unclassified, fmt.Sprintf(format, args...))
}

// compareRealInstall compares the installed project with the official install (see the rules at the top).
func compareRealInstall(t *testing.T, fx string, exp *realExpected, project, base string) {
	t.Helper()
	c := &tally{counts: map[string]int{}}
	got := readLock(t, filepath.Join(project, "composer.lock"))
	installedVersion := compareLocks(t, c, exp, got, base)

	installed := scanInstalled(t, project, exp.targets)
	src := newFixtureSources(t, fx)
	src.project = project
	baseMap := magentoBaseMap(t, project)

	// Which package directory a path belongs to ("" for root files).
	pkgOf := func(p string) string {
		if rest, ok := strings.CutPrefix(p, "vendor/magento/"); ok {
			if name, _, ok := strings.Cut(rest, "/"); ok {
				return "magento/" + name
			}
		}
		return ""
	}
	inScope := func(p string) bool {
		if pkgOf(p) != "" {
			return true
		}
		for _, tg := range exp.targets {
			if p == tg || strings.HasPrefix(p, tg+"/") {
				return true
			}
		}
		return false
	}
	// Packages compared with their own tag instead of files.tsv.
	ownTag := map[string]bool{}
	for name := range ownTagPackages {
		if name == installerPackage || installedVersion[name] != exp.lockVersion(name) {
			ownTag[name] = true
			compareOwnTag(t, c, src, installed, name, installedVersion[name])
		}
	}

	var paths []string
	for p := range exp.files {
		if inScope(p) {
			paths = append(paths, p)
		}
	}
	for p := range installed {
		if _, ok := exp.files[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var installerTree map[string]fileEntry
	var installerExported map[string]bool
	for _, p := range paths {
		pkg := pkgOf(p)
		if ownTag[pkg] && pkg != installerPackage {
			c.add("newer-plugin: files.tsv entries of the 2021 version not compared")
			continue
		}
		want, inExp := exp.files[p]
		have, inInst := installed[p]
		rel := p
		if pkg != "" {
			rel = strings.TrimPrefix(p, "vendor/"+pkg+"/")
		}
		switch {
		case inExp && inInst && want == have:
			c.add("identical")
		case !inInst && strings.HasPrefix(rel, "__MACOSX/") && ownTagPackages[pkg].source != "" && !src.inTag(t, pkg, installedVersion[pkg], rel):
			c.add("official-zip-macosx: " + pkg + " " + installedVersion[pkg] + " __MACOSX/ file of the official zip, in no git tag")
		case !inInst:
			c.fail("%s: in the official install (%s), not installed", p, want.blob)
		case !inExp && pkg == installerPackage:
			o := ownTagPackages[pkg]
			if installerExported == nil {
				installerTree = src.tree(t, o.source, installedVersion[pkg], o.dir)
				installerExported = src.archived(t, o.source, installedVersion[pkg], o.dir)
			}
			if _, inGit := installerTree[rel]; inGit && !installerExported[rel] {
				c.add("installer-export-ignore: extra file the GitHub zipball leaves out")
			} else {
				c.fail("%s: installed, not in the official install, and not a file of git tag %s that git archive leaves out", p, installedVersion[pkg])
			}
		case !inExp && pkg == "":
			// A root target files.tsv does not list: compare with the official magento2-base's copy of its source.
			srcPath, ok := baseMap.source(p)
			official, okOfficial := exp.files["vendor/magento/magento2-base/"+srcPath]
			switch {
			case ok && okOfficial && official == have:
				c.add("root-target-not-in-files.tsv: equal to the official magento2-base copy")
			case ok && okOfficial:
				c.fail("%s: deployed (%s %s), not in files.tsv, differs from the official magento2-base/%s (%s %s)", p, have.blob, have.mode, srcPath, official.blob, official.mode)
			default:
				c.fail("%s: deployed (%s), in neither files.tsv nor the official magento2-base", p, have.blob)
			}
		case !inExp:
			c.fail("%s: installed (%s), not in the official install", p, have.blob)
		case want.blob == have.blob && want.mode == "-" && have.mode == "x" && src.executableInGit(t, have.blob, rel):
			c.add("exec-bit-from-git")
		case want.blob != have.blob && want.mode == have.mode && pkg == installerPackage && src.equalsTag(t, pkg, installedVersion[pkg], rel, p, installed):
			c.add("installer-differs-from-zipball: " + rel + " equals the git tag")
		case want.blob != have.blob && want.mode == have.mode && isPlaceholder(project, p, rel, want.blob, exp.placeholders):
			c.add("placeholder")
		case want.blob != have.blob && want.mode == have.mode && rel == "composer.json" && pkg != "":
			official, ok := src.blob(t, want.blob)
			if !ok {
				c.fail("%s: differs, and the official blob %s is in no fixture repository", p, want.blob)
			} else if jsonEqual(official, []byte(readFile(t, filepath.Join(project, p)))) {
				c.add("composer.json-as-json")
			} else {
				c.fail("%s: differs from the official composer.json also as parsed JSON", p)
			}
		default:
			c.fail("%s: official %s %s, installed %s %s", p, want.blob, want.mode, have.blob, have.mode)
		}
	}

	t.Logf("files: %d paths compared (%d of files.tsv in scope, %d installed files under vendor/magento/ and the %d root targets)",
		len(paths), countInScope(exp.files, inScope), len(installed), len(exp.targets))
	for _, k := range sortedKeys(c.counts) {
		t.Logf("  %6d  %s", c.counts[k], k)
	}
	t.Logf("placeholders.txt lists %d paths", len(exp.placeholders))
	if n := len(c.unclassified); n > 0 {
		show := c.unclassified
		if len(show) > 60 {
			show = show[:60]
		}
		t.Errorf("%d unclassified differences from the official install:\n%s", n, strings.Join(show, "\n"))
	}
}

func countInScope(files map[string]fileEntry, inScope func(string) bool) int {
	n := 0
	for p := range files {
		if inScope(p) {
			n++
		}
	}
	return n
}

func (e *realExpected) lockVersion(name string) string {
	for _, p := range append(append([]lockPackage{}, e.lock.Packages...), e.lock.PackagesDev...) {
		if p.Name == name {
			return p.Version
		}
	}
	return ""
}

// compareLocks compares the installed package set and versions with the official lock (rule newer-plugin), and
// checks that every package the official install got from its Magento repository came from the mirror. It
// returns name -> installed version.
func compareLocks(t *testing.T, c *tally, exp *realExpected, got lockFile, base string) map[string]string {
	t.Helper()
	versions := map[string]string{}
	gotPkgs := map[string]lockPackage{}
	gotSection := map[string]string{}
	for sec, l := range map[string][]lockPackage{"packages": got.Packages, "packages-dev": got.PackagesDev} {
		for _, p := range l {
			versions[p.Name] = p.Version
			gotPkgs[p.Name] = p
			gotSection[p.Name] = sec
		}
	}
	counts := map[string]int{}
	var fromOfficial, fromMirror int
	seen := map[string]bool{}
	for sec, l := range map[string][]lockPackage{"packages": exp.lock.Packages, "packages-dev": exp.lock.PackagesDev} {
		for _, want := range l {
			seen[want.Name] = true
			have, ok := gotPkgs[want.Name]
			switch {
			case !ok:
				c.fail("package %s %s: in the official lock, not installed", want.Name, want.Version)
			case gotSection[want.Name] != sec:
				c.fail("package %s: in %s of the official lock, installed in %s", want.Name, sec, gotSection[want.Name])
			case have.Version == want.Version:
				counts["same version"]++
			case ownTagPackages[want.Name].source != "" && want.Name != installerPackage && newerVersion(have.Version, want.Version):
				counts["newer-plugin"]++
				t.Logf("newer-plugin: %s %s installed, %s in the 2021 lock", want.Name, have.Version, want.Version)
			default:
				c.fail("package %s: %s installed, %s in the official lock", want.Name, have.Version, want.Version)
			}
			if ok && want.Dist != nil && strings.HasPrefix(want.Dist.URL, exp.officialRepo) {
				fromOfficial++
				if have.Dist != nil && strings.HasPrefix(have.Dist.URL, base) {
					fromMirror++
				} else {
					where := "no dist"
					if have.Dist != nil {
						where = have.Dist.URL
					}
					c.fail("package %s %s: the official install got it from %s, this one not from the mirror (%s)", want.Name, have.Version, exp.officialRepo, where)
				}
			}
		}
	}
	for name, p := range gotPkgs {
		if !seen[name] {
			c.fail("package %s %s: installed, not in the official lock", name, p.Version)
		}
	}
	t.Logf("packages: %d in the official lock, %d installed: %d same version, %d newer-plugin", len(exp.lock.Packages)+len(exp.lock.PackagesDev),
		len(gotPkgs), counts["same version"], counts["newer-plugin"])
	t.Logf("packages the official install got from %s: %d, installed from the mirror: %d", exp.officialRepo, fromOfficial, fromMirror)
	return versions
}

func newerVersion(a, b string) bool {
	na, err1 := composer.NormalizeVersion(a)
	nb, err2 := composer.NormalizeVersion(b)
	return err1 == nil && err2 == nil && composer.CompareVersions(na, nb) > 0
}

// scanInstalled returns path -> entry of every file under vendor/magento/ and under each root target.
func scanInstalled(t *testing.T, project string, targets []string) map[string]fileEntry {
	t.Helper()
	out := map[string]fileEntry{}
	add := func(full string, d fs.DirEntry) error {
		rel, _ := filepath.Rel(project, full)
		rel = filepath.ToSlash(rel)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(full)
			if err != nil {
				return err
			}
			out[rel] = fileEntry{gitBlobID([]byte(target)), "l"}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		mode := "-"
		if info.Mode()&0o111 != 0 {
			mode = "x"
		}
		out[rel] = fileEntry{gitBlobID(b), mode}
		return nil
	}
	walk := func(root string) {
		if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
			return
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			return add(p, d)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	walk(filepath.Join(project, "vendor", "magento"))
	for _, tg := range targets {
		walk(filepath.Join(project, filepath.FromSlash(tg)))
	}
	return out
}

// gitBlobID is `git hash-object` of content.
func gitBlobID(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// baseMap is magento2-base's extra.map as installed: [source, target] pairs.
type baseMap [][2]string

func magentoBaseMap(t *testing.T, project string) baseMap {
	t.Helper()
	var doc struct {
		Extra struct {
			Map [][2]string `json:"map"`
		} `json:"extra"`
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(project, "vendor", "magento", "magento2-base", "composer.json"))), &doc); err != nil {
		t.Fatalf("magento2-base composer.json: %v", err)
	}
	return doc.Extra.Map
}

// source returns the path inside magento2-base that the root file p was deployed from.
func (m baseMap) source(p string) (string, bool) {
	for _, e := range m {
		if p == e[1] {
			return e[0], true
		}
		if rest, ok := strings.CutPrefix(p, e[1]+"/"); ok {
			return e[0] + "/" + rest, true
		}
	}
	return "", false
}

// isPlaceholder reports whether the installed file p is the fixture's placeholder for the expected blob.
func isPlaceholder(project, p, rel, blob string, listed map[string]bool) bool {
	if listed[p] {
		return true
	}
	f, err := os.Open(filepath.Join(project, p))
	if err != nil {
		return false
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	named, ok := strings.CutPrefix(line, "PLACEHOLDER: the original content of ")
	if !ok {
		return false
	}
	name, rest, ok := strings.Cut(named, " (git blob ")
	return ok && strings.HasPrefix(rest, blob+")") && (rel == name || strings.HasSuffix(rel, "/"+name))
}

// jsonEqual compares two JSON documents as parsed values (numbers kept exact).
func jsonEqual(a, b []byte) bool {
	va, ea := decodeJSON(a)
	vb, eb := decodeJSON(b)
	return ea == nil && eb == nil && reflect.DeepEqual(va, vb)
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// fixtureSources reads the fixture's bare git repositories.
type fixtureSources struct {
	dir     string
	repos   []string
	project string              // the installed project being compared
	blobs   map[string][]byte   // blob id -> content, filled by blob
	exec    map[string][]string // blob id -> paths with mode 100755 at some tag, filled by executableInGit
}

func newFixtureSources(t *testing.T, fx string) *fixtureSources {
	t.Helper()
	dir := filepath.Join(fx, "sources")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := &fixtureSources{dir: dir, blobs: map[string][]byte{}}
	for _, e := range ents {
		if e.IsDir() {
			s.repos = append(s.repos, e.Name())
		}
	}
	return s
}

func (s *fixtureSources) git(t *testing.T, repo string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", filepath.Join(s.dir, repo)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), repo, err, stderr.String())
	}
	return string(b)
}

// blob returns the content of a blob from any fixture repository.
func (s *fixtureSources) blob(t *testing.T, id string) ([]byte, bool) {
	t.Helper()
	if b, ok := s.blobs[id]; ok {
		return b, true
	}
	for _, r := range s.repos {
		cmd := exec.Command("git", "-C", filepath.Join(s.dir, r), "cat-file", "blob", id)
		if b, err := cmd.Output(); err == nil {
			s.blobs[id] = b
			return b, true
		}
	}
	return nil, false
}

// executableInGit reports whether some tag of some fixture source has the blob with mode 100755 at a path that
// ends with rel (the path inside the package).
func (s *fixtureSources) executableInGit(t *testing.T, blob, rel string) bool {
	t.Helper()
	if s.exec == nil {
		s.exec = map[string][]string{}
		for _, r := range s.repos {
			for _, tag := range strings.Fields(s.git(t, r, "tag")) {
				for _, line := range strings.Split(s.git(t, r, "ls-tree", "-r", "-z", tag), "\x00") {
					meta, name, ok := strings.Cut(line, "\t")
					if f := strings.Fields(meta); ok && len(f) == 3 && f[0] == "100755" {
						s.exec[f[2]] = append(s.exec[f[2]], name)
					}
				}
			}
		}
	}
	for _, name := range s.exec[blob] {
		if name == rel || strings.HasSuffix(name, "/"+rel) {
			return true
		}
	}
	return false
}

// tree returns path -> entry of the files below dir at tag in a fixture source.
func (s *fixtureSources) tree(t *testing.T, repo, tag, dir string) map[string]fileEntry {
	t.Helper()
	spec := tag + "^{tree}"
	if dir != "" {
		spec = tag + ":" + dir
	}
	out := map[string]fileEntry{}
	for _, line := range strings.Split(s.git(t, repo, "ls-tree", "-r", "-z", spec), "\x00") {
		meta, name, ok := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 || f[1] != "blob" {
			continue
		}
		mode := map[string]string{"100755": "x", "100644": "-", "120000": "l"}[f[0]]
		out[name] = fileEntry{f[2], mode}
	}
	return out
}

// archived returns the paths (below dir) that `git archive` of tag writes, i.e. with export-ignore applied.
func (s *fixtureSources) archived(t *testing.T, repo, tag, dir string) map[string]bool {
	t.Helper()
	spec := tag
	if dir != "" {
		spec = tag + ":" + dir
	}
	cmd := exec.Command("git", "-C", filepath.Join(s.dir, repo), "archive", "--format=tar", spec)
	tarOut, err := cmd.Output()
	if err != nil {
		t.Fatalf("git archive %s in %s: %v", spec, repo, err)
	}
	list := exec.Command("tar", "-t")
	list.Stdin = bytes.NewReader(tarOut)
	names, err := list.Output()
	if err != nil {
		t.Fatalf("tar -t: %v", err)
	}
	out := map[string]bool{}
	for _, n := range strings.Split(string(names), "\n") {
		if n != "" && !strings.HasSuffix(n, "/") {
			out[n] = true
		}
	}
	return out
}

// equalsTag reports whether the installed file p (rel inside package name) equals the package's git tag: the same
// blob, or for composer.json the same JSON once the version that the profile pins is removed (rule
// installer-differs-from-zipball).
func (s *fixtureSources) equalsTag(t *testing.T, name, version, rel, p string, installed map[string]fileEntry) bool {
	t.Helper()
	o := ownTagPackages[name]
	want, ok := s.tree(t, o.source, version, o.dir)[rel]
	if !ok {
		return false
	}
	if want == installed[p] {
		return true
	}
	if rel != "composer.json" {
		return false
	}
	gitJSON, _ := s.blob(t, want.blob)
	return composerJSONEqualPinned(gitJSON, s.installedContent(t, p), version)
}

// inTag reports whether rel is a path of package name's git tree at tag version (ownTagPackages' source and dir).
func (s *fixtureSources) inTag(t *testing.T, name, version, rel string) bool {
	t.Helper()
	o := ownTagPackages[name]
	_, ok := s.tree(t, o.source, version, o.dir)[rel]
	return ok
}

// installedContent returns the installed file p of the project being compared.
func (s *fixtureSources) installedContent(t *testing.T, p string) []byte {
	t.Helper()
	return []byte(readFile(t, filepath.Join(s.project, p)))
}

// composerJSONEqualPinned: equal as JSON, where the installed document may carry a "version" the git one lacks
// (the profile's version pin, for a source whose composer.json has no version) if it is the installed version.
func composerJSONEqualPinned(gitJSON, installedJSON []byte, version string) bool {
	g, err1 := decodeJSON(gitJSON)
	i, err2 := decodeJSON(installedJSON)
	gm, ok1 := g.(map[string]any)
	im, ok2 := i.(map[string]any)
	if err1 != nil || err2 != nil || !ok1 || !ok2 {
		return false
	}
	if _, has := gm["version"]; !has && im["version"] == version {
		delete(im, "version")
	}
	return reflect.DeepEqual(gm, im)
}

// compareOwnTag compares an installed package with the git tree of its own tag (rules newer-plugin and installer-*):
// every file identical (blob and exec bit), composer.json equal as JSON (version pin allowed).
func compareOwnTag(t *testing.T, c *tally, s *fixtureSources, installed map[string]fileEntry, name, version string) {
	t.Helper()
	o := ownTagPackages[name]
	prefix := "vendor/" + name + "/"
	want := s.tree(t, o.source, version, o.dir)
	n := 0
	for rel, w := range want {
		n++
		have, ok := installed[prefix+rel]
		switch {
		case !ok:
			c.fail("%s %s: %s is in git tag %s of %s, not installed", name, version, rel, version, o.source)
		case have == w:
		case rel == "composer.json" && have.mode == w.mode:
			gitJSON, _ := s.blob(t, w.blob)
			if !composerJSONEqualPinned(gitJSON, s.installedContent(t, prefix+rel), version) {
				c.fail("%s %s: composer.json differs from git tag %s also as JSON", name, version, version)
			}
		default:
			c.fail("%s %s: %s differs from git tag %s (%v, installed %v)", name, version, rel, version, w, have)
		}
	}
	for p := range installed {
		if rel, ok := strings.CutPrefix(p, prefix); ok {
			if _, inGit := want[rel]; !inGit {
				c.fail("%s %s: %s installed, not in git tag %s", name, version, rel, version)
			}
		}
	}
	c.counts[fmt.Sprintf("own-tag: %s %s files compared with git tag %s of %s", name, version, version, o.source)] = n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
