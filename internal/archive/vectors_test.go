package archive

import (
	"archive/zip"
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vectorsDir = "../../testdata/mageos-zip-vectors/expected"

// vectorZips lists every reference zip; there must be 16.
func vectorZips(t *testing.T) []string {
	t.Helper()
	zips, err := filepath.Glob(filepath.Join(vectorsDir, "*", "*", "*.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if len(zips) != 16 {
		t.Fatalf("found %d reference zips, want 16", len(zips))
	}
	return zips
}

// bytesFile returns a File whose content is b.
func bytesFile(path string, exec bool, b []byte) File {
	return File{Path: path, Executable: exec, Size: int64(len(b)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}}
}

// readFiles returns the regular files of a zip (directories dropped), with content and executable bit.
func readFiles(t *testing.T, data []byte) []File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", zf.Name, err)
		}
		perm := zf.ExternalAttrs >> 16 & 0o777
		files = append(files, bytesFile(zf.Name, perm == 0o755, b))
	}
	return files
}

// TestReferenceVectorsByteIdentical rebuilds each reference zip from its shuffled files and compares bytes.
func TestReferenceVectorsByteIdentical(t *testing.T) {
	for _, path := range vectorZips(t) {
		name, _ := filepath.Rel(vectorsDir, path)
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := readFiles(t, want)
			rng := rand.New(rand.NewPCG(uint64(len(want)), 7))
			rng.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
			var got bytes.Buffer
			if err := Write(&got, Mageos, Layout(files, nil)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("bytes differ from the reference (got %d bytes, want %d)\n got order: %v\nwant order: %v",
					got.Len(), len(want), zipNames(t, got.Bytes()), zipNames(t, want))
			}
		})
	}
}

func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}
