package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
)

// A distribution of the real Magento Open Source 2.4.3-p2 end to end (issue 12; fixture as in
// magento_real_e2e_test.go): the embedded profile, turned into the distribution acme/* 1.0.0 of upstream release
// 2.4.3-p2 (realDistributionProfile), is built offline by the real binary from the fixture, next to the mirror of the
// same fixture (the embedded profile as it is): the mirror is what each distribution package must be made from,
// and the build the distribution's build is timed against. `magerepo verify --deep` must be clean. Then the
// published metadata and archives are checked against the mirror's (checkDistribution), the distribution is served
// with `magerepo serve`, and with each Composer client (forEachComposer):
//   - `composer create-project acme/project-community-edition=1.0.0` with every plugin enabled (acme/* too) must
//     install, and the project is compared with the official 2.4.3-p2 install by the mirror test's own comparison
//     (compareRealInstall and its rules), run on a view of the project in which each renamed package sits where
//     its upstream package would (vendor/acme/X -> vendor/magento/X, hard links of the installed files), its
//     lock entry carries the upstream name and version, and its composer.json has the distribution's differences
//     undone, each by a named rule (distRules) against the mirror's composer.json of the upstream package;
//     anything else that differs stays and fails. The root files deployed from acme/magento2-base are compared
//     as they are: the renamed magento-composer-installer must deploy them.
//   - a test extension requiring magento/framework 103.0.* and magento/module-catalog * (a path repository
//     made here) must install into that project with `composer require`, through the distribution's replace or
//     its alias metapackages, and change nothing else;
//   - `composer create-project acme/project-minimal-edition=1.0.0` must install, deploy the root files, and
//     have fewer packages in its lock than the full edition (both counts are logged).
//
// The distribution's differences from the mirror's package (rules, as counted in the log; "project" is the
// build's own decision, internal/build/distro.go: a project is the root of an install, never a dependency):
//   - name: acme/X where the mirror has magento/X;
//   - version: 1.0.0 where the mirror has the upstream version (and version_normalized 1.0.0.0 in metadata);
//   - replace: magento/X at the upstream version, added (project: a package of type project replaces nothing
//     and has no alias; its upstream version is its extra.magento_version);
//   - link renamed: a link (any section) to a package the distribution produces names acme/Y for magento/Y;
//     in require and require-dev pinned to 1.0.0, accepted only when Y's upstream version satisfies the
//     mirror's constraint;
//   - magento_version: extra.magento_version 2.4.3-p2, added (product and project only, checked separately);
//   - allow-plugins renamed: config.allow-plugins keys acme/Y for magento/Y;
//   - edition-product require: the minimal edition's product is compared with the allow-list applied to the
//     mirror's product (checkEdition), its project with the full project's requirement on the product switched.
// Links to packages the distribution does not produce must keep their upstream name and constraint: a produced
// upstream name left in a link of an acme/* package fails (checkLinksRenamed), since the undo cannot see it.

const (
	distVendor   = "acme"
	distVersion  = "1.0.0"
	distUpstream = "2.4.3-p2"
	upVendor     = "magento"
)

// minimalEdition is the allow-list (upstream names) of the minimal edition's product: the framework, the modules,
// the themes, the base and its installer, English, and the libraries the full product names; no bundled extensions
// (page-builder, inventory, security-package, adobe-*, google-shopping-ads, the third-party ones) and no other
// languages.
var minimalEdition = []string{"php", "ext-*", "lib-*", "magento/magento2-base", "magento/magento-composer-installer",
	"magento/composer", "magento/zendframework1", "magento/framework*", "magento/module-*", "magento/theme-*",
	"magento/language-en_us", "colinmollenhour/*", "composer/composer", "elasticsearch/elasticsearch",
	"guzzlehttp/guzzle", "laminas/*", "league/*", "monolog/monolog", "paragonie/sodium_compat", "pelago/emogrifier",
	"php-amqplib/php-amqplib", "phpseclib/*", "ramsey/uuid", "symfony/*", "tedivm/jshrink", "tubalmartin/cssmin",
	"webonyx/graphql-php", "wikimedia/less.php", "web-token/jwt-framework"}

// TestRealDistributionCreateProject: see the comment at the top of this file.
func TestRealDistributionCreateProject(t *testing.T) {
	fx, bin := realTestSetup(t, "builds a whole Magento release twice and installs it four times")
	sources := realSourcesDir(t, fx)
	addr := freeLoopbackAddr(t)
	base := "http://" + addr + "/"

	mirrorOut := filepath.Join(t.TempDir(), "mirror")
	_, mirrorTime := runRealBuild(t, bin, mirrorOut, base, sources)
	profile := realDistributionProfile(t, bin)
	out := filepath.Join(t.TempDir(), "distribution")
	rep, distTime := runRealBuild(t, bin, out, base, sources, "--config", profile)
	if rep.Failed != 0 {
		t.Errorf("distribution build: failed %d, want 0", rep.Failed)
	}
	t.Logf("timing: mirror build %s, distribution build %s (same fixture, cold, a cache each)",
		mirrorTime.Round(time.Millisecond), distTime.Round(time.Millisecond))
	vout, err := exec.Command(bin, "verify", "--deep", out).CombinedOutput()
	if err != nil {
		t.Errorf("magerepo verify --deep of the distribution: %v\n%s", err, tailLines(string(vout), 60))
	} else {
		t.Logf("verify: %s", lastLine(string(vout)))
	}

	mirror := readPublished(t, mirrorOut, base)
	dist := readPublished(t, out, base)
	produced := checkDistribution(t, dist, mirror)
	if produced[upVendor+"/project-community-edition"] == "" || produced[upVendor+"/product-community-edition"] == "" {
		t.Fatalf("the distribution has no %s/project-community-edition or product-community-edition %s made from %s: nothing to install",
			distVendor, distVersion, distUpstream)
	}

	startServe(t, bin, out, addr)
	thirdparty := serveThirdparty(t, filepath.Join(fx, "thirdparty"))
	exp := loadRealExpected(t, fx)
	rules := &distRules{produced: produced}
	forEachComposer(t, func(t *testing.T, composerBin string, _ bool) {
		project, env := createProjectFrom(t, composerBin, base, thirdparty, distVendor+"/project-community-edition="+distVersion, distVendor)
		full := readLock(t, filepath.Join(project, "composer.lock"))
		compareDistInstall(t, rules, fx, exp, project, base, mirror)
		requireExtension(t, composerBin, env, project)

		minimal, _ := createProjectFrom(t, composerBin, base, thirdparty, distVendor+"/project-minimal-edition="+distVersion, distVendor)
		small := readLock(t, filepath.Join(minimal, "composer.lock"))
		nFull, nMin := len(full.Packages)+len(full.PackagesDev), len(small.Packages)+len(small.PackagesDev)
		t.Logf("packages installed: community edition %d (%d + %d dev), minimal edition %d (%d + %d dev)",
			nFull, len(full.Packages), len(full.PackagesDev), nMin, len(small.Packages), len(small.PackagesDev))
		if nMin >= nFull {
			t.Errorf("the minimal edition installs %d packages, the community edition %d: want fewer", nMin, nFull)
		}
		missing := 0
		for _, tg := range exp.targets {
			if _, err := os.Lstat(filepath.Join(minimal, filepath.FromSlash(tg))); err != nil {
				missing++
				t.Errorf("minimal edition: root target %s of magento2-base not deployed: %v", tg, err)
			}
		}
		t.Logf("minimal edition: %d of %d root targets deployed", len(exp.targets)-missing, len(exp.targets))
	})
}

// realDistributionProfile writes the embedded profile (`magerepo profile show`) with vendor acme and the distribution
// block, checked by `magerepo config check`, and returns its path.
func realDistributionProfile(t *testing.T, bin string) string {
	t.Helper()
	shown, err := exec.Command(bin, "profile", "show").Output()
	if err != nil {
		t.Fatalf("magerepo profile show: %v", err)
	}
	const vendorLine = "\nvendor: " + upVendor + "\n"
	if n := strings.Count(string(shown), vendorLine); n != 1 {
		t.Fatalf("magerepo profile show: %d lines %q, want 1", n, strings.TrimSpace(vendorLine))
	}
	allow, _ := json.Marshal(minimalEdition)
	block := fmt.Sprintf(`
vendor: %s
distribution:
  upstream-vendor: %s
  releases:
    - version: "%s"
      upstream: "%s"
  aliases: true
  editions:
    - name: minimal
      require: %s
`, distVendor, upVendor, distVersion, distUpstream, allow)
	p := filepath.Join(t.TempDir(), "distribution.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(string(shown), vendorLine, block, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(bin, "config", "check", p).CombinedOutput(); err != nil {
		t.Fatalf("magerepo config check of the distribution profile: %v\n%s", err, msg)
	}
	return p
}

// published is a built repository read from its directory: every version of every package in its p2 files.
type published struct {
	dir, base string
	versions  map[string][]map[string]any // name -> expanded versions, as parsed JSON
}

func readPublished(t *testing.T, dir, base string) *published {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "p2", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := &published{dir: dir, base: base, versions: map[string][]map[string]any{}}
	for _, f := range files {
		if strings.HasSuffix(f, "~dev.json") {
			continue
		}
		name := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".json")
		objs, err := composer.ParseP2([]byte(readFile(t, f)), name)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, o := range objs {
			r.versions[name] = append(r.versions[name], jsonMap(t, composer.MarshalObjectIndent(o)))
		}
	}
	if len(r.versions) == 0 {
		t.Fatalf("%s: no p2 files", dir)
	}
	return r
}

func (r *published) version(name, v string) map[string]any {
	for _, d := range r.versions[name] {
		if d["version"] == v {
			return d
		}
	}
	return nil
}

func (r *published) names() []string { return sortedKeys(r.versions) }

// shasum returns the dist SHA-1 of a version, "" for none.
func shasum(doc map[string]any) string {
	d, _ := doc["dist"].(map[string]any)
	s, _ := d["shasum"].(string)
	return s
}

// zipOf returns the local path of a version's dist.
func (r *published) zipOf(t *testing.T, doc map[string]any) string {
	t.Helper()
	d, _ := doc["dist"].(map[string]any)
	u, _ := d["url"].(string)
	rel, ok := strings.CutPrefix(u, r.base)
	if !ok {
		t.Fatalf("%s %s: dist %q is not under %s", doc["name"], doc["version"], u, r.base)
	}
	return filepath.Join(r.dir, filepath.FromSlash(rel))
}

// zipEntry is a file of an archive as its central directory records it.
type zipEntry struct {
	crc  uint32
	size uint64
	mode fs.FileMode
}

// zipFiles returns the files of a zip (directories left out) and the bytes of its root composer.json.
func zipFiles(t *testing.T, p string) (map[string]zipEntry, []byte) {
	t.Helper()
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]zipEntry{}
	var cj []byte
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		out[f.Name] = zipEntry{f.CRC32, f.UncompressedSize64, f.Mode()}
		if f.Name == "composer.json" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			cj, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return out, cj
}

// checkDistribution checks the distribution's published packages against the mirror's and returns the upstream
// name -> upstream version of every package it produces:
//   - every acme/* package has the one version 1.0.0 and replaces magento/<same name> (or is an edition's);
//   - its archive holds the same files as the mirror's archive of the upstream package (composer.json aside), and
//     its composer.json and metadata equal the mirror's once the named differences are undone;
//   - every magento/* version is the alias of a produced package (a metapackage requiring acme/X 1.0.0 at the
//     upstream version) or the mirror's package unchanged (a prebuilt zip), and every produced package has its
//     alias; every other vendor's version is the mirror's unchanged;
//   - the product and the project record extra.magento_version, the project requires the product at 1.0.0, and
//     the minimal edition is the allow-list applied to the full one (checkEdition).
func checkDistribution(t *testing.T, dist, mirror *published) map[string]string {
	t.Helper()
	produced := map[string]string{}
	projects := map[string]bool{}
	editions := map[string]map[string]any{}
	var upstreamDocs []map[string]any
	for _, name := range dist.names() {
		vs := dist.versions[name]
		rest, ok := strings.CutPrefix(name, distVendor+"/")
		if !ok {
			continue
		}
		if len(vs) != 1 || vs[0]["version"] != distVersion {
			t.Errorf("%s: %d versions (first %v), want the one version %s", name, len(vs), vs[0]["version"], distVersion)
			continue
		}
		up := upVendor + "/" + rest
		replace, _ := vs[0]["replace"].(map[string]any)
		extra, _ := vs[0]["extra"].(map[string]any)
		switch v, ok := replace[up].(string); {
		case ok:
			produced[up] = v
		case strings.HasSuffix(rest, "-minimal-edition"):
			editions[rest] = vs[0]
		case vs[0]["type"] == "project" && vs[0]["replace"] == nil && extra["magento_version"] == distUpstream:
			produced[up] = distUpstream // rule project: the root of an install replaces nothing and has no alias
			projects[up] = true
		default:
			t.Errorf("%s %s: replaces no %s (replace: %v)", name, distVersion, up, vs[0]["replace"])
		}
	}
	for _, name := range dist.names() {
		if !strings.HasPrefix(name, distVendor+"/") {
			for _, d := range dist.versions[name] {
				upstreamDocs = append(upstreamDocs, d)
			}
		}
	}
	t.Logf("distribution: %d packages produced (acme/* 1.0.0 replacing magento/*), %d edition packages, %d other versions",
		len(produced), len(editions), len(upstreamDocs))

	// Aliases and packages published unchanged.
	counts := map[string]int{}
	aliased := map[string]bool{}
	for _, d := range upstreamDocs {
		name, _ := d["name"].(string)
		version, _ := d["version"].(string)
		rest, _ := strings.CutPrefix(name, upVendor+"/")
		req, _ := d["require"].(map[string]any)
		m := mirror.version(name, version)
		switch {
		case produced[name] == version && d["type"] == "metapackage" && reflect.DeepEqual(req, map[string]any{distVendor + "/" + rest: distVersion}):
			counts["alias metapackages"]++
			aliased[name] = true
		case produced[name] != "":
			t.Errorf("%s %s: published next to %s/%s, which replaces it at %s, and not its alias (type %v, require %v)",
				name, version, distVendor, rest, produced[name], d["type"], d["require"])
		case m != nil && shasum(m) != "" && shasum(m) == shasum(d):
			counts["published unchanged (the mirror's dist SHA-1)"]++
		default:
			t.Errorf("%s %s: neither an alias of a produced package nor the mirror's package unchanged", name, version)
		}
	}
	for up := range produced {
		if !aliased[up] && !projects[up] {
			t.Errorf("%s %s: produced as %s/%s %s, and no alias published (aliases: true)", up, produced[up],
				distVendor, strings.TrimPrefix(up, upVendor+"/"), distVersion)
		}
	}

	// Each produced package against the mirror's upstream package.
	rules := &distRules{produced: produced, counts: map[string]int{}}
	sameFiles := 0
	for _, up := range sortedKeys(produced) {
		name := rules.rename(up)
		d := dist.version(name, distVersion)
		m := mirror.version(up, produced[up])
		if m == nil {
			t.Errorf("%s %s: replaces %s %s, which the mirror of the same sources does not publish", name, distVersion, up, produced[up])
			continue
		}
		rules.checkLinksRenamed(t, name, d)
		rules.compare(t, name+" metadata", withoutKeys(d, "dist"), withoutKeys(m, "dist"))
		if (shasum(d) == "") != (shasum(m) == "") {
			t.Errorf("%s: dist %v, the mirror's %s %s: dist %v", name, d["dist"], up, produced[up], m["dist"])
			continue
		}
		if shasum(d) == "" {
			continue // a metapackage
		}
		df, dj := zipFiles(t, dist.zipOf(t, d))
		mf, mj := zipFiles(t, mirror.zipOf(t, m))
		delete(df, "composer.json")
		delete(mf, "composer.json")
		if reflect.DeepEqual(df, mf) {
			sameFiles++
		} else {
			t.Errorf("%s %s: the archive's files differ from the mirror's %s %s: %s", name, distVersion, up, produced[up], zipDiff(df, mf))
		}
		rules.compare(t, name+" composer.json", jsonMap(t, dj), jsonMap(t, mj))
	}
	t.Logf("archives with the files of the mirror's upstream package (composer.json aside): %d", sameFiles)
	for _, k := range sortedKeys(counts) {
		t.Logf("  %6d  %s", counts[k], k)
	}
	rules.log(t, "metadata and archives against the mirror")

	// Product, project, editions.
	product := dist.version(distVendor+"/product-community-edition", distVersion)
	project := dist.version(distVendor+"/project-community-edition", distVersion)
	for _, d := range []map[string]any{product, project} {
		if d == nil {
			t.Errorf("%s/product-community-edition or project-community-edition %s not published", distVendor, distVersion)
			continue
		}
		if ex, _ := d["extra"].(map[string]any); ex["magento_version"] != distUpstream {
			t.Errorf("%s: extra.magento_version %v, want %s", d["name"], ex["magento_version"], distUpstream)
		}
	}
	if project != nil {
		if req, _ := project["require"].(map[string]any); req[distVendor+"/product-community-edition"] != distVersion {
			t.Errorf("%s/project-community-edition requires %v, want %s/product-community-edition %s", distVendor, req, distVendor, distVersion)
		}
	}
	checkEdition(t, rules, editions, mirror.version(upVendor+"/product-community-edition", distUpstream), project)
	return produced
}

// checkEdition: the minimal product requires exactly the mirror's product requirements that match the allow-list,
// renamed and pinned as in the full product; the minimal project is the full project requiring it instead.
func checkEdition(t *testing.T, rules *distRules, editions map[string]map[string]any, mirrorProduct, fullProject map[string]any) {
	t.Helper()
	prod, proj := editions["product-minimal-edition"], editions["project-minimal-edition"]
	if prod == nil || proj == nil || mirrorProduct == nil || fullProject == nil {
		t.Errorf("edition minimal: product %v, project %v published; the mirror's product %s: %v", prod != nil, proj != nil, distUpstream, mirrorProduct != nil)
		return
	}
	var allow []composer.NamePattern
	for _, p := range minimalEdition {
		allow = append(allow, composer.NewNamePattern(p))
	}
	want := map[string]any{}
	fullReq, _ := mirrorProduct["require"].(map[string]any)
	for k, c := range fullReq {
		if !composer.MatchAnyName(allow, k) {
			continue
		}
		if _, ok := rules.produced[k]; ok {
			want[rules.rename(k)] = distVersion
		} else {
			want[k] = c
		}
	}
	if got, _ := prod["require"].(map[string]any); !reflect.DeepEqual(got, want) {
		t.Errorf("%s/product-minimal-edition requires %d packages, want the %d of the full product the allow-list keeps: %s",
			distVendor, len(got), len(want), mapDiff(got, want))
	}
	if prod["type"] != "metapackage" {
		t.Errorf("%s/product-minimal-edition: type %v, want metapackage", distVendor, prod["type"])
	}
	t.Logf("edition minimal: product requires %d of the full product's %d", len(want), len(fullReq))
	projReq, _ := proj["require"].(map[string]any)
	wantProj := map[string]any{}
	for k, v := range fullProject["require"].(map[string]any) {
		if k == distVendor+"/product-community-edition" {
			k = distVendor + "/product-minimal-edition"
		}
		wantProj[k] = v
	}
	if !reflect.DeepEqual(projReq, wantProj) {
		t.Errorf("%s/project-minimal-edition requires %s", distVendor, mapDiff(projReq, wantProj))
	}
}

// distRules undoes the distribution's differences from the mirror's package (see the rules at the top), counting
// each rule it applies.
type distRules struct {
	produced map[string]string // upstream name -> upstream version of every package the distribution produces
	counts   map[string]int
}

func (r *distRules) rename(up string) string {
	return distVendor + "/" + strings.TrimPrefix(up, upVendor+"/")
}

// upstreamOf returns the upstream name of a produced distribution package.
func (r *distRules) upstreamOf(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, distVendor+"/")
	if !ok {
		return "", false
	}
	up := upVendor + "/" + rest
	_, ok = r.produced[up]
	return up, ok
}

func (r *distRules) add(rule string) { r.counts[rule]++ }

func (r *distRules) log(t *testing.T, what string) {
	t.Helper()
	t.Logf("distribution differences undone (%s):", what)
	for _, k := range sortedKeys(r.counts) {
		t.Logf("  %6d  %s", r.counts[k], k)
	}
}

var distLinkSections = []string{"require", "require-dev", "suggest", "conflict", "replace", "provide"}

// undo returns a copy of doc (a distribution package's composer.json or metadata) with each named difference from
// ref (the mirror's document of the upstream package) undone.
func (r *distRules) undo(t *testing.T, doc, ref map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	u := jsonMap(t, b)
	refName, _ := ref["name"].(string)
	refVersion, _ := ref["version"].(string)
	upVersion, producedUp := r.produced[refName]
	if producedUp && u["name"] == r.rename(refName) {
		u["name"] = refName
		r.add("name: acme/X for magento/X")
	}
	if producedUp && u["version"] == distVersion && refVersion == upVersion {
		u["version"] = refVersion
		r.add("version: 1.0.0 for the upstream version")
		if u["version_normalized"] == "1.0.0.0" {
			u["version_normalized"] = ref["version_normalized"]
			r.add("version: version_normalized 1.0.0.0 for the upstream one")
		}
	}
	if rep, ok := u["replace"].(map[string]any); ok && producedUp && rep[refName] == upVersion {
		delete(rep, refName)
		r.add("replace: magento/X at the upstream version")
		if _, had := ref["replace"]; !had && len(rep) == 0 {
			delete(u, "replace")
		}
	}
	for _, sec := range distLinkSections {
		links, ok := u[sec].(map[string]any)
		if !ok {
			continue
		}
		refLinks, _ := ref[sec].(map[string]any)
		out := map[string]any{}
		for k, v := range links {
			up, ok := r.upstreamOf(k)
			if !ok {
				out[k] = v
				continue
			}
			if sec == "require" || sec == "require-dev" {
				c, _ := refLinks[up].(string)
				if sat, err := composer.Satisfies(r.produced[up], c); v == distVersion && c != "" && err == nil && sat {
					v = c
					r.add("link renamed: " + sec + " acme/Y 1.0.0 for magento/Y at a constraint its upstream version satisfies")
				}
			} else {
				r.add("link renamed: " + sec + " acme/Y for magento/Y")
			}
			out[up] = v
		}
		u[sec] = out
	}
	if ex, ok := u["extra"].(map[string]any); ok && ex["magento_version"] == distUpstream {
		refEx, hadExtra := ref["extra"].(map[string]any)
		if _, had := refEx["magento_version"]; !had {
			delete(ex, "magento_version")
			r.add("magento_version: extra.magento_version " + distUpstream)
			if len(ex) == 0 && !hadExtra {
				delete(u, "extra")
			}
		}
	}
	if cfg, ok := u["config"].(map[string]any); ok {
		if ap, ok := cfg["allow-plugins"].(map[string]any); ok {
			out := map[string]any{}
			for k, v := range ap {
				if up, ok := r.upstreamOf(k); ok {
					k = up
					r.add("allow-plugins renamed: acme/Y for magento/Y")
				}
				out[k] = v
			}
			cfg["allow-plugins"] = out
		}
	}
	return u
}

// compare undoes the named differences of doc from ref and fails with what remains.
func (r *distRules) compare(t *testing.T, what string, doc, ref map[string]any) map[string]any {
	t.Helper()
	u := r.undo(t, doc, ref)
	if !reflect.DeepEqual(u, ref) {
		t.Errorf("%s: differs from the mirror's %v %v beyond the distribution's named differences: %s", what, ref["name"], ref["version"], mapDiff(u, ref))
	}
	return u
}

// checkLinksRenamed fails for a link of a distribution package that still names a package the distribution
// produces under its upstream name, and for one to an acme/* package it does not produce.
func (r *distRules) checkLinksRenamed(t *testing.T, name string, doc map[string]any) {
	t.Helper()
	for _, sec := range distLinkSections {
		links, _ := doc[sec].(map[string]any)
		for k := range links {
			_, producedUp := r.produced[k]
			_, producedDist := r.upstreamOf(k)
			switch {
			case producedUp && !(sec == "replace" && r.rename(k) == name):
				t.Errorf("%s: %s %s names a package the distribution produces as %s", name, sec, k, r.rename(k))
			case strings.HasPrefix(k, distVendor+"/") && !producedDist && !strings.HasSuffix(k, "-minimal-edition"):
				t.Errorf("%s: %s %s, which the distribution does not produce", name, sec, k)
			}
		}
	}
}

// compareDistInstall compares the installed distribution with the official install: a view of the project laid
// out as the mirror's install (see the top), compared by compareRealInstall.
func compareDistInstall(t *testing.T, rules *distRules, fx string, exp *realExpected, project, base string, mirror *published) {
	t.Helper()
	r := &distRules{produced: rules.produced, counts: map[string]int{}}
	view := t.TempDir()

	// The lock, with upstream names and versions.
	lock := readLock(t, filepath.Join(project, "composer.lock"))
	renamed, aliases := 0, 0
	for _, l := range []*[]lockPackage{&lock.Packages, &lock.PackagesDev} {
		for i, p := range *l {
			if up, ok := r.upstreamOf(p.Name); ok {
				if p.Version != distVersion {
					t.Errorf("lock: %s %s, want %s", p.Name, p.Version, distVersion)
				}
				(*l)[i].Name, (*l)[i].Version = up, r.produced[up]
				renamed++
			} else if _, ok := r.produced[p.Name]; ok {
				aliases++
				t.Errorf("lock: %s %s installed next to %s, which replaces it", p.Name, p.Version, r.rename(p.Name))
			}
		}
	}
	t.Logf("lock: %d packages installed as acme/* (compared under their upstream names and versions), %d aliases", renamed, aliases)
	b, _ := json.Marshal(lock)
	if err := os.WriteFile(filepath.Join(view, "composer.lock"), b, 0o644); err != nil {
		t.Fatal(err)
	}

	// vendor/acme/X and vendor/magento/Y, all under vendor/magento/ in the view.
	for _, vendor := range []string{distVendor, upVendor} {
		ents, err := os.ReadDir(filepath.Join(project, "vendor", vendor))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			name := vendor + "/" + e.Name()
			dst := filepath.Join(view, "vendor", upVendor, e.Name())
			if _, err := os.Lstat(dst); err == nil {
				t.Errorf("vendor/%s: installed, and vendor/%s too", name, upVendor+"/"+e.Name())
				continue
			}
			up, ok := r.upstreamOf(name)
			if vendor == distVendor && !ok {
				t.Errorf("vendor/%s: installed, not a package the distribution produces", name)
				continue
			}
			linkTree(t, filepath.Join(project, "vendor", vendor, e.Name()), dst)
			if vendor != distVendor {
				continue
			}
			// Its composer.json with the named differences from the mirror's undone.
			cj := filepath.Join(dst, "composer.json")
			ref := mirror.version(up, r.produced[up])
			if ref == nil {
				t.Errorf("%s: the mirror has no %s %s", name, up, r.produced[up])
				continue
			}
			_, mj := zipFiles(t, mirror.zipOf(t, ref))
			u := r.compare(t, "vendor/"+name+"/composer.json", jsonMap(t, []byte(readFile(t, cj))), jsonMap(t, mj))
			ub, _ := json.MarshalIndent(u, "", "    ")
			if err := os.Remove(cj); err != nil { // a hard link to the project's file: replaced, not written through
				t.Fatal(err)
			}
			if err := os.WriteFile(cj, ub, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The deployed root files, as they are.
	for _, tg := range exp.targets {
		src := filepath.Join(project, filepath.FromSlash(tg))
		if _, err := os.Lstat(src); err == nil {
			linkTree(t, src, filepath.Join(view, filepath.FromSlash(tg)))
		}
	}
	// The project's own composer.json (the root, not compared by the mirror test) against the mirror's project.
	mp := mirror.version(upVendor+"/project-community-edition", distUpstream)
	if mp == nil {
		t.Fatalf("the mirror has no %s/project-community-edition %s", upVendor, distUpstream)
	}
	_, mj := zipFiles(t, mirror.zipOf(t, mp))
	r.compare(t, "the project's composer.json", jsonMap(t, []byte(readFile(t, filepath.Join(project, "composer.json")))), jsonMap(t, mj))
	r.log(t, "installed project against the mirror's packages")

	compareRealInstall(t, fx, exp, view, base)
}

// linkTree hard-links the file or every file below the directory src to the same place under dst (symbolic
// links are made again), keeping content and mode without copying.
func linkTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				return err
			}
			return os.Symlink(target, to)
		default:
			if _, err := os.Lstat(to); err == nil {
				return nil // overlapping root targets
			}
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				return err
			}
			return os.Link(p, to)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// requireExtension installs test/extension (requiring magento/framework 103.0.* and magento/module-catalog *) from
// a path repository into the project and checks how it resolved: through acme/framework and acme/module-catalog
// (their replace, or the alias metapackages), with every package of the project's lock kept at its version.
func requireExtension(t *testing.T, composerBin string, env []string, project string) {
	t.Helper()
	ext := t.TempDir()
	files := map[string]string{
		"composer.json": `{"name": "test/extension", "version": "1.0.0", "type": "library",
  "require": {"magento/framework": "103.0.*", "magento/module-catalog": "*"},
  "autoload": {"psr-4": {"Test\\Extension\\": "src/"}}}
`,
		"src/Marker.php": "<?php\nnamespace Test\\Extension;\n\nclass Marker {}\n",
	}
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(ext, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ext, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := readLock(t, filepath.Join(project, "composer.lock"))
	composerIn := func(args ...string) {
		t.Helper()
		cmd := exec.Command(composerBin, append(args, "--no-interaction", "--no-ansi")...)
		cmd.Dir, cmd.Env = project, env
		start := time.Now()
		msg, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("composer %s: %v after %s\n%s", strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond), tailLines(string(msg), 60))
		}
		t.Logf("composer %s: %s", args[0], time.Since(start).Round(time.Millisecond))
	}
	repo, _ := json.Marshal(map[string]any{"type": "path", "url": ext, "options": map[string]bool{"symlink": false}})
	composerIn("config", "repositories.test-extension", string(repo))
	composerIn("require", "--ignore-platform-reqs", "--no-progress", "test/extension:1.0.0")

	after := readLock(t, filepath.Join(project, "composer.lock"))
	was := map[string]string{}
	for _, p := range append(before.Packages, before.PackagesDev...) {
		was[p.Name] = p.Version
	}
	now := map[string]lockPackage{}
	for _, p := range append(after.Packages, after.PackagesDev...) {
		now[p.Name] = p
	}
	for name, v := range was {
		if p, ok := now[name]; !ok || p.Version != v {
			t.Errorf("composer require test/extension: %s %s changed to %q", name, v, p.Version)
		}
	}
	var added []string
	for name, p := range now {
		if _, ok := was[name]; !ok {
			added = append(added, name+" "+p.Version)
		}
	}
	sort.Strings(added)
	t.Logf("composer require test/extension added: %s", strings.Join(added, ", "))
	if p := now["test/extension"]; p.Version != "1.0.0" {
		t.Errorf("test/extension not in the lock after composer require (version %q)", p.Version)
	}
	if _, err := os.Stat(filepath.Join(project, "vendor", "test", "extension", "src", "Marker.php")); err != nil {
		t.Errorf("test/extension not installed: %v", err)
	}
	for _, up := range []string{"magento/framework", "magento/module-catalog"} {
		name := distVendor + "/" + strings.TrimPrefix(up, upVendor+"/")
		if now[name].Version != distVersion {
			t.Errorf("%s: %q in the lock, want %s", name, now[name].Version, distVersion)
		}
		switch p, ok := now[up]; {
		case !ok:
			t.Logf("%s resolved through %s %s's replace (not in the lock)", up, name, distVersion)
		case p.Type == "metapackage":
			t.Logf("%s resolved through the alias %s %s (a metapackage requiring %s)", up, up, p.Version, name)
		default:
			t.Errorf("%s %s (type %s) in the lock next to %s: the upstream package itself", up, p.Version, p.Type, name)
		}
	}
}

func jsonMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v, err := decodeJSON(b)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("not a JSON object (%v): %.200s", err, b)
	}
	return m
}

func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// mapDiff names the keys (one level into objects) whose values differ.
func mapDiff(got, want map[string]any) string {
	var d []string
	for _, k := range sortedKeys(mergeKeys(got, want)) {
		g, w := got[k], want[k]
		if reflect.DeepEqual(g, w) {
			continue
		}
		gm, ok1 := g.(map[string]any)
		wm, ok2 := w.(map[string]any)
		if !ok1 || !ok2 {
			d = append(d, fmt.Sprintf("%s: %.120v, want %.120v", k, g, w))
			continue
		}
		for _, k2 := range sortedKeys(mergeKeys(gm, wm)) {
			if !reflect.DeepEqual(gm[k2], wm[k2]) {
				d = append(d, fmt.Sprintf("%s.%s: %.120v, want %.120v", k, k2, gm[k2], wm[k2]))
			}
		}
	}
	if len(d) > 20 {
		d = append(d[:20], fmt.Sprintf("(+%d more)", len(d)-20))
	}
	return strings.Join(d, "; ")
}

func mergeKeys(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// zipDiff names the files that differ between two archives' listings.
func zipDiff(got, want map[string]zipEntry) string {
	var d []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			d = append(d, "missing "+p)
		} else if g != w {
			d = append(d, fmt.Sprintf("%s %+v, want %+v", p, g, w))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			d = append(d, "extra "+p)
		}
	}
	sort.Strings(d)
	if len(d) > 20 {
		d = append(d[:20], fmt.Sprintf("(+%d more)", len(d)-20))
	}
	return strings.Join(d, "; ")
}
