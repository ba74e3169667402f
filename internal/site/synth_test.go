package site_test

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/mage-os/magerepo/internal/repo"
)

// synth describes a generated repository shaped like the Magento mirror: one product metapackage that pins
// hundreds of modules to exact versions, a few smaller metapackages, and modules with range requirements on
// each other, most versions with a release time. The same options always give the same entries.
type synth struct {
	Packages, Versions int
	// LocalDists writes a small archive for every version (a browser can follow the links); otherwise dists
	// are remote URLs, which keeps a 30,000-version repository off the disk.
	LocalDists bool
}

// synthPackage is one generated package, for tests that check what the pages show.
type synthPackage struct {
	Name, Description, Type string
	Versions                []string
}

var synthWords = strings.Fields(`catalog sales checkout customer inventory media gallery page builder graph ql admin
	analytics backend bundle cache cms config cron currency directory downloadable eav email import export gift
	message indexer integration layered navigation login newsletter offline payment paypal persistent product
	alert video quote review robots rss rule search security sitemap store swatches tax theme translation ui ups
	url rewrite user variable vault webapi weee widget wishlist reward staging shipping fedex usps dhl captcha
	csp elasticsearch opensearch amqp async order grid sample data fixture locale compare recently viewed`)

var synthVendors = []string{"mage-os", "laminas", "paypal", "klarna", "yotpo", "amzn", "dotdigital", "vertex"}

// entries returns the packages and their manifest entries, unpublished.
func (s synth) entries() ([]synthPackage, []repo.Entry) {
	rnd := rand.New(rand.NewPCG(1, uint64(s.Packages)*1_000_003+uint64(s.Versions)))
	pkgs := make([]synthPackage, s.Packages)
	seen := map[string]bool{}
	for i := range pkgs {
		p := &pkgs[i]
		switch {
		case i == 0:
			p.Name, p.Type, p.Description = "magento/product-community-edition", "metapackage", "eCommerce Platform for Growth (Community Edition)"
		case i < 6:
			p.Name, p.Type = fmt.Sprintf("magento/%s-metapackage", synthWords[i*7%len(synthWords)]), "metapackage"
			p.Description = "Metapackage of the " + synthWords[i*7%len(synthWords)] + " modules"
		default:
			for p.Name == "" || seen[p.Name] {
				vendor := "magento"
				if rnd.IntN(5) == 0 {
					vendor = synthVendors[rnd.IntN(len(synthVendors))]
				}
				kind := []string{"module", "module", "module", "module", "theme", "language", "framework"}[rnd.IntN(7)]
				p.Name = vendor + "/" + kind + "-" + synthWords[rnd.IntN(len(synthWords))] + "-" + synthWords[rnd.IntN(len(synthWords))]
				p.Type = map[string]string{"module": "magento2-module", "theme": "magento2-theme", "language": "magento2-language", "framework": "library"}[kind]
			}
			if rnd.IntN(6) == 0 {
				p.Description = "N/A" // as most Magento modules say
			} else {
				w := func() string { return synthWords[rnd.IntN(len(synthWords))] }
				first := w()
				p.Description = fmt.Sprintf("%s %s for Magento: %s, %s and %s %s support", strings.ToUpper(first[:1])+first[1:], w(), w(), w(), w(), w())
			}
		}
		seen[p.Name] = true
	}
	// Versions per package: the product metapackage has a release's worth, the others a skewed share of the rest.
	counts := make([]int, s.Packages)
	counts[0] = min(120, s.Versions/10)
	weights, total := make([]float64, s.Packages), 0.0
	for i := 1; i < s.Packages; i++ {
		weights[i] = 1 / (1 + float64(rnd.IntN(40)))
		total += weights[i]
	}
	left := s.Versions - counts[0]
	for i := 1; i < s.Packages; i++ {
		counts[i] = max(1, int(float64(s.Versions-counts[0])*weights[i]/total))
		left -= counts[i]
	}
	for i := 1; left != 0; i = i%(s.Packages-1) + 1 {
		if left > 0 {
			counts[i]++
			left--
		} else if counts[i] > 1 {
			counts[i]--
			left++
		}
	}
	for i := range pkgs {
		for k := range counts[i] {
			pkgs[i].Versions = append(pkgs[i].Versions, synthVersion(i, k, counts[i]))
		}
	}
	start := time.Date(2016, 11, 17, 9, 30, 0, 0, time.UTC)
	var entries []repo.Entry
	for i, p := range pkgs {
		// Modules require a few others by range; the product pins up to 400 modules exactly.
		var deps []int
		switch {
		case i == 0:
			for j := 6; j < len(pkgs) && len(deps) < 400; j++ {
				deps = append(deps, j)
			}
		case i < 6:
			for j := 6 + i; j < len(pkgs) && len(deps) < 30; j += 5 {
				deps = append(deps, j)
			}
		default:
			for range 3 + rnd.IntN(12) {
				if j := 6 + rnd.IntN(max(1, len(pkgs)-6)); j != i && j < len(pkgs) {
					deps = append(deps, j)
				}
			}
		}
		for k, v := range p.Versions {
			type doc struct {
				Name        string            `json:"name"`
				Description string            `json:"description"`
				Type        string            `json:"type"`
				License     []string          `json:"license"`
				Require     map[string]string `json:"require"`
				Time        string            `json:"time,omitempty"`
			}
			d := doc{Name: p.Name, Description: p.Description, Type: p.Type, License: []string{"OSL-3.0", "AFL-3.0"},
				Require: map[string]string{"php": "~8.1.0||~8.2.0||~8.3.0"}}
			if !strings.HasPrefix(p.Name, "magento/") {
				d.License = []string{"MIT"}
			}
			for _, j := range deps {
				q := pkgs[j]
				if i == 0 {
					d.Require[q.Name] = q.Versions[k*len(q.Versions)/len(p.Versions)]
				} else {
					d.Require[q.Name] = fmt.Sprintf("%d.%d.*", 100+(len(q.Versions)-1)/100, ((len(q.Versions)-1)/10)%10)
				}
			}
			if k%13 != 12 { // a few versions without a time, as a build from git has
				d.Time = start.Add(time.Duration(i)*time.Hour + time.Duration(k)*36*time.Hour).Format(time.RFC3339)
			}
			meta, err := json.Marshal(d)
			if err != nil {
				panic(err)
			}
			sum := sha1.Sum([]byte(p.Name + " " + v))
			e := repo.Entry{Name: p.Name, Version: v, Metadata: meta, Source: "synthetic", Tag: v}
			if p.Type != "metapackage" {
				e.Dist = "https://dist.example.invalid/" + p.Name + "/" + v + ".zip"
				e.SHA1, e.Size = hex.EncodeToString(sum[:]), int64(20_000+rnd.IntN(2_000_000))
				if s.LocalDists {
					e.Dist = "dist/" + p.Name + "-" + v + ".zip"
				}
			}
			entries = append(entries, e)
		}
	}
	return pkgs, entries
}

// synthVersion is the k-th of n versions of package i: 100.x.y releases, some -p1 patches and pre-releases, and
// for every fifth package a development branch as its newest version.
func synthVersion(i, k, n int) string {
	if i%5 == 1 && k == n-1 && n > 1 {
		return "dev-2.4-develop"
	}
	v := fmt.Sprintf("%d.%d.%d", 100+k/100, (k/10)%10, k%10)
	switch {
	case k%10 == 9 && k%3 == 0:
		v += "-beta1"
	case k%10 == 7:
		v += "-p1"
	}
	return v
}

// build adds the entries to the output directory dir (writing local dists) without publishing.
func (s synth) build(tb testing.TB, dir string) (*repo.Repo, []synthPackage) {
	tb.Helper()
	pkgs, entries := s.entries()
	r, err := repo.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	for _, e := range entries {
		if s.LocalDists && e.Dist != "" {
			w, err := r.CreateDist(e.Dist)
			if err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(w, "%s %s", e.Name, e.Version)
			if e.SHA1, e.Size, err = w.Commit(); err != nil {
				tb.Fatal(err)
			}
		}
		if err := r.Add(e); err != nil {
			tb.Fatal(err)
		}
	}
	return r, pkgs
}
