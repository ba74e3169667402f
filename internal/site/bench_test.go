package site_test

// Benchmarks at the size of the full Magento mirror: 700 packages, 30,000 versions (bench/README.md, "Web
// pages"; bench/site/run.sh runs them). Sizes are reported as metrics of the cold publish.

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/server"
	"github.com/mage-os/magerepo/internal/site"
)

var fullMirror = synth{Packages: 700, Versions: 30_000}

const benchBase = "https://mirror.example.com/"

// BenchmarkPublish times repo.Publish of the full mirror: cold (an empty output directory: every manifest, p2
// file and page is written and synced), no-op (nothing changed: nothing is written), and one new version (its
// package's p2 files and page, the index and the start page are rewritten).
func BenchmarkPublish(b *testing.B) {
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir := b.TempDir()
			r, _ := fullMirror.build(b, dir)
			b.StartTimer()
			if _, err := r.Publish(context.Background(), repo.PublishOptions{BaseURL: benchBase}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportSizes(b, dir)
			r.Close()
			b.StartTimer()
		}
	})
	b.Run("noop", func(b *testing.B) {
		dir := b.TempDir()
		r, _ := fullMirror.build(b, dir)
		if _, err := r.Publish(context.Background(), repo.PublishOptions{BaseURL: benchBase}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			st, err := r.Publish(context.Background(), repo.PublishOptions{BaseURL: benchBase})
			if err != nil {
				b.Fatal(err)
			}
			if len(st.Written) > 0 {
				b.Fatalf("a no-op publish wrote %d files", len(st.Written))
			}
		}
	})
	b.Run("one-version", func(b *testing.B) {
		dir := b.TempDir()
		r, pkgs := fullMirror.build(b, dir)
		if _, err := r.Publish(context.Background(), repo.PublishOptions{BaseURL: benchBase}); err != nil {
			b.Fatal(err)
		}
		name := pkgs[100].Name
		written := 0
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			v := "900.0." + strconv.Itoa(i)
			if err := r.Add(repo.Entry{Name: name, Version: v, Dist: benchBase + "x.zip", SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
				Metadata: []byte(`{"name":"` + name + `","type":"library","time":"2026-01-01T00:00:00+00:00"}`)}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			st, err := r.Publish(context.Background(), repo.PublishOptions{BaseURL: benchBase})
			if err != nil {
				b.Fatal(err)
			}
			written = len(st.Written)
		}
		b.ReportMetric(float64(written), "files-written")
	})
}

// reportSizes reports the sizes that matter to a reader: the start page, the index it loads, the largest
// package page (plain and gzip-compressed, as a server sends it), and all pages together.
func reportSizes(b *testing.B, dir string) {
	b.Helper()
	size := func(rel string) (int, int) {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			b.Fatal(err)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression) // what a server compressing on the fly sends
		zw.Write(data)
		zw.Close()
		return len(data), gz.Len()
	}
	largest, total, pages := largestPage(b, dir)
	ih, ihz := size(site.Index)
	ij, ijz := size(site.IndexJSON)
	lp, lpz := size(largest)
	pp, ppz := size(site.PagePath("magento/product-community-edition"))
	b.ReportMetric(float64(ih), "index.html-B")
	b.ReportMetric(float64(ihz), "index.html-gz-B")
	b.ReportMetric(float64(ij), "index.json-B")
	b.ReportMetric(float64(ijz), "index.json-gz-B")
	b.ReportMetric(float64(lp), "largest-page-B")
	b.ReportMetric(float64(lpz), "largest-page-gz-B")
	b.ReportMetric(float64(pp), "product-page-B")
	b.ReportMetric(float64(ppz), "product-page-gz-B")
	b.ReportMetric(float64(total)/float64(pages), "avg-page-B")
	b.ReportMetric(float64(total), "all-pages-B")
	b.ReportMetric(float64(pages), "pages")
	b.Logf("largest page: %s", largest)
}

// largestPage returns the largest package page of the output directory dir, the bytes of all pages and their
// count.
func largestPage(tb testing.TB, dir string) (largest string, total, pages int) {
	tb.Helper()
	var max int64
	err := filepath.WalkDir(filepath.Join(dir, site.Dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		pages++
		total += int(fi.Size())
		if fi.Size() > max {
			max = fi.Size()
			largest, _ = filepath.Rel(dir, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.ToSlash(largest), total, pages
}

// BenchmarkChromium loads the full mirror's pages, served by internal/server on loopback, in headless Chromium
// with its cache off: list is navigation start to the package list on screen (site.js's "magerepo:list" mark:
// index.html, site.css, site.js and index.json fetched, 700 rows built); filter is one keystroke's update of
// the list; the page benchmarks time the load event of the largest package page (by bytes) and of the product
// metapackage's page (the most requirements).
func BenchmarkChromium(b *testing.B) {
	ctx := newChromium(b)
	base, dir, _ := serveSynth(b, fullMirror, repo.PublishOptions{}, server.Options{})
	largest, _, _ := largestPage(b, dir)
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		b.Fatal(err)
	}
	w := watch(b, ctx, base)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	b.Run("index", func(b *testing.B) {
		var list, filter float64
		for b.Loop() {
			if err := open(ctx, base); err != nil {
				b.Fatal(err)
			}
			list += eval[float64](b, ctx, `performance.getEntriesByName("magerepo:list")[0].startTime`)
			filter += eval[float64](b, ctx, `(() => {
				const q = document.getElementById("q"), t0 = performance.now();
				q.value = "catalog"; q.dispatchEvent(new Event("input"));
				const t1 = performance.now();
				q.value = ""; q.dispatchEvent(new Event("input"));
				return t1 - t0;
			})()`)
		}
		b.ReportMetric(list/float64(b.N), "ms-list")
		b.ReportMetric(filter/float64(b.N), "ms-filter")
	})
	for _, p := range []struct{ name, path string }{
		{"largest-page", largest},
		{"product-page", site.PagePath("magento/product-community-edition")},
	} {
		b.Run(p.name, func(b *testing.B) {
			var load float64
			for b.Loop() {
				if err := open(ctx, base+p.path); err != nil {
					b.Fatal(err)
				}
				load += eval[float64](b, ctx, `performance.getEntriesByType("navigation")[0].loadEventEnd`)
			}
			b.ReportMetric(load/float64(b.N), "ms-load")
		})
	}
	w.check(b)
}
