package fixes

import "testing"

func TestCompareTags(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"2.4.7-p6", "2.4.7-p6", 0},
		{"2.4.7-p10", "2.4.7-p6", 1},    // patch numbers compare as numbers
		{"2.4.7-p5", "2.4.7-p6", -1},    //
		{"2.4.7", "2.4.7-p1", -1},       // a patch release is newer than its base
		{"2.4.7-p1", "2.4.8", -1},       // bases first
		{"2.4.7-beta1", "2.4.7", -1},    // a pre-release is older than its release
		{"2.4.7-beta1", "2.4.7-p1", -1}, //
		{"2.4.0-alpha1", "2.4.0-beta1", -1},
		{"2.4.7-beta10", "2.4.7-beta2", -1}, // pre-release identifiers compare as strings
		{"1.0.0-RC1", "1.0.0-alpha", -1},    // by code unit: upper case first
		{"1.0.0-alpha.1", "1.0.0-alpha", 1}, // a missing identifier counts as 0
		{"1.0.0-alpha.0", "1.0.0-alpha", 0},
		{"1.0.0-1", "1.0.0-alpha", -1}, // a number against a string compares as strings
		{"1.0.0-10", "1.0.0-9", 1},     // two numbers compare numerically
		{"v1.0", "1.0", 0},
		{"v0.1.0", "0.1.2", -1},
		{"2.4", "2.4-p1", -1},
		{"2.4.6-p1", "2.4.7", -1},
		{"2.4.4-p3-beta", "2.4.4-p3", 0}, // the patch pattern is unanchored
		{"1.2.x", "1.2.5", 0},            // wildcards equal anything
		{"2.4.0-p1.2", "2.4.0-p1.10", 1}, // decimal patch numbers compare as decimals
		{"0.3.0-beta.1", "0.3.0", -1},
		{"1.0.0.1", "1.0.0", 1},
		{"1.0.0+build5", "1.0.0", 0},
		{"10.0.0", "9.0.0", 1},
	}
	for _, tc := range cases {
		t.Run(tc.a+" vs "+tc.b, func(t *testing.T) {
			got, err := CompareTags(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if sign(got) != tc.want {
				t.Fatalf("CompareTags(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
			back, _ := CompareTags(tc.b, tc.a)
			if sign(back) != -tc.want {
				t.Fatalf("CompareTags(%q, %q) = %d, not the opposite", tc.b, tc.a, back)
			}
		})
	}
}

func TestCompareTagsRejects(t *testing.T) {
	for _, v := range []string{"abc", "2.4-beta1", "1.2.3.4.5", "", "2.4.7-", "release-2.4", "1.0.0-beta_1"} {
		if _, err := CompareTags(v, "1.0.0"); err == nil {
			t.Errorf("CompareTags(%q) accepted", v)
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// FuzzCompareTags checks that CompareTags never panics and is antisymmetric on what it accepts.
func FuzzCompareTags(f *testing.F) {
	for _, s := range [][2]string{{"2.4.7-p6", "2.4.7-p10"}, {"v1.0", "1.0.0-beta.1"}, {"2.4.0-p1.2", "2.4.0-p1.10"}, {"1.x", "1.0.0-1a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, errA := CompareTags(a, b)
		ba, errB := CompareTags(b, a)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("accepted one way only: %v / %v", errA, errB)
		}
		if errA == nil && sign(ab) != -sign(ba) {
			t.Fatalf("CompareTags(%q, %q) = %d but the reverse is %d", a, b, ab, ba)
		}
	})
}
