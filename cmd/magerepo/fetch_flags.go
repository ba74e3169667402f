package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/fetch"
)

// addFetchFlags registers the flags of magerepo's HTTP client (internal/fetch) that sync and verify share, so
// both commands name and document them alike.
func addFetchFlags(f *pflag.FlagSet, retries *int, stall *time.Duration, maxMetadata *int64) {
	f.IntVar(retries, "retries", fetch.DefaultRetries,
		"retries of a request failing with 408, 429, 5xx or a connection error (backoff doubles from 0.5 s, jittered; 429 waits its Retry-After)")
	f.DurationVar(stall, "stall-timeout", fetch.DefaultStallTimeout,
		"fail a transfer that delivers less than 1 KiB in this long (not retried)")
	*maxMetadata = fetch.DefaultMaxMetadata
	f.Var((*byteSize)(maxMetadata), "max-metadata-size",
		"largest packages.json or p2 file read (e.g. 64MiB); a larger p2 file is a failure of its package")
}

// checkFetchFlags rejects values the client cannot use; zero means the default.
func checkFetchFlags(cmd string, retries int, stall time.Duration, maxMetadata int64) error {
	switch {
	case retries < 0:
		return fmt.Errorf("%s: --retries must not be negative", cmd)
	case stall < 0:
		return fmt.Errorf("%s: --stall-timeout must not be negative", cmd)
	case maxMetadata < 0:
		return fmt.Errorf("%s: --max-metadata-size must not be negative", cmd)
	}
	return nil
}

// byteSize is a size flag: a number of bytes, optionally with a binary unit (KiB, MiB, GiB; K, M, G too).
type byteSize int64

var sizeUnits = []struct {
	suffix string
	n      int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}

func (s *byteSize) Set(v string) error {
	num, mult := strings.TrimSpace(v), int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size (bytes, or a number with KiB, MiB or GiB)", v)
	}
	*s = byteSize(n * mult)
	return nil
}

func (s *byteSize) String() string {
	for _, u := range sizeUnits[:3] {
		if n := int64(*s); n != 0 && n%u.n == 0 && (n/u.n < 1<<10 || u.suffix == "GiB") {
			return strconv.FormatInt(n/u.n, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(*s), 10)
}

func (s *byteSize) Type() string { return "size" }
