package archive

import (
	"bytes"
	"errors"
	"testing"
)

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"composer.json", true},
		{"Model/Product.php", true},
		{"données/日本.txt", true},
		{"app/code/", true},
		{".gitignore", true},
		{".github/workflows/ci.yml", true},
		{".gitattributes", true},
		{"a/.gitkeep", true},
		{"git", true},
		{"ab:c.txt", true}, // a colon that does not follow one letter is no drive prefix
		{"x:y.txt", false},
		{`..\..\evil.txt`, false},
		{`C:\x.txt`, false},
		{"C:x.txt", false},
		{"sub/d:/f", false},
		{".git/config", false},
		{"a/b/.git/hooks/post-checkout", false},
		{"a/.GIT/config", false},
		{"a/.Git/", false},
		{"a/.git. . /config", false},
		{"GIT~1/config", false},
		{"ctl\x01x", false},
		{"nul\x00x", false},
		{"del\x7fx", false},
		{"c1\u0085x", false},
		{"tab\tx", false},
		{"bad\xffutf8", false},
	} {
		err := CheckName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsafeName) {
			t.Errorf("CheckName(%q) = %v, want ErrUnsafeName", tc.name, err)
		}
	}
}

// TestWriteRefusesUnsafeNames: the writer is the last line; callers that leave such files out never get here.
func TestWriteRefusesUnsafeNames(t *testing.T) {
	for _, name := range []string{`..\..\evil.txt`, "a/.GIT/config"} {
		f := bytesFile(name, false, []byte("x"))
		err := Write(&bytes.Buffer{}, Mageos, Layout([]File{f}, nil))
		if !errors.Is(err, ErrUnsafeName) {
			t.Errorf("Write(%q) = %v, want ErrUnsafeName", name, err)
		}
	}
}
