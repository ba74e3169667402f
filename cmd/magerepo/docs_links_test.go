package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The repository must be self-contained: what a user or contributor needs is in it. These are references to
// documents that are not (the project's former design page and reference notes, and paths of the shared
// directory next to the repository that only the test suite may read).
var outsideDocRefs = []*regexp.Regexp{
	regexp.MustCompile(`DESIGN\.md|DESIGN §`),
	regexp.MustCompile(`mageos-generator-spec`),
	regexp.MustCompile(`\bspec §|\(spec = `),
	regexp.MustCompile(`(^|[^A-Za-z0-9_-])shared/`),
}

var (
	// protocolRef finds mentions of composer-protocol.md; only docs/composer-protocol.md (or a bare name inside
	// docs/, which resolves there) is in the repository.
	protocolRef = regexp.MustCompile(`(\S*)composer-protocol\.md`)
	// docsPathRef finds docs/<name>.md paths in any file; they are relative to the repository root.
	docsPathRef = regexp.MustCompile(`(^|[^A-Za-z0-9_./-])(docs/[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md)`)
	// mdLink finds Markdown link targets ending in .md; they are relative to the linking file.
	mdLink = regexp.MustCompile(`\]\(([^)#\s:]+\.md)(#[^)]*)?\)`)
	// sectionRef finds "<name>.md §1.2, §3 and §4": section references into a page of docs/.
	sectionRef = regexp.MustCompile(`([A-Za-z0-9_-]+\.md)\)? (§[0-9]+(?:\.[0-9]+)*(?:(?:, | and )§[0-9]+(?:\.[0-9]+)*)*)`)
	sectionNum = regexp.MustCompile(`§([0-9]+(?:\.[0-9]+)*)`)
	// Section ids of a page: numbered headings ("## 2. Decisions", "### 1.3 Per-package files") and bold numbered
	// list items ("3. **Published archives are immutable.**"), which are <heading id>.<n> (or <n> before any
	// numbered heading).
	numberedHeading = regexp.MustCompile(`^#+ ([0-9]+(?:\.[0-9]+)*)\.? `)
	numberedItem    = regexp.MustCompile(`^([0-9]+)\. \*\*`)
)

// repoTextFiles returns the repository's non-test .go, .md and .yaml files, relative to the root.
func repoTextFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, "_test.go") {
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".md", ".yaml", ".yml":
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sectionIDs returns the section ids a page of docs/ defines.
func sectionIDs(text string) map[string]bool {
	ids := map[string]bool{}
	heading := ""
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if m := numberedHeading.FindStringSubmatch(line); m != nil {
			heading = m[1]
			ids[heading] = true
			continue
		}
		if m := numberedItem.FindStringSubmatch(line); m != nil {
			if heading == "" {
				ids[m[1]] = true
			} else {
				ids[heading+"."+m[1]] = true
			}
		}
	}
	return ids
}

// TestDocsSelfContained fails when a non-test .go, .md or .yaml file of the repository refers to a document
// outside it (the former DESIGN.md, composer-protocol.md or mageos-generator-spec.md outside docs/, a shared/
// path), links a docs/*.md file that does not exist, or cites a section (§N) that the cited page of docs/
// does not have.
func TestDocsSelfContained(t *testing.T) {
	root := filepath.Join("..", "..")
	sections := map[string]map[string]bool{} // docs page name -> ids
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
		return err == nil
	}
	for _, rel := range repoTextFiles(t, root) {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		inDocs := strings.HasPrefix(rel, "docs/")
		dir := filepath.ToSlash(filepath.Dir(rel))
		for n, line := range strings.Split(string(b), "\n") {
			at := func(format string, args ...any) {
				t.Helper()
				t.Errorf("%s:%d: "+format, append([]any{rel, n + 1}, args...)...)
			}
			for _, re := range outsideDocRefs {
				if m := re.FindString(line); m != "" {
					at("refers to a document outside the repository (%q); point to docs/ instead: %s", strings.TrimSpace(m), strings.TrimSpace(line))
				}
			}
			for _, m := range protocolRef.FindAllStringSubmatch(line, -1) {
				prefix := m[1]
				if i := strings.LastIndexAny(prefix, "(["); i >= 0 {
					prefix = prefix[i+1:]
				}
				prefix = strings.TrimLeft(prefix, "`'\"*")
				if prefix == "docs/" || (prefix == "" && inDocs && dir == "docs") {
					continue
				}
				at("%q is not the repository's docs/composer-protocol.md: %s", m[0], strings.TrimSpace(line))
			}
			for _, m := range docsPathRef.FindAllStringSubmatch(line, -1) {
				if !exists(m[2]) {
					at("%s does not exist", m[2])
				}
			}
			if strings.HasSuffix(rel, ".md") {
				for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
					target := filepath.ToSlash(filepath.Join(dir, m[1]))
					if !exists(target) {
						at("link %s: %s does not exist", m[1], target)
					}
				}
			}
			for _, m := range sectionRef.FindAllStringSubmatch(line, -1) {
				page := "docs/" + m[1]
				if !exists(page) {
					continue // not a page of docs/ (a README.md elsewhere); docsPathRef and mdLink check paths
				}
				ids, ok := sections[page]
				if !ok {
					pb, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
					if err != nil {
						t.Fatal(err)
					}
					ids = sectionIDs(string(pb))
					sections[page] = ids
				}
				for _, s := range sectionNum.FindAllStringSubmatch(m[2], -1) {
					if !ids[s[1]] {
						at("%s has no section §%s", page, s[1])
					}
				}
			}
		}
	}
}
