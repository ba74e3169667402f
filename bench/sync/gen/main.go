// Command gen writes a synthetic Composer repository for the sync benchmark:
// -packages packages with -versions versions each, every dist a zip of about
// -size bytes of deterministic pseudo-random content.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/mage-os/magerepo/internal/repo"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	base := flag.String("base-url", "", "URL the repository will be served at (required)")
	packages := flag.Int("packages", 100, "number of packages")
	versions := flag.Int("versions", 10, "versions per package")
	size := flag.Int("size", 20000, "payload bytes per dist")
	flag.Parse()
	if *out == "" || *base == "" {
		fmt.Fprintln(os.Stderr, "gen: -out and -base-url are required")
		os.Exit(2)
	}
	if err := generate(*out, *base, *packages, *versions, *size); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(out, base string, packages, versions, size int) error {
	r, err := repo.Open(out)
	if err != nil {
		return err
	}
	defer r.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	payload := make([]byte, size)
	for p := range packages {
		name := fmt.Sprintf("bench/package-%03d", p)
		for v := range versions {
			version := fmt.Sprintf("1.%d.0", v)
			meta := fmt.Sprintf(`{"name":%q,"description":"benchmark package","type":"library","version":%q,"require":{"php":">=8.1"},"autoload":{"psr-4":{"Bench\\P%03d\\":"src/"}}}`, name, version, p)
			for i := range payload {
				payload[i] = byte(rng.UintN(256))
			}
			b, err := zipOf(meta, payload)
			if err != nil {
				return err
			}
			rel := "dist/" + name + "-" + version + ".zip"
			w, err := r.CreateDist(rel)
			if err != nil {
				return err
			}
			if _, err := w.Write(b); err != nil {
				w.Abort()
				return err
			}
			sum, n, err := w.Commit()
			if err != nil {
				return err
			}
			if err := r.Add(repo.Entry{Name: name, Version: version, Dist: rel, SHA1: sum, Size: n, Metadata: []byte(meta)}); err != nil {
				return err
			}
		}
	}
	st, err := r.Publish(context.Background(), repo.PublishOptions{BaseURL: base})
	if err != nil {
		return err
	}
	fmt.Printf("generated %d packages, %d versions in %s\n", st.Packages, st.Versions, out)
	return nil
}

func zipOf(meta string, payload []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	mod := time.Date(2022, 2, 22, 22, 2, 22, 0, time.UTC)
	for _, f := range []struct {
		name string
		body []byte
	}{{"composer.json", []byte(meta)}, {"src/payload.bin", payload}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Store, Modified: mod})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
