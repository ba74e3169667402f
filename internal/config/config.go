// Package config defines magerepo's YAML configuration (a "profile"): which git repositories are built, how
// their trees become packages, and the upstream fixes applied on the way. See docs/config.md for every key.
//
// Decoding is strict: unknown keys, wrong types and missing required fields are errors that name the file and
// line, so a typo never silently changes what is published.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is one profile.
type Config struct {
	// Name describes the repository (shown in index.html).
	Name string `yaml:"name"`
	// BaseURL is the public URL the repository is served at; dist URLs and metadata-url derive from it.
	BaseURL string `yaml:"base-url"`
	// ArchiveFormat is "mageos" (byte-identical to the reference generator) or "deflate".
	ArchiveFormat string `yaml:"archive-format"`
	// DistDir is the directory under the output that holds archives ("dist" unless set).
	DistDir string `yaml:"dist-dir"`
	// Vendor is the vendor of the packages a profile builds; informational.
	Vendor string `yaml:"vendor"`
	// Sources are the git repositories, in build order.
	Sources []Source `yaml:"sources"`
	// ReleaseMetadata is the source of released composer.json files per release (Magento profiles).
	ReleaseMetadata *Source `yaml:"release-metadata"`
	// PrebuiltSources are git repositories (or directories) that hold ready-made zips, published verbatim.
	PrebuiltSources []PrebuiltSource `yaml:"prebuilt-sources"`
	// Prebuilt lists directories of ready-made zips, published verbatim.
	Prebuilt []string `yaml:"prebuilt"`
	// VersionPins, Patches, ExtraRefs and FileReplacements are upstream fixes, as data (docs/fixes.md).
	VersionPins      []VersionPin      `yaml:"version-pins"`
	Patches          []Patch           `yaml:"patches"`
	ExtraRefs        []ExtraRef        `yaml:"extra-refs"`
	FileReplacements []FileReplacement `yaml:"file-replacements"`
	// NotInMirror records repositories a profile knows but does not build (kept so profiles round-trip).
	NotInMirror []Source `yaml:"not-in-mirror"`
	// Rules are documented facts about the profile; the engine does not read them.
	Rules []yaml.Node `yaml:"rules"`

	// File is the path the configuration was read from ("" for an embedded profile).
	File string `yaml:"-"`
	// DataDir resolves relative data paths (file replacements, prebuilt dirs).
	DataDir string `yaml:"-"`
}

// Source is one git repository.
type Source struct {
	Name string `yaml:"name"`
	// URL is a git URL; Path a local repository (bare or not). Exactly one is set.
	URL  string `yaml:"url"`
	Path string `yaml:"path"`
	// From is the first tag to build, in Composer version order (inclusive).
	From string `yaml:"from"`
	// VersionFromTag gives packages without a composer.json version the tag's version.
	VersionFromTag bool `yaml:"version-from-tag"`
	// Branches are extra branches to fetch (never all branches, never refs/pull).
	Branches []string `yaml:"branches"`
	// Packages are the layout entries, in build order.
	Packages []Layout `yaml:"packages"`
	// Line is where the source is defined, for error messages.
	Line int `yaml:"-" json:"-"`
}

// Location returns the URL or path of the source.
func (s Source) Location() string {
	if s.URL != "" {
		return s.URL
	}
	return s.Path
}

// PrebuiltSource is a repository whose directory Dir holds prebuilt zips (every *.zip below it), read at one
// branch without a checkout, like the release metadata.
type PrebuiltSource struct {
	// Name identifies the source in messages; --sources-dir reads it from DIR/<name>.
	Name string `yaml:"name"`
	// URL is a git URL; Path a local repository (bare or not) or a plain directory. Exactly one is set.
	URL  string `yaml:"url"`
	Path string `yaml:"path"`
	// Branch is the branch read; "" means main for a remote repository and HEAD for a local one.
	Branch string `yaml:"branch"`
	// Dir is the repository-relative directory of the zips ("" = the root).
	Dir string `yaml:"dir"`
	// Line is where the entry is defined, for error messages.
	Line int `yaml:"-" json:"-"`
}

// Location returns the URL or path of the prebuilt source.
func (s PrebuiltSource) Location() string {
	if s.URL != "" {
		return s.URL
	}
	return s.Path
}

// LayoutKind names how a layout entry turns a tree into packages.
type LayoutKind string

// The layout kinds.
const (
	EachDir          LayoutKind = "each-dir"          // every immediate sub-directory is a package
	Dir              LayoutKind = "dir"               // the directory is one package
	MetapackageDir   LayoutKind = "metapackage-dir"   // the directory's composer.json alone is a package
	MagentoBase      LayoutKind = "magento-base"      // magento/magento2-base (rules in internal/magento)
	ExtraMetapackage LayoutKind = "extra-metapackage" // product/project-community-edition from the root composer.json
)

// Layout is one entry of a source's packages list.
type Layout struct {
	Kind LayoutKind
	// Dir is the directory (repository-relative, "" = root) or, for extra metapackages, the package name
	// without vendor.
	Dir     string
	Exclude []Exclude
	// EmptyDirs are directory entries added to the archive (mode 755).
	EmptyDirs []string `yaml:"empty-dirs"`
	// ComposerJSON names where the package's composer.json comes from ("release-metadata" for the base).
	ComposerJSON string `yaml:"composer-json"`
	// Type and Label describe extra metapackages.
	Type  string `yaml:"type"`
	Label string `yaml:"label"`
	Line  int    `yaml:"-" json:"-"`
}

// Exclude is a repository-root-relative path prefix, optionally kept for some tags.
type Exclude struct {
	Path             string   `yaml:"path"`
	KeepForRefPrefix string   `yaml:"keep-for-ref-prefix"`
	KeepForRefs      []string `yaml:"keep-for-refs"`
}

// Applies reports whether the exclude is in force for tag.
func (e Exclude) Applies(tag string) bool {
	if e.KeepForRefPrefix != "" && strings.HasPrefix(tag, e.KeepForRefPrefix) {
		return false
	}
	for _, r := range e.KeepForRefs {
		if r == tag {
			return false
		}
	}
	return true
}

// Conditional reports whether the exclude depends on the tag.
func (e Exclude) Conditional() bool { return e.KeepForRefPrefix != "" || len(e.KeepForRefs) > 0 }

// UnmarshalYAML accepts a plain string or a {path, keep-for-ref-prefix | keep-for-refs} mapping.
func (e *Exclude) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Path = n.Value
		return nil
	}
	type plain Exclude
	var p plain
	if err := decodeStrict(n, &p); err != nil {
		return err
	}
	*e = Exclude(p)
	if e.Path == "" {
		return fmt.Errorf("line %d: exclude needs a path", n.Line)
	}
	return nil
}

// UnmarshalYAML reads a layout entry: exactly one of the kind keys, plus options.
func (l *Layout) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a package layout must be a mapping", n.Line)
	}
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch LayoutKind(k.Value) {
		case EachDir, Dir, MetapackageDir, MagentoBase, ExtraMetapackage:
			if l.Kind != "" {
				return fmt.Errorf("line %d: layout has both %q and %q", k.Line, l.Kind, k.Value)
			}
			if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!null") {
				return fmt.Errorf("line %d: %s takes a directory string", v.Line, k.Value)
			}
			l.Kind, l.Dir = LayoutKind(k.Value), v.Value
		default:
			rest.Content = append(rest.Content, k, v)
		}
	}
	if l.Kind == "" {
		return fmt.Errorf("line %d: layout needs one of each-dir, dir, metapackage-dir, magento-base, extra-metapackage", n.Line)
	}
	type opts struct {
		Exclude      []Exclude `yaml:"exclude"`
		EmptyDirs    []string  `yaml:"empty-dirs"`
		ComposerJSON string    `yaml:"composer-json"`
		Type         string    `yaml:"type"`
		Label        string    `yaml:"label"`
	}
	var o opts
	if err := decodeStrict(rest, &o); err != nil {
		return err
	}
	l.Exclude, l.EmptyDirs, l.ComposerJSON, l.Type, l.Label, l.Line = o.Exclude, o.EmptyDirs, o.ComposerJSON, o.Type, o.Label, n.Line
	return nil
}

// decodeStrict decodes a node, rejecting unknown keys.
func decodeStrict(n *yaml.Node, out any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(out); err != nil {
		// line numbers of the re-encoded node are relative; anchor them at the node's line
		return fmt.Errorf("near line %d: %w", n.Line, stripYAMLPrefix(err))
	}
	return nil
}

func stripYAMLPrefix(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	return errors.New(msg)
}

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(b, path)
	if err != nil {
		return nil, err
	}
	c.resolvePaths(filepath.Dir(path))
	return c, nil
}

// resolvePaths makes the local repository paths of a profile file relative to the file's directory, as
// docs/config.md promises, not to wherever magerepo happens to run.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i := range c.Sources {
		c.Sources[i].Path = abs(c.Sources[i].Path)
	}
	if c.ReleaseMetadata != nil {
		c.ReleaseMetadata.Path = abs(c.ReleaseMetadata.Path)
	}
	for i := range c.PrebuiltSources {
		c.PrebuiltSources[i].Path = abs(c.PrebuiltSources[i].Path)
	}
}

// Parse decodes and validates configuration bytes; name is used in error messages.
func Parse(b []byte, name string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, stripYAMLPrefix(err))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: empty configuration", name)
	}
	c := &Config{File: name}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(c); err != nil {
		return nil, fmt.Errorf("%s: %w", name, stripYAMLPrefix(err))
	}
	recordLines(c, root.Content[0])
	if errs := c.Validate(); len(errs) > 0 {
		return nil, &ValidationError{File: name, Errs: errs}
	}
	return c, nil
}

// recordLines stores the line of each source and prebuilt source for later messages.
func recordLines(c *Config, doc *yaml.Node) {
	for i := 0; i+1 < len(doc.Content); i += 2 {
		switch doc.Content[i].Value {
		case "sources":
			for j, s := range doc.Content[i+1].Content {
				if j < len(c.Sources) {
					c.Sources[j].Line = s.Line
				}
			}
		case "prebuilt-sources":
			for j, s := range doc.Content[i+1].Content {
				if j < len(c.PrebuiltSources) {
					c.PrebuiltSources[j].Line = s.Line
				}
			}
		}
	}
}

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	File string
	Errs []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: %s", e.File, strings.Join(e.Errs, "\n"+e.File+": "))
}
