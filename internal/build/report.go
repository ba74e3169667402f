package build

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Severity classifies a problem.
type Severity string

// The severities: errors make the run exit 1; skips and conflicts are reported facts (the reference generator's
// behaviour, e.g. a module without a version), not failures; warnings are things a hoster should look at that
// did not stop anything from being published (a file left out of an archive, a fix that never applied).
const (
	SeverityError    Severity = "error"
	SeveritySkip     Severity = "skipped"
	SeverityConflict Severity = "conflict"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

// Problem is one reported issue, located as precisely as is known.
type Problem struct {
	Severity Severity `json:"severity"`
	Source   string   `json:"source,omitempty"`
	Tag      string   `json:"tag,omitempty"`
	Package  string   `json:"package,omitempty"`
	Version  string   `json:"version,omitempty"`
	Path     string   `json:"path,omitempty"`
	Message  string   `json:"message"`
}

// String renders "source S tag T: path P: package N V: message".
func (p Problem) String() string {
	var parts []string
	if p.Source != "" {
		parts = append(parts, "source "+p.Source)
	}
	if p.Tag != "" {
		parts = append(parts, "tag "+p.Tag)
	}
	loc := strings.Join(parts, " ")
	if p.Path != "" {
		loc = strings.TrimSpace(loc + " " + printablePath(p.Path))
	}
	if p.Package != "" {
		loc = strings.TrimSpace(loc + " (" + strings.TrimSpace(p.Package+" "+p.Version) + ")")
	}
	if loc == "" {
		return fmt.Sprintf("%s: %s", p.Severity, p.Message)
	}
	return fmt.Sprintf("%s: %s: %s", p.Severity, loc, p.Message)
}

// printablePath quotes a path holding control characters (an upstream file name can), so a report line never
// sends escape sequences to a terminal.
func printablePath(p string) string {
	if strings.IndexFunc(p, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 || !utf8.ValidString(p) {
		return strconv.Quote(p)
	}
	return p
}

// report collects problems from concurrent workers; a counted list rather than errors.Join over thousands.
type report struct {
	mu    sync.Mutex
	log   *slog.Logger
	probs []Problem
}

func newReport(log *slog.Logger) *report { return &report{log: log} }

func (r *report) add(p Problem) {
	r.mu.Lock()
	r.probs = append(r.probs, p)
	r.mu.Unlock()
	var attrs []any
	for _, kv := range [][2]string{{"source", p.Source}, {"tag", p.Tag}, {"package", p.Package}, {"version", p.Version}, {"path", p.Path}} {
		if kv[1] != "" {
			attrs = append(attrs, kv[0], kv[1])
		}
	}
	switch p.Severity {
	case SeverityError:
		r.log.Error(p.Message, attrs...)
	case SeverityConflict, SeveritySkip, SeverityWarning:
		r.log.Warn(p.Message, attrs...)
	default:
		r.log.Info(p.Message, attrs...)
	}
}

func (r *report) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.probs {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// sorted returns the problems in a deterministic order, whatever the scheduling.
func (r *report) sorted() []Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.probs)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Tag, b.Tag), cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Package, b.Package), cmp.Compare(a.Version, b.Version), cmp.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(out, func(a, b Problem) bool { return a == b })
}
