package verify

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/server"
)

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gzipFixture writes the standard repository with .gz copies of its metadata: right ones, one of another file,
// a truncated one, one that is no gzip, and a stale one older than its file.
func gzipFixture(t *testing.T, base string) *fixture {
	f := newFixture(t, base).standard().write()
	read := func(rel string) []byte {
		b, err := os.ReadFile(f.path(rel))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	f.writeFile("p2/magento/framework.json.gz", gzipped(t, read("p2/magento/framework.json")))
	f.writeFile("p2/magento/framework~dev.json.gz", gzipped(t, read("p2/magento/framework~dev.json")))
	f.writeFile("p2/magento/module-foo.json.gz", gzipped(t, read("p2/magento/module-bar.json")))
	full := gzipped(t, read("p2/magento/module-bar.json"))
	f.writeFile("p2/magento/module-bar.json.gz", full[:len(full)-6])
	f.writeFile("packages.json.gz", []byte("not gzip at all"))
	// Left over from an interrupted publish: magerepo serve ignores a copy older than its file, nginx does not;
	// the previous metadata is still consistent, so a valid stale copy is no problem, an invalid one is.
	stale := "p2/magento/product-community-edition.json"
	f.writeFile(stale+".gz", gzipped(t, append(read(stale), '\n')))
	f.writeFile("p2/magento/framework~dev.json.gz", gzipped(t, []byte("{broken")))
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{stale + ".gz", "p2/magento/framework~dev.json.gz"} {
		if err := os.Chtimes(f.path(p), old, old); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestGzipCopiesOfDirectory(t *testing.T) {
	f := gzipFixture(t, mirrorBase)
	wantLines(t, run(t, f, ownMagento),
		"magento/framework: p2 file magento/framework~dev.json: p2/magento/framework~dev.json.gz, a stale copy (older than the file), is not a JSON document: json: offset 1: unexpected character U+0062",
		"magento/module-bar: p2 file magento/module-bar.json: p2/magento/module-bar.json.gz is not a gzip copy of it: it is corrupt: unexpected EOF",
		"magento/module-foo: p2 file magento/module-foo.json: p2/magento/module-foo.json.gz is not a gzip copy of it: decompressed, it differs from byte 55 on",
		"packages.json: packages.json: packages.json.gz is not a gzip copy of it: it is not gzip: gzip: invalid header",
	)
}

// Over HTTP the copies are checked where the server sends them: magerepo serve sends the .gz siblings, except
// the stale one (it compresses the file itself instead).
func TestGzipCopiesServed(t *testing.T) {
	var dh deferredHandler
	base := serve(t, &dh)
	f := gzipFixture(t, base)
	srv, err := server.New(f.dir, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dh.set(srv)
	src, err := NewHTTPSource(base, testClient(2))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(t.Context(), src, ownMagento)
	if err != nil {
		t.Fatal(err)
	}
	const served = " the answer to Accept-Encoding: gzip is not a gzip copy of it: "
	wantLines(t, r,
		"magento/module-bar: p2 file magento/module-bar.json:"+served+"it is corrupt: unexpected EOF",
		"magento/module-foo: p2 file magento/module-foo.json:"+served+"decompressed, it differs from byte 55 on",
		"packages.json: packages.json:"+served+"it is not gzip: gzip: invalid header",
	)

	// A server without gzip (a plain file server) has no copies to check.
	dh.set(http.FileServer(http.Dir(f.dir)))
	r, err = Run(t.Context(), src, ownMagento)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, r)
}

func TestGzipDiff(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789"), 10000)
	for _, tc := range []struct {
		name string
		gz   []byte
		why  string
	}{
		{"same", gzipped(t, want), ""},
		{"shorter", gzipped(t, want[:500]), "decompressed, it has 500 bytes, the file 100000"},
		{"longer", gzipped(t, append(bytes.Clone(want), 'x')), "decompressed, it is longer than the file's 100000 bytes"},
		{"late difference", gzipped(t, append(bytes.Clone(want[:99999]), 'x')), "decompressed, it differs from byte 99999 on"},
		{"empty", nil, "it is not gzip: EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := t.TempDir() + "/f.gz"
			os.WriteFile(p, tc.gz, 0o644)
			fh, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			if got := gzipDiff(osFile{fh, int64(len(tc.gz))}, want); got != tc.why {
				t.Errorf("gzipDiff = %q, want %q", got, tc.why)
			}
		})
	}
}
