package config

import (
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v3"
)

// extendsKey names, at the top of a profile, the embedded profile it starts from.
const extendsKey = "extends"

// maxExtends bounds a chain of profiles extending profiles (a loop would otherwise never end).
const maxExtends = 4

// applyExtends replaces a profile that extends an embedded profile by the merge of the two: the embedded
// profile's top-level keys, each replaced whole (not merged) by the file's key of the same name, and the
// file's other keys after them. It returns the name of the profile extended ("" for none). A distribution is
// then a few lines (vendor, distribution, base-url) on top of the mirror it renames, and follows the mirror's
// sources and fixes as magerepo updates them, rather than a copy that silently falls behind.
func applyExtends(root *yaml.Node) (string, []Problem) {
	doc := topMapping(root)
	if doc == nil {
		return "", nil
	}
	var chain []string
	for range maxExtends {
		name, at, ok := extendsOf(doc)
		if !ok {
			break
		}
		if at.Kind != yaml.ScalarNode || name == "" {
			return "", []Problem{{Line: at.Line, Column: at.Column, Path: extendsKey, Message: "extends takes the name of an embedded profile (magerepo profile list)"}}
		}
		b, err := ProfileYAML(name)
		if err != nil {
			return "", []Problem{{Line: at.Line, Column: at.Column, Path: extendsKey, Message: err.Error()}}
		}
		var base yaml.Node
		if err := yaml.Unmarshal(b, &base); err != nil || topMapping(&base) == nil {
			return "", []Problem{{Line: at.Line, Column: at.Column, Path: extendsKey, Message: fmt.Sprintf("embedded profile %s does not parse: %v", name, err)}}
		}
		chain = append(chain, name)
		baseMap := topMapping(&base)
		dropKey(baseMap, "base-url") // an embedded profile's URL is an example, never published at
		unplace(baseMap)
		merged := mergeTop(baseMap, doc)
		*doc = *merged
	}
	if _, at, ok := extendsOf(doc); ok {
		return "", []Problem{{Line: at.Line, Column: at.Column, Path: extendsKey, Message: fmt.Sprintf("profiles extend each other more than %d deep (%v)", maxExtends, chain)}}
	}
	if len(chain) == 0 {
		return "", nil
	}
	return chain[len(chain)-1], nil
}

// dropKey removes key from a mapping.
func dropKey(m *yaml.Node, key string) {
	if i := indexOfKey(m, key); i >= 0 {
		m.Content = append(m.Content[:i], m.Content[i+2:]...)
	}
}

// unplace clears the positions of an extended profile's nodes: they are lines of another file, and a problem
// found there is named by its path instead (Parse).
func unplace(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		unplace(c)
	}
}

// topMapping returns the top-level mapping of a document, or nil when it is not one.
func topMapping(root *yaml.Node) *yaml.Node {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil
	}
	return doc
}

// extendsOf finds the extends key of a mapping.
func extendsOf(m *yaml.Node) (string, *yaml.Node, bool) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == extendsKey {
			return m.Content[i+1].Value, m.Content[i+1], true
		}
	}
	return "", nil, false
}

// mergeTop returns base's keys in base's order with the values of over's keys of the same name, then over's
// other keys; over's extends key is dropped (base's, if any, is kept for the next round).
func mergeTop(base, over *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: base.Tag, Line: over.Line, Column: over.Column}
	overVal := map[string]*yaml.Node{}
	for i := 0; i+1 < len(over.Content); i += 2 {
		overVal[over.Content[i].Value] = over.Content[i+1]
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		k := base.Content[i]
		if v, ok := overVal[k.Value]; ok && k.Value != extendsKey {
			out.Content = append(out.Content, over.Content[indexOfKey(over, k.Value)], v)
			seen[k.Value] = true
			continue
		}
		out.Content = append(out.Content, k, base.Content[i+1])
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		if k := over.Content[i]; !seen[k.Value] && k.Value != extendsKey {
			out.Content = append(out.Content, k, over.Content[i+1])
		}
	}
	return out
}

// indexOfKey returns the index of key in a mapping's content, or -1.
func indexOfKey(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// overlayFS serves a profile's own data files first, then those of the embedded profile it extends.
type overlayFS struct{ first, then fs.FS }

// Open opens name in first, else in then.
func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o.first.Open(name)
	if err == nil {
		return f, nil
	}
	return o.then.Open(name)
}
