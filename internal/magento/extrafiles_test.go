package magento

import (
	"errors"
	"testing"
	"testing/fstest"
)

func TestProjectExtraFiles(t *testing.T) {
	m := NewReleaseMetadata(fstest.MapFS{
		"2.4.0-p1/project-community-edition/.gitignore": {Data: []byte("/vendor/\n")},
	})
	if files, err := ProjectExtraFiles(m, "2.4.3-p1"); err != nil || files != nil {
		t.Errorf("2.4.3-p1: %v, %v; want no extra files", files, err)
	}
	if _, err := ProjectExtraFiles(m, "2.4.0"); !errors.Is(err, ErrExtraFileMissing) {
		t.Errorf("2.4.0 without the file: err = %v, want ErrExtraFileMissing", err)
	}
	// A file with other bytes than the released one is refused, not published.
	if _, err := ProjectExtraFiles(m, "2.4.0-p1"); err == nil || errors.Is(err, ErrExtraFileMissing) {
		t.Errorf("2.4.0-p1 with wrong bytes: err = %v, want a checksum error", err)
	}
}

// TestProjectExtraFilesShared documents that the shared metadata does not provide the bytes.
func TestProjectExtraFilesShared(t *testing.T) {
	m := sharedMetadata(t)
	for _, tag := range []string{"2.4.0", "2.4.0-p1"} {
		files, err := ProjectExtraFiles(m, tag)
		switch {
		case errors.Is(err, ErrExtraFileMissing):
			t.Logf("%s: %v", tag, err)
		case err != nil:
			t.Errorf("%s: %v", tag, err)
		case len(files) != 1 || files[0].Path != ".gitignore":
			t.Errorf("%s: files = %v", tag, files)
		}
	}
}
