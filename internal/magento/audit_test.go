package magento

import (
	"reflect"
	"testing"
)

// The expectations below were checked against the real plugin (0.1.6, Composer 2.5.5) with a local
// "packagist.org" served on 127.0.0.1 under a path containing https://repo.packagist.org (docs/audit-plugin.md):
// a higher public version aborts the install, a public pre-release counts only for a beta project, exempt
// vendors are skipped, -p10 > -p2.
func TestCheckAuditPlugin(t *testing.T) {
	both := []string{"stable", "beta"}
	for _, tc := range []struct {
		name           string
		mirror, public map[string][]string
		want           []AuditProblem
	}{
		{"public higher", m("magento/composer", "1.8.0"), m("magento/composer", "1.8.0", "1.9.0"),
			[]AuditProblem{{"magento/composer", "stable", "1.8.0", "1.9.0"}, {"magento/composer", "beta", "1.8.0", "1.9.0"}}},
		{"mirror has it too", m("magento/composer", "1.8.0", "1.9.0"), m("magento/composer", "1.9.0"), nil},
		{"mirror higher", m("magento/composer", "2.0.0"), m("magento/composer", "1.9.0"), nil},
		{"public pre-release only hurts beta projects", m("acme/lib", "1.0.0"), m("acme/lib", "1.0.0", "1.2.0-beta1"),
			[]AuditProblem{{"acme/lib", "beta", "1.0.0", "1.2.0-beta1"}}},
		{"mirror without a stable version is not compared", m("acme/lib", "2.0.0-beta1"), m("acme/lib", "1.0.0"), nil},
		{"patch numbers compare numerically", m("magento/framework", "103.0.3-p2"), m("magento/framework", "103.0.3-p10"),
			[]AuditProblem{{"magento/framework", "stable", "103.0.3-p2", "103.0.3-p10"}, {"magento/framework", "beta", "103.0.3-p2", "103.0.3-p10"}}},
		{"exempt vendor", m("paypal/module-braintree", "4.2.5"), m("paypal/module-braintree", "4.6.0"), nil},
		{"not on packagist", m("magento/module-catalog", "104.0.3"), m("acme/other", "9.0.0"), nil},
		{"branch and junk ignored", m("acme/lib", "1.0.0", "dev-main"), m("acme/lib", "dev-main", "not a version", "1.0.0"), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckAuditPlugin(tc.mirror, tc.public, both); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func m(name string, versions ...string) map[string][]string {
	return map[string][]string{name: versions}
}
