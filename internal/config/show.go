package config

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
)

// SelfContainedYAML returns the embedded default profile as `magerepo profile show` prints it:
// [SelfContainedProfileYAML]([DefaultProfile]).
func SelfContainedYAML() ([]byte, error) { return SelfContainedProfileYAML(DefaultProfile) }

// SelfContainedProfileYAML returns the embedded profile name as `magerepo profile show NAME` prints it: as
// written (comments included), except that every file replacement's bytes are inline (content: as a YAML
// literal block) instead of a data: path into the embedded data directory, under a two-line comment that says
// so; a profile without data files is printed as written. The embedded profiles' data paths resolve only
// inside the binary, so a copy saved anywhere else would pass `config check` and fail to build; this one builds
// as it is. The result is checked by parsing it back: every inline content must equal its data file byte for
// byte. An unknown name is an [*UnknownProfileError].
func SelfContainedProfileYAML(name string) ([]byte, error) {
	src, err := ProfileYAML(name)
	if err != nil {
		return nil, err
	}
	c, err := Parse(src, ProfileFileName(name))
	if err != nil {
		return nil, err
	}
	if c.Extends != "" {
		// The file replacements are the extended profile's, and resolve in the binary's data wherever the
		// printed file is saved (DataFS); the file's own lines hold none of them.
		return src, nil
	}
	data := DefaultDataFS()
	lines := strings.SplitAfter(string(src), "\n")
	want := map[string][]byte{}
	// Replace from the last line up, so that earlier line numbers stay valid.
	type edit struct {
		line, col int
		text      string
	}
	var edits []edit
	for i, r := range c.FileReplacements {
		for j, f := range r.Files {
			m, ok := c.marks[fmt.Sprintf("file-replacements[%d].files[%d].data", i, j)]
			if !ok {
				continue // already inline
			}
			b, err := fs.ReadFile(data, f.Data)
			if err != nil {
				return nil, fmt.Errorf("config: %s: %w", f.Data, err)
			}
			want[InlineName(i, j)] = b
			edits = append(edits, edit{m.line, m.col, literalBlock("content", m.col-1, b)})
		}
	}
	for k := len(edits) - 1; k >= 0; k-- {
		e := edits[k]
		lines[e.line-1] = lines[e.line-1][:e.col-1] + e.text
	}
	if len(edits) == 0 {
		return src, nil
	}
	out := []byte("# Printed by `magerepo profile show " + name + "`: the embedded profile, with the bytes of its file\n" +
		"# replacements inline (content:), so that this file builds wherever it is saved.\n" + strings.Join(lines, ""))
	back, err := Parse(out, "the printed profile")
	if err != nil {
		return nil, fmt.Errorf("config: the printed profile does not parse: %w", err)
	}
	for name, b := range want {
		if !bytes.Equal(back.inline[name], b) {
			return nil, fmt.Errorf("config: %s cannot be written inline exactly", name)
		}
	}
	return out, nil
}

// literalBlock writes key: b as a YAML literal block scalar whose lines are indented by indent+2 spaces. The
// chomping indicator keeps the trailing newlines exactly ("|-" none, "|" one, "|+" more), and an indentation
// indicator is added when the first line starts with a space. Bytes a literal block cannot hold (carriage
// returns, other control characters) make the caller's check fail rather than change silently.
func literalBlock(key string, indent int, b []byte) string {
	s := string(b)
	body := strings.TrimRight(s, "\n")
	header := "|"
	switch trailing := len(s) - len(body); {
	case trailing == 0:
		header = "|-"
	case trailing > 1:
		header = "|+"
	}
	pad := strings.Repeat(" ", indent+2)
	if strings.HasPrefix(body, " ") {
		header = "|2" + header[1:]
	}
	var w strings.Builder
	w.WriteString(key + ": " + header + "\n")
	for _, l := range strings.Split(body, "\n") {
		if l == "" {
			w.WriteString("\n")
			continue
		}
		w.WriteString(pad + l + "\n")
	}
	for range len(s) - len(body) - 1 {
		w.WriteString("\n")
	}
	return w.String()
}
