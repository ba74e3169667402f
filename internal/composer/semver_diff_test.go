package composer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/testenv"
)

// semverOracle is the composer/semver that Debian's composer package ships.
const semverOracle = "/usr/share/php/Composer/Semver/autoload.php"

// semverOracleScript reads the cases as JSON on stdin and answers with what the real
// composer/semver says about each: normalize, parseStability, parseConstraints (as
// __toString), matches, and version_compare.
const semverOracleScript = `<?php
require getenv('SEMVER_AUTOLOAD');
use Composer\Semver\VersionParser;
use Composer\Semver\Constraint\Constraint;
$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$p = new VersionParser();
$out = ['semver34' => method_exists($p, 'isValid'), 'normalize' => [], 'stability' => [],
        'parse' => [], 'match' => [], 'compare' => []];
foreach ($in['versions'] as $v) {
    try { $out['normalize'][] = $p->normalize($v); } catch (\Throwable $e) { $out['normalize'][] = null; }
    $out['stability'][] = VersionParser::parseStability($v);
}
$parsed = [];
foreach ($in['constraints'] as $c) {
    try { $k = $p->parseConstraints($c); $parsed[] = $k; $out['parse'][] = (string) $k; }
    catch (\Throwable $e) { $parsed[] = null; $out['parse'][] = null; }
}
foreach ($in['pairs'] as [$ci, $vi]) {
    $k = $parsed[$ci]; $n = $out['normalize'][$vi];
    $out['match'][] = ($k === null || $n === null) ? null : $k->matches(new Constraint('==', $n));
}
foreach ($in['compares'] as [$a, $b]) { $out['compare'][] = version_compare($a, $b); }
echo json_encode($out, JSON_THROW_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
`

type oracleInput struct {
	Versions    []string    `json:"versions"`
	Constraints []string    `json:"constraints"`
	Pairs       [][2]int    `json:"pairs"`
	Compares    [][2]string `json:"compares"`
}

type oracleOutput struct {
	Semver34  bool      `json:"semver34"`
	Normalize []*string `json:"normalize"`
	Stability []string  `json:"stability"`
	Parse     []*string `json:"parse"`
	Match     []*bool   `json:"match"`
	Compare   []int     `json:"compare"`
}

// TestSemverDifferential compares this package with the real composer/semver on
// thousands of generated inputs (deterministic seed): normalization, stability,
// constraint parsing (success and the exact __toString), matching, and version_compare.
func TestSemverDifferential(t *testing.T) {
	php := requirePHPOracle(t)
	g := newSemverGen(rand.New(rand.NewPCG(20260101, 42)))
	in := g.input(1500, 2000, 24000, 6000)
	out := runOracle(t, php, in)

	differ := 0
	for _, v := range in.Versions {
		a, errA := normalizeWithDate(v, versionDate34)
		b, errB := normalizeWithDate(v, versionDate33)
		if a != b || (errA == nil) != (errB == nil) {
			differ++
		}
	}
	t.Logf("%d of %d versions normalize differently under composer/semver 3.3 and 3.4", differ, len(in.Versions))
	if !out.Semver34 {
		// The oracle is composer/semver 3.3: emulate its date pattern for this run.
		versionDate = versionDate33
		t.Cleanup(func() { versionDate = versionDate34 })
		t.Log("oracle is composer/semver 3.3; comparing with its date-version pattern")
	}
	var fails []string
	fail := func(format string, args ...any) {
		if len(fails) < 40 {
			fails = append(fails, fmt.Sprintf(format, args...))
		}
	}
	agree := map[string][2]int{} // kind -> {agreed, total}
	count := func(kind string, ok bool) {
		a := agree[kind]
		a[1]++
		if ok {
			a[0]++
		}
		agree[kind] = a
	}
	normalized := make([]*string, len(in.Versions))
	for i, v := range in.Versions {
		n, err := NormalizeVersion(v)
		if err == nil {
			normalized[i] = &n
		}
		ok := equalPtr(normalized[i], out.Normalize[i])
		count("normalize", ok)
		if !ok {
			fail("normalize(%q): go %s, php %s", v, showPtr(normalized[i]), showPtr(out.Normalize[i]))
		}
		st := VersionStability(v)
		count("stability", st == out.Stability[i])
		if st != out.Stability[i] {
			fail("parseStability(%q): go %q, php %q", v, st, out.Stability[i])
		}
	}
	parsed := make([]Constraint, len(in.Constraints))
	for i, c := range in.Constraints {
		k, err := ParseConstraint(c)
		var s *string
		if err == nil {
			parsed[i] = k
			str := k.String()
			s = &str
		}
		ok := equalPtr(s, out.Parse[i])
		count("parse", ok)
		if !ok {
			fail("parseConstraints(%q): go %s, php %s", c, showPtr(s), showPtr(out.Parse[i]))
		}
	}
	matched, decided := 0, 0
	for i, p := range in.Pairs {
		k, n := parsed[p[0]], normalized[p[1]]
		var got *bool
		if k != nil && n != nil {
			m := k.Matches(*n)
			got = &m
			decided++
			if m {
				matched++
			}
		}
		ok := (got == nil) == (out.Match[i] == nil) && (got == nil || *got == *out.Match[i])
		count("match", ok)
		if !ok {
			fail("matches(%q, %q): go %v, php %v", in.Constraints[p[0]], in.Versions[p[1]], showBool(got), showBool(out.Match[i]))
		}
	}
	for i, c := range in.Compares {
		got := phpVersionCompare(c[0], c[1])
		count("version_compare", got == out.Compare[i])
		if got != out.Compare[i] {
			fail("version_compare(%q, %q): go %d, php %d", c[0], c[1], got, out.Compare[i])
		}
		// CompareVersions refines version_compare only where PHP says "equal".
		cv := CompareVersions(c[0], c[1])
		ok := cv == out.Compare[i] || (out.Compare[i] == 0 && c[0] != c[1])
		count("CompareVersions", ok)
		if !ok {
			fail("CompareVersions(%q, %q) = %d, php version_compare %d", c[0], c[1], cv, out.Compare[i])
		}
	}
	for _, kind := range []string{"normalize", "stability", "parse", "match", "version_compare", "CompareVersions"} {
		a := agree[kind]
		t.Logf("%-16s %6d/%6d agree", kind, a[0], a[1])
	}
	t.Logf("%d (constraint, version) pairs: %d with both parts valid, %d of them match", len(in.Pairs), decided, matched)
	if decided < 10000 || matched < 2000 || decided-matched < 2000 {
		t.Errorf("too few decided pairs (%d, %d matching) to be a useful comparison", decided, matched)
	}
	for _, f := range fails {
		t.Error(f)
	}
}

func normalizeWithDate(v string, date *regexp.Regexp) (string, error) {
	saved := versionDate
	versionDate = date
	defer func() { versionDate = saved }()
	return NormalizeVersion(v)
}

func requirePHPOracle(t *testing.T) string {
	t.Helper()
	php, err := exec.LookPath("php")
	if err == nil {
		_, err = os.Stat(semverOracle)
	}
	if err != nil {
		if !testenv.Required() {
			t.Skipf("php with composer/semver not available: %v", err)
		}
		t.Fatalf("MAGEREPO_REQUIRE_E2E is set but php with composer/semver is not available: %v", err)
	}
	return php
}

func runOracle(t *testing.T, php string, in oracleInput) oracleOutput {
	t.Helper()
	var out oracleOutput
	runPHPBatch(t, php, semverOracleScript, "SEMVER_AUTOLOAD="+semverOracle, in, &out)
	if len(out.Normalize) != len(in.Versions) || len(out.Parse) != len(in.Constraints) ||
		len(out.Match) != len(in.Pairs) || len(out.Compare) != len(in.Compares) {
		t.Fatalf("php oracle answered %d/%d/%d/%d items", len(out.Normalize), len(out.Parse), len(out.Match), len(out.Compare))
	}
	return out
}

// runPHPBatch runs script (an oracle written against Composer's own PHP classes) once with php, in as JSON on
// its standard input and env added to its environment, and decodes its JSON answer into out.
func runPHPBatch(t *testing.T, php, script, env string, in, out any) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "oracle.php")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), php, "-d", "display_errors=stderr", "-d", "memory_limit=1G", path)
	cmd.Env = append(os.Environ(), env)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("php oracle: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("php oracle output: %v\n%.500s", err, stdout)
	}
}

func equalPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func showPtr(s *string) string {
	if s == nil {
		return "error"
	}
	return fmt.Sprintf("%q", *s)
}

func showBool(b *bool) string {
	if b == nil {
		return "n/a"
	}
	return fmt.Sprint(*b)
}

// semverGen generates versions and constraints: hand-picked edge cases, Magento-shaped
// strings, random combinations of the grammar's pieces, and random mutations.
type semverGen struct{ r *rand.Rand }

func newSemverGen(r *rand.Rand) *semverGen { return &semverGen{r: r} }

func (g *semverGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

var semverEdgeVersions = []string{
	"2.4.3-p1", "2.4.3-p2", "2.4.3", "2.4.7-p6", "2.4.7-p5", "2.4.7", "2.4.8", "2.4.7-beta1", "2.4.7-RC1",
	"103.0.7-p3", "103.0.7", "103.0.8", "104.0.3", "104.0.7-p3", "1.0.0-beta.1", "1.0.0-beta.2", "dev-main",
	"dev-master", "master", "trunk", "default", "1.2.x-dev", "2.4.x-dev", "2.4-dev", "1.x-dev", "DEV-foo",
	"dev-feature/foo", "dev-foo bar", "foo-dev", "feature-foo", "1.0.0-meh", "1.0.0.0.0", "1.0.1-SNAPSHOT",
	"1.0.0+foo bar", "~1", "^1", "1.*", "20100102.0.3.4", "2010.01.02", "2010-01-02", "20100102", "20230131.0.0",
	"2010.01.02.3.4.5", "201001021530", "1.0.0-alpha.3.1+foo", "1.0.0-0.3.7", "00.01.03.04", "0700", "v1.0",
	"V1.0", "1.0.0-STABLE", "1.0.0-stable", "1.0.0-stable-dev", "1.0.0RC1dev", "1.0.0.pl3-dev", "1.0@dev",
	"1.0 @dev", "dev-master as 1.0.0", "1.0.0 as 2.0", "1.0.0+foo@dev", "", " ", "1.0\n", "\t1.0 ", "1..0",
	"1.0.", "123456", "99999", "100000.0.0", "1.0-dev", "1.0.x", "1.0-beta-dev", "1.0.0b", "1.0.0a", "1.0.0-pl",
	"1.0.0-p", "1.0.0-patch", "1.0.0-rc", "1.0.0-Rc2", "9999999-dev", "1.0.0-dev#abc", "dev-x#abc", "1.2.3\x00",
}

var semverEdgeConstraints = []string{
	"103.0.*", "~104.0.3", "2.4.3-p1", ">=2.4.7-p6", "~7.3.0||~7.4.0", "~7.3.0|~7.4.0", "^1.2", "1.0.0-beta.1",
	"dev-main", "1.2.x-dev", "1.0 - 2.0", "1.2 - 2.1.0", "v1 - v2", "1 - 2.0", "1.x - 2.*", "@dev", "^2.4@dev",
	"!=2.4.3", "<>2.4.3", "*", "x", "v*", "*.*", "x.X.x.*", "*@dev", ">=1.0@dev", "<1.0-RC1", "<1.0-rc1",
	"<1.2.3.4-stable", "~1.2.2-stable", ">2.0,,<=3.0", ">2.0 ||| <=3.0", ",^1@dev", "^1@dev ,", "|| ^1@dev",
	"^2.0.*", "~2.x", "~2.x-dev", "^2.x-dev", "~>1.2", "1.0.x-dev#abcd", "1.0#abcd", "dev-main as 2.4.7",
	"dev-main#abc", "^0", "^0.0", "^0.0.3", "^0.2.3", "~1", "~1.2.3.4", "~1.2-beta", "^1.2.3-beta.2", "0.*",
	"^2.5 || ^3.0", ">=2.0 <1.0 || >=1.0 <3.0", "~0.1 || ~1.0 !=1.0.1", "> 2.0 , <= 3.0", "  > 2.0  ,  <=  3.0 ",
	">=1.0\nfoo", "~1.2\n 2.0", "1.0\n 2.0", "^1.\n", ">=\v1.0", "1.0\f", "~99999999999999999999.1",
	"^9223372036854775807", "^9223372036854775806", "~1.9223372036854775807", "1 -2", "1- 2", "1 - 2 - 3",
	"1.0 as 2.0, 3.0", ">=1.0 as 2.0", "<=1.0@STABLE", ">=1.0@STABLE", ">1.0@Dev", "<2.0@beta", "self.version",
	"foo-dev", ">=foo-dev", "3.next-dev", "1.0 ||", "|1.0", "1.0 , ,2.0", "1.0,-2.0", "1.0 -2.0", "1.0 as",
	"as 1.0", "1.0 as as", "=1.0", "==1.0", "===1.0", "<=>1.0", "~ 1.0", "^ 1.0", "> =1.0",
}

func (g *semverGen) number() string {
	if g.r.IntN(2) == 0 { // a small space, so that versions and constraints meet
		return g.pick("0", "1", "2", "3")
	}
	return g.pick("0", "0", "1", "1", "2", "3", "4", "7", "9", "10", "12", "99", "103", "104", "2010", "00", "01",
		"20100102", "99999", "123456", "9999999", "2023")
}

func (g *semverGen) numeric() string {
	parts := 1 + g.r.IntN(5)
	var b strings.Builder
	if g.r.IntN(8) == 0 {
		b.WriteString(g.pick("v", "V"))
	}
	for i := 0; i < parts; i++ {
		if i > 0 {
			b.WriteString(g.pick(".", ".", ".", ".", ".", ".", ".", ".", "-", ":", ""))
		}
		b.WriteString(g.number())
	}
	return b.String()
}

func (g *semverGen) modifier() string {
	if g.r.IntN(2) == 0 {
		return ""
	}
	return g.pick("-p1", "-p2", "-p6", "-patch2", "-pl3", "p1", "-beta", "-beta.1", "-beta1", "beta2", "-b5",
		"-alpha", "-a1", "-alpha.3.1", "-RC1", "-rc.2", "RC", "-Rc3", "-dev", "-stable", "-STABLE", ".x-dev",
		"-x-dev", ".*", ".x", ".X", "-meh", "+build", "+foo.1", "-beta.1-dev", "-p1-dev", "dev", ".dev", "-0.3.7",
		"-beta-dev", "-beta+meta", "#ref", "@dev", "@beta", "@stable", "@RC")
}

func (g *semverGen) version() string {
	switch g.r.IntN(10) {
	case 0:
		return g.pick(semverEdgeVersions...)
	case 1:
		return g.pick("dev-", "DEV-", "") + g.pick("main", "master", "2.4-develop", "feature/x", "1.0", "x") +
			g.pick("", "", "-dev", "#abc")
	case 2:
		return g.mutate(g.numeric() + g.modifier())
	}
	return g.numeric() + g.modifier()
}

func (g *semverGen) term() string {
	switch g.r.IntN(12) {
	case 0:
		return g.pick(semverEdgeConstraints...)
	case 1:
		return g.numeric() + g.modifier() + " - " + g.numeric() + g.modifier()
	case 2:
		return g.pick("*", "x", "v*", "*.*", "1.*", "2.x", "103.0.*", "0.*", "0.x.x", "2.1.3.*", "1.*.*", "v2.*")
	}
	op := g.pick("", "", "=", "==", "!=", "<>", "<", "<=", ">", ">=", "~", "~", "^", "^", "~>", "> ", ">= ", "< ")
	mod := ""
	if g.r.IntN(3) == 0 {
		mod = g.modifier()
	}
	return op + g.numeric() + mod + g.pick("", "", "", "", "@dev", "@beta", "@stable", " as 1.0.0")
}

func (g *semverGen) constraint() string {
	if g.r.IntN(10) == 0 {
		return g.pick(semverEdgeConstraints...)
	}
	var b strings.Builder
	ors := 1 + g.r.IntN(3)
	for i := 0; i < ors; i++ {
		if i > 0 {
			b.WriteString(g.pick("||", " || ", "|", " | ", "  ||  "))
		}
		ands := 1 + g.r.IntN(3)
		for j := 0; j < ands; j++ {
			if j > 0 {
				b.WriteString(g.pick(",", " ", ", ", " , ", "  "))
			}
			b.WriteString(g.term())
		}
	}
	s := b.String()
	if g.r.IntN(8) == 0 {
		s = g.mutate(s)
	}
	return s
}

// mutate inserts, deletes or replaces one byte with a character the grammar cares about.
func (g *semverGen) mutate(s string) string {
	chars := " .-_+*xX@#|,~^<>=!v0123456789abdeprcsltvDEV\n\t\x0b\x00"
	c := string(chars[g.r.IntN(len(chars))])
	if s == "" {
		return c
	}
	i := g.r.IntN(len(s))
	switch g.r.IntN(3) {
	case 0:
		return s[:i] + c + s[i:]
	case 1:
		return s[:i] + s[i+1:]
	}
	return s[:i] + c + s[i+1:]
}

// input builds the whole batch. Pairs favour versions that share numbers with the
// constraint pool so that both outcomes of matching are common.
func (g *semverGen) input(nVersions, nConstraints, nPairs, nCompares int) oracleInput {
	var in oracleInput
	in.Versions = append(in.Versions, semverEdgeVersions...)
	for len(in.Versions) < nVersions {
		in.Versions = append(in.Versions, g.version())
	}
	in.Constraints = append(in.Constraints, semverEdgeConstraints...)
	for len(in.Constraints) < nConstraints {
		in.Constraints = append(in.Constraints, g.constraint())
	}
	numbers := regexp.MustCompile(`\d+(?:\.\d+)*`)
	// Most pairs use a constraint this package can parse, so that matching gets
	// compared often; whether PHP parses it too is checked separately.
	var parseable []int
	for i, c := range in.Constraints {
		if _, err := ParseConstraint(c); err == nil {
			parseable = append(parseable, i)
		}
	}
	for len(in.Pairs) < nPairs {
		ci, vi := g.r.IntN(len(in.Constraints)), g.r.IntN(len(in.Versions))
		if g.r.IntN(4) != 0 {
			ci = parseable[g.r.IntN(len(parseable))]
		}
		// Half the pairs use a version near the constraint's own numbers.
		if near := numbers.FindString(in.Constraints[ci]); near != "" && g.r.IntN(2) == 0 {
			vi = len(in.Versions)
			in.Versions = append(in.Versions, near+g.pick("", "", "-p1", "-beta", "-dev", ".1", ".0.1", ".9", "-RC2"))
		}
		in.Pairs = append(in.Pairs, [2]int{ci, vi})
	}
	for len(in.Compares) < nCompares {
		var a, b string
		switch g.r.IntN(3) {
		case 0: // normalized versions, as Composer compares them
			a, b = g.normalizedOr(g.version()), g.normalizedOr(g.version())
		case 1:
			a, b = g.version(), g.version()
		default:
			a, b = g.mutate(g.version()), g.mutate(g.version())
		}
		in.Compares = append(in.Compares, [2]string{a, b})
	}
	return in
}

func (g *semverGen) normalizedOr(v string) string {
	if n, err := NormalizeVersion(v); err == nil {
		return n
	}
	return v
}
