package gitattr

import (
	"archive/zip"
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestToCRLF(t *testing.T) {
	tests := map[string]string{
		"":                 "",
		"a":                "a",
		"\n":               "\r\n",
		"a\nb\n":           "a\r\nb\r\n",
		"a\r\nb\n":         "a\r\nb\r\n",
		"lone\rcr\n\n":     "lone\rcr\r\n\r\n",
		"\r\n\r\n":         "\r\n\r\n",
		"no final newline": "no final newline",
	}
	for in, want := range tests {
		if got := string(ToCRLF([]byte(in))); got != want {
			t.Errorf("ToCRLF(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNilAndEmptyMatcher(t *testing.T) {
	var m *Matcher
	if m.CRLF("a.bat", []byte("x\n")) || NewMatcher(nil).CRLF("a.bat", []byte("x\n")) {
		t.Error("a matcher without .gitattributes converted a file")
	}
}

func TestFilter(t *testing.T) {
	m := NewMatcher(map[string][]byte{"": []byte("*.psd filter=lfs diff=lfs\n*.x filter\n*.y filter=lfs\n*.y -filter\n")})
	for path, want := range map[string]string{"a.psd": "lfs", "b.x": "", "c.y": "", "d.txt": ""} {
		if got := m.Filter(path); got != want {
			t.Errorf("Filter(%s) = %q, want %q", path, got, want)
		}
	}
	if (*Matcher)(nil).Filter("a.psd") != "" {
		t.Error("a nil matcher has a filter")
	}
}

func TestUnsupported(t *testing.T) {
	m := NewMatcher(map[string][]byte{"": []byte("*.php ident\n*.psd filter=lfs diff=lfs\n*.x ident\n*.x -ident\n" +
		"*.y working-tree-encoding=UTF-16 filter=a\n")})
	tests := map[string][]string{"a.php": {"ident"}, "b.psd": {"filter"}, "c.x": nil, "d.txt": nil,
		"e.y": {"filter", "working-tree-encoding"}}
	for path, want := range tests {
		if got := m.Unsupported(path); !slices.Equal(got, want) {
			t.Errorf("Unsupported(%q) = %v, want %v", path, got, want)
		}
	}
}

// TestReferenceVector reproduces the reference's ModuleBeta/win.bat: LF in git, CRLF in the archive, through
// the module's own .gitattributes (which also says export-ignore, which a checkout does not apply).
func TestReferenceVector(t *testing.T) {
	zr, err := zip.OpenReader("../../testdata/mageos-zip-vectors/expected/dir-root/acme/satellite-1.0.10.zip")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	content := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	m := NewMatcher(map[string][]byte{"ModuleBeta": content["ModuleBeta/.gitattributes"]})
	win := content["ModuleBeta/win.bat"]
	blob := bytes.ReplaceAll(win, []byte("\r\n"), []byte("\n"))
	if bytes.Equal(blob, win) {
		t.Fatal("win.bat in the vector has no CRLF")
	}
	if !m.CRLF("ModuleBeta/win.bat", blob) || !bytes.Equal(ToCRLF(blob), win) {
		t.Error("win.bat: conversion does not reproduce the reference bytes")
	}
	for name, b := range content {
		if name != "ModuleBeta/win.bat" && m.CRLF(name, b) {
			t.Errorf("%s: converted, but the reference did not", name)
		}
	}
}

// TestStreamingAgreesWithWhole: statistics and conversion gathered piece by piece, cut at every position,
// equal those of the whole content (CR at a cut, CRLF split by one, a trailing DOS EOF).
func TestStreamingAgreesWithWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte{'\r', '\n', 'a', 0, 0x1a, 0x01}
	for range 300 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		var whole textStats
		whole.Write(b)
		for cut := 0; cut <= len(b); cut++ {
			var s textStats
			s.Write(b[:cut])
			s.Write(b[cut:])
			if s.final() != whole.final() {
				t.Fatalf("%q cut at %d: stats %+v, whole %+v", b, cut, s.final(), whole.final())
			}
			conv, prevCR := appendCRLF(nil, b[:cut], false)
			conv, _ = appendCRLF(conv, b[cut:], prevCR)
			if !bytes.Equal(conv, ToCRLF(b)) {
				t.Fatalf("%q cut at %d: converted %q, whole %q", b, cut, conv, ToCRLF(b))
			}
		}
	}
}

// TestCheckoutOpens: text=auto eol=crlf reads the blob twice (decide, then convert); other rules once.
func TestCheckoutOpens(t *testing.T) {
	m := NewMatcher(map[string][]byte{"": []byte("*.auto text=auto eol=crlf\n*.bat eol=crlf\n")})
	for path, want := range map[string]struct {
		opens int
		out   string
	}{"a.auto": {2, "x\r\ny\r\n"}, "a.bat": {1, "x\r\ny\r\n"}, "a.txt": {1, "x\ny\n"}} {
		opens := 0
		rc, err := m.Checkout(path, func() (io.ReadCloser, error) {
			opens++
			return io.NopCloser(strings.NewReader("x\ny\n")), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if opens != want.opens || string(b) != want.out {
			t.Errorf("%s: %d opens, %q; want %d, %q", path, opens, b, want.opens, want.out)
		}
	}
}
