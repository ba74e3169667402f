// Package config defines magerepo's YAML configuration (a "profile"): which git repositories are built, how
// their trees become packages, and the upstream fixes applied on the way. See docs/config.md for every key.
//
// Decoding is strict: unknown keys, wrong types and missing required fields are errors that name the file, line
// and column, all of a file's at once, so a typo never silently changes what is published (decode.go).
package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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
	// Vendor is the vendor of the packages a profile builds. It is the upstream vendor (magento) unless the
	// profile is a Distribution, whose packages are renamed to it.
	Vendor string `yaml:"vendor"`
	// Distribution, when set, publishes the sources' packages under Vendor at the distribution's versions.
	Distribution *Distribution `yaml:"distribution"`
	// Nightly configures nightly builds, for profiles whose sources name a Branch.
	Nightly *Nightly `yaml:"nightly"`
	// Sources are the git repositories, in build order.
	Sources []Source `yaml:"sources"`
	// ReleaseMetadata is the source of released composer.json files per release (Magento profiles).
	ReleaseMetadata *Source `yaml:"release-metadata"`
	// PrebuiltSources are git repositories (or directories) that hold ready-made zips, published verbatim.
	PrebuiltSources []PrebuiltSource `yaml:"prebuilt-sources"`
	// Prebuilt lists directories of ready-made zips, published verbatim.
	Prebuilt []string `yaml:"prebuilt"`
	// Advisories, when set, is the security advisory database whose advisories of the served packages are
	// published with the metadata.
	Advisories *AdvisorySource `yaml:"advisories"`
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
	// Extends is the embedded profile the file extends ("" for none): its data files resolve too.
	Extends string `yaml:"-"`

	// marks are the positions of the file's keys and list items by path, for Validate's messages.
	marks map[string]mark
	// inline holds the bytes of file replacements given as content:, by their InlineName (served by DataFS).
	inline map[string][]byte
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
	// Branch, when set, builds the head of this branch as nightly versions instead of the tags.
	Branch string `yaml:"branch"`
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

// AdvisorySource is a security advisory database in the layout of FriendsOfPHP/security-advisories
// (<vendor>/<name>/<id>.yaml), read at one branch without a checkout, like the prebuilt sources.
type AdvisorySource struct {
	// Name identifies the source in messages; --sources-dir reads it from DIR/<name>. Default
	// DefaultAdvisoriesName.
	Name string `yaml:"name"`
	// URL is a git URL; Path a local repository (bare or not) or a plain directory. At most one is set; with
	// neither, URL is DefaultAdvisoriesURL.
	URL  string `yaml:"url"`
	Path string `yaml:"path"`
	// Branch is the branch read; "" means master for a remote repository and HEAD for a local one.
	Branch string `yaml:"branch"`
	// Line is where the entry is defined, for error messages.
	Line int `yaml:"-" json:"-"`
}

// The defaults of an advisories entry: the database packagist.org reads.
const (
	DefaultAdvisoriesName   = "security-advisories"
	DefaultAdvisoriesURL    = "https://github.com/FriendsOfPHP/security-advisories.git"
	DefaultAdvisoriesBranch = "master"
)

// Location returns the URL or path of the advisory database.
func (s AdvisorySource) Location() string {
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

// excludeEntry is the mapping form of an exclude.
type excludeEntry struct {
	Path             string   `yaml:"path"`
	KeepForRefPrefix string   `yaml:"keep-for-ref-prefix"`
	KeepForRefs      []string `yaml:"keep-for-refs"`
}

// decodeNode accepts a plain string or a {path, keep-for-ref-prefix | keep-for-refs} mapping.
func (e *Exclude) decodeNode(d *decoder, n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode {
		e.Path = n.Value
		return
	}
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "an exclude must be a path or a mapping with path, not %s", describe(n))
		return
	}
	var m excludeEntry
	d.decodeStruct(n, reflect.ValueOf(&m).Elem(), path)
	*e = Exclude(m)
	if e.Path == "" {
		d.problem(n, path, "an exclude needs a path")
	}
}

// layoutOptions are the keys of a layout entry besides its kind.
type layoutOptions struct {
	Exclude      []Exclude `yaml:"exclude"`
	EmptyDirs    []string  `yaml:"empty-dirs"`
	ComposerJSON string    `yaml:"composer-json"`
	Type         string    `yaml:"type"`
	Label        string    `yaml:"label"`
}

// layoutKinds are the keys that say what a layout entry is, in the order messages list them.
var layoutKinds = []LayoutKind{EachDir, Dir, MetapackageDir, MagentoBase, ExtraMetapackage}

// decodeNode reads a layout entry: exactly one of the kind keys, plus options.
func (l *Layout) decodeNode(d *decoder, n *yaml.Node, path string) {
	l.Line = n.Line
	if n.Kind != yaml.MappingNode {
		d.problem(n, path, "a package layout must be a mapping such as {each-dir: \"\"}, not %s", describe(n))
		return
	}
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if !slices.Contains(layoutKinds, LayoutKind(k.Value)) {
			rest.Content = append(rest.Content, k, n.Content[i+1])
			continue
		}
		p := join(path, k.Value)
		d.mark(p, k)
		switch {
		case l.Kind != "":
			d.problem(k, p, "a package layout has one kind, but this one has both %s and %s", l.Kind, k.Value)
		case v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!null"):
			d.problem(v, p, "%s takes a directory (a string; \"\" for the repository root), not %s", k.Value, describe(v))
		default:
			l.Kind, l.Dir = LayoutKind(k.Value), v.Value
			d.marks[join(path, "dir")] = mark{k.Line, k.Column}
		}
	}
	if l.Kind == "" {
		kinds := make([]string, len(layoutKinds))
		for i, k := range layoutKinds {
			kinds[i] = string(k)
		}
		d.problem(n, path, "a package layout needs one of %s", strings.Join(kinds, ", "))
	}
	var o layoutOptions
	d.decodeStruct(rest, reflect.ValueOf(&o).Elem(), path)
	l.Exclude, l.EmptyDirs, l.ComposerJSON, l.Type, l.Label = o.Exclude, o.EmptyDirs, o.ComposerJSON, o.Type, o.Label
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
	if probs := c.checkDataFiles(); len(probs) > 0 {
		return nil, &ValidationError{File: path, Problems: probs}
	}
	return c, nil
}

// checkDataFiles reports file replacements whose data: file is not where the profile says (relative to the
// profile's directory), at the data key: a copied profile without its data directory would otherwise pass
// `config check` and fail only when the build reaches the fix. Size and checksum stay internal/fixes' to check.
func (c *Config) checkDataFiles() []Problem {
	data := DataFS(c)
	var probs []Problem
	for i, r := range c.FileReplacements {
		for j, f := range r.Files {
			if _, inline := c.inline[f.Data]; inline || !fs.ValidPath(f.Data) {
				continue
			}
			if _, err := fs.Stat(data, f.Data); err != nil {
				path := fmt.Sprintf("file-replacements[%d].files[%d].data", i, j)
				m, _ := c.at(path)
				probs = append(probs, Problem{Line: m.line, Column: m.col, Path: path, Message: fmt.Sprintf(
					"file-replacements: %s %s: data file %s not found next to the profile; copy it there, or write the bytes inline with content:",
					r.Package, r.Version, f.Data)})
			}
		}
	}
	return probs
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
	if c.Advisories != nil {
		c.Advisories.Path = abs(c.Advisories.Path)
	}
}

// Parse decodes and validates configuration bytes; name is used in error messages. Every problem of the file,
// structural (unknown keys, wrong types) or semantic (Validate), is returned at once, each with its line and
// column, in a [*ValidationError].
func Parse(b []byte, name string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &ValidationError{File: name, Problems: []Problem{syntaxProblem(b, err)}}
	}
	if len(root.Content) == 0 {
		return nil, &ValidationError{File: name, Problems: []Problem{{Line: 1, Column: 1, Message: "the file is empty; a profile needs at least sources"}}}
	}
	c := &Config{File: name}
	extends, eprobs := applyExtends(&root)
	if len(eprobs) > 0 {
		return nil, &ValidationError{File: name, Problems: eprobs}
	}
	c.Extends = extends
	structural, marks := decodeProfile(&root, c)
	c.marks = marks
	probs := structural
	for _, p := range c.Validate() {
		if !covered(p.Path, structural) {
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return nil, &ValidationError{File: name, Problems: sortProblems(inExtended(probs, extends))}
	}
	c.moveInline()
	return c, nil
}

// inExtended names the setting of each problem that lies in the keys a profile takes from the profile it
// extends: those have no line in the file.
func inExtended(probs []Problem, extends string) []Problem {
	if extends == "" {
		return probs
	}
	for i, p := range probs {
		if p.Line == 0 && p.Path != "" {
			probs[i].Message = fmt.Sprintf("%s (taken from the extended profile %s): %s", p.Path, extends, p.Message)
		}
	}
	return probs
}

// InlineName is the name under which [DataFS] serves the inline content of file j of file replacement i. No
// data file is looked up under it: DataFS answers it first.
func InlineName(i, j int) string {
	return fmt.Sprintf("inline content of file-replacements[%d].files[%d]", i, j)
}

// moveInline moves every inline content: into c.inline, naming it in Data.
func (c *Config) moveInline() {
	for i := range c.FileReplacements {
		for j := range c.FileReplacements[i].Files {
			f := &c.FileReplacements[i].Files[j]
			if f.Content == "" {
				continue
			}
			if c.inline == nil {
				c.inline = map[string][]byte{}
			}
			f.Data = InlineName(i, j)
			c.inline[f.Data] = []byte(f.Content)
			f.Content = ""
		}
	}
}
