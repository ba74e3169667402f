package composer

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	// packageNameRe is ValidatingArrayLoader's name pattern (case-insensitive there;
	// upper case is rejected separately with its own message).
	packageNameRe = regexp.MustCompile(`^[a-zA-Z0-9](?:[_.-]?[a-zA-Z0-9]+)*/[a-zA-Z0-9](?:(?:[_.]|-{1,2})?[a-zA-Z0-9]+)*$`)
	// platformPackageRe is PlatformRepository::PLATFORM_PACKAGE_REGEX (flags iD).
	platformPackageRe = regexp.MustCompile(`^(?:` + ci("php") + `(?:` + ciAlt("-64bit", "-ipv6", "-zts", "-debug") + `)?|` +
		ci("hhvm") + `|(?:` + ciAlt("ext", "lib") + `)-[a-zA-Z0-9](?:[_.-]?[a-zA-Z0-9]+)*|` +
		ci("composer") + `(?:-(?:` + ciAlt("plugin", "runtime") + `)-` + ci("api") + `)?)$`)
)

// windowsReservedNames may not be a vendor or a package name.
var windowsReservedNames = []string{"nul", "con", "prn", "aux", "com1", "com2", "com3", "com4", "com5",
	"com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9"}

// IsPlatformPackage reports whether name is a platform package (php, php-64bit, hhvm,
// ext-*, lib-*, composer, composer-plugin-api, composer-runtime-api), which no repository
// provides, following PlatformRepository::PLATFORM_PACKAGE_REGEX (case-insensitive).
func IsPlatformPackage(name string) bool {
	return platformPackageRe.MatchString(name)
}

// ValidatePackageName checks a package name as ValidatingArrayLoader::hasPackageNamingError
// does: platform packages pass; other names need "vendor/name" made of lower-case words
// joined by "-", "." or "_" ("--" allowed in the name part), no Windows reserved word as
// either part, no ".json" suffix and no upper case.
func ValidatePackageName(name string) error {
	if IsPlatformPackage(name) {
		return nil
	}
	if !packageNameRe.MatchString(name) {
		return fmt.Errorf("composer: package name %q is invalid: it should be vendor/name, "+
			"each made of words separated by -, . or _", name)
	}
	vendor, pkg, _ := strings.Cut(asciiLower(name), "/")
	for _, r := range windowsReservedNames {
		if vendor == r || pkg == r {
			return fmt.Errorf("composer: package name %q is reserved: %q is a Windows device name", name, r)
		}
	}
	if strings.HasSuffix(name, ".json") {
		return fmt.Errorf("composer: package name %q is invalid: it must not end in .json", name)
	}
	if strings.ToLower(name) != name {
		return fmt.Errorf("composer: package name %q is invalid: it must not contain upper-case characters", name)
	}
	return nil
}
