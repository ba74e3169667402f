package composer

import "testing"

func BenchmarkNormalizeVersion(b *testing.B) {
	for b.Loop() {
		if _, err := NormalizeVersion("2.4.7-p6"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseConstraint(b *testing.B) {
	for b.Loop() {
		if _, err := ParseConstraint("~7.3.0||~7.4.0||^8.1, !=8.1.2"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatches(b *testing.B) {
	c, err := ParseConstraint("~7.3.0||~7.4.0||^8.1, !=8.1.2")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c.Matches("8.2.10.0-patch1")
	}
}

func BenchmarkSortVersions(b *testing.B) {
	base := []string{"2.4.7-p1", "dev-main", "2.4.7", "2.4.7-beta1", "103.0.7-p3", "2.4.8", "1.0.0", "2.4.6-p5"}
	vs := make([]string, len(base))
	for b.Loop() {
		copy(vs, base)
		SortVersions(vs)
	}
}
