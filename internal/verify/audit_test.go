package verify

import (
	"strings"
	"testing"
)

// TestAuditAgainstPublic: versions the public repository (standing in for packagist.org) has above the
// mirror's highest are reported, for names the mirror serves; exempt vendors and names only one side has are not.
func TestAuditAgainstPublic(t *testing.T) {
	mirror := newFixture(t, mirrorBase).standard()
	mirror.add(pkgVersion{name: "magento/composer", version: "1.9.0"})
	mirror.add(pkgVersion{name: "klarna/module-core", version: "1.0.0"})
	mirror.write()
	public := newFixture(t, "http://public.example/")
	public.add(pkgVersion{name: "magento/composer", version: "1.10.0"})          // newer: the plugin would reject
	public.add(pkgVersion{name: "magento/framework", version: "103.0.7"})        // not newer: fine
	public.add(pkgVersion{name: "klarna/module-core", version: "9.0.0"})         // exempt vendor
	public.add(pkgVersion{name: "symfony/console", version: "7.0.0"})            // the mirror does not serve it
	public.add(pkgVersion{name: "magento/module-foo", version: "100.5.0-beta1"}) // only at beta stability
	public.write()
	r := run(t, mirror, Options{AuditAgainst: public.source()})
	got := strings.Join(lines(r), "\n")
	for _, want := range []string{
		"magento/composer 1.9.0: the audit plugin would abort installs with minimum-stability stable: ",
		"magento/module-foo 100.4.7: the audit plugin would abort installs with minimum-stability beta: ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if n := len(lines(r)); n != 3 { // magento/composer at stable and at beta, module-foo at beta
		t.Errorf("want 3 problems, got %d:\n%s", n, got)
	}
	if strings.Contains(got, "klarna") || strings.Contains(got, "framework") || strings.Contains(got, "symfony") {
		t.Errorf("reported a package the plugin does not reject:\n%s", got)
	}
}
