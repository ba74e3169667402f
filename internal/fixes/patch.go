package fixes

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mage-os/magerepo/internal/composer"
	"github.com/mage-os/magerepo/internal/config"
)

// ErrSectionMissing is returned (wrapped) by [Set.ApplyPatches] when a section-must-exist patch matches a
// document that lacks the section; the reference fails that package for that tag.
var ErrSectionMissing = errors.New("section missing")

type patch struct {
	config.Patch
	id   string
	cond string // the condition, for descriptions
}

func (s *Set) addPatches(ps []config.Patch) []error {
	var errs []error
	for i, p := range ps {
		cond, err := checkCondition(p.When)
		if err == nil {
			err = checkRemovals(p.Remove)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("fixes: patches[%d] (%s): %w", i, p.Package, err))
			continue
		}
		pt := &patch{Patch: p, cond: cond, id: fmt.Sprintf("patches[%d]: %s %s when %s", i, p.Source, p.Package, cond)}
		k := key(p.Source, p.Package)
		s.patches[k] = append(s.patches[k], pt)
		s.entries = append(s.entries, Fix{p.Source, pt.id})
	}
	return errs
}

// checkCondition validates a condition and returns its description.
func checkCondition(w config.Condition) (string, error) {
	switch {
	case w.Version != "":
		return fmt.Sprintf("version %s", w.Version), nil
	case len(w.Versions) > 0:
		for _, v := range w.Versions {
			if v == "" {
				return "", errors.New("when: versions holds an empty string")
			}
		}
		return fmt.Sprintf("versions %s", strings.Join(w.Versions, ", ")), nil
	case w.VersionPrefix != "":
		return fmt.Sprintf("version-prefix %s", w.VersionPrefix), nil
	case w.Prefix != "" && w.From != "":
		if _, err := CompareTags(w.From, w.From); err != nil {
			return "", fmt.Errorf("when: from: %w", err)
		}
		return fmt.Sprintf("prefix %s from %s", w.Prefix, w.From), nil
	}
	return "", errors.New("when: needs version, versions, version-prefix, or prefix with from")
}

func checkRemovals(paths []string) error {
	for _, r := range paths {
		if sec, k, ok := strings.Cut(r, "."); !ok || sec == "" || k == "" {
			return fmt.Errorf("remove: %q must be section.key", r)
		}
	}
	return nil
}

// matches reports whether the condition selects version.
func (p *patch) matches(version string) (bool, error) {
	w := p.When
	switch {
	case w.Version != "":
		return version == w.Version, nil
	case len(w.Versions) > 0:
		for _, v := range w.Versions {
			if v == version {
				return true, nil
			}
		}
		return false, nil
	case w.VersionPrefix != "":
		return strings.HasPrefix(version, w.VersionPrefix), nil
	}
	if !strings.HasPrefix(version, w.Prefix) {
		return false, nil
	}
	c, err := CompareTags(version, w.From)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", p.cond, err)
	}
	return c >= 0, nil
}

// ApplyPatches applies, in configuration order, the patches of (source, package name) whose condition matches
// the document's "version" (the package version after version selection and pins), and returns a description
// of each change made. A patch marked runs-for-every-version that does not match still adds each section it
// would write, empty, where the document lacks it (as the reference's function did). The error names the patch:
// a section-must-exist patch matching a document without the section ([ErrSectionMissing]), a section that is
// not an object, or a version a prefix+from condition cannot compare. On error the document may be half-patched;
// the package must not be built.
func (s *Set) ApplyPatches(source, name string, doc *composer.Object) ([]string, error) {
	ps := s.patches[key(source, name)]
	if len(ps) == 0 {
		return nil, nil
	}
	version, _ := doc.GetString("version")
	var applied []string
	for _, p := range ps {
		ok, err := p.matches(version)
		if err != nil {
			return applied, fmt.Errorf("fixes: %s: %w", p.id, err)
		}
		var desc string
		switch {
		case ok:
			desc, err = p.apply(doc)
			s.markUsed(p.id)
		case p.RunsForEveryVersion:
			desc, err = p.addEmptySections(doc)
		}
		if err != nil {
			return applied, fmt.Errorf("fixes: %s %s: %s: %w", name, version, p.id, err)
		}
		if desc != "" {
			applied = append(applied, desc)
		}
	}
	return applied, nil
}

// apply merges and removes, following the merge semantics of docs/fixes.md.
func (p *patch) apply(doc *composer.Object) (string, error) {
	var changes []string
	for _, sec := range p.Merge {
		obj, exists, err := section(doc, sec.Name)
		if err != nil {
			return "", err
		}
		if !exists {
			if p.SectionMustExist {
				return "", fmt.Errorf("%q: %w (section-must-exist)", sec.Name, ErrSectionMissing)
			}
			// A new section goes last among the top-level keys.
			obj = composer.NewObject()
			doc.Set(sec.Name, composer.ObjectValue(obj))
			changes = append(changes, "added "+sec.Name)
		}
		for _, kv := range sec.Entries {
			obj.SetString(kv.Key, kv.Value)
			changes = append(changes, fmt.Sprintf("%s.%s=%s", sec.Name, kv.Key, kv.Value))
		}
	}
	for _, r := range p.Remove {
		secName, k, _ := strings.Cut(r, ".")
		if obj, ok := doc.GetObject(secName); ok && obj.Has(k) {
			obj.Delete(k)
			changes = append(changes, "removed "+r)
		}
	}
	return fmt.Sprintf("%s: %s", p.id, strings.Join(changes, ", ")), nil
}

// addEmptySections is what a runs-for-every-version patch does for a version it does not select.
func (p *patch) addEmptySections(doc *composer.Object) (string, error) {
	var added []string
	for _, sec := range p.Merge {
		if p.SectionMustExist {
			break
		}
		if _, exists, err := section(doc, sec.Name); err != nil {
			return "", err
		} else if !exists {
			doc.Set(sec.Name, composer.ObjectValue(composer.NewObject()))
			added = append(added, "added empty "+sec.Name)
		}
	}
	if len(added) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%s (runs for every version): %s", p.id, strings.Join(added, ", ")), nil
}

// section returns the object under name. An empty array (how PHP writes an empty map) becomes an empty object
// in the same place, as JavaScript's object spread turns it into one; any other non-object is an error.
func section(doc *composer.Object, name string) (*composer.Object, bool, error) {
	v, ok := doc.Get(name)
	if !ok {
		return nil, false, nil
	}
	if obj, ok := v.Obj(); ok {
		return obj, true, nil
	}
	if arr, ok := v.Arr(); ok && len(arr) == 0 {
		obj := composer.NewObject()
		doc.Set(name, composer.ObjectValue(obj))
		return obj, true, nil
	}
	return nil, true, fmt.Errorf("section %q is not an object", name)
}
