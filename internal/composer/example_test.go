package composer_test

import (
	"fmt"

	"github.com/mage-os/magerepo/internal/composer"
)

func ExampleCompareVersions() {
	a, _ := composer.NormalizeVersion("2.4.7")
	b, _ := composer.NormalizeVersion("2.4.7-p1")
	c, _ := composer.NormalizeVersion("2.4.7-beta1")
	fmt.Println(a, b, c)
	fmt.Println(composer.CompareVersions(a, b), composer.CompareVersions(a, c))
	// Output:
	// 2.4.7.0 2.4.7.0-patch1 2.4.7.0-beta1
	// -1 1
}

func ExampleSatisfies() {
	for _, tc := range []struct{ version, constraint string }{
		{"104.0.7-p3", "104.0.7"},  // a patch release is not the release
		{"104.0.7-p3", "~104.0.7"}, // but ranges include it
		{"2.4.3-p1", "~7.3.0||2.4.*"},
		{"dev-main", "^2.4@dev"}, // a branch only matches itself
	} {
		ok, err := composer.Satisfies(tc.version, tc.constraint)
		fmt.Println(tc.version, tc.constraint, ok, err)
	}
	// Output:
	// 104.0.7-p3 104.0.7 false <nil>
	// 104.0.7-p3 ~104.0.7 true <nil>
	// 2.4.3-p1 ~7.3.0||2.4.* true <nil>
	// dev-main ^2.4@dev false <nil>
}

func ExampleParseConstraint() {
	c, err := composer.ParseConstraint("^1.2 || >=2.4.7-p6")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c)
	fmt.Println(c.Matches("1.5.0.0"), c.Matches("2.4.7.0-patch5"), c.Matches("2.4.7.0-patch6"))
	// Output:
	// [[>= 1.2.0.0-dev < 2.0.0.0-dev] || >= 2.4.7.0-patch6]
	// true false true
}

func ExampleSortVersions() {
	vs := []string{"2.4.7-p1", "dev-main", "2.4.7", "2.4.7-beta1", "not a version", "2.4.8"}
	composer.SortVersions(vs)
	fmt.Println(vs)
	// Output:
	// [dev-main 2.4.7-beta1 2.4.7 2.4.7-p1 2.4.8 not a version]
}
