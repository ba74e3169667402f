package gitattr

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
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
