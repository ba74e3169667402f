package advisory

import (
	"errors"
	"fmt"
	"time"

	"github.com/mage-os/magerepo/internal/composer"
)

// Served is an advisory as a repository serves it.
type Served struct {
	Advisory
	// Constraint is AffectedVersions, parsed by Composer's rules.
	Constraint composer.Constraint
}

// Affects reports whether the advisory affects a version (normalized), as Composer decides it: the affected
// versions match the constraint "== version".
func (s Served) Affects(normalized string) bool { return s.Constraint.Matches(normalized) }

// ParseServed reads the "security-advisories" list of a p2 file's body. present reports whether the file has
// the key (Composer then takes the list as this repository's answer for the package, empty or not). An entry
// that Composer 2.5 cannot read as a full advisory (an advisoryId, affectedVersions it can parse, a title,
// sources and a reportedAt) makes its audit fail; each is returned as an error and left out of list.
func ParseServed(body []byte) (list []Served, present bool, errs []error) {
	root, err := composer.ParseValue(body)
	if err != nil {
		return nil, false, nil // the p2 file itself is unreadable: reported by whoever reads its versions
	}
	doc, ok := root.Obj()
	if !ok {
		return nil, false, nil
	}
	v, ok := doc.Get("security-advisories")
	if !ok {
		return nil, false, nil
	}
	items, ok := v.Arr()
	if !ok {
		return nil, true, []error{errors.New(`"security-advisories" is not a list`)}
	}
	for i, item := range items {
		s, err := servedEntry(item)
		if err != nil {
			errs = append(errs, fmt.Errorf("security advisory %d%s: %w", i, s.label(), err))
			continue
		}
		list = append(list, s)
	}
	return list, true, errs
}

// label names an entry in messages by its id, when it has one.
func (s Served) label() string {
	if s.ID == "" {
		return ""
	}
	return " (" + s.ID + ")"
}

func servedEntry(v *composer.Value) (Served, error) {
	var s Served
	o, ok := v.Obj()
	if !ok {
		return s, errors.New("not an object")
	}
	str := func(key string, required bool) (string, error) {
		f, ok := o.Get(key)
		if !ok || f.Kind() == composer.Null {
			if required {
				return "", fmt.Errorf("no %s", key)
			}
			return "", nil
		}
		x, ok := f.Str()
		if !ok {
			return "", fmt.Errorf("%s is not a string", key)
		}
		return x, nil
	}
	var err error
	if s.ID, err = str("advisoryId", true); err != nil {
		return s, err
	}
	if s.AffectedVersions, err = str("affectedVersions", true); err != nil {
		return s, err
	}
	if s.Constraint, err = composer.ParseConstraint(s.AffectedVersions); err != nil {
		return s, fmt.Errorf("affectedVersions: %w", err)
	}
	s.Package, _ = str("packageName", false)
	if s.Title, err = str("title", true); err != nil {
		return s, err
	}
	if s.CVE, err = str("cve", false); err != nil {
		return s, err
	}
	if s.Link, err = str("link", false); err != nil {
		return s, err
	}
	if s.ReportedAt, err = str("reportedAt", true); err != nil {
		return s, err
	}
	if !readableTime(s.ReportedAt) {
		return s, fmt.Errorf("reportedAt %q is not a date and time", s.ReportedAt)
	}
	srcs, ok := o.Get("sources")
	if !ok || srcs.Kind() == composer.Null {
		return s, errors.New("no sources")
	}
	list, ok := srcs.Arr()
	if !ok || len(list) == 0 {
		return s, errors.New("sources is not a list of sources")
	}
	for _, sv := range list {
		so, ok := sv.Obj()
		if !ok {
			return s, errors.New("a source is not an object")
		}
		name, _ := so.GetString("name")
		rid, _ := so.GetString("remoteId")
		if name == "" || rid == "" {
			return s, errors.New("a source has no name or remoteId")
		}
		s.Sources = append(s.Sources, Source{Name: name, RemoteID: rid})
	}
	return s, nil
}

// readableTime accepts the forms of a date and time that repositories write ([TimeLayout], RFC 3339, a date);
// PHP's DateTimeImmutable reads them all.
func readableTime(s string) bool {
	for _, layout := range []string{TimeLayout, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
