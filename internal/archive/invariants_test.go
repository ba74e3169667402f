package archive

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/testenv"
)

// samplePackage returns files covering every header variant: non-ASCII names, executables, empty and
// compressible content, array-index names, nested directories; plus one empty directory.
func samplePackage() ([]File, []string) {
	files := []File{
		bytesFile("composer.json", false, []byte(`{"name": "acme/x"}`)),
		bytesFile("404", false, []byte("not found\n")),
		bytesFile("bin/run", true, []byte("#!/bin/sh\necho run\n")),
		bytesFile("empty.txt", false, nil),
		bytesFile("données.txt", false, []byte("é\n")),
		bytesFile("view/frontend/web/js/x.js", false, bytes.Repeat([]byte("define([], function () {});\n"), 200)),
		bytesFile("A/a.php", false, []byte("<?php\n")),
		bytesFile("a/b.php", false, []byte("<?php\n")),
		bytesFile("A/c.php", false, []byte("<?php\n")),
		bytesFile("日本/語.txt", false, []byte("x")),
	}
	return files, []string{"app/code/Magento"}
}

// TestInvariants runs the same checks on both formats.
func TestInvariants(t *testing.T) {
	for _, f := range []Format{Mageos, Deflate} {
		t.Run(f.String(), func(t *testing.T) { testInvariants(t, f) })
	}
}

func testInvariants(t *testing.T, f Format) {
	files, dirs := samplePackage()
	entries := Layout(files, dirs)
	var buf bytes.Buffer
	if err := Write(&buf, f, entries); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()

	t.Run("deterministic", func(t *testing.T) {
		shuffled := slices.Clone(files)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		})
		var again bytes.Buffer
		if err := Write(&again, f, Layout(shuffled, dirs)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), data) {
			t.Error("same input in another order gave different bytes")
		}
	})
	t.Run("central directory", func(t *testing.T) { checkCentral(t, f, data, entries) })
	t.Run("local headers", func(t *testing.T) { checkLocal(t, data, len(entries)) })
	t.Run("unzip -t", func(t *testing.T) { checkUnzip(t, data) })
	t.Run("php ZipArchive", func(t *testing.T) { checkPHP(t, data, entries) })
}

// checkCentral reads the archive back: order, names, modes, times, versions, methods and content.
func checkCentral(t *testing.T, f Format, data []byte, entries []Entry) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(entries) || zr.Comment != "" {
		t.Fatalf("got %d entries (comment %q), want %d", len(zr.File), zr.Comment, len(entries))
	}
	wantVersion := uint16(10)
	if f == Deflate {
		wantVersion = 20
	}
	for i, zf := range zr.File {
		e := entries[i]
		if zf.Name != e.Path {
			t.Errorf("entry %d: name %q, want %q", i, zf.Name, e.Path)
		}
		wantAttrs := e.Mode << 16
		if e.File == nil {
			wantAttrs |= 0x10
		}
		if zf.ExternalAttrs != wantAttrs || zf.CreatorVersion != 0x031E || zf.ReaderVersion != wantVersion {
			t.Errorf("%s: attrs %#x made-by %#x need %d, want %#x 0x031E %d",
				zf.Name, zf.ExternalAttrs, zf.CreatorVersion, zf.ReaderVersion, wantAttrs, wantVersion)
		}
		if zf.ModifiedTime != 0xB04B || zf.ModifiedDate != 0x5456 || len(zf.Comment) != 0 {
			t.Errorf("%s: time %#x date %#x comment %q", zf.Name, zf.ModifiedTime, zf.ModifiedDate, zf.Comment)
		}
		wantFlags := uint16(0)
		if strings.ContainsFunc(zf.Name, func(r rune) bool { return r > 0x7F }) {
			wantFlags = 0x0800
		}
		if zf.Flags != wantFlags {
			t.Errorf("%s: flags %#x, want %#x", zf.Name, zf.Flags, wantFlags)
		}
		if (wantFlags == 0) != (len(zf.Extra) == 0) {
			t.Errorf("%s: extra field %x", zf.Name, zf.Extra)
		}
		wantMethod := zip.Store
		if f == Deflate && e.File != nil && e.File.Size > 0 {
			wantMethod = zip.Deflate
		}
		if zf.Method != wantMethod {
			t.Errorf("%s: method %d, want %d", zf.Name, zf.Method, wantMethod)
		}
		if e.File != nil {
			checkContent(t, zf, e.File)
		}
	}
}

func checkContent(t *testing.T, zf *zip.File, f *File) {
	rc, err := zf.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc) // archive/zip verifies the CRC at EOF
	rc.Close()
	if err != nil {
		t.Fatalf("%s: %v", zf.Name, err)
	}
	src, _ := f.Open()
	want, _ := io.ReadAll(src)
	if !bytes.Equal(got, want) {
		t.Errorf("%s: content differs", zf.Name)
	}
}

// checkLocal walks the local headers in sequence. Reaching the central directory exactly proves that CRC and
// sizes are in every local header and that no data descriptor follows any entry.
func checkLocal(t *testing.T, data []byte, n int) {
	off := 0
	for i := range n {
		if len(data) < off+30 || binary.LittleEndian.Uint32(data[off:]) != 0x04034b50 {
			t.Fatalf("entry %d: no local header at %d", i, off)
		}
		h := data[off:]
		flags := binary.LittleEndian.Uint16(h[6:])
		if flags&0x8 != 0 {
			t.Errorf("entry %d: data descriptor flag set", i)
		}
		csize := int(binary.LittleEndian.Uint32(h[18:]))
		nameLen := int(binary.LittleEndian.Uint16(h[26:]))
		extraLen := int(binary.LittleEndian.Uint16(h[28:]))
		name := h[30 : 30+nameLen]
		if extraLen > 0 {
			x := h[30+nameLen : 30+nameLen+extraLen]
			wantX := unicodePathExtra(string(name))
			if !bytes.Equal(x, wantX) || binary.LittleEndian.Uint32(x[5:]) != crc32.ChecksumIEEE(name) {
				t.Errorf("%s: local extra %x, want %x", name, x, wantX)
			}
		}
		off += 30 + nameLen + extraLen + csize
	}
	if len(data) < off+4 || binary.LittleEndian.Uint32(data[off:]) != 0x02014b50 {
		t.Errorf("central directory does not start at %d", off)
	}
}

// requireTool returns the tool's path (see internal/testenv).
func requireTool(t *testing.T, name string) string { return testenv.Tool(t, name) }

func writeTemp(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func checkUnzip(t *testing.T, data []byte) {
	unzip := requireTool(t, "unzip")
	out, err := exec.CommandContext(t.Context(), unzip, "-t", writeTemp(t, data)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No errors detected") {
		t.Errorf("unzip -t: %v\n%s", err, out)
	}
}

// phpList prints "name<TAB>crc32-of-content" for each entry, as PHP's ZipArchive (used by Composer) reads it.
const phpList = `$z = new ZipArchive();
if ($z->open($argv[1], ZipArchive::CHECKCONS) !== true) { fwrite(STDERR, "open failed\n"); exit(1); }
for ($i = 0; $i < $z->numFiles; $i++) {
  $n = $z->getNameIndex($i); $c = $z->getFromIndex($i);
  if ($c === false) { fwrite(STDERR, "read failed: $n\n"); exit(1); }
  printf("%s\t%08x\n", $n, crc32($c));
}`

func checkPHP(t *testing.T, data []byte, entries []Entry) {
	php := requireTool(t, "php")
	out, err := exec.CommandContext(t.Context(), php, "-r", phpList, writeTemp(t, data)).CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	var want strings.Builder
	for _, e := range entries {
		var content []byte
		if e.File != nil {
			rc, _ := e.File.Open()
			content, _ = io.ReadAll(rc)
		}
		fmt.Fprintf(&want, "%s\t%08x\n", e.Path, crc32.ChecksumIEEE(content))
	}
	if string(out) != want.String() {
		t.Errorf("ZipArchive listing\n got:\n%s\nwant:\n%s", out, want.String())
	}
}

func TestDeflateRoundTripLarge(t *testing.T) {
	// Larger than the in-memory limit, so the content goes through the spill file.
	big := bytes.Repeat([]byte("0123456789abcdef\n"), spillLimit/17+4096)
	files := []File{bytesFile("big.txt", false, big), bytesFile("small.txt", false, []byte("small"))}
	for _, f := range []Format{Mageos, Deflate} {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, f, Layout(files, nil)); err != nil {
				t.Fatal(err)
			}
			if f == Deflate && buf.Len() > len(big)/10 {
				t.Errorf("deflate archive is %d bytes for %d compressible bytes", buf.Len(), len(big))
			}
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			for i, zf := range zr.File {
				checkContent(t, zf, &files[i])
			}
		})
	}
}

func TestWriteRejects(t *testing.T) {
	ok := bytesFile("x", false, nil)
	tests := []struct {
		name    string
		entries []Entry
	}{
		{"absolute", []Entry{{Path: "/etc/passwd", Mode: 0o644, File: &ok}}},
		{"dot dot", []Entry{{Path: "a/../../x", Mode: 0o644, File: &ok}}},
		{"empty element", []Entry{{Path: "a//x", Mode: 0o644, File: &ok}}},
		{"dir with file", []Entry{{Path: "a/", Mode: 0o775, File: &ok}}},
		{"file without content", []Entry{{Path: "a", Mode: 0o644}}},
		{"too many", make([]Entry, 0xFFFF)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Write(io.Discard, Mageos, tc.entries); err == nil {
				t.Error("Write accepted it")
			}
		})
	}
	if err := Write(io.Discard, Mageos, make([]Entry, 0xFFFF)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("65535 entries: got %v, want ErrTooLarge", err)
	}
	failing := File{Path: "f", Size: -1, Open: func() (io.ReadCloser, error) { return nil, errors.New("boom") }}
	if err := Write(io.Discard, Mageos, []Entry{{Path: "f", Mode: 0o644, File: &failing}}); err == nil ||
		!strings.Contains(err.Error(), "boom") {
		t.Errorf("open failure: got %v", err)
	}
}

func TestExplicitOrder(t *testing.T) {
	// composer.json-only packages with an unsorted second entry, as the reference writes for some projects.
	cj, gi := bytesFile("composer.json", false, []byte("{}")), bytesFile(".gitignore", false, []byte("/vendor\n"))
	var buf bytes.Buffer
	if err := Write(&buf, Mageos, []Entry{{Path: "composer.json", Mode: 0o644, File: &cj},
		{Path: ".gitignore", Mode: 0o644, File: &gi}}); err != nil {
		t.Fatal(err)
	}
	if got := zipNames(t, buf.Bytes()); !slices.Equal(got, []string{"composer.json", ".gitignore"}) {
		t.Errorf("order %q", got)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range []Format{Mageos, Deflate} {
		var g Format
		if err := g.Set(f.String()); err != nil || g != f {
			t.Errorf("Set(%q) = %v, %v", f.String(), g, err)
		}
	}
	var g Format
	if err := g.Set("zip"); err == nil {
		t.Error(`Set("zip") succeeded`)
	}
	if g.Type() == "" {
		t.Error("empty Type")
	}
}
