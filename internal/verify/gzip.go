package verify

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/url"

	"github.com/mage-os/magerepo/internal/composer"
)

// gzipProblems compares the gzip copy of a metadata file (see [Source.OpenGzip]) with the file's bytes, data.
// Clients that accept gzip, Composer among them, are handed the copy instead of the file, so a copy that is
// corrupt, stale or of another file breaks them while the file itself verifies clean. No copy is no problem.
func (r *repository) gzipProblems(ctx context.Context, u *url.URL, data []byte, pkg, label string) []Problem {
	if !r.checkGzip {
		return nil
	}
	f, name, err := r.src.OpenGzip(ctx, u, r.maxMetadata)
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return []Problem{{Package: pkg, Message: fmt.Sprintf("%s: its gzip copy cannot be read: %v", label, err)}}
	}
	defer f.Close()
	if stale, ok := f.(staleCopy); ok {
		if why := staleInvalid(stale, r.maxMetadata); why != "" {
			return []Problem{{Package: pkg, Message: fmt.Sprintf("%s: %s, a stale copy (older than the file), %s", label, name, why)}}
		}
		return nil
	}
	if why := gzipDiff(f, data); why != "" {
		return []Problem{{Package: pkg, Message: fmt.Sprintf("%s: %s is not a gzip copy of it: %s", label, name, why)}}
	}
	return nil
}

// gzipDiff says how the gzip stream in f differs from want, or returns "" when it decompresses to exactly want.
// It streams: at most len(want)+1 bytes are decompressed, so a gzip bomb costs nothing.
func gzipDiff(f File, want []byte) string {
	zr, err := gzip.NewReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return "it is not gzip: " + err.Error()
	}
	defer zr.Close()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	off := 0
	for {
		n, err := zr.Read(*buf)
		got, rest := (*buf)[:n], want[off:]
		if i := firstDiff(got, rest); i >= 0 {
			return fmt.Sprintf("decompressed, it differs from byte %d on", off+i)
		}
		if n > len(rest) {
			return fmt.Sprintf("decompressed, it is longer than the file's %d bytes", len(want))
		}
		off += n
		switch {
		case err == io.EOF && off < len(want):
			return fmt.Sprintf("decompressed, it has %d bytes, the file %d", off, len(want))
		case err == io.EOF:
			return ""
		case err != nil:
			return "it is corrupt: " + err.Error() // a bad checksum, a truncated stream
		}
	}
}

// staleInvalid says why a stale gzip copy is not a metadata document a client can use, or returns "".
func staleInvalid(f File, max int64) string {
	zr, err := gzip.NewReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return "is not gzip: " + err.Error()
	}
	defer zr.Close()
	b, err := io.ReadAll(io.LimitReader(zr, max+1))
	switch {
	case err != nil:
		return "is corrupt: " + err.Error()
	case int64(len(b)) > max:
		return fmt.Sprintf("decompresses to more than %d bytes", max)
	}
	if _, err := composer.ParseDocument(b); err != nil {
		return "is not a JSON document: " + err.Error()
	}
	return ""
}

// firstDiff returns the first index where a and b differ within their common length, or -1.
func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	if bytes.Equal(a[:n], b[:n]) {
		return -1
	}
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
