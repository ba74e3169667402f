package composer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vectorDir holds the reference generator's composer.json serialisation vectors (see its README).
const vectorDir = "../../testdata/mageos-zip-vectors/composer-json"

// TestJSONVectorsRoundTrip checks that parsing and re-serialising reproduces the reference bytes for every vector
// whose output needs no version or suggest rewriting (those are the build stage's, tested there).
func TestJSONVectorsRoundTrip(t *testing.T) {
	ins, err := filepath.Glob(filepath.Join(vectorDir, "*.in.json"))
	if err != nil || len(ins) == 0 {
		t.Fatalf("no vectors in %s: %v", vectorDir, err)
	}
	rewriting := map[string]bool{"10": true, "11": true, "12": true}
	n := 0
	for _, in := range ins {
		base := strings.TrimSuffix(filepath.Base(in), ".in.json")
		if rewriting[base[:2]] {
			continue
		}
		t.Run(base, func(t *testing.T) {
			src, _ := os.ReadFile(in)
			want, errOut := os.ReadFile(filepath.Join(vectorDir, base+".out.json"))
			doc, err := ParseDocument(src)
			if errOut != nil { // an .error.txt vector: parsing must fail
				if err == nil {
					t.Fatalf("parse succeeded, want an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := MarshalObjectIndent(doc); string(got) != string(want) {
				t.Errorf("bytes differ\n got: %q\nwant: %q", got, want)
			}
		})
		n++
	}
	if n < 12 {
		t.Fatalf("only %d vectors exercised", n)
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[float64]string{
		1: "1", 2.5: "2.5", 1e21: "1e+21", 1e20: "100000000000000000000", 1e-7: "1e-7", 0.000001: "0.000001",
		1.5e-7: "1.5e-7", -7: "-7", 123.456: "123.456", 12345678901234567890: "12345678901234567000",
	} {
		if got := formatNumber(in); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestObjectOrder(t *testing.T) {
	o := NewObject()
	o.SetString("b", "1")
	o.SetString("10", "x")
	o.SetString("a", "2")
	o.SetString("2", "y")
	o.SetString("b", "3")
	if got := strings.Join(o.Keys(), ","); got != "2,10,b,a" {
		t.Fatalf("keys = %s", got)
	}
	o.Delete("b")
	o.SetString("b", "4")
	if got := strings.Join(o.Keys(), ","); got != "2,10,a,b" {
		t.Fatalf("keys after delete+set = %s", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "{", `{"a":}`, `{"a":1,}`, `[1,]`, `01`, `{"a":"\x01"}`, "\ufeff{}", `{"a" 1}`, `tru`, `"\u12"`} {
		if _, err := ParseValue([]byte(in)); err == nil {
			t.Errorf("ParseValue(%q) succeeded, want error", in)
		}
	}
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud800"`, `1e400`, "\xed\xa0\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseValue(b)
		if err != nil {
			return
		}
		// Re-parsing our own output must give the same bytes again.
		out := MarshalIndent(v)
		v2, err := ParseValue(out)
		if err != nil {
			t.Fatalf("reparse of %q: %v", out, err)
		}
		if string(MarshalIndent(v2)) != string(out) {
			t.Fatalf("not stable: %q", out)
		}
	})
}
