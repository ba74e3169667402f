package archive

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

// benchPackage is a synthetic module of 500 files: PHP-like text, mostly 1-8 KiB, a few larger.
func benchPackage() ([]File, int64) {
	rng := rand.New(rand.NewPCG(42, 42))
	words := []string{"public ", "function ", "$this->", "return ", "array(", ");\n", "namespace ", "Magento\\",
		"Catalog", "Model", "{\n", "}\n", "    ", "/** @var */\n", "if (", "null", "=> "}
	var files []File
	var total int64
	for i := range 500 {
		size := 1024 + rng.IntN(7*1024)
		if i%50 == 0 {
			size = 64 * 1024
		}
		b := make([]byte, 0, size+16)
		for len(b) < size {
			b = append(b, words[rng.IntN(len(words))]...)
		}
		total += int64(len(b))
		path := fmt.Sprintf("Dir%d/Sub%d/File%03d.php", i%7, i%13, i)
		files = append(files, bytesFile(path, i%97 == 0, b))
	}
	return files, total
}

func benchmarkWrite(b *testing.B, f Format) {
	files, total := benchPackage()
	entries := Layout(files, nil)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, f, entries); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteMageos measures a 500-file package in the mageos (STORE) format.
func BenchmarkWriteMageos(b *testing.B) { benchmarkWrite(b, Mageos) }

// BenchmarkWriteDeflate measures a 500-file package in the deflate format.
func BenchmarkWriteDeflate(b *testing.B) { benchmarkWrite(b, Deflate) }

// BenchmarkLayout measures ordering a 500-file package.
func BenchmarkLayout(b *testing.B) {
	files, _ := benchPackage()
	b.ReportAllocs()
	for b.Loop() {
		Layout(files, nil)
	}
}
