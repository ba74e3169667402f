package composer

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestValidatePackageName(t *testing.T) {
	tests := []struct {
		name  string
		valid bool
	}{
		{"magento/module-catalog", true},
		{"magento/product-community-edition", true},
		{"mage-os/magento2-base", true},
		{"vendor/package--double", true},
		{"vendor.name/pack_age.x", true},
		{"a/b", true},
		{"php", true},             // platform: exempt
		{"ext-intl", true},        // platform: exempt
		{"EXT-Intl", true},        // platform, case-insensitive
		{"Magento/Module", false}, // upper case
		{"vendor/package.json", false},
		{"con/package", false},
		{"vendor/lpt1", false},
		{"vendor--x/package", false},
		{"vendor/-package", false},
		{"vendor/package-", false},
		{"vendor", false},
		{"vendor/pack/age", false},
		{"", false},
		{"vendor/package\n", false},
	}
	for _, tc := range tests {
		err := ValidatePackageName(tc.name)
		if (err == nil) != tc.valid {
			t.Errorf("ValidatePackageName(%q) = %v, want valid=%v", tc.name, err, tc.valid)
		}
	}
}

func TestIsPlatformPackage(t *testing.T) {
	for name, want := range map[string]bool{
		"php": true, "php-64bit": true, "PHP-zts": true, "hhvm": true, "ext-json": true, "lib-icu-uc": true,
		"composer": true, "composer-plugin-api": true, "composer-runtime-api": true, "ext-": false,
		"php-foo": false, "magento/framework": false, "composer-api": false, "ext-json\n": false,
	} {
		if got := IsPlatformPackage(name); got != want {
			t.Errorf("IsPlatformPackage(%q) = %v, want %v", name, got, want)
		}
	}
}

const nameOracleScript = `<?php
require '/usr/share/php/Composer/autoload.php';
use Composer\Package\Loader\ValidatingArrayLoader;
use Composer\Repository\PlatformRepository;
$out = [];
foreach (json_decode(stream_get_contents(STDIN), true) as $n) {
    $out[] = [ValidatingArrayLoader::hasPackageNamingError($n) === null, PlatformRepository::isPlatformPackage($n)];
}
echo json_encode($out);
`

// TestPackageNameDifferential compares with Composer's own ValidatingArrayLoader and
// PlatformRepository on generated names.
func TestPackageNameDifferential(t *testing.T) {
	php := requirePHPOracle(t)
	r := rand.New(rand.NewPCG(7, 11))
	alphabet := "ab0-_./Z\n"
	names := []string{"php", "ext-intl", "lib-x", "composer-plugin-api", "nul/x", "x/aux", "a/b.json", "A/b"}
	for len(names) < 3000 {
		n := []byte("ve/pk")
		for range 1 + r.IntN(4) {
			i := r.IntN(len(n) + 1)
			n = append(n[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, n[i:]...)...)
		}
		names = append(names, string(n))
	}
	script := filepath.Join(t.TempDir(), "names.php")
	if err := os.WriteFile(script, []byte(nameOracleScript), 0o600); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(names)
	cmd := exec.CommandContext(t.Context(), php, "-d", "display_errors=stderr", script)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("php: %v", err)
	}
	var want [][2]bool
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(names) {
		t.Fatalf("php output: %v (%d rows)", err, len(want))
	}
	valid := 0
	for i, n := range names {
		gotValid, gotPlatform := ValidatePackageName(n) == nil, IsPlatformPackage(n)
		if gotValid != want[i][0] || gotPlatform != want[i][1] {
			t.Errorf("%q: valid %v platform %v, composer says %v %v", n, gotValid, gotPlatform, want[i][0], want[i][1])
		}
		if gotValid {
			valid++
		}
	}
	t.Logf("%d names compared with Composer, %d valid", len(names), valid)
}
