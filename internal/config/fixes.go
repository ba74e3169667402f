package config

import (
	"go.yaml.in/yaml/v3"
)

// KV is one key and string value of an ordered map.
type KV struct{ Key, Value string }

// StringMap is a YAML mapping of strings whose order is kept (composer.json key order depends on it).
type StringMap []KV

// decodeNode decodes a mapping of scalars in document order.
func (m *StringMap) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "%s must be a mapping of names to values, not %s", label(path), describe(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		p := join(path, k.Value)
		d.mark(p, k)
		if v.Kind != yaml.ScalarNode {
			d.problem(v, p, "the value of %q must be a single value, not %s", k.Value, describe(v))
			continue
		}
		*m = append(*m, KV{k.Value, v.Value})
	}
}

// Get returns the value of key.
func (m StringMap) Get(key string) (string, bool) {
	for _, kv := range m {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// Section is one section of a patch's merge: a composer.json key and the entries assigned in it.
type Section struct {
	Name    string
	Entries StringMap
}

// Merge is an ordered list of sections.
type Merge []Section

// decodeNode decodes section -> {key: value} keeping both orders.
func (m *Merge) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "merge must be a mapping of composer.json sections (such as require:), not %s", describe(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		p := join(path, k.Value)
		d.mark(p, k)
		var s StringMap
		s.decodeNode(d, resolve(n.Content[i+1]), p)
		*m = append(*m, Section{Name: k.Value, Entries: s})
	}
}

// VersionPin sets package versions for one tag of one source (the reference's fixVersions).
type VersionPin struct {
	Source   string    `yaml:"source"`
	Tag      string    `yaml:"tag"`
	Pins     StringMap `yaml:"pins"`
	Prebuilt []string  `yaml:"prebuilt"`
	Why      string    `yaml:"why"`
}

// Condition selects the package versions a patch applies to; exactly one form is set.
type Condition struct {
	Version       string   `yaml:"version"`
	Versions      []string `yaml:"versions"`
	VersionPrefix string   `yaml:"version-prefix"`
	Prefix        string   `yaml:"prefix"`
	From          string   `yaml:"from"`
}

// Patch changes the composer.json of one package for the versions its condition selects.
type Patch struct {
	Source              string    `yaml:"source"`
	Package             string    `yaml:"package"`
	When                Condition `yaml:"when"`
	Merge               Merge     `yaml:"merge"`
	Remove              []string  `yaml:"remove"`
	SectionMustExist    bool      `yaml:"section-must-exist"`
	RunsForEveryVersion bool      `yaml:"runs-for-every-version"`
	PrebuiltVersions    []string  `yaml:"prebuilt-versions"`
	Why                 string    `yaml:"why"`
	Note                string    `yaml:"note"`
}

// ExtraRef builds a commit as if it were tagged Release (a release upstream never tagged).
type ExtraRef struct {
	Source  string `yaml:"source"`
	Commit  string `yaml:"commit"`
	Release string `yaml:"release"`
	Why     string `yaml:"why"`
}

// FileReplacement replaces files in one package version with the released bytes.
type FileReplacement struct {
	Source  string            `yaml:"source"`
	Package string            `yaml:"package"`
	Version string            `yaml:"version"`
	Files   []ReplacementFile `yaml:"files"`
	Why     string            `yaml:"why"`
}

// ReplacementFile is one replaced file: Path in the package, and its bytes, either in a file Data (relative to
// the configuration's data directory) or inline as Content (a YAML literal block), with their size and SHA-256
// for checking.
//
// After Parse, an inline Content has been moved into the configuration: Data names it (see [InlineName]) and
// [DataFS] serves it, so the fixes read both forms the same way, and Content is "".
type ReplacementFile struct {
	Path    string `yaml:"path"`
	Data    string `yaml:"data"`
	Content string `yaml:"content"`
	Bytes   int64  `yaml:"bytes"`
	SHA256  string `yaml:"sha256"`
}
