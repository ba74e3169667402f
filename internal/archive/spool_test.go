package archive

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestSpoolSpillsAndReuses(t *testing.T) {
	s := newSpool(10)
	defer s.close()
	for _, content := range []string{strings.Repeat("a", 25), "small", strings.Repeat("b", 30), "c"} {
		s.reset(-1)
		for _, chunk := range []string{content[:len(content)/2], content[len(content)/2:]} {
			if _, err := s.Write([]byte(chunk)); err != nil {
				t.Fatal(err)
			}
		}
		if wantMem := len(content) <= 10; s.inMem != wantMem {
			t.Errorf("%d bytes: in memory %v, want %v", len(content), s.inMem, wantMem)
		}
		var out bytes.Buffer
		if err := s.writeTo(&out); err != nil || out.String() != content || s.n != int64(len(content)) {
			t.Errorf("got %q (n=%d, err %v), want %q", out.String(), s.n, err, content)
		}
	}
	name := s.file.Name()
	s.close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("spill file %s not removed: %v", name, err)
	}
}
