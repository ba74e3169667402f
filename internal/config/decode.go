package config

import (
	"bytes"
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file decodes a profile from the YAML node tree itself rather than through yaml.Decoder.Decode, for the
// sake of the messages: yaml.v3's decoder stops at the first structural mistake, names Go types ("field exclud
// not found in type config.opts") and, inside custom unmarshalers, reports lines relative to a re-encoded node.
// Walking the nodes keeps every key's own line and column, reports every mistake of a file at once, and says
// in words what was expected. The positions are kept (Config.marks) so that Validate's semantic problems point
// at their key too.

// Problem is one mistake in a profile, located at the key or value it is about. Line and Column are 1-based; 0
// means the position is unknown (a value set by a flag rather than by the file).
type Problem struct {
	Line, Column int
	// Path names the setting ("sources[2].packages[0].exclude"); it is how Validate's problems find their
	// position.
	Path    string
	Message string
}

// String renders "line L, column C: message", or just the message when the position is unknown.
func (p Problem) String() string {
	if p.Line == 0 {
		return p.Message
	}
	return fmt.Sprintf("line %d, column %d: %s", p.Line, p.Column, p.Message)
}

// ValidationError lists every problem found in a configuration, in file order.
type ValidationError struct {
	// File names the configuration: its path, or a description such as the embedded profile's name.
	File     string
	Problems []Problem
}

// Error renders one "FILE: line L, column C: message" line per problem.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = e.File + ": " + p.String()
	}
	return strings.Join(lines, "\n")
}

// mark is where a key or list item is.
type mark struct{ line, col int }

// decoder walks a node tree into Go values, collecting problems instead of stopping at the first.
type decoder struct {
	probs []Problem
	marks map[string]mark
}

// nodeDecoder is implemented by the types whose YAML form is not a plain struct, list or scalar.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node, path string)
}

func (d *decoder) problem(n *yaml.Node, path, format string, args ...any) {
	d.probs = append(d.probs, Problem{Line: n.Line, Column: n.Column, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (d *decoder) mark(path string, n *yaml.Node) {
	if _, ok := d.marks[path]; !ok {
		d.marks[path] = mark{n.Line, n.Column}
	}
}

// resolve follows aliases, so that an anchored value is checked where it is used.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe says what a node is, in words, for "must be X, not Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return strconv.Quote(v)
	}
	return "empty"
}

// label is how messages name the setting at path: its last key, or the list it is an item of.
func label(path string) string {
	if path == "" {
		return "the profile"
	}
	last := path[strings.LastIndexAny(path, ".")+1:]
	if i := strings.IndexByte(last, '['); i >= 0 {
		return "an entry of " + last[:i]
	}
	return last
}

var (
	nodeType        = reflect.TypeFor[yaml.Node]()
	nodeDecoderType = reflect.TypeFor[nodeDecoder]()
)

// decode stores n in v (addressable), reporting what does not fit.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if v.Type() == nodeType {
		v.Set(reflect.ValueOf(*n))
		return
	}
	if v.Addr().Type().Implements(nodeDecoderType) {
		if !isNull(n) {
			v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(n) {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.problem(n, path, "%s must be a list, not %s", label(path), describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.mark(p, item)
			d.decode(item, s.Index(i), p)
		}
		v.Set(s)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.problem(n, path, "%s must be a single value, not %s", label(path), describe(n))
			return
		}
		if !isNull(n) {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.problem(n, path, "%s must be true or false, not %s", label(path), describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.problem(n, path, "%s must be a whole number, not %s", label(path), describe(n))
			return
		}
		v.SetInt(i)
	default:
		// Every type of the schema is handled above; reaching here is a defect of this file, not bad input.
		panic(fmt.Sprintf("config: no YAML decoding for %s", v.Type()))
	}
}

// decodeStruct fills a struct from a mapping: each key is a field's yaml tag; unknown and repeated keys are
// problems at the key. A field Line (tag "-") receives the mapping's line, for later messages.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	what := nouns[v.Type()]
	if what == "" {
		what = label(path)
	}
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "%s must be a mapping (key: value lines), not %s", what, describe(n))
		return
	}
	fields := map[string]int{}
	var keys []string
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.Name == "Line" && tag == "-" {
			v.Field(i).SetInt(int64(n.Line))
		}
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		fields[tag] = i
		keys = append(keys, tag)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		p := join(path, k.Value)
		if k.Kind != yaml.ScalarNode {
			d.problem(k, path, "a key of %s must be a name, not %s", what, describe(k))
			continue
		}
		fi, ok := fields[k.Value]
		switch {
		case !ok:
			d.problem(k, p, "unknown key %q in %s%s", k.Value, what, suggest(k.Value, keys))
			continue
		case seen[k.Value]:
			d.problem(k, p, "key %q is given twice in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		d.mark(p, k)
		d.decode(val, v.Field(fi), p)
	}
}

// nouns name the mappings of the schema in messages.
var nouns = map[reflect.Type]string{
	reflect.TypeFor[Config]():          "the profile",
	reflect.TypeFor[Source]():          "a source",
	reflect.TypeFor[PrebuiltSource]():  "a prebuilt source",
	reflect.TypeFor[AdvisorySource]():  "the advisories entry",
	reflect.TypeFor[layoutOptions]():   "a package layout",
	reflect.TypeFor[excludeEntry]():    "an exclude",
	reflect.TypeFor[VersionPin]():      "a version pin",
	reflect.TypeFor[Condition]():       "a patch's when",
	reflect.TypeFor[Patch]():           "a patch",
	reflect.TypeFor[ExtraRef]():        "an extra ref",
	reflect.TypeFor[FileReplacement](): "a file replacement",
	reflect.TypeFor[ReplacementFile](): "a replaced file",
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest returns "; did you mean "x"?" for the known key closest to a mistyped one, or the list of keys.
func suggest(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := distance(key, k); d < bestD || (d == bestD && best != "" && k < best) {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; known keys: " + strings.Join(known, ", ")
}

// distance is the Levenshtein distance (keys are short ASCII words).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// syntaxProblem locates a YAML syntax error. yaml.v3 reports the line where the enclosing block starts (a bad
// indentation on line 7 of a list begun on line 2 says "line 2"), so the first line whose prefix of the file no
// longer parses is taken instead: that is where the mistake becomes visible.
func syntaxProblem(b []byte, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		msg = rest
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	var n yaml.Node
	for k := 1; k <= len(lines); k++ {
		if yaml.Unmarshal(bytes.Join(lines[:k], nil), &n) == nil {
			continue
		}
		line := lines[k-1]
		col := len(line) - len(bytes.TrimLeft(line, " ")) + 1
		return Problem{Line: k, Column: col, Message: "the YAML is malformed here (" + msg + "); check the indentation and quoting of this line and the one before"}
	}
	return Problem{Line: 1, Column: 1, Message: "the YAML is malformed (" + msg + ")"}
}

// decodeProfile decodes the document in root into c, returning the structural problems and the positions.
func decodeProfile(root *yaml.Node, c *Config) ([]Problem, map[string]mark) {
	d := &decoder{marks: map[string]mark{}}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	d.decode(doc, reflect.ValueOf(c).Elem(), "")
	return d.probs, d.marks
}

// at returns the position of the setting at path, or of its nearest ancestor in the file.
func (c *Config) at(path string) (mark, string) {
	for p := path; p != ""; {
		if m, ok := c.marks[p]; ok {
			return m, p
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return mark{}, ""
}

// sortProblems orders problems by position (unknown positions first: they come from flags) and drops repeats.
func sortProblems(ps []Problem) []Problem {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return slices.CompactFunc(ps, func(a, b Problem) bool { return a.Line == b.Line && a.Message == b.Message })
}

// covered reports whether a semantic problem at path is already explained by a structural one at or above it
// ("packages must be a list" makes "has no packages" noise).
func covered(path string, structural []Problem) bool {
	for _, s := range structural {
		if s.Path == "" {
			continue
		}
		if path == s.Path || strings.HasPrefix(path, s.Path+".") || strings.HasPrefix(path, s.Path+"[") {
			return true
		}
	}
	return false
}
