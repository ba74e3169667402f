package composer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/testenv"
)

// composerOracle is the Composer that Debian's composer package ships (bookworm: 2.5.5). MAGEREPO_COMPOSER_AUTOLOAD
// names another one's autoload.php (with PHP_INI_SCAN_DIR for its polyfills, if it needs them).
const composerOracle = "/usr/share/php/Composer/autoload.php"

func composerAutoload() string {
	if a := os.Getenv("MAGEREPO_COMPOSER_AUTOLOAD"); a != "" {
		return a
	}
	return composerOracle
}

// oracleVersion is the oracle's Composer::VERSION, for the report lines.
var oracleVersion = "?"

// loaderOracleScript answers, for every case on stdin, what Composer's own classes do with it:
//
//   - docs: one version entry of repository metadata, loaded as the client loads it: under ErrorHandler
//     (warnings become exceptions), ComposerRepository::loadAsyncPackages' per-version step (strict_types, as in
//     ComposerRepository), isVersionAcceptable with a match-all constraint (as "composer update" asks), then
//     createPackages, that is ArrayLoader::loadPackages;
//   - p2: a p2 file read as loadAsyncPackages reads it (JsonFile::parseJson, isset packages[name],
//     MetadataMinifier::expand for "composer/2.0"); each version loaded alone, and the whole file loaded at once
//     (one loadPackages call, so one link cache, as createPackages does);
//   - expand: MetadataMinifier::expand of a minified list, re-encoded;
//   - urls: the URL lines of ComposerRepository::__construct, getPackagesJsonUrl and canonicalizeUrl;
//   - patterns: preg_match of BasePackage::packageNameToRegexp.
const loaderOracleScript = `<?php declare(strict_types=1);
require getenv('COMPOSER_AUTOLOAD');

use Composer\Json\JsonFile;
use Composer\MetadataMinifier\MetadataMinifier;
use Composer\Package\AliasPackage;
use Composer\Package\BasePackage;
use Composer\Package\Loader\ArrayLoader;
use Composer\Package\Version\VersionParser;
use Composer\Pcre\Preg;
use Composer\Semver\CompilingMatcher;
use Composer\Semver\Constraint\Constraint;
use Composer\Semver\Constraint\ConstraintInterface;
use Composer\Semver\Constraint\MatchAllConstraint;
use Composer\Util\ErrorHandler;

$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
ErrorHandler::register();

// ComposerRepository::loadAsyncPackages, the body of "foreach ($versions as $version)", with an empty
// $alreadyLoaded.
function prepareVersion($version, string $realName, VersionParser $parser, ArrayLoader $loader): ?array
{
    if (!isset($version['version_normalized'])) {
        $version['version_normalized'] = $parser->normalize($version['version']);
    } elseif ($version['version_normalized'] === VersionParser::DEFAULT_BRANCH_ALIAS) {
        $version['version_normalized'] = $parser->normalize($version['version']);
    }
    $alreadyLoaded = [];
    if (isset($alreadyLoaded[$realName][$version['version_normalized']])) {
        return null;
    }
    return isVersionAcceptable(new MatchAllConstraint(), $realName, $version, $loader) ? $version : null;
}

// ComposerRepository::isVersionAcceptable without stability flags.
function isVersionAcceptable(?ConstraintInterface $constraint, string $name, array $versionData, ArrayLoader $loader): bool
{
    $versions = [$versionData['version_normalized']];
    if ($alias = $loader->getBranchAlias($versionData)) {
        $versions[] = $alias;
    }
    foreach ($versions as $version) {
        if ($constraint && !CompilingMatcher::match($constraint, Constraint::OP_EQ, $version)) {
            continue;
        }
        return true;
    }
    return false;
}

// ComposerRepository::createPackages, with no notify-batch.
function createPackages(array $packages, ArrayLoader $loader): array
{
    if (!$packages) {
        return [];
    }
    foreach ($packages as &$data) {
        if (!isset($data['notification-url'])) {
            $data['notification-url'] = null;
        }
    }
    unset($data);
    return $loader->loadPackages($packages);
}

function describe($pkg): array
{
    $alias = null;
    if ($pkg instanceof AliasPackage) {
        $alias = $pkg->getVersion();
        $pkg = $pkg->getAliasOf();
    }
    $links = [];
    foreach (['require' => 'getRequires', 'conflict' => 'getConflicts', 'provide' => 'getProvides',
              'replace' => 'getReplaces', 'require-dev' => 'getDevRequires'] as $type => $get) {
        foreach ($pkg->$get() as $link) {
            $links[] = [$type, $link->getTarget(), $link->getPrettyConstraint(), (string) $link->getConstraint()];
        }
    }
    $dist = $pkg->getDistType() === null ? null
        : [$pkg->getDistType(), $pkg->getDistUrl(), $pkg->getDistReference() ?? '', $pkg->getDistSha1Checksum() ?? ''];
    $source = $pkg->getSourceType() === null ? null
        : [$pkg->getSourceType(), $pkg->getSourceUrl(), $pkg->getSourceReference() ?? '', ''];
    return ['ok' => true, 'name' => $pkg->getName(), 'pretty' => $pkg->getPrettyName(),
            'version' => $pkg->getPrettyVersion(), 'normalized' => $pkg->getVersion(), 'type' => $pkg->getType(),
            'links' => $links, 'dist' => $dist, 'source' => $source, 'alias' => $alias];
}

function failure(\Throwable $e): array
{
    return ['ok' => false, 'error' => get_class($e) . ': ' . substr($e->getMessage(), 0, 300)];
}

function loadOne($version, string $realName): array
{
    $parser = new VersionParser();
    $loader = new ArrayLoader($parser);
    try {
        $p = prepareVersion($version, $realName, $parser, $loader);
        if ($p === null) {
            return ['ok' => false, 'error' => 'skipped'];
        }
        $pkgs = createPackages([$p], $loader);
        return describe($pkgs[0]);
    } catch (\Throwable $e) {
        return failure($e);
    }
}

$out = ['composer' => \Composer\Composer::VERSION, 'semver34' => method_exists(new \Composer\Semver\VersionParser(), 'isValid'),
        'docs' => [], 'p2' => [], 'expand' => [], 'urls' => [], 'patterns' => []];

foreach ($in['docs'] as [$text, $realName]) {
    $doc = json_decode(base64_decode($text), true);
    if (!is_array($doc)) {
        $out['docs'][] = ['ok' => false, 'error' => 'undecodable: ' . json_last_error_msg()];
        continue;
    }
    $out['docs'][] = loadOne($doc, $realName);
}

foreach ($in['p2'] as [$body, $name]) {
    $res = ['verdict' => 'error', 'stage' => '', 'error' => '', 'versions' => null, 'count' => 0];
    try {
        $r = JsonFile::parseJson(base64_decode($body), 'p2.json');
    } catch (\Throwable $e) {
        $res['stage'] = 'json';
        $res['error'] = failure($e)['error'];
        $out['p2'][] = $res;
        continue;
    }
    if (!isset($r['packages'][$name])) {
        $res['verdict'] = 'none';
        $out['p2'][] = $res;
        continue;
    }
    $versions = $r['packages'][$name];
    try {
        if (isset($r['minified']) && $r['minified'] === 'composer/2.0') {
            $versions = MetadataMinifier::expand($versions);
        }
        $list = [];
        foreach ($versions as $version) {
            $list[] = $version;
        }
    } catch (\Throwable $e) {
        $res['stage'] = 'expand';
        $res['error'] = failure($e)['error'];
        $out['p2'][] = $res;
        continue;
    }
    $res['versions'] = [];
    foreach ($list as $version) {
        $res['versions'][] = loadOne($version, $name);
    }
    $parser = new VersionParser();
    $loader = new ArrayLoader($parser);
    try {
        $load = [];
        foreach ($list as $version) {
            if (($p = prepareVersion($version, $name, $parser, $loader)) !== null) {
                $load[] = $p;
            }
        }
        $res['count'] = count(createPackages($load, $loader));
        $res['verdict'] = 'ok';
    } catch (\Throwable $e) {
        $res['stage'] = 'load';
        $res['error'] = failure($e)['error'];
    }
    $out['p2'][] = $res;
}

foreach ($in['expand'] as $text) {
    try {
        $expanded = MetadataMinifier::expand(json_decode(base64_decode($text), true, 512, JSON_THROW_ON_ERROR));
        $out['expand'][] = json_encode($expanded, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    } catch (\Throwable $e) {
        $out['expand'][] = null;
    }
}

foreach ($in['urls'] as [$url, $refs]) {
    try {
        // ComposerRepository::__construct
        if (!Preg::isMatch('{^[\w.]+\??://}', $url)) {
            $url = 'http://'.$url;
        }
        $url = rtrim($url, '/');
        if ($url === '') {
            throw new \InvalidArgumentException('The repository url must not be an empty string');
        }
        if (str_starts_with($url, 'https?')) {
            $url = (extension_loaded('openssl') ? 'https' : 'http') . substr($url, 6);
        }
        $urlBits = parse_url(strtr($url, '\\', '/'));
        if ($urlBits === false || empty($urlBits['scheme'])) {
            throw new \UnexpectedValueException('Invalid url given for Composer repository: '.$url);
        }
        if (Preg::isMatch('{^(?P<proto>https?)://packagist\.org/?$}i', $url, $match)) {
            $url = $match['proto'].'://repo.packagist.org';
        }
        // ComposerRepository::getPackagesJsonUrl
        $jsonUrlParts = parse_url(strtr($url, '\\', '/'));
        if (isset($jsonUrlParts['path']) && false !== strpos($jsonUrlParts['path'], '.json')) {
            $packagesJson = $url;
        } else {
            $packagesJson = $url . '/packages.json';
        }
        // ComposerRepository::canonicalizeUrl
        $resolved = [];
        foreach ($refs as $ref) {
            if ('/' === $ref[0]) {
                $resolved[] = Preg::isMatch('{^[^:]++://[^/]*+}', $url, $matches) ? $matches[0] . $ref : $url;
            } else {
                $resolved[] = $ref;
            }
        }
        $out['urls'][] = ['ok' => true, 'url' => $url, 'packages' => $packagesJson, 'scheme' => $urlBits['scheme'],
                          'host' => $urlBits['host'] ?? '', 'resolved' => $resolved];
    } catch (\Throwable $e) {
        $out['urls'][] = failure($e);
    }
}

foreach ($in['patterns'] as [$pattern, $name]) {
    $re = BasePackage::packageNameToRegexp(base64_decode($pattern));
    $out['patterns'][] = Preg::isMatch($re, base64_decode($name));
}

echo json_encode($out, JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
`

type loaderOracleInput struct {
	Docs     [][2]string `json:"docs"` // base64 JSON text, the file's package name
	P2       [][2]string `json:"p2"`   // base64 body, package name
	Expand   []string    `json:"expand"`
	URLs     []urlCase   `json:"urls"`
	Patterns [][2]string `json:"patterns"` // base64 pattern, base64 name
}

type urlCase struct {
	URL  string
	Refs []string
}

func (u urlCase) MarshalJSON() ([]byte, error) { return json.Marshal([]any{u.URL, u.Refs}) }

// phpVersion is what the oracle says of one version entry.
type phpVersion struct {
	OK         bool        `json:"ok"`
	Error      string      `json:"error"`
	Name       string      `json:"name"`
	Pretty     string      `json:"pretty"`
	Version    string      `json:"version"`
	Normalized string      `json:"normalized"`
	Type       string      `json:"type"`
	Links      [][4]string `json:"links"`
	Dist       *[4]string  `json:"dist"`
	Source     *[4]string  `json:"source"`
	Alias      *string     `json:"alias"`
}

type phpP2 struct {
	Verdict  string        `json:"verdict"` // ok, none, error
	Stage    string        `json:"stage"`
	Error    string        `json:"error"`
	Versions []*phpVersion `json:"versions"`
	Count    int           `json:"count"`
}

type phpURL struct {
	OK       bool     `json:"ok"`
	Error    string   `json:"error"`
	URL      string   `json:"url"`
	Packages string   `json:"packages"`
	Scheme   string   `json:"scheme"`
	Host     string   `json:"host"`
	Resolved []string `json:"resolved"`
}

type loaderOracleOutput struct {
	Composer string        `json:"composer"`
	Semver34 bool          `json:"semver34"`
	Docs     []*phpVersion `json:"docs"`
	P2       []*phpP2      `json:"p2"`
	Expand   []*string     `json:"expand"`
	URLs     []*phpURL     `json:"urls"`
	Patterns []bool        `json:"patterns"`
}

// A versionCase is one version entry of the corpus.
type versionCase struct {
	label string // for messages: the named case, or the generator's kind
	kind  string // "named", "links" (valid entry, generated link sections), "doc" (everything generated)
	text  string // the JSON text both sides read
	want  string // for named cases: "ok" or "error"
}

// issueCases are the table of the issue: the link-map rules that the copies of them disagreed on.
var issueCases = []versionCase{
	{label: `"self.version" is the package's own version`, want: "ok",
		text: `{"name": "acme/foo", "version": "1.2.0", "require": {"acme/bar": "self.version"}}`},
	{label: `" self.version" (a space) is a constraint, and does not parse`, want: "error",
		text: `{"name": "acme/foo", "version": "1.2.0", "require": {"acme/bar": " self.version"}}`},
	{label: `"require": ["x"] is a list: its key 0 is no package name`, want: "error",
		text: `{"name": "acme/foo", "version": "1.2.0", "require": ["x"]}`},
	{label: `"require": null is no section`, want: "ok",
		text: `{"name": "acme/foo", "version": "1.2.0", "require": null}`},
	{label: `{"a/b": 1}: a constraint that is no string`, want: "error",
		text: `{"name": "acme/foo", "version": "1.2.0", "require": {"a/b": 1}}`},
}

// TestLoaderDifferential compares LoadVersion, ParseP2 (+ Expand, Minify), RepositoryURL and NamePattern with
// Composer's own PHP classes on a generated corpus (deterministic seed), in one PHP run.
func TestLoaderDifferential(t *testing.T) {
	php := requirePHPOracle(t)
	if _, err := os.Stat(composerAutoload()); err != nil {
		if !testenv.Required() {
			t.Skipf("Composer's classes are not available: %v", err)
		}
		t.Fatalf("MAGEREPO_REQUIRE_E2E is set but Composer's classes are not available: %v", err)
	}
	g := newLoaderGen(rand.New(rand.NewPCG(20260401, 7)))
	c := g.corpus()
	out := runLoaderOracle(t, php, c.input())
	oracleVersion = out.Composer
	if !out.Semver34 { // as in TestSemverDifferential
		versionDate = versionDate33
		t.Cleanup(func() { versionDate = versionDate34 })
		t.Log("oracle is composer/semver 3.3; comparing with its date-version pattern")
	}

	t.Run("versions", func(t *testing.T) { checkVersions(t, c.versions, out.Docs) })
	t.Run("issue table", func(t *testing.T) {
		for i, vc := range c.versions[:len(issueCases)] {
			got := "error"
			if out.Docs[i].OK {
				got = "ok"
			}
			if got != vc.want {
				t.Errorf("%s: Composer says %s, the issue %s (%s)", vc.label, got, vc.want, out.Docs[i].Error)
			}
			doc, err := ParseDocument([]byte(vc.text))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := LoadVersion(doc); (err == nil) != (vc.want == "ok") {
				t.Errorf("%s: LoadVersion says %v, the issue %s", vc.label, err, vc.want)
			}
		}
	})
	t.Run("p2", func(t *testing.T) { checkP2(t, c.p2, out.P2) })
	t.Run("minify", func(t *testing.T) { checkMinify(t, c.minified, out.Expand) })
	t.Run("urls", func(t *testing.T) { checkURLs(t, c.urls, out.URLs) })
	t.Run("patterns", func(t *testing.T) { checkPatterns(t, c.patterns, out.Patterns) })
}

func runLoaderOracle(t *testing.T, php string, in loaderOracleInput) loaderOracleOutput {
	t.Helper()
	var out loaderOracleOutput
	runPHPBatch(t, php, loaderOracleScript, "COMPOSER_AUTOLOAD="+composerAutoload(), in, &out)
	if len(out.Docs) != len(in.Docs) || len(out.P2) != len(in.P2) || len(out.Expand) != len(in.Expand) ||
		len(out.URLs) != len(in.URLs) || len(out.Patterns) != len(in.Patterns) {
		t.Fatalf("php oracle answered %d/%d/%d/%d/%d items", len(out.Docs), len(out.P2), len(out.Expand),
			len(out.URLs), len(out.Patterns))
	}
	return out
}

// failures collects the first disagreements of a comparison.
type failures struct {
	t     *testing.T
	n     int
	shown int
}

func (f *failures) add(format string, args ...any) {
	f.t.Helper()
	f.n++
	if f.shown < 25 {
		f.shown++
		f.t.Errorf(format, args...)
	}
}

// goVersion is LoadVersion's answer in the oracle's shape.
func goVersion(v *Version, err error) *phpVersion {
	if err != nil {
		return &phpVersion{OK: false, Error: err.Error()}
	}
	out := &phpVersion{OK: true, Name: v.Name, Pretty: v.PrettyName, Version: v.Version, Normalized: v.Normalized,
		Type: v.Type, Links: [][4]string{}}
	for _, l := range v.Links {
		out.Links = append(out.Links, [4]string{l.Type, l.Target, l.Constraint, l.Parsed.String()})
	}
	if v.Dist != nil {
		out.Dist = &[4]string{v.Dist.Type, v.Dist.URL, v.Dist.Reference, v.Dist.Shasum}
	}
	if v.Source != nil {
		out.Source = &[4]string{v.Source.Type, v.Source.URL, v.Source.Reference, ""}
	}
	if v.BranchAlias != "" {
		out.Alias = &v.BranchAlias
	}
	return out
}

// versionDiff returns how go and php differ, "" when they agree. Links are compared in order within each section
// (Composer keys them by target, the first occurrence's place kept).
func versionDiff(gv, pv *phpVersion) string {
	if gv.OK != pv.OK {
		return fmt.Sprintf("go ok=%v (%s), php ok=%v (%s)", gv.OK, gv.Error, pv.OK, pv.Error)
	}
	if !gv.OK {
		return ""
	}
	var d []string
	field := func(name, g, p string) {
		if g != p {
			d = append(d, fmt.Sprintf("%s: go %q, php %q", name, g, p))
		}
	}
	field("name", gv.Name, pv.Name)
	field("pretty name", gv.Pretty, pv.Pretty)
	field("version", gv.Version, pv.Version)
	field("normalized", gv.Normalized, pv.Normalized)
	field("type", gv.Type, pv.Type)
	if pv.Links == nil {
		pv.Links = [][4]string{}
	}
	if !reflect.DeepEqual(gv.Links, pv.Links) {
		d = append(d, fmt.Sprintf("links: go %q, php %q", gv.Links, pv.Links))
	}
	ref := func(name string, g, p *[4]string) {
		if (g == nil) != (p == nil) || (g != nil && *g != *p) {
			d = append(d, fmt.Sprintf("%s: go %v, php %v", name, showRef(g), showRef(p)))
		}
	}
	ref("dist", gv.Dist, pv.Dist)
	ref("source", gv.Source, pv.Source)
	ga, pa := "", ""
	if gv.Alias != nil {
		ga = *gv.Alias
	}
	if pv.Alias != nil {
		pa = *pv.Alias
	}
	field("alias", ga, pa)
	return strings.Join(d, "; ")
}

func showRef(r *[4]string) string {
	if r == nil {
		return "none"
	}
	return fmt.Sprintf("%q", *r)
}

func checkVersions(t *testing.T, cases []versionCase, php []*phpVersion) {
	f := &failures{t: t}
	agree := map[string][2]int{}
	accepted := map[string]int{}
	for i, vc := range cases {
		doc, err := ParseDocument([]byte(vc.text))
		if err != nil {
			t.Fatalf("case %d (%s): the generator wrote no JSON object: %v\n%s", i, vc.label, err, vc.text)
		}
		gv := goVersion(LoadVersion(doc))
		diff := versionDiff(gv, php[i])
		a := agree[vc.kind]
		a[1]++
		if diff == "" {
			a[0]++
		}
		agree[vc.kind] = a
		if php[i].OK {
			accepted[vc.kind]++
		}
		if diff != "" {
			f.add("%s %d (%s): %s\n%s", vc.kind, i, vc.label, diff, vc.text)
		}
	}
	total := [2]int{}
	for _, kind := range []string{"named", "links", "doc"} {
		a := agree[kind]
		total[0], total[1] = total[0]+a[0], total[1]+a[1]
		t.Logf("%5d/%5d %-5s version documents agree with Composer %s (Composer accepts %d)", a[0], a[1], kind, oracleVersion, accepted[kind])
	}
	t.Logf("%5d/%5d version documents agree with Composer %s", total[0], total[1], oracleVersion)
	if accepted["doc"] < agree["doc"][1]/10 || accepted["doc"] > agree["doc"][1]*9/10 {
		t.Errorf("Composer accepts %d of %d generated documents: the corpus is too one-sided", accepted["doc"], agree["doc"][1])
	}
}

// A p2Case is one p2 file of the corpus.
type p2Case struct {
	label string
	name  string
	body  []byte
}

func checkP2(t *testing.T, cases []p2Case, php []*phpP2) {
	f := &failures{t: t}
	files, versions, versionsAgree, acrossVersions := 0, 0, 0, 0
	verdicts := map[string]int{}
	for i, pc := range cases {
		pr := php[i]
		verdicts[pr.Verdict]++
		list, err := ParseP2(pc.body, pc.name)
		goVerdict := "ok"
		var gvs []*phpVersion
		switch {
		case err != nil:
			goVerdict = "error"
		case list == nil:
			goVerdict = "none"
		default:
			for _, o := range list {
				gv := goVersion(LoadVersion(o))
				gvs = append(gvs, gv)
				if !gv.OK {
					goVerdict = "error"
				}
			}
		}
		ok := goVerdict == pr.Verdict
		cacheOnly := goVerdict == "error" && pr.Verdict == "ok" && err == nil &&
			slices.ContainsFunc(pr.Versions, func(v *phpVersion) bool { return !v.OK })
		if cacheOnly {
			// Composer loads the file although a version of it fails alone: the loader's link cache spans the
			// file, so a later version's 1 takes the link an earlier version's "1" made. LoadVersion checks each
			// version alone, which is the safe side: which versions share a file is the publisher's choice.
			// The versions are still compared one by one below.
			acrossVersions++
		}
		if !ok && !cacheOnly {
			f.add("p2 %d (%s): go %s (%v), php %s (%s %s)\n%s", i, pc.label, goVerdict, err, pr.Verdict, pr.Stage, pr.Error, pc.body)
		}
		// Each version on its own, when both sides have the list.
		if err == nil && pr.Versions != nil {
			if len(gvs) != len(pr.Versions) {
				ok = false
				f.add("p2 %d (%s): go has %d versions, php %d\n%s", i, pc.label, len(gvs), len(pr.Versions), pc.body)
			} else {
				for j := range gvs {
					versions++
					if d := versionDiff(gvs[j], pr.Versions[j]); d != "" {
						ok = false
						f.add("p2 %d (%s) version %d: %s\n%s", i, pc.label, j, d, pc.body)
					} else {
						versionsAgree++
					}
				}
			}
		}
		if pr.Verdict == "ok" && pr.Count != len(gvs) {
			ok = false
			f.add("p2 %d (%s): php loads %d packages of %d versions", i, pc.label, pr.Count, len(gvs))
		}
		if ok {
			files++
		}
	}
	t.Logf("%5d/%5d p2 files agree with Composer %s (its verdicts: %v); %d more load in Composer only thanks to "+
		"the link cache across versions, and LoadVersion rejects one of their versions, as Composer does alone",
		files, len(cases), oracleVersion, verdicts, acrossVersions)
	if acrossVersions > 5 {
		t.Errorf("%d files differ only by the link cache across versions: more than the hand-written ones", acrossVersions)
	}
	t.Logf("%5d/%5d p2 file versions agree with Composer %s", versionsAgree, versions, oracleVersion)
}

func checkMinify(t *testing.T, lists [][]*Object, php []*string) {
	f := &failures{t: t}
	agree := 0
	for i, list := range lists {
		if php[i] == nil {
			f.add("minify %d: php cannot expand Minify's output", i)
			continue
		}
		orig := make([]*Value, len(list))
		for j, o := range list {
			orig[j] = ObjectValue(o)
		}
		want := phpCanonical(t, MarshalCompact(ArrayValue(orig...)))
		got := phpCanonical(t, []byte(*php[i]))
		if !reflect.DeepEqual(want, got) {
			f.add("minify %d: php expands Minify's output to\n%s\nnot\n%s", i, *php[i], MarshalCompact(ArrayValue(orig...)))
			continue
		}
		agree++
	}
	t.Logf("%5d/%5d minified lists expand to their versions with Composer %s", agree, len(lists), oracleVersion)
}

// phpCanonical decodes JSON and maps it to what json_decode(…, true) then json_encode would give, up to key
// order: an empty object is an empty list, an object whose keys are 0…n-1 is a list.
func phpCanonical(t *testing.T, b []byte) any {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var canon func(any) any
	canon = func(v any) any {
		switch x := v.(type) {
		case []any:
			for i := range x {
				x[i] = canon(x[i])
			}
			return x
		case map[string]any:
			for k := range x {
				x[k] = canon(x[k])
			}
			list := make([]any, len(x))
			for i := range list {
				e, ok := x[strconv.Itoa(i)]
				if !ok {
					return x
				}
				list[i] = e
			}
			return list
		}
		return v
	}
	return canon(v)
}

func checkURLs(t *testing.T, cases []urlCase, php []*phpURL) {
	f := &failures{t: t}
	agree, goAccepts, unusable := 0, 0, 0
	for i, uc := range cases {
		pu := php[i]
		ru, err := ParseRepositoryURL(uc.URL)
		if err != nil {
			// magerepo reads http(s) repositories only, and only URLs that net/url parses (and so a request can
			// use): Composer must not read this one as such a URL either.
			_, perr := url.Parse(strings.ReplaceAll(pu.URL, `\`, "/"))
			if pu.OK && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "" && perr == nil {
				f.add("url %q: go rejects it (%v), php reads %q (scheme %q, host %q)", uc.URL, err, pu.URL, pu.Scheme, pu.Host)
				continue
			}
			if pu.OK && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != "" {
				unusable++
			}
			agree++
			continue
		}
		goAccepts++
		if !pu.OK {
			f.add("url %q: go reads it, php fails: %s", uc.URL, pu.Error)
			continue
		}
		var resolved []string
		for _, r := range uc.Refs {
			resolved = append(resolved, ru.Resolve(r))
		}
		if ru.String() != pu.URL || ru.PackagesJSON() != pu.Packages || !slices.Equal(resolved, pu.Resolved) {
			f.add("url %q: go %q %q %q, php %q %q %q", uc.URL, ru.String(), ru.PackagesJSON(), resolved, pu.URL, pu.Packages, pu.Resolved)
			continue
		}
		agree++
	}
	t.Logf("%5d/%5d repository URLs agree with Composer %s (%d read as http(s) repositories; %d that Composer reads "+
		"as http(s) refused because net/url cannot parse them)", agree, len(cases), oracleVersion, goAccepts, unusable)
}

func checkPatterns(t *testing.T, cases [][2]string, php []bool) {
	f := &failures{t: t}
	agree, matched := 0, 0
	for i, pc := range cases {
		got, err := matchPattern(pc[0], pc[1])
		if err != nil || got != php[i] {
			f.add("pattern %q name %q: go %v (%v), php %v", pc[0], pc[1], got, err, php[i])
			continue
		}
		agree++
		if got {
			matched++
		}
	}
	t.Logf("%5d/%5d (pattern, name) pairs agree with Composer %s (%d match)", agree, len(cases), oracleVersion, matched)
}

func matchPattern(p, name string) (m bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return NewNamePattern(p).Match(name), nil
}

// loaderCorpus is the whole batch.
type loaderCorpus struct {
	versions []versionCase
	p2       []p2Case
	minified [][]*Object // version lists whose Minify output PHP expands
	minOut   [][]*Value
	urls     []urlCase
	patterns [][2]string
}

func (c *loaderCorpus) input() loaderOracleInput {
	b64 := func(s []byte) string { return base64.StdEncoding.EncodeToString(s) }
	var in loaderOracleInput
	for _, vc := range c.versions {
		real := "acme/foo"
		if doc, err := ParseDocument([]byte(vc.text)); err == nil {
			if n, ok := doc.GetString("name"); ok {
				real = asciiLower(n)
			}
		}
		in.Docs = append(in.Docs, [2]string{b64([]byte(vc.text)), real})
	}
	for _, pc := range c.p2 {
		in.P2 = append(in.P2, [2]string{b64(pc.body), pc.name})
	}
	for _, m := range c.minOut {
		in.Expand = append(in.Expand, b64(MarshalCompact(ArrayValue(m...))))
	}
	in.URLs = c.urls
	for _, pc := range c.patterns {
		in.Patterns = append(in.Patterns, [2]string{b64([]byte(pc[0])), b64([]byte(pc[1]))})
	}
	return in
}

// loaderGen writes the corpus as JSON text, so that number spellings, key order, duplicate keys and whitespace
// are the generator's.
type loaderGen struct {
	r     *rand.Rand
	sg    *semverGen
	clean bool // the entry being written is mostly right: so that both verdicts are common
}

func newLoaderGen(r *rand.Rand) *loaderGen { return &loaderGen{r: r, sg: newSemverGen(r)} }

func (g *loaderGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *loaderGen) one(n int) bool           { return g.r.IntN(n) == 0 }

// tidy reports whether a clean entry takes the well-formed choice (most of the time).
func (g *loaderGen) tidy() bool { return g.clean && g.r.IntN(20) != 0 }

// js is a JSON string literal.
func js(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// ws is JSON whitespace, mostly none.
func (g *loaderGen) ws() string {
	if g.r.IntN(6) != 0 {
		return ""
	}
	return g.pick(" ", "\n", "\t", "\r\n", "  \n\t")
}

// member is one "key": value of an object being written.
type member struct{ key, raw string }

func (g *loaderGen) object(ms []member) string {
	var b strings.Builder
	b.WriteString("{" + g.ws())
	for i, m := range ms {
		if i > 0 {
			b.WriteString("," + g.ws())
		}
		b.WriteString(js(m.key) + g.ws() + ":" + g.ws() + m.raw)
	}
	b.WriteString(g.ws() + "}")
	return b.String()
}

// scalars and shapes that are neither the string nor the object a field wants.
var oddValues = []string{`null`, `0`, `1`, `-1`, `2`, `1.5`, `0.5`, `2.0`, `true`, `false`, `""`, `"0"`, `[]`, `{}`,
	`["x"]`, `[1]`, `{"a": "b"}`, `[[]]`, `[null]`, `{"0": "x"}`}

func (g *loaderGen) odd() string { return g.pick(oddValues...) }

var (
	goodNames = []string{"acme/foo", "acme/foo-bar", "magento/module-catalog", "vendor/pkg_x", "a/b", "acme/foo.bar"}
	oddNames  = []string{"Acme/Foo", "ACME/FOO", "noslash", "", "a/b/c", " acme/foo", "acme/foo ", "Ünï/cödé",
		"acme\\foo", "acme/foo\n"}
	prettyVersions = []string{"1.0.0", "1.2.3", "2.4.3-p1", "2.4.7-p6", "v2.0", "1.0.0-beta1", "1.0.0-RC2", "1.0",
		"103.0.7-p3", "dev-master", "dev-main", "dev-feature/x", "dev-2.4-develop", "DEV-Master", "1.x-dev",
		"1.0.x-dev", "2.4.x-dev", "1.0-dev", "2.x-dev", "9999999-dev", "1.0 as 2.0", "dev-master as 1.0.x-dev",
		"", " ", "invalid version", "1.0.0.0.0", "20230101", "2023.01.01", "master", "1.0.0+build", "1.0@dev",
		"1.0.0-p1-dev", "dev-", "1.0.0 ", "x-dev", "1.2.x", "1.*"}
	numberVersions = []string{`1`, `10`, `0`, `2`, `1.5`, `2.0`, `0.1`, `1.25`, `-1`, `3.14`}
	targets        = []string{"acme/bar", "Acme/Bar", "ACME/BAR", "php", "PHP", "ext-json", "lib-icu", "composer-plugin-api",
		"magento/framework", "Magento/Framework", "vendor/pkg-x", "a/b", "A/B", "acme/baz"}
	numericKeys = []string{"123", "0", "-1", "01", "1.5", "-0", "007", " 1", "1 ", "9223372036854775807",
		"9223372036854775808", "+1", "1e3"}
	oddTargets       = []string{"", " ", "a b", "ünïcode/pkg", "a/b\n", "\tacme/bar"}
	selfConstraints  = []string{"self.version", "self.version", "self.version", " self.version", "self.version ", "Self.Version", "SELF.VERSION", "self.version|^1.0", "self.version || ^1.0", "self.versio", "self.version@dev", "\tself.version", "self.version as 1.0"}
	validConstraints = []string{"^1.0", "~2.4.0", ">=1.0 <2.0", ">=1.0,<2.0", "1.0.*", "*", "dev-master", "dev-main as 1.0.x-dev",
		"^1.0@dev", "@dev", "@stable", "1.0 as 2.0", "~7.3.0||~7.4.0", "~7.3.0 | ~7.4.0", ">=2.4.3-p1", "1.0 - 2.0",
		"!=1.0", "<1.0 || >2.0", "103.0.*", "^2.4@beta", "dev-feature/x", "1.x-dev", "2.4.x-dev@dev", "1", "0", "2",
		"1.0.0", "v1.0", " ^1.0 ", "^1.0\n", "\t~1.0", "^1 || ^2 || ^3", ">= 1.0", "1.0.x-dev#abc", "dev-main#abcdef"}
	invalidConstraints = []string{"", " ", "foo", "^", "~", ">= ", "1.0 ||", "invalid constraint", "^1.0 as", "dev-",
		"1.0 as", ">=1.0 as 2.0", "^1.0 ||| ^2.0", "1..0", "~>", "==", "<>", "^1.0,", ",^1.0", "self", "version"}
	numberConstraints = []string{`null`, `1`, `0`, `-1`, `2`, `1.5`, `2.0`, `true`, `false`, `[]`, `["^1.0"]`, `{}`,
		`{"a": "b"}`, `[null]`}
	// a string constraint and a non-string one whose PHP array key is the same (the loader's link cache).
	cachePairs = [][2]string{{`"1"`, `1`}, {`"1"`, `true`}, {`"1"`, `1.0`}, {`"1"`, `1.5`}, {`"0"`, `false`},
		{`"0"`, `0`}, {`""`, `null`}, {`"2"`, `2`}, {`"^1.0"`, `1`}, {`"-1"`, `-1`}, {`"01"`, `1`}}
)

func (g *loaderGen) target(self string) string {
	if g.tidy() {
		return g.pick(targets...)
	}
	switch n := g.r.IntN(100); {
	case n < 62:
		return g.pick(targets...)
	case n < 70:
		return g.pick(numericKeys...)
	case n < 78 && self != "":
		return g.pick(self, strings.ToUpper(self), self)
	case n < 83:
		return g.pick(oddTargets...)
	default:
		return g.pick("acme", "vendor", "magento", "Mage-OS") + "/" + g.pick("x", "y", "lib", "Module-Foo", "z9")
	}
}

func (g *loaderGen) constraint() string {
	if g.tidy() {
		return js(g.pick(append(validConstraints, "self.version", "self.version", "self.version")...))
	}
	switch n := g.r.IntN(100); {
	case n < 22:
		return js(g.pick(selfConstraints...))
	case n < 52:
		return js(g.pick(validConstraints...))
	case n < 67:
		return js(g.sg.constraint())
	case n < 80:
		return js(g.pick(invalidConstraints...))
	default:
		return g.pick(numberConstraints...)
	}
}

// section writes a link section of package self (lower-cased, "" when the entry has no string name).
func (g *loaderGen) section(self string) string {
	if !g.tidy() && g.one(8) {
		return g.pick(`null`, `{}`, `[]`, `["x"]`, `["1.0"]`, `["^1.0", "^2.0"]`, `"x"`, `""`, `5`, `0`, `true`,
			`false`, `[[]]`, `{"0": "^1.0"}`, `[{}]`, `{"acme/bar": {"^1.0": true}}`)
	}
	var ms []member
	if g.one(12) { // the link cache: a string constraint, then a value PHP keys alike
		p := cachePairs[g.r.IntN(len(cachePairs))]
		t := g.pick(targets...)
		first, second := member{asciiLower(t), p[0]}, member{strings.ToUpper(t), p[1]}
		if g.one(4) {
			first, second = second, first
		}
		ms = append(ms, first, second)
	}
	for n := g.r.IntN(5); n > 0; n-- {
		ms = append(ms, member{g.target(self), g.constraint()})
	}
	g.r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	return g.object(ms)
}

func (g *loaderGen) links(self string, density int) []member {
	var ms []member
	for _, typ := range LinkTypes {
		if g.r.IntN(100) < density {
			ms = append(ms, member{typ, g.section(self)})
		}
	}
	return ms
}

func (g *loaderGen) dist(source bool) string {
	typ, url := `"zip"`, `"https://repo.example.com/dist/acme/foo/1.0.0.zip"`
	if source {
		typ, url = `"git"`, `"https://github.com/acme/foo.git"`
	}
	ref := g.pick(`"abc123"`, `"0123456789abcdef0123456789abcdef01234567"`, `""`, `5`, `1.5`, `0`, `true`, `false`,
		`null`, `[]`, `["x"]`, `{}`)
	if g.r.IntN(3) != 0 || g.tidy() {
		ref = `"5f3c0a1b2e"`
	}
	fields := []member{{"type", typ}, {"url", url}, {"reference", ref}}
	if !source || g.one(4) {
		sha := `"da39a3ee5e6b4b0d3255bfef95601890afd80709"`
		if g.one(3) && !g.tidy() {
			sha = g.pick(`""`, `null`, `5`, `[]`, `true`, `{}`)
		}
		fields = append(fields, member{"shasum", sha})
	}
	if g.one(5) && !g.tidy() {
		fields = append(fields, member{"mirrors", g.pick(`[]`, `[{"url": "https://m.example.com/%package%", "preferred": true}]`,
			`"x"`, `5`, `null`, `{}`, `true`)})
	}
	n := g.r.IntN(10)
	if g.tidy() {
		n = 9
	}
	switch n {
	case 0: // drop a field
		i := g.r.IntN(len(fields))
		fields = append(fields[:i], fields[i+1:]...)
	case 1: // a field of the wrong type
		i := g.r.IntN(2)
		fields[i].raw = g.odd()
	case 2:
		return g.pick(`"https://x/y.zip"`, `5`, `true`, `[]`, `["zip", "https://x/y.zip"]`, `{}`, `null`, `""`)
	case 3:
		fields = append(fields, member{"type", g.pick(`"tar"`, `null`, `5`)}) // a duplicate key
	}
	g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	return g.object(fields)
}

// optional are the typed fields ArrayLoader passes to setters, with good and bad values.
var optional = []struct {
	key    string
	values []string
}{
	{"type", []string{`"library"`, `"Library"`, `"metapackage"`, `"magento2-module"`, `"MAGENTO2-THEME"`, `""`, `null`, `5`, `[]`, `true`, `{}`}},
	{"target-dir", []string{`"Acme/Foo"`, `""`, `null`, `5`, `[]`, `true`}},
	{"installation-source", []string{`"dist"`, `null`, `5`, `[]`}},
	{"autoload", []string{`{"psr-4": {"Acme\\": "src/"}}`, `{}`, `[]`, `"src"`, `5`, `null`, `true`, `["src"]`}},
	{"autoload-dev", []string{`{"psr-4": {}}`, `[]`, `"x"`, `0`, `null`}},
	{"include-path", []string{`["lib/"]`, `[]`, `"lib/"`, `5`, `null`, `{}`}},
	{"support", []string{`{"issues": "https://x"}`, `{}`, `[]`, `"x"`, `5`, `null`, `false`}},
	{"time", []string{`"2020-01-01 00:00:00"`, `"2020-01-01T10:00:00+00:00"`, `""`, `"0"`, `0`, `5`, `"garbage"`,
		`[]`, `["x"]`, `true`, `false`, `1700000000`, `"1700000000"`, `null`, `{}`, `1.5`}},
	{"notification-url", []string{`"https://x/downloads/"`, `""`, `"0"`, `0`, `5`, `[]`, `["x"]`, `true`, `false`, `null`}},
	{"bin", []string{`"bin/x"`, `["bin/a", "/bin/b"]`, `[1]`, `5`, `true`, `false`, `null`, `[]`, `{"a": "b"}`, `[null]`, `[[]]`, `""`, `1.5`}},
	{"suggest", []string{`{"acme/bar": "for bars"}`, `{"acme/bar": 5}`, `{"acme/bar": "self.version"}`, `{"acme/bar": " self.version "}`,
		`"x"`, `[]`, `["x"]`, `5`, `{"acme/bar": null}`, `{"acme/bar": []}`, `{}`, `{"acme/bar": true}`}},
	{"keywords", []string{`["a", "b"]`, `[1, 2.5, true, null]`, `[[]]`, `[{}]`, `"x"`, `5`, `[]`, `{"a": "b"}`,
		`{"a": []}`, `[""]`, `0`, `true`}},
	{"archive", []string{`{"name": "x"}`, `{"name": 5}`, `{"name": ""}`, `{"name": 0}`, `{"name": "0"}`, `{"exclude": ["a"]}`,
		`{"exclude": "a"}`, `{"exclude": 5}`, `{"exclude": []}`, `"x"`, `5`, `[]`, `{"name": []}`, `{"name": [1]}`,
		`{"name": true}`, `{"exclude": true}`, `["x"]`, `null`}},
	{"description", []string{`"A package"`, `5`, `[]`, `null`}},
	{"homepage", []string{`"https://x"`, `5`, `[]`}},
	{"license", []string{`"MIT"`, `["MIT", "OSL-3.0"]`, `5`, `{}`, `null`}},
	{"authors", []string{`[{"name": "A"}]`, `"A"`, `5`, `{}`}},
	{"scripts", []string{`{"post-install-cmd": "x"}`, `{"composer": "x"}`, `"x"`, `5`, `{"a": ["b", "c"]}`, `[]`}},
	{"abandoned", []string{`true`, `"acme/bar"`, `5`, `[]`, `null`, `false`}},
	{"funding", []string{`[{"type": "github"}]`, `"x"`, `5`}},
	{"transport-options", []string{`{"ssl": {}}`, `"x"`}},
	{"extra", []string{`{"magento-force": true}`, `"x"`, `5`, `[]`, `null`, `{"branch-alias": "x"}`}},
	{"default-branch", []string{`true`, `false`, `"true"`, `1`, `null`}},
	{"description", []string{`"\ud83d\ude00 and \u00e9"`}},
}

// branchAlias writes extra.branch-alias entries for version (as written).
func (g *loaderGen) branchAlias(version string) string {
	src := version
	if g.one(4) {
		src = g.pick(strings.ToUpper(version), "dev-master", "dev-other", "1.x-dev", "0")
	}
	tgt := g.pick(`"1.0.x-dev"`, `"1.0-dev"`, `"2.x-dev"`, `"1.x-dev"`, `"1.2.x-dev"`, `"2.4.x-dev"`, `"1.0.x"`, `"9999999-dev"`,
		`"foo-dev"`, `"dev-foo-dev"`, `" 1.0.x-dev"`, `"v1.0.x-dev"`, `"1.*-dev"`, `"1.0.x-DEV"`, `"1.0.X-dev"`, `"-dev"`,
		`5`, `null`, `[]`, `true`, `{}`, `"1.0.0.0.x-dev"`, `"1.0.0-dev"`)
	var ms []member
	if g.one(3) { // another entry first
		ms = append(ms, member{g.pick("0", "dev-other", "2.x-dev", "dev-master", "1"), g.pick(`"3.0.x-dev"`, `5`, `null`, `"x"`)})
	}
	ms = append(ms, member{src, tgt})
	if g.one(3) {
		ms = append(ms, member{g.pick("0", "dev-master", version, "9"), g.pick(`"3.0.x-dev"`, `5`, `null`, `[]`)})
	}
	ba := g.object(ms)
	if g.one(10) {
		ba = g.pick(`"x"`, `[]`, `["1.0.x-dev"]`, `5`, `null`, `{}`, `true`)
	}
	return g.object([]member{{"branch-alias", ba}})
}

// versionDoc writes one generated version entry.
func (g *loaderGen) versionDoc() string {
	var ms []member
	self := ""
	n := g.r.IntN(100)
	if g.tidy() {
		n = 0
	}
	switch {
	case n < 75:
		name := g.pick(goodNames...)
		ms, self = append(ms, member{"name", js(name)}), name
	case n < 88:
		name := g.pick(oddNames...)
		ms, self = append(ms, member{"name", js(name)}), asciiLower(name)
	case n < 96:
		ms = append(ms, member{"name", g.pick(`null`, `5`, `1.5`, `true`, `false`, `[]`, `["acme/foo"]`, `{}`, `{"a": "b"}`)})
	}
	version := ""
	n = g.r.IntN(100)
	if g.tidy() {
		n = 96
	}
	switch {
	case n > 95:
		version = g.pick("1.0.0", "2.4.3-p1", "dev-master", "1.x-dev", "103.0.7", "v2.0.1", "dev-feature/x", "1.0.0-beta1")
		ms = append(ms, member{"version", js(version)})
	case n < 55:
		version = g.pick(prettyVersions...)
		ms = append(ms, member{"version", js(version)})
	case n < 75:
		version = g.sg.version()
		ms = append(ms, member{"version", js(version)})
	case n < 85:
		raw := g.pick(numberVersions...)
		ms = append(ms, member{"version", raw})
		if v, err := ParseValue([]byte(raw)); err == nil {
			version, _ = phpScalarString(v)
		}
	case n < 95:
		ms = append(ms, member{"version", g.pick(`true`, `false`, `null`, `[]`, `["1.0"]`, `{}`)})
	}
	n = g.r.IntN(100)
	if g.tidy() {
		n = g.r.IntN(75)
	}
	switch {
	case n < 55:
	case n < 75:
		if norm, err := NormalizeVersion(version); err == nil {
			ms = append(ms, member{"version_normalized", js(norm)})
		}
	case n < 85:
		ms = append(ms, member{"version_normalized", js(g.pick("1.0.0.0", "garbage", "", "9999999-dev", "9999999-dev",
			"dev-master", "1.0.9999999.9999999-dev"))})
	default:
		ms = append(ms, member{"version_normalized", g.pick(`5`, `1.5`, `true`, `false`, `null`, `[]`, `["1.0.0.0"]`, `{}`, `{"a": 1}`)})
	}
	ms = append(ms, g.links(self, 35)...)
	if g.r.IntN(10) < 7 {
		ms = append(ms, member{"dist", g.dist(false)})
	}
	if g.r.IntN(10) < 4 {
		ms = append(ms, member{"source", g.dist(true)})
	}
	for _, f := range optional {
		if g.one(9) {
			v := f.values[g.r.IntN(len(f.values))]
			if g.tidy() {
				v = f.values[0]
			}
			ms = append(ms, member{f.key, v})
		}
	}
	if strings.HasPrefix(version, "dev-") || strings.HasSuffix(version, "-dev") || g.one(10) {
		if g.r.IntN(10) < 6 {
			ms = append(ms, member{"extra", g.branchAlias(version)})
		}
		if g.one(4) {
			ms = append(ms, member{"default-branch", g.pick(`true`, `true`, `false`, `1`, `"true"`)})
		}
	}
	g.r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	if len(ms) > 0 && g.one(30) && !g.tidy() { // a duplicate key: the later value wins
		m := ms[g.r.IntN(len(ms))]
		ms = append(ms, member{m.key, g.odd()})
	}
	return g.object(ms)
}

// linksDoc writes an entry that Composer loads but for its link sections.
func (g *loaderGen) linksDoc() string {
	name := g.pick(goodNames...)
	version := g.pick("1.0.0", "2.4.3-p1", "dev-master", "1.x-dev", "103.0.7", "1.0 as 2.0", "v2.0.1", "dev-feature/x")
	ms := []member{{"name", js(name)}, {"version", js(version)},
		{"dist", `{"type": "zip", "url": "https://repo.example.com/a.zip", "shasum": "da39a3ee5e6b4b0d3255bfef95601890afd80709", "reference": "abc"}`}}
	ms = append(ms, g.links(name, 60)...)
	return g.object(ms)
}

// namedVersionCases are hand-written entries on top of the issue table.
var namedVersionCases = []versionCase{
	{label: "self.version resolves to a dev branch", text: `{"name": "acme/foo", "version": "dev-master", "replace": {"acme/bar": "self.version"}}`},
	{label: "self.version of a numeric version", text: `{"name": "acme/foo", "version": 5, "version_normalized": "5.0.0.0", "require": {"acme/bar": "self.version"}}`},
	{label: "self.version|^1.0", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "self.version|^1.0"}}`},
	{label: "Self.Version", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "Self.Version"}}`},
	{label: "self.version with a trailing space", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "self.version "}}`},
	{label: "empty link map", text: `{"name": "acme/foo", "version": "1.0.0", "require": {}, "conflict": []}`},
	{label: "link section a string", text: `{"name": "acme/foo", "version": "1.0.0", "require": "acme/bar"}`},
	{label: "link section a number", text: `{"name": "acme/foo", "version": "1.0.0", "require-dev": 5}`},
	{label: "link section false", text: `{"name": "acme/foo", "version": "1.0.0", "provide": false}`},
	{label: "link section nested object", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": {"version": "^1.0"}}}`},
	{label: "numeric target", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"123": "^1.0"}}`},
	{label: "numeric-looking target 0123", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"0123": "^1.0"}}`},
	{label: "list of one constraint", text: `{"name": "acme/foo", "version": "1.0.0", "require": ["1.0"]}`},
	{label: "empty list", text: `{"name": "acme/foo", "version": "1.0.0", "require": []}`},
	{label: "mixed-case duplicate targets", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"Acme/Bar": "^1.0", "acme/bar": "^2.0", "x/y": "*", "ACME/BAR": "^3.0"}}`},
	{label: "duplicate target, the later invalid", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "^1.0", "Acme/Bar": "nope"}}`},
	{label: "link to itself, invalid constraint", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/foo": "not a constraint"}}`},
	{label: "link to itself, upper case, number", text: `{"name": "Acme/Foo", "version": "1.0.0", "replace": {"ACME/FOO": 5}}`},
	{label: "link to itself, valid", text: `{"name": "acme/foo", "version": "1.0.0", "conflict": {"acme/foo": "<1.0"}}`},
	{label: "link cache: string then int", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "1", "Acme/Bar": 1}}`},
	{label: "link cache: int then string", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"Acme/Bar": 1, "acme/bar": "1"}}`},
	{label: "link cache: \"0\" then false", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "0", "ACME/BAR": false}}`},
	{label: "link cache: other target", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "1", "acme/baz": 1}}`},
	{label: "link cache: other section", text: `{"name": "acme/foo", "version": "1.0.0", "require": {"acme/bar": "1"}, "conflict": {"acme/bar": 1}}`},
	{label: "version an int", text: `{"name": "acme/foo", "version": 1}`},
	{label: "version an int, normalized given", text: `{"name": "acme/foo", "version": 1, "version_normalized": "1.0.0.0"}`},
	{label: "version a float, normalized given", text: `{"name": "acme/foo", "version": 1.5, "version_normalized": "1.5.0.0"}`},
	{label: "version true, normalized given", text: `{"name": "acme/foo", "version": true, "version_normalized": "1.0.0.0"}`},
	{label: "version false, normalized given", text: `{"name": "acme/foo", "version": false, "version_normalized": "1.0.0.0"}`},
	{label: "version null", text: `{"name": "acme/foo", "version": null, "version_normalized": "1.0.0.0"}`},
	{label: "version missing", text: `{"name": "acme/foo", "version_normalized": "1.0.0.0"}`},
	{label: "version_normalized a number", text: `{"name": "acme/foo", "version": "1.0.0", "version_normalized": 5}`},
	{label: "version_normalized an array", text: `{"name": "acme/foo", "version": "1.0.0", "version_normalized": ["1.0.0.0"]}`},
	{label: "version_normalized wrong", text: `{"name": "acme/foo", "version": "1.0.0", "version_normalized": "7.0.0.0"}`},
	{label: "version_normalized 9999999-dev, int version", text: `{"name": "acme/foo", "version": 1, "version_normalized": "9999999-dev"}`},
	{label: "version_normalized 9999999-dev", text: `{"name": "acme/foo", "version": "dev-master", "version_normalized": "9999999-dev"}`},
	{label: "name a number", text: `{"name": 5, "version": "1.0.0"}`},
	{label: "name missing", text: `{"version": "1.0.0"}`},
	{label: "name upper case", text: `{"name": "Acme/Foo", "version": "1.0.0", "require": {"acme/foo": "x"}}`},
	{label: "branch alias after a non-matching int key", text: `{"name": "acme/foo", "version": "dev-master", "extra": {"branch-alias": {"dev-master": "1.0.x-dev", "0": 5}}}`},
	{label: "branch alias, int key first", text: `{"name": "acme/foo", "version": "dev-master", "extra": {"branch-alias": {"0": 5, "dev-master": "1.0.x-dev"}}}`},
	{label: "branch alias, a later entry not a string", text: `{"name": "acme/foo", "version": "dev-master", "extra": {"branch-alias": {"dev-master": "1.0.x-dev", "dev-x": 5}}}`},
	{label: "branch alias to a non-numeric branch", text: `{"name": "acme/foo", "version": "dev-master", "extra": {"branch-alias": {"dev-master": "foo-dev"}}}`},
	{label: "default branch", text: `{"name": "acme/foo", "version": "dev-main", "default-branch": true}`},
	{label: "default branch, numeric branch", text: `{"name": "acme/foo", "version": "1.x-dev", "default-branch": true}`},
	{label: "dist a string", text: `{"name": "acme/foo", "version": "1.0.0", "dist": "https://x/y.zip"}`},
	{label: "dist without url", text: `{"name": "acme/foo", "version": "1.0.0", "dist": {"type": "zip"}}`},
	{label: "dist type a number", text: `{"name": "acme/foo", "version": "1.0.0", "dist": {"type": 5, "url": "https://x"}}`},
	{label: "dist reference a number", text: `{"name": "acme/foo", "version": "1.0.0", "dist": {"type": "zip", "url": "https://x", "reference": 12}}`},
	{label: "dist reference an array", text: `{"name": "acme/foo", "version": "1.0.0", "dist": {"type": "zip", "url": "https://x", "reference": ["a"]}}`},
	{label: "dist mirrors a string", text: `{"name": "acme/foo", "version": "1.0.0", "dist": {"type": "zip", "url": "https://x", "mirrors": "x"}}`},
	{label: "source without reference", text: `{"name": "acme/foo", "version": "1.0.0", "source": {"type": "git", "url": "https://x"}}`},
	{label: "source reference false", text: `{"name": "acme/foo", "version": "1.0.0", "source": {"type": "git", "url": "https://x", "reference": false}}`},
	{label: "type upper case", text: `{"name": "acme/foo", "version": "1.0.0", "type": "Magento2-Module"}`},
	{label: "type a number", text: `{"name": "acme/foo", "version": "1.0.0", "type": 5}`},
	{label: "odd whitespace", text: "{\n\t\"name\" :\"acme/foo\",\r\n \"version\"\t: \"1.0.0\" , \"require\":{ \"acme/bar\" :\n\"^1.0\"\n}\n}"},
}

func (g *loaderGen) corpus() *loaderCorpus {
	c := &loaderCorpus{}
	for _, vc := range issueCases {
		vc.kind = "named"
		c.versions = append(c.versions, vc)
	}
	for _, vc := range namedVersionCases {
		vc.kind = "named"
		c.versions = append(c.versions, vc)
	}
	for range 2500 {
		g.clean = g.one(2)
		c.versions = append(c.versions, versionCase{label: "links", kind: "links", text: g.linksDoc()})
	}
	for range 6000 {
		g.clean = g.one(2)
		c.versions = append(c.versions, versionCase{label: "doc", kind: "doc", text: g.versionDoc()})
	}
	g.clean = false
	c.p2 = g.p2Files(c)
	c.urls = g.urls()
	c.patterns = g.patterns()
	return c
}

// p2Version writes a version entry of a p2 file of package name: mostly loadable, sometimes not.
func (g *loaderGen) p2Version(name string, i int) *Object {
	var text string
	if g.one(6) {
		g.clean = g.one(2)
		text = g.versionDoc()
		g.clean = false
	} else {
		version := fmt.Sprintf("%d.%d.%d", 1+i/4, i%4, g.r.IntN(3))
		if g.one(4) {
			version = g.pick("dev-master", "dev-main", "2.x-dev", "dev-feature/x")
		}
		ms := []member{{"name", js(name)}, {"version", js(version)}}
		if g.one(2) {
			if n, err := NormalizeVersion(version); err == nil {
				ms = append(ms, member{"version_normalized", js(n)})
			}
		}
		ms = append(ms, member{"dist", fmt.Sprintf(`{"type": "zip", "url": "https://repo.example.com/%s/%s.zip", "reference": "r%d", "shasum": ""}`, name, version, i)})
		if g.one(2) {
			ms = append(ms, member{"require", g.object([]member{{"php", js(g.pick("^8.1", ">=7.4", "~8.2.0"))}, {"acme/lib", js(g.pick("^1.0", "self.version", "^2.0"))}})})
		}
		if g.one(6) {
			ms = append(ms, g.links(name, 15)...)
		}
		if g.one(5) {
			f := optional[g.r.IntN(len(optional))]
			ms = append(ms, member{f.key, f.values[g.r.IntN(len(f.values))]})
		}
		if strings.HasPrefix(version, "dev-") && g.one(2) {
			ms = append(ms, member{"extra", g.branchAlias(version)})
		}
		text = g.object(ms)
	}
	o, err := ParseDocument([]byte(text))
	if err != nil {
		panic(err)
	}
	return o
}

func (g *loaderGen) p2Files(c *loaderCorpus) []p2Case {
	var out []p2Case
	add := func(label, name string, body string) { out = append(out, p2Case{label, name, []byte(body)}) }
	list := func(vs []*Value) string {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = string(MarshalCompact(v))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	// hand-written files
	const n = "acme/foo"
	const v1 = `{"name":"acme/foo","version":"1.0.0","dist":{"type":"zip","url":"https://x/1.zip"},"require":{"php":"^8.1"}}`
	for _, hw := range []struct{ label, body string }{
		{"no packages", `{}`},
		{"packages a list", `{"packages": []}`},
		{"packages a string", `{"packages": "x"}`},
		{"packages[name] missing", `{"packages": {"acme/bar": [` + v1 + `]}}`},
		{"packages[name] null", `{"packages": {"acme/foo": null}}`},
		{"packages[name] a string", `{"packages": {"acme/foo": "x"}}`},
		{"packages[name] a string, minified", `{"minified": "composer/2.0", "packages": {"acme/foo": "x"}}`},
		{"packages[name] a number", `{"packages": {"acme/foo": 5}}`},
		{"packages[name] empty list", `{"packages": {"acme/foo": []}}`},
		{"packages[name] empty object", `{"packages": {"acme/foo": {}}}`},
		{"Composer 1 shape", `{"packages": {"acme/foo": {"1.0.0": ` + v1 + `, "dev-master": {"name":"acme/foo","version":"dev-master"}}}}`},
		{"Composer 1 shape, minified", `{"minified": "composer/2.0", "packages": {"acme/foo": {"1.0.0": ` + v1 + `, "1.0.1": {"version":"1.0.1"}}}}`},
		{"minified list without the flag", `{"packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1"}]}}`},
		{"minified flag composer/1.0", `{"minified": "composer/1.0", "packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1"}]}}`},
		{"minified flag true", `{"minified": true, "packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1"}]}}`},
		{"minified", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1"}]}}`},
		{"minified, __unset", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1", "require": "__unset"}]}}`},
		{"minified, __unset name", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1", "name": "__unset"}]}}`},
		{"minified, __unset then re-added", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, {"version": "1.0.1", "require": "__unset"}, {"version": "1.0.2", "require": {"php": ">=7"}}]}}`},
		{"minified, __unset in the first", `{"minified": "composer/2.0", "packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.0","require":"__unset"}]}}`},
		{"minified, empty diff", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, {}, {"version": "1.0.2"}]}}`},
		{"minified, empty first", `{"minified": "composer/2.0", "packages": {"acme/foo": [{}, ` + v1 + `]}}`},
		{"minified, null first", `{"minified": "composer/2.0", "packages": {"acme/foo": [null, ` + v1 + `]}}`},
		{"minified, string first", `{"minified": "composer/2.0", "packages": {"acme/foo": ["x", ` + v1 + `]}}`},
		{"minified, string only", `{"minified": "composer/2.0", "packages": {"acme/foo": ["x"]}}`},
		{"minified, number in the middle", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, 5, {"version": "1.0.2"}]}}`},
		{"minified, null in the middle", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, null]}}`},
		{"minified, list in the middle", `{"minified": "composer/2.0", "packages": {"acme/foo": [` + v1 + `, ["x"]]}}`},
		{"minified, everything unset", `{"minified": "composer/2.0", "packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.0"}, {"name":"__unset","version":"__unset"}, {"name":"acme/foo","version":"1.0.2","type":"__unset"}]}}`},
		{"minified, everything unset, then a link section unset", `{"minified": "composer/2.0", "packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.0"}, {"name":"__unset","version":"__unset"}, {"name":"acme/foo","version":"1.0.2","require":"__unset"}]}}`},
		{"not minified, one bad version", `{"packages": {"acme/foo": [` + v1 + `, {"name":"acme/foo","version":"1.0.1","require":{"a/b":"nope"}}]}}`},
		{"not minified, a string element", `{"packages": {"acme/foo": [` + v1 + `, "x"]}}`},
		{"not minified, an empty element", `{"packages": {"acme/foo": [` + v1 + `, {}]}}`},
		{"link cache across versions", `{"packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.0","require":{"acme/bar":"1"}}, {"name":"acme/foo","version":"1.0.1","require":{"acme/bar":1}}]}}`},
		{"link cache across versions, reversed", `{"packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.1","require":{"acme/bar":1}}, {"name":"acme/foo","version":"1.0.0","require":{"acme/bar":"1"}}]}}`},
		{"root a list", `[]`},
		{"root null", `null`},
		{"root a number", `5`},
		{"root a string", `"x"`},
		{"invalid JSON", `{"packages": {"acme/foo": [` + v1 + `]`},
		{"invalid UTF-8", "{\"packages\": {\"acme/foo\": [{\"name\":\"acme/foo\",\"version\":\"1.0.0\",\"description\":\"\xff\"}]}}"},
		{"lone surrogate", `{"packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.0","description":"\ud800"}]}}`},
		{"duplicate packages key", `{"packages": {"acme/foo": "x"}, "packages": {"acme/foo": [` + v1 + `]}}`},
		{"upper-case file name key", `{"packages": {"Acme/Foo": [` + v1 + `]}}`},
	} {
		add(hw.label, n, hw.body)
	}
	for _, depth := range []int{511, 512, 513, 514, 600} { // json_decode's default depth is 512
		nest := strings.Repeat("[", depth-4) + strings.Repeat("]", depth-4)
		add(fmt.Sprintf("nesting depth %d", depth), n, `{"packages": {"acme/foo": [{"name":"acme/foo","version":"1.0.0","extra":`+nest+`}]}}`)
	}
	for i := range 900 {
		name := fmt.Sprintf("acme/pkg%d", i)
		var vs []*Object
		for j := range 1 + g.r.IntN(6) {
			vs = append(vs, g.p2Version(name, j))
		}
		kind := g.r.IntN(100)
		min, err := Minify(vs)
		if err == nil && kind < 70 {
			c.minified, c.minOut = append(c.minified, vs), append(c.minOut, min)
		}
		var raw []*Value
		for _, v := range vs {
			raw = append(raw, ObjectValue(v))
		}
		switch {
		case kind < 60 && err == nil:
			if g.one(8) { // hand-edited: an empty diff, an extra __unset, a non-object
				edited := make([]*Value, len(min))
				for j, v := range min {
					edited[j] = v.Clone()
				}
				min = edited
				j := g.r.IntN(len(min))
				switch g.r.IntN(3) {
				case 0:
					min = slices.Insert(min, j, ObjectValue(NewObject()))
				case 1:
					if o, ok := min[j].Obj(); ok {
						o.SetString(g.pick("require", "type", "extra", "nope", "dist", "version"), unsetMarker)
					}
				case 2:
					min = slices.Insert(min, j, g.nonObject())
				}
			}
			add("minified", name, `{"minified":"composer/2.0","packages":{`+js(name)+`:`+list(min)+`}}`)
		case kind < 85:
			add("list", name, `{"packages":{`+js(name)+`:`+list(raw)+`}}`)
		case kind < 92:
			obj := NewObject()
			for j, v := range vs {
				k, _ := v.GetString("version")
				if k == "" || obj.Has(k) {
					k = strconv.Itoa(j)
				}
				obj.Set(k, ObjectValue(v))
			}
			add("composer 1 shape", name, `{"packages":{`+js(name)+`:`+string(MarshalCompact(ObjectValue(obj)))+`}}`)
		default:
			if g.one(2) {
				raw = slices.Insert(raw, g.r.IntN(len(raw)+1), g.nonObject())
			}
			add("list with an odd element", name, `{"packages":{`+js(name)+`:`+list(raw)+`}}`)
		}
	}
	// Minify on the generated documents, grouped in lists.
	var docs []*Object
	for _, vc := range c.versions {
		if o, err := ParseDocument([]byte(vc.text)); err == nil {
			docs = append(docs, o)
		}
	}
	for i := 0; i+5 < len(docs) && len(c.minified) < 2500; i += 1 + g.r.IntN(5) {
		vs := docs[i : i+1+g.r.IntN(5)]
		if min, err := Minify(vs); err == nil {
			c.minified, c.minOut = append(c.minified, vs), append(c.minOut, min)
		}
	}
	return out
}

func (g *loaderGen) nonObject() *Value {
	v, err := ParseValue([]byte(g.pick(`null`, `5`, `"x"`, `[]`, `true`, `false`, `["x"]`, `{}`, `0`, `""`)))
	if err != nil {
		panic(err)
	}
	return v
}

func (g *loaderGen) urls() []urlCase {
	schemes := []string{"http://", "https://", "", "HTTP://", "Https://", "https?://", "ftp://", "file://", "git+ssh://",
		"http:/", "//", "http:", "a.b://", "x?://"}
	hosts := []string{"repo.example.com", "localhost:8080", "user:pass@repo.example.com", "packagist.org", "Packagist.org",
		"repo.packagist.org", "192.168.0.1", "[::1]:8080", "repo.example.com:", "", "a_b.example.com", "ex ample.com",
		"repo.example.com\\sub"}
	paths := []string{"", "/", "//", "/packages.json", "/a/packages.json", "/repo", "/repo/", "/x.json/", "/a.jsonp",
		"/a.JSON", "/a%2ejson", "/a.json%zz", "/a b", "/a\\b.json", "\\x.json", "/a?x=.json", "/a#.json", "/?.json",
		"/p.json?x", "/%zz", "/a;b.json", "/.json", "/a.json/b", "/%2Fa.json", "/a%20b.json", "/ü.json", "/repo///"}
	refs := []string{"/p2/%package%.json", "https://other.example.com/x", "p2/x.json", "//cdn.example.com/x", "/"}
	var out []urlCase
	for _, s := range schemes {
		for _, h := range hosts {
			out = append(out, urlCase{s + h + g.pick(paths...), refs})
		}
	}
	for _, h := range hosts[:4] {
		for _, p := range paths {
			out = append(out, urlCase{g.pick("http://", "https://") + h + p, refs})
		}
	}
	return out
}

func (g *loaderGen) patterns() [][2]string {
	patterns := []string{"acme/*", "*", "acme/foo", "Acme/*", "*/foo", "a*b*c", "acme/foo-*", "magento/module-*",
		"*.json", "a.b", "a+b", "(x)", "[a]", "a?b", "a|b", "a$", "^a", "\\", "a\\*b", "é*", "K*", "*ſ*", "a{1}", "#",
		"/", "", "**", "a\nb", "a*\n", "*foo", "acme/*/x", "\xff*", "a\x00b", "*b", "ACME/FOO"}
	names := []string{"acme/foo", "ACME/FOO", "acme/foo\n", "acme/foo\n\n", "acme/foo-bar", "magento/module-catalog",
		"x.json", "axb", "a.b", "a+b", "(x)", "[a]", "a?b", "a|b", "a$", "^a", "\\", "a\\xb", "a\\*b", "éclair",
		"Éclair", "kelvin", "\u212aelvin", "ſ", "s", "xSx", "a{1}", "a", "aa", "", "a\nb", "a\nxb", "acme/\nfoo",
		"\xff", "\xffx", "a\x00b", "abc", "a/b/c", "acme/x/x", "b", "#", "/", "\n"}
	var out [][2]string
	for _, p := range patterns {
		for _, n := range names {
			if g.one(2) || p == "*" || n == "acme/foo" {
				out = append(out, [2]string{p, n})
			}
		}
	}
	return out
}
