package config

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// DefaultProfile is the name of the embedded profile that commands use without --config or --profile: the
// Magento Open Source mirror.
const DefaultProfile = "mageos-mirror"

// profilesDir is the directory of the embedded profiles: every NAME.yaml in it is the profile NAME.
const profilesDir = "profiles"

// ProfileInfo describes one embedded profile, for `magerepo profile list`.
type ProfileInfo struct {
	// Name is the profile's name: its file name without .yaml, as --profile and `profile show` take it.
	Name string `json:"name"`
	// Default reports whether it is [DefaultProfile].
	Default bool `json:"default"`
	// Description is the first comment line of the file, without its "# ".
	Description string `json:"description"`
}

// UnknownProfileError is the error for a profile name that no embedded profile has.
type UnknownProfileError struct {
	// Name is the name asked for.
	Name string
	// Known are the names of the embedded profiles, sorted.
	Known []string
}

func (e *UnknownProfileError) Error() string {
	names := make([]string, len(e.Known))
	for i, n := range e.Known {
		names[i] = n
		if n == DefaultProfile {
			names[i] += " (default)"
		}
	}
	return fmt.Sprintf("unknown profile %q; the embedded profiles are %s (magerepo profile list)", e.Name, strings.Join(names, ", "))
}

// Profiles returns the embedded profiles, sorted by name, the default one marked.
func Profiles() []ProfileInfo { return listProfiles(profiles) }

// listProfiles returns the profiles of fsys (a tree holding profilesDir), sorted by name. It reads the files'
// first lines only: a profile that does not parse is still listed (TestEmbeddedProfilesValidate catches it).
func listProfiles(fsys fs.FS) []ProfileInfo {
	files, _ := fs.Glob(fsys, profilesDir+"/*.yaml") // the pattern is constant: no error
	out := make([]ProfileInfo, 0, len(files))
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			continue
		}
		name := strings.TrimSuffix(path.Base(f), ".yaml")
		out = append(out, ProfileInfo{Name: name, Default: name == DefaultProfile, Description: description(b)})
	}
	slices.SortFunc(out, func(a, b ProfileInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// description returns the first comment line of a profile file, without "#" and the space after it; blank
// lines and comment lines without text before it are skipped, and a file that starts with YAML has none.
func description(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case l == "" || l == "#":
			continue
		case strings.HasPrefix(l, "#"):
			return strings.TrimSpace(strings.TrimPrefix(l, "#"))
		default:
			return ""
		}
	}
	return ""
}

// ProfileNames returns the names of the embedded profiles, sorted.
func ProfileNames() []string {
	var names []string
	for _, p := range Profiles() {
		names = append(names, p.Name)
	}
	return names
}

// ProfileYAML returns the embedded profile name as written (comments included), or an [*UnknownProfileError].
func ProfileYAML(name string) ([]byte, error) { return profileYAML(profiles, name) }

func profileYAML(fsys fs.FS, name string) ([]byte, error) {
	// Only names that Profiles lists: no path (a "../x" or "data/..." is not a profile).
	for _, p := range listProfiles(fsys) {
		if p.Name == name {
			return fs.ReadFile(fsys, profilesDir+"/"+name+".yaml")
		}
	}
	var known []string
	for _, p := range listProfiles(fsys) {
		known = append(known, p.Name)
	}
	return nil, &UnknownProfileError{Name: name, Known: known}
}

// ProfileFileName is how errors name the embedded profile name ("embedded profile mageos-mirror.yaml").
func ProfileFileName(name string) string { return "embedded profile " + name + ".yaml" }

// Profile parses and validates the embedded profile name; an unknown name is an [*UnknownProfileError]. Each
// call returns a new Config the caller may change. Its File is "": its data paths resolve in [DefaultDataFS],
// the data directory all embedded profiles share, and a data file missing there is a problem of the profile.
func Profile(name string) (*Config, error) {
	b, err := ProfileYAML(name)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b, ProfileFileName(name))
	if err != nil {
		return nil, err
	}
	c.File = ""
	if probs := c.checkDataFiles(); len(probs) > 0 {
		return nil, &ValidationError{File: ProfileFileName(name), Problems: probs}
	}
	return c, nil
}
