package composer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DefaultBranchAlias is VersionParser::DEFAULT_BRANCH_ALIAS, the alias of a default branch without a numeric
// branch alias.
const DefaultBranchAlias = "9999999-dev"

// Version is one package version as the Composer client loads it from repository metadata.
type Version struct {
	// Name is the lower-cased package name; PrettyName is the name as written.
	Name, PrettyName string
	// Version is the version as written (a number cast to a string); Normalized is the normalized version the
	// client uses: version_normalized when the entry has it, else Composer's normalization of Version.
	Version, Normalized string
	// Type is the lower-cased package type ("library" when absent or empty, as Package::getType has it).
	Type string
	// Links are the entries of the link sections (see [ReadLinks]).
	Links []Link
	// Dist and Source are the entry's dist and source, nil when absent.
	Dist, Source *Ref
	// BranchAlias is the normalized branch alias of a dev version, "" when it has none.
	BranchAlias string
}

// Ref is a dist or source of a version.
type Ref struct {
	Type, URL, Reference, Shasum string
}

// LinksOf returns the version's links of one section.
func (v *Version) LinksOf(typ string) []Link {
	var out []Link
	for _, l := range v.Links {
		if l.Type == typ {
			out = append(out, l)
		}
	}
	return out
}

// LoadVersion loads one (expanded) version entry of Composer repository metadata as the Composer client does:
// ComposerRepository's version_normalized handling, then ArrayLoader::loadPackages, under Composer's
// ErrorHandler, which turns every PHP warning into an exception, with the type checks of strict_types. It
// returns an error exactly when the client fails to load the entry, and one such entry makes the client fail
// on the whole package, so nothing that fails here may be published. It checks what the loader reads: name,
// version, version_normalized, the link sections, type, dist, source, the branch alias, and the type of every
// other field the loader passes to a typed setter. Stricter rules of a repository's own (the name matching its
// file, a valid package name) are the caller's.
func LoadVersion(doc *Object) (*Version, error) {
	v := &Version{}
	if err := v.loadIdentity(doc); err != nil {
		return nil, err
	}
	links, linkErr := ReadLinks(doc, v.Name, v.Version)
	v.Links = links
	errs := []error{linkErr}
	errs = append(errs, v.loadRefs(doc)...)
	errs = append(errs, checkFieldTypes(doc)...)
	alias, err := branchAlias(doc, v.Version)
	errs = append(errs, err)
	v.BranchAlias = alias
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return v, nil
}

// loadIdentity reads name, version, version_normalized and type.
func (v *Version) loadIdentity(doc *Object) error {
	nv, ok := phpIsset(doc, "name")
	if !ok {
		return errors.New("the version has no name")
	}
	name, ok := nv.Str()
	if !ok {
		return errors.New("name is not a string")
	}
	v.PrettyName, v.Name = name, asciiLower(name)
	if err := v.loadVersion(doc); err != nil {
		return err
	}
	v.Type = "library"
	if tv, ok := phpIsset(doc, "type"); ok {
		t, isStr := tv.Str()
		if !isStr {
			return errors.New("type is not a string")
		}
		v.Type = asciiLower(t)
	}
	if v.Type == "" || v.Type == "0" {
		v.Type = "library" // Package::getType: $this->type ?: 'library'
	}
	return nil
}

// loadVersion follows ComposerRepository (which normalizes the version when version_normalized is absent or the
// default-branch alias; VersionParser::normalize casts what it gets to a string), isVersionAcceptable (which
// concatenates version_normalized into a string, so an array fails) and ArrayLoader::createObject (which casts
// a scalar version to a string and takes a string version_normalized as it is).
func (v *Version) loadVersion(doc *Object) error {
	raw, ok := phpIsset(doc, "version")
	if !ok {
		return errors.New("the version has no version")
	}
	pretty, scalar := phpScalarString(raw)
	if !scalar {
		return errors.New("version is not a string")
	}
	v.Version = pretty
	if norm, ok := phpIsset(doc, "version_normalized"); ok {
		if isPHPArray(norm) {
			return errors.New("version_normalized is not a string")
		}
		if s, isStr := norm.Str(); isStr && s != DefaultBranchAlias {
			v.Normalized = s
			return nil
		}
	}
	n, err := NormalizeVersion(pretty)
	if err != nil {
		return fmt.Errorf("version %q: %w", pretty, err)
	}
	v.Normalized = n
	return nil
}

// loadRefs reads dist and source as ArrayLoader::configureObject does: an object with a non-null type and url
// (and reference, for a source), string type, url and shasum, a reference that casts to a string, a mirrors
// array.
func (v *Version) loadRefs(doc *Object) []error {
	var errs []error
	var err error
	if v.Dist, err = loadRef(doc, "dist", []string{"type", "url"}); err != nil {
		errs = append(errs, err)
	}
	if v.Source, err = loadRef(doc, "source", []string{"type", "url", "reference"}); err != nil {
		errs = append(errs, err)
	}
	return errs
}

func loadRef(doc *Object, key string, required []string) (*Ref, error) {
	rv, ok := phpIsset(doc, key)
	if !ok {
		return nil, nil
	}
	obj, isObj := rv.Obj()
	if !isObj {
		return nil, fmt.Errorf("%s is not an object with %s", key, strings.Join(required, ", "))
	}
	for _, k := range required {
		if _, set := phpIsset(obj, k); !set {
			return nil, fmt.Errorf("%s has no %s", key, k)
		}
	}
	r := &Ref{}
	strs := []struct {
		key string
		dst *string
	}{{"type", &r.Type}, {"url", &r.URL}}
	if key == "dist" { // the loader reads a dist's shasum, not a source's
		strs = append(strs, struct {
			key string
			dst *string
		}{"shasum", &r.Shasum})
	}
	for _, f := range strs {
		fv, set := phpIsset(obj, f.key)
		if !set {
			continue
		}
		s, isStr := fv.Str()
		if !isStr {
			return nil, fmt.Errorf("%s %s is not a string", key, f.key)
		}
		*f.dst = s
	}
	if ref, set := phpIsset(obj, "reference"); set {
		s, castable := phpScalarString(ref)
		if !castable {
			return nil, fmt.Errorf("%s reference is not a string", key)
		}
		r.Reference = s
	}
	if m, set := phpIsset(obj, "mirrors"); set && !isPHPArray(m) {
		return nil, fmt.Errorf("%s mirrors is not a list", key)
	}
	return r, nil
}

// fieldRule is what the loader demands of one optional field when it reads it.
type fieldRule struct {
	key   string
	when  func(*Value) bool // the loader reads the field (isset, or !empty)
	valid func(*Value) bool
	want  string
}

var (
	isString    = func(v *Value) bool { return v.Kind() == String }
	isSet       = func(*Value) bool { return true }
	notEmpty    = func(v *Value) bool { return !phpEmpty(v) }
	isArrayType = isPHPArray
)

// fieldRules are the typed setters of ArrayLoader::configureObject (strict_types: a wrong type is a TypeError).
var fieldRules = []fieldRule{
	{"target-dir", isSet, isString, "a string"},
	{"installation-source", isSet, isString, "a string"},
	{"autoload", isSet, isArrayType, "an object"},
	{"autoload-dev", isSet, isArrayType, "an object"},
	{"include-path", isSet, isArrayType, "a list"},
	{"support", isSet, isArrayType, "an object"},
	{"time", notEmpty, isString, "a string"},
	{"notification-url", notEmpty, isString, "a string"},
	{"bin", isSet, func(v *Value) bool { return allElements(v, isString) }, "a string or a list of strings"},
	{"suggest", isArrayType, func(v *Value) bool { return allElements(v, isString) }, "an object of strings"},
	{"keywords", func(v *Value) bool { return notEmpty(v) && isPHPArray(v) },
		func(v *Value) bool { return allElements(v, phpCastable) }, "a list of strings"},
}

// checkFieldTypes applies fieldRules and the archive rules.
func checkFieldTypes(doc *Object) []error {
	var errs []error
	for _, r := range fieldRules {
		v, ok := doc.Get(r.key)
		if !ok || v.Kind() == Null || !r.when(v) {
			continue
		}
		if !r.valid(v) {
			errs = append(errs, fmt.Errorf("%s is not %s", r.key, r.want))
		}
	}
	if a, ok := doc.GetObject("archive"); ok {
		if n, ok := a.Get("name"); ok && !phpEmpty(n) && !isString(n) {
			errs = append(errs, errors.New("archive name is not a string"))
		}
		if x, ok := a.Get("exclude"); ok && !phpEmpty(x) && !isPHPArray(x) {
			errs = append(errs, errors.New("archive exclude is not a list"))
		}
	}
	return errs
}

// allElements reports whether v (a scalar standing for a one-element list, or an array) has only elements
// that pass ok.
func allElements(v *Value, ok func(*Value) bool) bool {
	if !isPHPArray(v) {
		return ok(v)
	}
	_, vals := phpEntries(v)
	for _, e := range vals {
		if !ok(e) {
			return false
		}
	}
	return true
}

// numericAliasPrefix is VersionParser::parseNumericAliasPrefix's pattern.
var numericAliasPrefix = regexp.MustCompile(`(?i)^((?:\d+\.)*\d+)(?:\.x)?-dev$`)

// branchAlias is ArrayLoader::getBranchAlias: for a dev version, the first extra.branch-alias entry that maps
// this version to a numeric "-dev" branch, else the default-branch alias.
func branchAlias(doc *Object, version string) (string, error) {
	if !strings.HasPrefix(version, "dev-") && !strings.HasSuffix(version, "-dev") {
		return "", nil
	}
	if extra, ok := doc.GetObject("extra"); ok {
		if ba, ok := extra.Get("branch-alias"); ok && isPHPArray(ba) {
			keys, vals := phpEntries(ba)
			for i, src := range keys {
				alias, err := aliasEntry(version, src, vals[i])
				if alias != "" || err != nil {
					return alias, err
				}
			}
		}
	}
	if db, ok := doc.Get("default-branch"); ok {
		if b, isBool := db.Bool(); isBool && b && !numericAliasPrefix.MatchString(version) {
			return DefaultBranchAlias, nil
		}
	}
	return "", nil
}

// aliasEntry checks one branch-alias entry; "" means it does not apply.
func aliasEntry(version, source string, tv *Value) (string, error) {
	target, ok := tv.Str()
	if !ok {
		return "", fmt.Errorf("extra branch-alias %s is not a string", source)
	}
	if !strings.HasSuffix(target, "-dev") {
		return "", nil
	}
	validated := DefaultBranchAlias
	if target != DefaultBranchAlias {
		n, numeric := normalizeNumericBranch(strings.TrimSuffix(target, "-dev"))
		if !numeric {
			// normalizeBranch gives "dev-<name>", an alias only if that ends in "-dev" too.
			n = "dev-" + strings.Trim(strings.TrimSuffix(target, "-dev"), phpTrimSet)
		}
		validated = n
	}
	if !strings.HasSuffix(validated, "-dev") || asciiLower(version) != asciiLower(source) {
		return "", nil
	}
	sp, tp := numericAliasPrefix.FindStringSubmatch(source), numericAliasPrefix.FindStringSubmatch(target)
	if sp != nil && tp != nil && !hasPrefixASCIIFold(tp[1]+".", sp[1]+".") {
		return "", nil
	}
	return validated, nil
}
