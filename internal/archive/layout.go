package archive

import (
	"bytes"
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// File is one regular file of a package.
type File struct {
	// Path is relative to the package root, "/"-separated, without a leading "/". It may be non-ASCII.
	Path string
	// Executable is true for git mode 100755 (zip mode 0755); other files get 0644.
	Executable bool
	// Size is the content length if known, else -1. It is only a hint for buffer sizes.
	Size int64
	// Open returns the content. Write calls it once per entry, in entry order, and closes the result.
	Open func() (io.ReadCloser, error)
}

// Entry is one zip entry in final order. Path ends in "/" for a directory, whose File is nil.
type Entry struct {
	Path string
	Mode uint32
	File *File
}

// Permissions the reference generator gives its entries (docs/reference-generator.md §4.1, §4.4).
const (
	ModeFile       = 0o644 // regular file
	ModeExecutable = 0o755 // git mode 100755
	ModeParentDir  = 0o775 // a directory that holds (indirectly) an entry
	ModeEmptyDir   = 0o755 // an explicitly added empty directory
)

// collators holds en-US collators; a collate.Collator is not safe for concurrent use.
var collators = sync.Pool{New: func() any { return collate.New(language.AmericanEnglish) }}

// item is a file or an empty directory waiting to be ordered.
type item struct {
	path  string // without trailing "/"
	file  *File  // nil for an empty directory
	key   []byte // collation key of path
	index int64  // array-index value of a root file name, or -1
}

// Layout orders files and emptyDirs the way the reference generator does (docs/reference-generator.md §4.2):
//
//   - files and empty directories are sorted by ICU en-US collation of the full relative path (ties, such as
//     canonically equivalent spellings, fall back to byte order, which is git's listing order);
//   - files at the package root whose name is a JavaScript array index ("0" to "4294967294" without leading
//     zeros) come first in numeric order, because JSZip keeps entries in a JavaScript object;
//   - before each entry, every ancestor directory not emitted yet gets an entry with mode 0775;
//   - emptyDirs become directory entries with mode 0755, or 0775 when a file lies below them.
//
// A path given twice keeps one position; the later File wins, as re-adding a name in JSZip does.
func Layout(files []File, emptyDirs []string) []Entry {
	items := collectItems(files, emptyDirs)
	sortItems(items)
	return emit(items)
}

// collectItems deduplicates files (the later one wins) and turns empty directories into items.
func collectItems(files []File, emptyDirs []string) []item {
	items := make([]item, 0, len(files)+len(emptyDirs))
	seen := make(map[string]int, len(files))
	for i := range files {
		f := &files[i]
		if at, ok := seen[f.Path]; ok {
			items[at].file = f
			continue
		}
		seen[f.Path] = len(items)
		items = append(items, item{path: f.Path, file: f, index: arrayIndex(f.Path)})
	}
	dirs := make(map[string]bool, len(emptyDirs))
	for _, d := range emptyDirs {
		d = strings.TrimSuffix(d, "/")
		if d == "" || dirs[d] {
			continue
		}
		dirs[d] = true
		items = append(items, item{path: d, index: -1})
	}
	return items
}

// arrayIndex returns the value of a root file name that JavaScript treats as an array index, or -1.
func arrayIndex(name string) int64 {
	if name == "" || len(name) > 10 || (name[0] == '0' && len(name) > 1) {
		return -1
	}
	v, err := strconv.ParseUint(name, 10, 64) // digits only: no sign, no "_", no "/"
	if err != nil || v > 4294967294 {
		return -1
	}
	return int64(v)
}

// sortItems puts array-index root files first (numerically), then everything else in collation order.
func sortItems(items []item) {
	c := collators.Get().(*collate.Collator)
	var buf collate.Buffer
	for i := range items {
		if items[i].index < 0 {
			items[i].key = c.KeyFromString(&buf, items[i].path)
		}
	}
	collators.Put(c)
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.index >= 0 && b.index >= 0:
			return cmp.Compare(a.index, b.index)
		case a.index >= 0:
			return -1
		case b.index >= 0:
			return 1
		}
		if r := bytes.Compare(a.key, b.key); r != 0 {
			return r
		}
		return strings.Compare(a.path, b.path)
	})
}

// emit walks the sorted items and inserts each ancestor directory once, before its first descendant.
func emit(items []item) []Entry {
	parents := make(map[string]bool)
	for _, it := range items {
		if it.file != nil {
			for i := strings.IndexByte(it.path, '/'); i >= 0; i = nextSlash(it.path, i) {
				parents[it.path[:i+1]] = true
			}
		}
	}
	out := make([]Entry, 0, len(items)+len(parents))
	emitted := make(map[string]bool, len(parents))
	for _, it := range items {
		for i := strings.IndexByte(it.path, '/'); i >= 0; i = nextSlash(it.path, i) {
			if dir := it.path[:i+1]; !emitted[dir] {
				emitted[dir] = true
				out = append(out, Entry{Path: dir, Mode: ModeParentDir})
			}
		}
		if it.file != nil {
			mode := uint32(ModeFile)
			if it.file.Executable {
				mode = ModeExecutable
			}
			out = append(out, Entry{Path: it.path, Mode: mode, File: it.file})
			continue
		}
		dir := it.path + "/"
		if emitted[dir] {
			continue
		}
		emitted[dir] = true
		mode := uint32(ModeEmptyDir)
		if parents[dir] {
			mode = ModeParentDir
		}
		out = append(out, Entry{Path: dir, Mode: mode})
	}
	return out
}

// nextSlash returns the index of the next "/" in p after position i, or -1.
func nextSlash(p string, i int) int {
	j := strings.IndexByte(p[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}
