// Package testenv decides, in one place, how tests treat the external programs they need (composer, php, nginx, chromium,
// unzip): a missing program skips the test, unless MAGEREPO_REQUIRE_E2E is set (as .ci/run does), in which
// case it fails, so CI can never pass by skipping the end-to-end tests.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether end-to-end tests must run (MAGEREPO_REQUIRE_E2E is set).
func Required() bool { return os.Getenv("MAGEREPO_REQUIRE_E2E") != "" }

// Tool returns the path of program name, or skips (fails when [Required]) the test when it is missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if Required() {
			t.Fatalf("%s is required (MAGEREPO_REQUIRE_E2E is set): %v", name, err)
		}
		t.Skipf("%s not installed; set MAGEREPO_REQUIRE_E2E=1 to make this a failure", name)
	}
	return p
}
