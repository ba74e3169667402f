package verify

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/mage-os/magerepo/internal/archive"
	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/progress"
)

// maxComposerJSON caps the composer.json read from an archive; the size a zip
// declares is not trusted.
const maxComposerJSON = 10 << 20

// deepKeys are the composer.json fields --deep compares with the metadata.
var deepKeys = []string{"require", "replace", "conflict", "autoload"}

// checkDists checks every entry's dist with at most jobs at a time. It
// returns the number of archives opened and the problems found.
func checkDists(ctx context.Context, r *repository, jobs int, deep bool, phases progress.Phases) (int, []Problem) {
	entries := r.entries()
	probs := make([][]Problem, len(entries))
	n := 0
	for _, e := range entries {
		if e.dist != nil && e.dist.typ == "zip" && e.dist.url != "" {
			n++
		}
	}
	bar := progress.Start(phases, "checking dists", n)
	defer bar.Finish()
	var opened atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(jobs, 1))
	for i, e := range entries {
		if e.dist == nil || e.dist.typ != "zip" || e.dist.url == "" {
			continue
		}
		g.Go(func() error {
			var ok bool
			ok, probs[i] = checkDist(gctx, r.src, e, deep)
			if ok {
				opened.Add(1)
			}
			bar.Add(1)
			return nil
		})
	}
	_ = g.Wait()
	return int(opened.Load()), concat(probs)
}

// checkDist downloads or opens one dist and checks its SHA-1 and its root
// composer.json. It reports whether the archive could be opened.
func checkDist(ctx context.Context, src Source, e *entry, deep bool) (bool, []Problem) {
	var probs []Problem
	bad := func(format string, args ...any) {
		probs = append(probs, Problem{Package: e.name, Version: e.version, Message: fmt.Sprintf(format, args...)})
	}
	u, err := resolve(src.Root(), e.dist.url)
	if err != nil {
		bad("dist url: %v", err)
		return false, probs
	}
	f, err := src.Open(ctx, u)
	if isNotFound(err) {
		bad("dist is missing: %s", e.dist.url)
		return false, probs
	}
	if err != nil {
		bad("dist cannot be read: %v", err)
		return false, probs
	}
	defer f.Close()
	if sum, err := sha1File(f); err != nil {
		bad("dist cannot be read: %v", err)
	} else if e.dist.shasum != "" && sum != e.dist.shasum {
		bad("dist sha-1 is %s, metadata says %s", sum, e.dist.shasum)
	}
	checkArchive(f, e, deep, bad)
	return true, probs
}

// copyBuffers holds the buffers sha1File reads through, so that hashing
// thousands of archives does not allocate one each.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// sha1File returns the hex SHA-1 of a whole file.
func sha1File(f File) (string, error) {
	h := sha1.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	if _, err := io.CopyBuffer(h, io.NewSectionReader(f, 0, f.Size()), *buf); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkArchive opens the zip and compares its root composer.json with the
// metadata entry.
func checkArchive(f File, e *entry, deep bool, bad func(string, ...any)) {
	zr, err := zip.NewReader(f, f.Size())
	if err != nil {
		bad("dist is not a valid zip: %v", err)
		return
	}
	checkEntryNames(zr, bad)
	cj, err := readComposerJSON(zr)
	if err != nil {
		bad("dist %v", err)
		return
	}
	compareNameVersion(cj, e, bad)
	if deep {
		for _, k := range deepKeys {
			if canonical(cj[k]) != canonical(e.raw[k]) {
				bad("dist composer.json %s differs from the metadata", k)
			}
		}
	}
}

// checkEntryNames reports the first entry name an extractor misreads (archive.CheckName: a backslash, a drive
// prefix, a control character, a .git component) or that leaves the package directory (absolute, "..", as in
// zip-slip): Composer unzips dists into vendor/, and a build leaves such names out, but a prebuilt or synced
// zip is published as it is.
func checkEntryNames(zr *zip.Reader, bad func(string, ...any)) {
	for _, zf := range zr.File {
		name := strings.TrimSuffix(zf.Name, "/")
		if err := archive.CheckName(name); err != nil {
			bad("dist entry %q: %v", zf.Name, err)
			return
		}
		if strings.HasPrefix(name, "/") || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "/../") || strings.HasSuffix(name, "/..") {
			bad("dist entry %q leaves the package directory", zf.Name)
			return
		}
	}
}

// readComposerJSON reads and decodes composer.json at the root of the zip.
func readComposerJSON(zr *zip.Reader) (map[string]json.RawMessage, error) {
	for _, zf := range zr.File {
		if zf.Name != "composer.json" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("composer.json cannot be opened: %w", err)
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, maxComposerJSON+1))
		if err != nil {
			return nil, fmt.Errorf("composer.json cannot be read: %w", err)
		}
		if len(data) > maxComposerJSON {
			return nil, fmt.Errorf("composer.json is larger than %d bytes", maxComposerJSON)
		}
		var cj map[string]json.RawMessage
		if err := json.Unmarshal(data, &cj); err != nil {
			return nil, fmt.Errorf("composer.json is not a JSON object: %w", err)
		}
		return cj, nil
	}
	return nil, fmt.Errorf("has no composer.json at its root")
}

// compareNameVersion checks that composer.json names the entry's package and
// version. Versions are compared normalized, so "v1.0" equals "1.0.0".
func compareNameVersion(cj map[string]json.RawMessage, e *entry, bad func(string, ...any)) {
	var name string
	if !stringField(cj, "name", &name) {
		bad("dist composer.json has no name")
	} else if name != e.name {
		bad("dist composer.json names package %q", name)
	}
	version := scalarString(cj["version"])
	if version == "" {
		bad("dist composer.json has no version")
		return
	}
	if version == e.version {
		return
	}
	n, err := composer.NormalizeVersion(version)
	if err != nil || n != e.normalized {
		bad("dist composer.json has version %q", version)
	}
}

// canonical returns a key-order independent encoding of a JSON value; null
// and empty objects and arrays encode the same as a missing value.
func canonical(raw json.RawMessage) string {
	if len(raw) == 0 || isEmptyJSON(raw) {
		return ""
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "invalid:" + string(raw)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "invalid:" + string(raw)
	}
	return strings.TrimSuffix(out.String(), "\n")
}

// concat flattens per-item problem lists collected by index.
func concat(lists [][]Problem) []Problem {
	var out []Problem
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
