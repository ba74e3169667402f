package advisory

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mage-os/magerepo/internal/composer"
)

// Error is an advisory file that was left out, and why.
type Error struct {
	// Path is the file's path in the database ("acme/lib/CVE-2024-0001.yaml").
	Path string
	// Package is the package the file is about: its reference, or its directory when the reference is unusable.
	Package string
	Err     error
}

func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// maxFileSize caps one advisory file; the database's largest is a few KiB.
const maxFileSize = 1 << 20

// Read reads the advisories of the packages named in names (Composer names, any case) from fsys, a tree in
// the layout of FriendsOfPHP/security-advisories: <vendor>/<name>/<file>.yaml, directories starting with "."
// ignored. The package an advisory is about is its reference (composer://vendor/name), as Packagist reads it;
// only the directories of the names' vendors are read. Files about other packages are skipped silently; a file
// about one of names that cannot be used is left out and returned as an [*Error]. The error is set when fsys
// cannot be read.
//
// Each advisory gets, as Packagist derives them: affectedVersions, the versions of each branch joined with ","
// and the branches, in file order, joined with "|"; reportedAt, the date in the file name (YYYY-MM-DD), else the
// earliest branch time, else January 1 of the year of a CVE-YYYY-… file name (these three as Packagist has
// them), else January 1 of a year the file name holds ("SS-2015-013-1.yaml": Packagist takes the day it first
// read the file, which no later run can reproduce); cve only when it is a CVE id.
func Read(fsys fs.FS, names []string) (*DB, []*Error, error) {
	want := map[string]bool{}
	vendors := map[string]bool{}
	for _, n := range names {
		n = strings.ToLower(n)
		want[n] = true
		if v, _, ok := strings.Cut(n, "/"); ok {
			vendors[v] = true
		}
	}
	top, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("advisory: %w", err)
	}
	byName := map[string][]Advisory{}
	var probs []*Error
	for _, v := range top {
		if !v.IsDir() || hidden(v.Name()) || !vendors[strings.ToLower(v.Name())] {
			continue
		}
		pkgs, err := fs.ReadDir(fsys, v.Name())
		if err != nil {
			return nil, nil, fmt.Errorf("advisory: %w", err)
		}
		for _, p := range pkgs {
			if !p.IsDir() || hidden(p.Name()) {
				continue
			}
			dir := path.Join(v.Name(), p.Name())
			files, err := fs.ReadDir(fsys, dir)
			if err != nil {
				return nil, nil, fmt.Errorf("advisory: %w", err)
			}
			for _, f := range files {
				if f.IsDir() || hidden(f.Name()) || !strings.HasSuffix(f.Name(), ".yaml") {
					continue
				}
				rel := path.Join(dir, f.Name())
				b, err := readFile(fsys, rel)
				if err != nil {
					return nil, nil, fmt.Errorf("advisory: %w", err)
				}
				a, err := parseFile(rel, b)
				pkg := a.Package
				if pkg == "" {
					pkg = strings.ToLower(dir)
				}
				switch {
				case !want[pkg]:
				case err != nil:
					probs = append(probs, &Error{Path: rel, Package: pkg, Err: err})
				default:
					byName[pkg] = append(byName[pkg], a)
				}
			}
		}
	}
	slices.SortFunc(probs, func(a, b *Error) int { return strings.Compare(a.Path, b.Path) })
	return NewDB(byName), probs, nil
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%s: more than %d bytes, more than an advisory file may have", name, maxFileSize)
	}
	return b, nil
}

var (
	fileDate = regexp.MustCompile(`(\d{4}-\d{2}-\d{2})`)
	fileCVE  = regexp.MustCompile(`CVE-(2\d{3})-\d`)
	fileYear = regexp.MustCompile(`(?:^|[^0-9])((?:19|20)\d{2})(?:[^0-9]|$)`)
	validCVE = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)
)

// parseFile reads one advisory file. The returned advisory has its Package set whenever the reference could be
// read, also when err is set.
func parseFile(rel string, b []byte) (Advisory, error) {
	a := Advisory{Sources: []Source{{Name: FriendsOfPHP, RemoteID: rel}}, ID: idFor(rel)}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return a, fmt.Errorf("not YAML: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return a, errors.New("not a YAML mapping")
	}
	m := doc.Content[0]
	ref, _ := scalar(m, "reference")
	name, ok := strings.CutPrefix(ref, "composer://")
	if !ok {
		return a, fmt.Errorf("reference %q is not composer://vendor/name", ref)
	}
	name = strings.ToLower(name) // Composer's names are case-insensitive
	if err := composer.ValidatePackageName(name); err != nil {
		return a, fmt.Errorf("reference %q: %w", ref, err)
	}
	a.Package = name
	if a.Title, _ = scalar(m, "title"); strings.TrimSpace(a.Title) == "" {
		return a, errors.New("no title")
	}
	a.Link, _ = scalar(m, "link")
	if cve, _ := scalar(m, "cve"); validCVE.MatchString(cve) {
		a.CVE = cve
	}
	branches := value(m, "branches")
	if branches == nil || branches.Kind != yaml.MappingNode || len(branches.Content) == 0 {
		return a, errors.New("no branches")
	}
	var groups []string
	var earliest time.Time
	for i := 0; i+1 < len(branches.Content); i += 2 {
		bname, br := branches.Content[i].Value, branches.Content[i+1]
		if br.Kind != yaml.MappingNode {
			return a, fmt.Errorf("branch %q is not a mapping", bname)
		}
		vs := value(br, "versions")
		if vs == nil || vs.Kind != yaml.SequenceNode || len(vs.Content) == 0 {
			return a, fmt.Errorf("branch %q has no versions list", bname)
		}
		parts := make([]string, len(vs.Content))
		for j, v := range vs.Content {
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				return a, fmt.Errorf("branch %q: a version constraint is not a string", bname)
			}
			parts[j] = v.Value
		}
		groups = append(groups, strings.Join(parts, ","))
		if t, ok := branchTime(value(br, "time")); ok && (earliest.IsZero() || t.Before(earliest)) {
			earliest = t
		}
	}
	a.AffectedVersions = strings.Join(groups, "|")
	if _, err := composer.ParseConstraint(a.AffectedVersions); err != nil {
		return a, fmt.Errorf("affected versions %q: Composer cannot parse them (one such advisory fails every audit of Composer 2.5)", a.AffectedVersions)
	}
	base := path.Base(rel)
	reported, ok := time.Time{}, false
	if d := fileDate.FindString(base); d != "" {
		reported, ok = parseTime("2006-01-02", d)
	}
	if !ok && !earliest.IsZero() {
		reported, ok = earliest, true
	}
	if !ok {
		if y := fileCVE.FindStringSubmatch(base); y != nil {
			reported, ok = parseTime("2006", y[1])
		}
	}
	if !ok {
		if y := fileYear.FindStringSubmatch(base); y != nil {
			reported, ok = parseTime("2006", y[1])
		}
	}
	if !ok {
		return a, errors.New("no date: neither the file name nor a branch time says when it was reported")
	}
	a.ReportedAt = reported.UTC().Format(TimeLayout)
	return a, nil
}

// value returns the value of key in mapping m, or nil.
func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			for v.Kind == yaml.AliasNode && v.Alias != nil {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}

// scalar returns the string of key in m; null and non-scalars are "".
func scalar(m *yaml.Node, key string) (string, bool) {
	v := value(m, key)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return "", false
	}
	return strings.TrimSpace(v.Value), true
}

// branchTime reads a branch's time: a date and time in UTC ("2012-08-27 19:17:44", also ISO 8601 with a zone,
// or a date alone), or a Unix time stamp; null or anything else is no time.
func branchTime(v *yaml.Node) (time.Time, bool) {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return time.Time{}, false
	}
	s := strings.TrimSpace(v.Value)
	if v.Tag == "!!int" {
		n, err := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).UTC(), err == nil && n > 0
	}
	for _, layout := range []string{"2006-01-02 15:04:05", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02"} {
		if t, ok := parseTime(layout, s); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseTime(layout, s string) (time.Time, bool) {
	t, err := time.ParseInLocation(layout, s, time.UTC)
	return t, err == nil
}
