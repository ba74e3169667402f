package build

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gitattr"
	"github.com/mage-os/magerepo/internal/gittest"
)

// TestLargeFilesStream: files larger than the archive writer's memory buffer, with and without end-of-line
// conversion (eol=crlf converts as it streams, text=auto eol=crlf reads the blob twice), are archived with
// the bytes a checkout has, and the build allocates far less than the files' size: blobs are streamed from
// git into the zip writer, never held whole.
func TestLargeFilesStream(t *testing.T) {
	const size = 20 << 20
	var text strings.Builder
	for i := 0; text.Len() < size; i++ {
		text.WriteString("a line of text that a checkout ends with CRLF ")
		text.WriteString(strings.Repeat("x", i%50))
		text.WriteByte('\n')
	}
	lines := text.String()
	binary := strings.Repeat("\x00\x01binary\n", size/9)
	g := gittest.New(t)
	g.Write(map[string]string{
		".gitattributes": "*.crlf text eol=crlf\n*.auto text=auto eol=crlf\n",
		"composer.json":  `{"name": "acme/big", "version": "1.0.0"}`,
		"big.crlf":       lines,
		"big.auto":       lines,
		"binary.auto":    binary, // text=auto leaves binary content alone
		"big.txt":        lines,
	})
	g.CommitTag("1.0.0")
	c, err := config.Parse([]byte("archive-format: mageos\nbase-url: https://r.example/\nsources:\n  - name: s\n    path: "+g.Dir+
		"\n    packages: [{dir: \"\"}]\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, err := Run(t.Context(), Options{Config: c, Out: out, CacheDir: t.TempDir(), Jobs: 1})
	runtime.ReadMemStats(&after)
	if err != nil || sum.Built != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	crlf := string(gitattr.ToCRLF([]byte(lines)))
	zip := filepath.Join(out, "dist/acme/big-1.0.0.zip")
	for name, want := range map[string]string{"big.crlf": crlf, "big.auto": crlf, "binary.auto": binary, "big.txt": lines} {
		if got := readZipFile(t, zip, name); !bytes.Equal([]byte(got), []byte(want)) {
			t.Errorf("%s: %d bytes in the archive, want %d (a checkout's bytes)", name, len(got), len(want))
		}
	}
	// Four files of 20 MB: holding each blob (and its converted copy) would allocate well over 100 MB (160 MB
	// for the blobs and their CRLF copies); the archive writer's own buffer (16 MB, grown by doubling) is most of
	// what streaming allocates: 38 MB, or 62 MB in about a third of the runs, when it doubles once more.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("the build allocated %d MB for 80 MB of files", alloc>>20)
	if alloc > 90<<20 && !raceEnabled {
		t.Errorf("the build allocated %d MB for 80 MB of files: blobs are held in memory", alloc>>20)
	}
}
