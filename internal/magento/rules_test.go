package magento

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/composer"
)

const vectorDir = "../../testdata/mageos-zip-vectors/composer-json/"

func TestSampleDataSuggestPrefixVector(t *testing.T) {
	in, err := os.ReadFile(vectorDir + "12-sample-data-suggest.in.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(vectorDir + "12-sample-data-suggest.out.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := composer.ParseDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	SampleDataSuggestPrefix(doc)
	if got := composer.MarshalObjectIndent(doc); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Applying it twice changes nothing: values that hold the prefix are left alone.
	SampleDataSuggestPrefix(doc)
	if got := composer.MarshalObjectIndent(doc); !bytes.Equal(got, want) {
		t.Errorf("second application changed the document:\n%s", got)
	}
}

func TestSampleDataSuggestPrefixOddInput(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{}`, `{}`},
		{`{"suggest":"x"}`, `{"suggest":"x"}`},
		{`{"suggest":{"a/b-sample-data":1,"a/sample-data-x":null}}`, `{"suggest":{"a/b-sample-data":1,"a/sample-data-x":null}}`},
		{`{"suggest":{"a/b-sample-data":""}}`, `{"suggest":{"a/b-sample-data":"Sample Data version: "}}`},
		{`{"suggest":{"a/b-sample-data-x":"1"}}`, `{"suggest":{"a/b-sample-data-x":"1"}}`},
	} {
		doc, err := composer.ParseDocument([]byte(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		SampleDataSuggestPrefix(doc)
		if got := string(composer.MarshalCompact(composer.ObjectValue(doc))); got != tc.want {
			t.Errorf("%s became %s, want %s", tc.in, got, tc.want)
		}
	}
	SampleDataSuggestPrefix(nil) // must not panic
}

func TestMinimumStability(t *testing.T) {
	for _, tc := range []struct{ version, want string }{
		{"2.4.3", "stable"},
		{"2.4.3-p1", "stable"},
		{"2.4.0-patch1", "stable"},
		{"2.1.0-rc1", "RC"},
		{"2.1.0-RC3", "RC"},
		{"2.4.7-beta1", "beta"},
		{"2.4.7-BETA2", "beta"},
		{"1.0.0-alpha", "alpha"},
		{"1.0.0-a1", "alpha"},
		{"1.0.0-ab", "stable"},
		{"dev-main", "dev"},
		{"2.4-dev", "dev"},
		{"2.4.x-dev", "dev"},
		{"", "stable"},
	} {
		if got := MinimumStability(tc.version); got != tc.want {
			t.Errorf("MinimumStability(%q) = %q, want %q", tc.version, got, tc.want)
		}
	}
}

// TestMinimumStabilityReleased compares with every released project from 2.2.0 on that states a
// minimum-stability. Upstream's 2.0.x and 2.1.x projects (all before the mirror's first tag) say "alpha"
// whatever their version; that was upstream's choice then, not the reference's rule.
func TestMinimumStabilityReleased(t *testing.T) {
	m := sharedMetadata(t)
	n := 0
	for _, rel := range m.Releases() {
		proj, ok, err := m.File(rel, KindProject)
		if err != nil || !ok {
			continue
		}
		want, ok := proj.GetString("minimum-stability")
		if !ok || strings.HasPrefix(rel, "2.0.") || strings.HasPrefix(rel, "2.1.") {
			continue
		}
		n++
		if got := MinimumStability(rel); got != want {
			t.Errorf("%s: MinimumStability = %q, released project says %q", rel, got, want)
		}
	}
	if n < 90 {
		t.Errorf("only %d released projects compared", n)
	}
	t.Logf("%d released projects compared", n)
}

// TestEditionName names an edition's packages after the full edition's.
func TestEditionName(t *testing.T) {
	for full, want := range map[string]string{"product-community-edition": "product-minimal-edition",
		"project-community-edition": "project-minimal-edition", "other": "other-minimal"} {
		if got := EditionName(full, "minimal"); got != want {
			t.Errorf("EditionName(%s) = %s, want %s", full, got, want)
		}
	}
}
