package distro

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/testenv"
)

// nightlyTable is the version table of the reference's nightly scheme (docs/nightly.md), every row, with the
// reference's suffix 20240115; want "" means the reference throws.
var nightlyTable = []struct {
	name, base, want string
}{
	{"three parts", "2.4.5", "2.4.5.1-a20240115"},
	{"two parts", "2.4", "2.4.1-a20240115"},
	{"one part", "1", "1.1-a20240115"},
	{"four parts incremented", "103.0.2.1", "103.0.2.2-a20240115"},
	{"four parts carry", "2.4.5.9", "2.4.5.10-a20240115"},
	{"leading v", "v2.4.5", "v2.4.5.1-a20240115"},
	{"dev suffix", "1.2.0-dev", "1.2.0.1-a20240115+dev"},
	{"patch suffix", "0.3.4-p2", "0.3.4.1-a20240115+p2"},
	{"RC suffix", "2.0.0-RC1", "2.0.0.1-a20240115+RC1"},
	{"empty", "", "0.0.1.1-a20240115"},
	{"decimal patch throws", "1.0.0-p1.2", ""},
	{"wildcard throws", "1.x", ""},
	{"five parts throw", "2.4.5.6.7", ""},
	{"branch name throws", "main", ""},
}

func TestNightlyVersionTable(t *testing.T) {
	for _, tc := range nightlyTable {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NightlyVersion(tc.base, "20240115")
			if tc.want == "" {
				if err == nil {
					t.Fatalf("NightlyVersion(%q) = %q, want an error", tc.base, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NightlyVersion(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
			}
			if s := composer.VersionStability(got); s != composer.StabilityAlpha {
				t.Errorf("stability of %q = %s, want alpha", got, s)
			}
		})
	}
}

func TestNightlyVersionSuffix(t *testing.T) {
	got, err := NightlyVersion("2.4.5", "20240115.2")
	if err != nil || got != "2.4.5.1-a20240115.2" {
		t.Fatalf("same-day suffix: %q, %v", got, err)
	}
	a, _ := composer.NormalizeVersion("2.4.5.1-a20240115")
	b, _ := composer.NormalizeVersion(got)
	c, _ := composer.NormalizeVersion("2.4.5.1-a20240116")
	if composer.CompareVersions(a, b) >= 0 || composer.CompareVersions(b, c) >= 0 {
		t.Errorf("order: %s < %s < %s does not hold", a, b, c)
	}
	for _, bad := range []string{"", "2024011", "20240115.0", "20240115.x", "2024-01-15"} {
		if v, err := NightlyVersion("2.4.5", bad); err == nil {
			t.Errorf("suffix %q accepted: %q", bad, v)
		}
	}
}

func TestNightlySuffix(t *testing.T) {
	// 23:30 at UTC-2 is the next day in UTC: the UTC date counts, never the zone of the commit or the machine.
	at := time.Date(2024, 1, 14, 23, 30, 0, 0, time.FixedZone("x", -2*3600))
	used := map[string]bool{}
	for _, want := range []string{"20240115", "20240115.2", "20240115.3"} {
		got := NightlySuffix(at, "", func(s string) bool { return used[s] })
		if got != want {
			t.Fatalf("NightlySuffix = %q, want %q", got, want)
		}
		used[got] = true
	}
}

// TestNightlySuffixNeverGoesBack: after a branch is reset to older commits, the suffix stays above the newest
// one published, so the new nightly is the highest version.
func TestNightlySuffixNeverGoesBack(t *testing.T) {
	used := map[string]bool{"20240201": true, "20240201.2": true}
	got := NightlySuffix(time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC), "20240201.2", func(s string) bool { return used[s] })
	if got != "20240201.3" {
		t.Fatalf("NightlySuffix after a reset = %q, want 20240201.3", got)
	}
	a, _ := NightlyVersion("1.0.0", "20240201.2")
	b, _ := NightlyVersion("1.0.0", got)
	if composer.CompareVersions(b, a) <= 0 {
		t.Errorf("%s does not sort above %s", b, a)
	}
}

func TestBaseVersion(t *testing.T) {
	for _, tc := range []struct{ version, ref, want string }{
		{"103.0.7", "2.4.7", "103.0.7"},
		{"", "2.4.7-p3", "2.4.7-p3"},
		{"", "main", ""},
		{"", "2.4-develop", "2.4-develop"},
		{"", "", ""},
		{"dev-main", "2.4.7", ""},
	} {
		if got := BaseVersion(tc.version, tc.ref); got != tc.want {
			t.Errorf("BaseVersion(%q, %q) = %q, want %q", tc.version, tc.ref, got, tc.want)
		}
	}
}

func TestLatestTag(t *testing.T) {
	for _, tc := range []struct {
		tags []string
		want string
	}{
		{[]string{"2.4.6", "2.4.7-p1", "2.4.7", "2.4.7-beta1", "v9.0"}, "2.4.7-p1"},
		{[]string{"2.4.4-p10", "2.4.4-p9"}, "2.4.4-p10"},
		{[]string{"v1.0"}, ""},
		{[]string{"not-a-version", "1.0.0"}, "1.0.0"},
		{nil, ""},
	} {
		if got := LatestTag(tc.tags); got != tc.want {
			t.Errorf("LatestTag(%q) = %q, want %q", tc.tags, got, tc.want)
		}
	}
}

// composerParserOracle normalizes each version with Composer's own VersionParser and reports its stability.
const composerParserOracle = `<?php
require getenv('SEMVER_AUTOLOAD');
use Composer\Semver\VersionParser;
$in = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
$p = new VersionParser();
$out = [];
foreach ($in as $v) {
    try { $out[] = [$p->normalize($v), VersionParser::parseStability($v)]; } catch (\Throwable $e) { $out[] = null; }
}
echo json_encode($out, JSON_THROW_ON_ERROR);
`

const semverAutoload = "/usr/share/php/Composer/Semver/autoload.php"

// TestNightlyVersionsComposerAccepts runs every nightly version the table and a set of Magento-shaped bases
// produce through Composer's VersionParser: each must normalize as internal/composer normalizes it, at alpha
// stability.
func TestNightlyVersionsComposerAccepts(t *testing.T) {
	php := phpOracle(t)
	var versions []string
	bases := []string{"103.0.7", "100.4.7", "2.4.7-p3", "1.0.0-beta1", "0.1.0", "v1.2", "2.4-develop"}
	for _, tc := range nightlyTable {
		bases = append(bases, tc.base)
	}
	for _, b := range bases {
		for _, s := range []string{"20240115", "20240115.2", "20991231.17"} {
			if v, err := NightlyVersion(b, s); err == nil {
				versions = append(versions, v)
			}
		}
	}
	body, _ := json.Marshal(versions)
	script := filepath.Join(t.TempDir(), "oracle.php")
	if err := os.WriteFile(script, []byte(composerParserOracle), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), php, "-d", "display_errors=stderr", script)
	cmd.Env = append(os.Environ(), "SEMVER_AUTOLOAD="+semverAutoload)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("php: %v", err)
	}
	var got []*[2]string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(versions) {
		t.Fatalf("php answered %d of %d (%v): %.300s", len(got), len(versions), err, out)
	}
	for i, v := range versions {
		ours, err := composer.NormalizeVersion(v)
		switch {
		case got[i] == nil:
			t.Errorf("Composer rejects %q", v)
		case err != nil || ours != got[i][0]:
			t.Errorf("%q: Composer normalizes to %q, internal/composer to %q (%v)", v, got[i][0], ours, err)
		case got[i][1] != "alpha":
			t.Errorf("%q: Composer's stability is %s, want alpha", v, got[i][1])
		}
	}
	t.Logf("%d nightly versions checked against Composer's VersionParser", len(versions))
}

func phpOracle(t *testing.T) string {
	t.Helper()
	php, err := exec.LookPath("php")
	if err == nil {
		_, err = os.Stat(semverAutoload)
	}
	if err != nil {
		if testenv.Required() {
			t.Fatalf("MAGEREPO_REQUIRE_E2E is set but php with composer/semver is not available: %v", err)
		}
		t.Skipf("php with composer/semver not available: %v", err)
	}
	return php
}
