package build

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gittest"
)

// zipBytes makes a small zip holding files (name, content pairs, in order).
func zipBytes(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		f, err := w.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[i+1]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// prebuiltZip is a zip with a composer.json naming name and version.
func prebuiltZip(t *testing.T, name, version, content string) []byte {
	return zipBytes(t, "composer.json", `{"name": "`+name+`", "version": "`+version+`", "type": "magento2-module"}`, "src/a.php", content)
}

const zipDir = "resource/additional-packages"

// prebuiltRepo is a git repository shaped like mage-os/generate-mirror-repo-js: zips under
// resource/additional-packages on branch main, plus files the build must not look at.
func prebuiltRepo(t *testing.T, zips map[string][]byte) *gittest.Repo {
	t.Helper()
	g := gittest.New(t)
	files := map[string]string{
		"README.md":                 "generator\n",
		zipDir + "/README.md":       "closed-source packages\n",
		"resource/other/x-1.0.zip":  string(prebuiltZip(t, "acme/outside", "1.0.0", "not in the directory")),
		"src/make/mirror.js":        "// code\n",
		"resource/history/2.4.json": "{}\n",
	}
	for name, b := range zips {
		files[zipDir+"/"+name] = string(b)
	}
	g.Write(files)
	g.Commit("zips")
	return g
}

// prebuiltProfile is a profile with one tagged source (acme/lib from a real repository) and the prebuilt
// source at loc (a URL or path).
func prebuiltProfile(t *testing.T, loc string, extra string) (*config.Config, *gittest.Repo) {
	t.Helper()
	lib := gittest.New(t)
	lib.Write(map[string]string{"composer.json": gittest.ComposerJSON("acme/lib", "1.0.0", nil), "Lib.php": "<?php\n"})
	lib.CommitTag("1.0.0")
	key := "path"
	if strings.Contains(loc, "://") {
		key = "url"
	}
	y := "archive-format: mageos\ndist-dir: packages\nbase-url: https://r.example/\n" +
		"sources:\n  - name: lib\n    path: " + lib.Dir + "\n    packages: [{dir: \"\"}]\n" +
		"prebuilt-sources:\n  - name: additional-packages\n    " + key + ": " + loc + "\n    branch: main\n    dir: " + zipDir + "\n" + extra
	c, err := config.Parse([]byte(y), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c, lib
}

// p2Dist returns the dist of name's version from the published p2 file.
func p2Dist(t *testing.T, out, name, version string) (url, shasum string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "p2", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Packages map[string][]map[string]json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	// Minified: only the first version is complete; this test publishes one version per package.
	for _, v := range doc.Packages[name] {
		var ver string
		json.Unmarshal(v["version"], &ver)
		if ver != version {
			continue
		}
		var d struct{ URL, Shasum string }
		if err := json.Unmarshal(v["dist"], &d); err != nil {
			t.Fatal(err)
		}
		return d.URL, d.Shasum
	}
	t.Fatalf("%s %s not in %s", name, version, b)
	return "", ""
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// checkPublished checks that zip is served byte for byte at packages/additional/file and named, with its SHA-1,
// by the p2 metadata of name version.
func checkPublished(t *testing.T, out, file, name, version string, zip []byte) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(out, "packages/additional", file))
	if err != nil || !bytes.Equal(got, zip) {
		t.Fatalf("%s: not published byte for byte (%v)", file, err)
	}
	url, shasum := p2Dist(t, out, name, version)
	if url != "https://r.example/packages/additional/"+file || shasum != sha1Hex(zip) {
		t.Fatalf("%s %s: dist %s sha1 %s, want the file's URL and sha1 %s", name, version, url, shasum, sha1Hex(zip))
	}
}

// snapshot records the bytes and modification time of every published file (everything outside .magerepo).
func snapshot(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".magerepo" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		m[p] = sha1Hex(b) + " " + fi.ModTime().Format(time.RFC3339Nano)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func problemsOf(s *Summary, sev Severity) []Problem {
	var ps []Problem
	for _, p := range s.Problems {
		if p.Severity == sev {
			ps = append(ps, p)
		}
	}
	return ps
}

// TestPrebuiltSourceFromGit: the profile's prebuilt source is a git repository fetched into the cache (a
// file:// URL takes the same path as https://) and read at its branch without a checkout; every zip under its
// directory is published byte for byte at packages/additional/<file>, and nothing else of the repository.
func TestPrebuiltSourceFromGit(t *testing.T) {
	a := prebuiltZip(t, "Vertexinc/Module-Tax", "4.5.0", "tax")
	b := prebuiltZip(t, "magento/module-adobe-ims", "2.1.3-p3", "ims")
	nested := zipBytes(t, "klarna-6.1.0/", "", "klarna-6.1.0/composer.json", `{"name": "klarna/m2-payments", "version": "6.1.0"}`)
	g := prebuiltRepo(t, map[string][]byte{
		"vertexinc-module-tax-4.5.0.0.zip":            a,
		"magento-module-adobe-ims-2.1.3.0-patch3.zip": b,
		"sub/klarna-m2-payments-6.1.0.zip":            nested,
	})
	// A branch checked out elsewhere: the build reads main, not the work tree or HEAD.
	g.Git("checkout", "-q", "-b", "wip")
	g.Write(map[string]string{zipDir + "/wip-1.0.zip": string(prebuiltZip(t, "acme/wip", "1.0.0", "wip"))})
	g.Commit("work in progress")

	c, _ := prebuiltProfile(t, "file://"+g.Dir, "")
	out, cache := t.TempDir(), t.TempDir()
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
	if err != nil {
		t.Fatalf("%v %+v", err, sum)
	}
	if sum.Prebuilt != 3 || sum.Built != 1 || sum.Failed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	checkPublished(t, out, "vertexinc-module-tax-4.5.0.0.zip", "vertexinc/module-tax", "4.5.0", a)
	checkPublished(t, out, "magento-module-adobe-ims-2.1.3.0-patch3.zip", "magento/module-adobe-ims", "2.1.3-p3", b)
	checkPublished(t, out, "klarna-m2-payments-6.1.0.zip", "klarna/m2-payments", "6.1.0", nested)
	for _, p := range []string{"p2/acme/wip.json", "p2/acme/outside.json", "packages/additional/wip-1.0.zip", "packages/additional/x-1.0.zip"} {
		if _, err := os.Stat(filepath.Join(out, p)); err == nil {
			t.Errorf("%s published: only branch main's %s is read", p, zipDir)
		}
	}
	// The manifest records where the zip came from.
	man, _ := os.ReadFile(filepath.Join(out, ".magerepo/manifest/vertexinc/module-tax.json"))
	if !strings.Contains(string(man), `"source": "file://`+g.Dir+`"`) {
		t.Errorf("manifest source: %s", man)
	}
}

// TestPrebuiltSourceIncremental: a run with no new commit on the prebuilt repository reads none of its zips and
// rewrites nothing; a commit that changes other files does not either; a zip added in a new commit is published
// by the next run, and the published files stay as they are.
func TestPrebuiltSourceIncremental(t *testing.T) {
	a := prebuiltZip(t, "acme/a", "1.0.0", "a")
	// A duplicate (name, version) is reported when the directory is read, so the report shows whether it was.
	dup := prebuiltZip(t, "acme/a", "1.0.0", "other bytes")
	g := prebuiltRepo(t, map[string][]byte{"acme-a-1.0.0.zip": a, "acme-a-1.0.0.0.zip": dup})
	c, _ := prebuiltProfile(t, "file://"+g.Dir, "")
	out, cache := t.TempDir(), t.TempDir()
	run := func() *Summary {
		t.Helper()
		sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
		if err != nil {
			t.Fatalf("%v %+v", err, sum)
		}
		return sum
	}
	sum := run()
	if sum.Prebuilt != 1 || len(problemsOf(sum, SeveritySkip)) != 1 {
		t.Fatalf("first run: %+v", sum)
	}
	checkPublished(t, out, "acme-a-1.0.0.zip", "acme/a", "1.0.0", a)
	before := snapshot(t, out)

	sum = run()
	if sum.Prebuilt != 0 || sum.Built != 0 || len(sum.Problems) != 0 {
		t.Fatalf("second run did work: %+v", sum)
	}
	if after := snapshot(t, out); !equalMaps(before, after) {
		t.Fatalf("second run rewrote files:\n%v\n%v", before, after)
	}

	g.Write(map[string]string{"src/make/mirror.js": "// changed\n"})
	g.Commit("code only")
	if sum = run(); sum.Prebuilt != 0 || len(sum.Problems) != 0 {
		t.Fatalf("a commit outside the zip directory caused work: %+v", sum)
	}
	if after := snapshot(t, out); !equalMaps(before, after) {
		t.Fatal("a commit outside the zip directory rewrote files")
	}

	bz := prebuiltZip(t, "acme/b", "2.0.0", "b")
	g.Write(map[string]string{zipDir + "/acme-b-2.0.0.zip": string(bz)})
	g.Commit("add acme/b")
	if sum = run(); sum.Prebuilt != 1 || sum.Failed != 0 {
		t.Fatalf("new zip: %+v", sum)
	}
	checkPublished(t, out, "acme-b-2.0.0.zip", "acme/b", "2.0.0", bz)
	after := snapshot(t, out)
	for _, f := range []string{"packages/additional/acme-a-1.0.0.zip", "p2/acme/a.json", "packages/acme/lib-1.0.0.zip"} {
		p := filepath.Join(out, f)
		if before[p] == "" || after[p] != before[p] {
			t.Errorf("%s changed by the run that added acme/b", f)
		}
	}
	if sum = run(); sum.Prebuilt != 0 || len(sum.Problems) != 0 {
		t.Fatalf("run after the new zip: %+v", sum)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestPrebuiltSourceBrokenZips: zips the mirror cannot publish are failures (the run's error wraps ErrFailed,
// which is exit 1) naming the source, branch, commit and path; the other zips are published; and the failures
// are reported again by the next run rather than forgotten.
func TestPrebuiltSourceBrokenZips(t *testing.T) {
	good := prebuiltZip(t, "acme/good", "1.0.0", "good")
	g := prebuiltRepo(t, map[string][]byte{
		"acme-good-1.0.0.zip":  good,
		"no-composer.zip":      zipBytes(t, "src/a.php", "<?php"),
		"bad-json.zip":         zipBytes(t, "composer.json", `{"name": "acme/bad", "version": `),
		"no-version.zip":       zipBytes(t, "composer.json", `{"name": "acme/bad"}`),
		"bad-constraint.zip":   zipBytes(t, "composer.json", `{"name": "acme/bad", "version": "1.0.0", "require": {"php": "~~7"}}`),
		"not-a-zip-at-all.zip": []byte("PK\x03\x04 truncated"),
	})
	commit := g.Git("rev-parse", "main")
	c, _ := prebuiltProfile(t, g.Dir, "")
	out, cache := t.TempDir(), t.TempDir()
	for run := 1; run <= 2; run++ {
		sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: cache})
		if !errors.Is(err, ErrFailed) {
			t.Fatalf("run %d: err %v, want ErrFailed", run, err)
		}
		errs := problemsOf(sum, SeverityError)
		if len(errs) != 5 || sum.Failed != 5 {
			t.Fatalf("run %d: %d failures, want 5: %+v", run, len(errs), sum.Problems)
		}
		paths := map[string]bool{}
		for _, p := range errs {
			paths[p.Path] = true
			if p.Source != "additional-packages" || !strings.Contains(p.Message, "branch main (commit "+commit[:12]+")") {
				t.Errorf("run %d: %s does not name the source, branch and commit", run, p)
			}
		}
		for _, f := range []string{"no-composer.zip", "bad-json.zip", "no-version.zip", "bad-constraint.zip", "not-a-zip-at-all.zip"} {
			if !paths[zipDir+"/"+f] {
				t.Errorf("run %d: %s not reported (paths %v)", run, f, paths)
			}
		}
		checkPublished(t, out, "acme-good-1.0.0.zip", "acme/good", "1.0.0", good)
		if _, err := os.Stat(filepath.Join(out, "packages/additional/bad-constraint.zip")); err == nil {
			t.Errorf("run %d: an unpublishable zip was copied into the output", run)
		}
	}
}

// TestPrebuiltSourceSourcesDir: with --sources-dir the prebuilt source is read from DIR/additional-packages
// (its name), a clone or a plain copy of the repository, never from its URL; without that directory it is
// reported as skipped like any source missing there.
func TestPrebuiltSourceSourcesDir(t *testing.T) {
	a := prebuiltZip(t, "acme/a", "1.0.0", "a")
	upstream := prebuiltRepo(t, map[string][]byte{"acme-a-1.0.0.zip": a})
	// The profile's URL does not exist: a build that tried it would fail.
	c, lib := prebuiltProfile(t, "file://"+filepath.Join(t.TempDir(), "gone.git"), "")

	layout := func(t *testing.T, prebuilt func(dir string)) string {
		dir := t.TempDir()
		gitClone(t, lib.Dir, filepath.Join(dir, "lib"))
		if prebuilt != nil {
			prebuilt(filepath.Join(dir, "additional-packages"))
		}
		return dir
	}
	t.Run("clone", func(t *testing.T) {
		dir := layout(t, func(d string) { gitClone(t, upstream.Dir, d) })
		out := t.TempDir()
		sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir(), SourcesDir: dir})
		if err != nil || sum.Prebuilt != 1 || sum.Built != 1 || len(sum.Problems) != 0 {
			t.Fatalf("%v %+v", err, sum)
		}
		checkPublished(t, out, "acme-a-1.0.0.zip", "acme/a", "1.0.0", a)
	})
	t.Run("plain directory", func(t *testing.T) {
		dir := layout(t, func(d string) {
			if err := os.MkdirAll(filepath.Join(d, zipDir), 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(d, zipDir, "acme-a-1.0.0.zip"), a, 0o644)
			os.WriteFile(filepath.Join(d, zipDir, "broken.zip"), []byte("no zip"), 0o644)
		})
		out := t.TempDir()
		sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir(), SourcesDir: dir})
		if !errors.Is(err, ErrFailed) || sum.Prebuilt != 1 || sum.Failed != 1 {
			t.Fatalf("%v %+v", err, sum)
		}
		if p := problemsOf(sum, SeverityError)[0]; p.Source != "additional-packages" || p.Path != filepath.Join(dir, "additional-packages", zipDir, "broken.zip") {
			t.Fatalf("problem %s", p)
		}
		checkPublished(t, out, "acme-a-1.0.0.zip", "acme/a", "1.0.0", a)
	})
	t.Run("missing", func(t *testing.T) {
		dir := layout(t, nil)
		sum, err := Run(t.Context(), Options{Config: c, Out: t.TempDir(), CacheDir: t.TempDir(), SourcesDir: dir})
		if err != nil || sum.Built != 1 || sum.Prebuilt != 0 || sum.Skipped != 1 {
			t.Fatalf("%v %+v", err, sum)
		}
		p := sum.Problems[0]
		if p.Severity != SeveritySkip || p.Source != "additional-packages" || p.Path != filepath.Join(dir, "additional-packages") ||
			!strings.Contains(p.Message, "not found in --sources-dir") {
			t.Fatalf("problem %s", p)
		}
	})
}

// TestPrebuiltSourceUnreachable: a prebuilt source that cannot be fetched fails like an unreachable source,
// and the rest is built.
func TestPrebuiltSourceUnreachable(t *testing.T) {
	gone := "file://" + filepath.Join(t.TempDir(), "gone.git")
	c, _ := prebuiltProfile(t, gone, "")
	sum, err := Run(t.Context(), Options{Config: c, Out: t.TempDir(), CacheDir: t.TempDir()})
	if !errors.Is(err, ErrFailed) || sum.Built != 1 || sum.Failed != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	if p := sum.Problems[0]; p.Source != "additional-packages" || p.Path != gone || !strings.Contains(p.Message, "fetching") {
		t.Fatalf("problem %s", p)
	}
	// A new repository is published only when every source could be read: not with its prebuilt zips missing.
	if sum.Published || !strings.Contains(err.Error(), "nothing published") {
		t.Fatalf("a first build with an unreadable prebuilt source published (%v)", err)
	}
	// A branch or directory the repository lacks is a failure too, not an empty prebuilt set.
	g := prebuiltRepo(t, nil)
	for _, name := range []string{"branch", "dir"} {
		ps := c.PrebuiltSources[0]
		ps.URL = "file://" + g.Dir
		if name == "branch" {
			ps.Branch = "gone"
		} else {
			ps.Dir = "resource/nothing"
		}
		cc := *c
		cc.PrebuiltSources = []config.PrebuiltSource{ps}
		sum, err := Run(t.Context(), Options{Config: &cc, Out: t.TempDir(), CacheDir: t.TempDir()})
		if !errors.Is(err, ErrFailed) || sum.Failed != 1 || sum.Problems[0].Source != "additional-packages" {
			t.Fatalf("%s: %v %+v", name, err, sum)
		}
		t.Logf("%s: %s", name, sum.Problems[0])
	}
}

// TestPrebuiltSourcePrecedence: of a zip from the profile's prebuilt source and one from --prebuilt with the
// same name and version, the profile's is published and the other reported; --prebuilt still adds versions.
func TestPrebuiltSourcePrecedence(t *testing.T) {
	fromGit := prebuiltZip(t, "acme/a", "1.0.0", "from git")
	g := prebuiltRepo(t, map[string][]byte{"acme-a-1.0.0.zip": fromGit})
	c, _ := prebuiltProfile(t, "file://"+g.Dir, "")
	extra := t.TempDir()
	os.WriteFile(filepath.Join(extra, "acme-a-1.0.zip"), prebuiltZip(t, "acme/a", "1.0", "from the directory"), 0o644)
	more := prebuiltZip(t, "acme/more", "3.0.0", "more")
	os.WriteFile(filepath.Join(extra, "acme-more-3.0.0.zip"), more, 0o644)
	out := t.TempDir()
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir(), Prebuilt: []string{extra}})
	if err != nil || sum.Prebuilt != 2 {
		t.Fatalf("%v %+v", err, sum)
	}
	checkPublished(t, out, "acme-a-1.0.0.zip", "acme/a", "1.0.0", fromGit)
	checkPublished(t, out, "acme-more-3.0.0.zip", "acme/more", "3.0.0", more)
	skips := problemsOf(sum, SeveritySkip)
	if len(skips) != 1 || skips[0].Path != filepath.Join(extra, "acme-a-1.0.zip") || !strings.Contains(skips[0].Message, "additional-packages:"+zipDir+"/acme-a-1.0.0.zip") {
		t.Fatalf("duplicate report: %+v", skips)
	}
	if _, err := os.Stat(filepath.Join(out, "packages/additional/acme-a-1.0.zip")); err == nil {
		t.Fatal("the losing duplicate was published")
	}
}

func gitClone(t *testing.T, from, to string) {
	t.Helper()
	cmd := exec.Command("git", "clone", "-q", from, to)
	cmd.Env = gittest.Env(t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v %s", err, out)
	}
}
