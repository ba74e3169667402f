package composer

import (
	"errors"
	"fmt"
)

// LinkTypes are the link sections of a package, in the order of BasePackage::$supportedLinkTypes. "suggest" is
// no link section: its values are free text.
var LinkTypes = []string{"require", "conflict", "provide", "replace", "require-dev"}

// SelfVersion is the constraint that stands for the linking package's own version.
const SelfVersion = "self.version"

// Link is one entry of a link section.
type Link struct {
	// Type is the section: one of [LinkTypes].
	Type string
	// Target is the linked package name, lower-cased as Composer keys links.
	Target string
	// Constraint is the constraint as written; "self.version" is kept.
	Constraint string
	// Parsed is the parsed constraint, with self.version resolved to the package's version.
	Parsed Constraint
}

// LinkError is a link section or entry that Composer's loader fails on.
type LinkError struct {
	Type   string // the section
	Target string // the entry's key; "" when the section itself is wrong
	Reason string
}

func (e *LinkError) Error() string {
	if e.Target == "" {
		return fmt.Sprintf("%s: %s", e.Type, e.Reason)
	}
	return fmt.Sprintf("%s %s: %s", e.Type, e.Target, e.Reason)
}

// ReadLinks reads the link sections of package document doc, whose lower-cased name is name and whose version
// is version (as written), the way the Composer client reads repository metadata
// (ArrayLoader::configureCachedLinks, under Composer's ErrorHandler, which turns PHP warnings into
// exceptions). A section that is null or absent has no links; any other non-array value is an error. In a
// section, a key that PHP decodes as an integer (a list's index, or "123") is an error, as is a constraint that
// is not a string or does not parse; "self.version" exactly (no spaces) stands for version. The loader looks
// other constraints up in its link cache by the array key PHP makes of them, so a 1, 1.5 or true that follows
// "1" for the same target takes that link and is no error. A link to the package itself is dropped unread.
// Targets are lower-cased; of two that lower-case alike the later wins, in the earlier's place. All errors are
// returned joined, links in section order.
func ReadLinks(doc *Object, name, version string) ([]Link, error) {
	var links []Link
	var errs []error
	for _, typ := range LinkTypes {
		sec, ok := phpIsset(doc, typ)
		if !ok {
			continue
		}
		if !isPHPArray(sec) {
			errs = append(errs, &LinkError{Type: typ, Reason: "is not an object"})
			continue
		}
		ls, err := readSection(typ, sec, name, version)
		links = append(links, ls...)
		errs = append(errs, err...)
	}
	return links, errors.Join(errs...)
}

func readSection(typ string, sec *Value, name, version string) ([]Link, []error) {
	var out []Link
	var errs []error
	at := map[string]int{} // target -> index in out
	// The loader's link cache ($linkCache[$name][$type][$target][$constraint]): a constraint is looked up by the
	// array key PHP makes of it, so a later 1 or true finds the link an earlier "1" for the same target made
	// and is not parsed (nor rejected for not being a string). "self.version" links are not cached.
	cache := map[[2]string]Link{}
	keys, vals := phpEntries(sec)
	for i, key := range keys {
		if phpIntKey(key) {
			errs = append(errs, &LinkError{Type: typ, Target: key, Reason: "the package name is a number (is the section a list?)"})
			continue
		}
		target := asciiLower(key)
		if target == name {
			continue // "recursive links are not supported": the client skips them
		}
		var l Link
		var err error
		if s, ok := vals[i].Str(); ok && s == SelfVersion {
			l, err = parseLink(typ, target, vals[i], version)
		} else {
			ck, keyable := phpArrayKey(vals[i])
			var hit bool
			if l, hit = cache[[2]string{target, ck}]; !keyable || !hit {
				if l, err = parseLink(typ, target, vals[i], version); err == nil {
					cache[[2]string{target, ck}] = l
				}
			}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if j, dup := at[target]; dup {
			out[j] = l
			continue
		}
		at[target] = len(out)
		out = append(out, l)
	}
	return out, errs
}

func parseLink(typ, target string, v *Value, version string) (Link, error) {
	s, ok := v.Str()
	if !ok {
		return Link{}, &LinkError{Type: typ, Target: target, Reason: "constraint is not a string"}
	}
	expr := s
	if s == SelfVersion {
		expr = version
	}
	c, err := ParseConstraint(expr)
	if err != nil {
		return Link{}, &LinkError{Type: typ, Target: target, Reason: fmt.Sprintf("invalid constraint %q: %v", s, err)}
	}
	return Link{Type: typ, Target: target, Constraint: s, Parsed: c}, nil
}
