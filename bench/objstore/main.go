// Command objstore measures `internal/objstore.Mirror` against a real S3 implementation (gofakes3, in memory, on
// 127.0.0.1): a cold publish of PACKAGES x VERSIONS archives, a no-op publish, and a publish after one new
// version; wall time and requests sent by method. Run it with bench/objstore/run.sh.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/mage-os/magerepo/internal/objstore"
	"github.com/mage-os/magerepo/internal/objstore/s3store"
	"github.com/mage-os/magerepo/internal/repo"
)

type counter struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.m
	c.m = map[string]int{}
	return out
}

func main() {
	packages := flag.Int("packages", 100, "packages")
	versions := flag.Int("versions", 10, "versions per package")
	size := flag.Int("size", 20_000, "bytes of incompressible content per archive")
	latency := flag.Duration("latency", 0, "delay added to every request, as a distant bucket's round trip")
	flag.Parse()
	ctx := context.Background()

	be := s3mem.New()
	if err := be.CreateBucket("bench"); err != nil {
		log.Fatal(err)
	}
	c := &counter{m: map[string]int{}}
	h := gofakes3.New(be).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.m[r.Method]++
		c.mu.Unlock()
		time.Sleep(*latency)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
		"AWS_ENDPOINT_URL_S3": srv.URL, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		os.Setenv(k, v)
	}
	os.Unsetenv("AWS_CA_BUNDLE")

	dir, err := os.MkdirTemp("", "bench-objstore-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	base := srv.URL + "/bench/repo/"
	rng := rand.New(rand.NewPCG(1, 2))
	add := func(r *repo.Repo, p, v int) {
		name := fmt.Sprintf("vendor/module-%03d", p)
		ver := fmt.Sprintf("100.%d.0", v)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		f, _ := zw.CreateHeader(&zip.FileHeader{Name: "Model/File.php", Method: zip.Store})
		junk := make([]byte, *size)
		for i := range junk {
			junk[i] = byte(rng.Uint32())
		}
		f.Write(junk)
		zw.Close()
		rel := "dist/" + name + "-" + ver + ".zip"
		w, err := r.CreateDist(rel)
		if err != nil {
			log.Fatal(err)
		}
		w.Write(buf.Bytes())
		sum, n, err := w.Commit()
		if err != nil {
			log.Fatal(err)
		}
		req := `"php":">=8.1"`
		if p > 0 {
			req += fmt.Sprintf(`,"vendor/module-%03d":"^100.0"`, p-1)
		}
		meta := fmt.Sprintf(`{"name":%q,"type":"magento2-module","require":{%s}}`, name, req)
		if err := r.Add(repo.Entry{Name: name, Version: ver, Metadata: []byte(meta), Dist: rel, SHA1: sum, Size: n}); err != nil {
			log.Fatal(err)
		}
	}
	publish := func(fill func(r *repo.Repo)) {
		r, err := repo.OpenAs(dir, repo.OwnerBuild)
		if err != nil {
			log.Fatal(err)
		}
		defer r.Close()
		fill(r)
		if _, err := r.Publish(ctx, repo.PublishOptions{BaseURL: base}); err != nil {
			log.Fatal(err)
		}
	}
	publish(func(r *repo.Repo) {
		for p := 0; p < *packages; p++ {
			for v := 0; v < *versions; v++ {
				add(r, p, v)
			}
		}
	})
	target, _ := s3store.ParseURL("s3://bench/repo")
	store, err := s3store.New(ctx, target)
	if err != nil {
		log.Fatal(err)
	}
	run := func(label string) {
		r, err := repo.Open(dir)
		if err != nil {
			log.Fatal(err)
		}
		defer r.Close()
		c.reset()
		start := time.Now()
		st, err := objstore.Mirror(ctx, r, store, objstore.Options{})
		d := time.Since(start)
		if err != nil {
			log.Fatal(err)
		}
		counts := c.reset()
		var parts []string
		total := 0
		for m, n := range counts {
			parts = append(parts, fmt.Sprintf("%s %d", m, n))
			total += n
		}
		sort.Strings(parts)
		fmt.Printf("%-22s %8s  dists %4d  metadata files %4d  requests %5d (%s)\n", label, d.Round(time.Millisecond),
			st.DistsCreated, len(st.Metadata), total, strings.Join(parts, ", "))
	}
	fmt.Printf("%d packages x %d versions = %d archives of %d bytes, %s per request\n", *packages, *versions, *packages**versions, *size, *latency)
	run("cold publish")
	run("no-op publish")
	publish(func(r *repo.Repo) { add(r, *packages/2, *versions) })
	run("one new version")
}
