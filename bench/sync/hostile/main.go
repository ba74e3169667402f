// Command hostile serves a misbehaving Composer repository (internal/sync/hostile) on 127.0.0.1 for
// bench/sync/hostile.sh: -oversized p2 files of -size bytes generated while they are sent (never stored),
// -drip-dist dists and -drip-metadata p2 files fed one byte a second, and -good well-behaved packages. It writes
// its base URL to -url-file and, when it stops (SIGTERM), one line per request to stderr: path, status, bytes
// sent, how long it was served, and whether the client left first.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mage-os/magerepo/internal/sync/hostile"
)

func main() {
	urlFile := flag.String("url-file", "", "file to write the base URL to (required)")
	oversized := flag.Int("oversized", 0, "packages whose p2 file is oversized")
	size := flag.Int64("size", 300e6, "bytes of an oversized p2 file")
	declared := flag.Bool("declared", false, "send Content-Length with oversized p2 files")
	dripDist := flag.Int("drip-dist", 0, "packages whose dist is fed one byte a second")
	dripMeta := flag.Int("drip-metadata", 0, "packages whose p2 file is fed one byte a second")
	good := flag.Int("good", 2, "well-behaved packages")
	flag.Parse()
	if *urlFile == "" {
		fmt.Fprintln(os.Stderr, "hostile: -url-file is required")
		os.Exit(2)
	}
	pkgs := map[string]hostile.Behaviour{}
	add := func(n int, prefix string, b hostile.Behaviour) {
		for i := 1; i <= n; i++ {
			pkgs[fmt.Sprintf("acme/%s-%d", prefix, i)] = b
		}
	}
	big := hostile.Oversized
	if *declared {
		big = hostile.OversizedDeclared
	}
	add(*oversized, "huge", big)
	add(*dripDist, "drip-dist", hostile.DripDist)
	add(*dripMeta, "drip-meta", hostile.DripMetadata)
	add(*good, "good", hostile.Good)
	h := hostile.New(hostile.Options{Packages: pkgs, OversizedSize: *size})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*urlFile, []byte("http://"+ln.Addr().String()+"/\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	go http.Serve(ln, h)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	<-stop
	for _, q := range h.Log() {
		fmt.Fprintf(os.Stderr, "%s %d %d %s gone=%t\n", q.Path, q.Status, q.Sent, q.End.Sub(q.Start).Round(10*time.Millisecond), q.Gone)
	}
}
