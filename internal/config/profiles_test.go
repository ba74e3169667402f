package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// profileFiles lists internal/config/profiles/*.yaml from the directory itself, not through the registry: what
// the tests expect the registry to find.
func profileFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("profiles", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no profiles/*.yaml (%v)", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return names // Glob sorts
}

// TestEmbeddedProfilesValidate: every profiles/*.yaml is listed, with a description, has a name --profile can
// take, parses and validates, and its data files are in the shared data directory with the size and checksum
// the profile gives. A broken profile file fails here.
func TestEmbeddedProfilesValidate(t *testing.T) {
	names := profileFiles(t)
	list := Profiles()
	var listed []string
	defaults := 0
	for _, p := range list {
		listed = append(listed, p.Name)
		if p.Description == "" {
			t.Errorf("profile %s: the file's first line is no comment saying what it builds (profile list shows it)", p.Name)
		}
		if p.Default {
			defaults++
			if p.Name != DefaultProfile {
				t.Errorf("profile %s is marked default, not %s", p.Name, DefaultProfile)
			}
		}
	}
	if !slices.Equal(listed, names) || !slices.Equal(ProfileNames(), names) {
		t.Fatalf("Profiles() lists %v, the directory holds %v", listed, names)
	}
	if defaults != 1 {
		t.Fatalf("%d profiles marked default, want 1 (%s)", defaults, DefaultProfile)
	}
	valid := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if !valid.MatchString(name) {
				t.Errorf("profile file %s.yaml: the name must be lower-case words joined by '-'", name)
			}
			c, err := Profile(name)
			if err != nil {
				t.Fatal(err)
			}
			if c.File != "" || len(c.Sources) == 0 {
				t.Fatalf("File %q, %d sources", c.File, len(c.Sources))
			}
			checkDataFiles(t, c)
			raw, err := ProfileYAML(name)
			want, _ := os.ReadFile(filepath.Join("profiles", name+".yaml"))
			if err != nil || string(raw) != string(want) {
				t.Fatalf("ProfileYAML(%s) is not the file (%v)", name, err)
			}
		})
	}
}

// TestSelfContainedProfilesRoundTrip: the profile `profile show NAME` prints, saved where there are no data
// files, loads to the same configuration as the embedded profile, with the same bytes for every file
// replacement; a profile without data files is printed exactly as its file.
func TestSelfContainedProfilesRoundTrip(t *testing.T) {
	for _, name := range profileFiles(t) {
		t.Run(name, func(t *testing.T) {
			out, err := SelfContainedProfileYAML(name)
			if err != nil {
				t.Fatal(err)
			}
			emb, err := Profile(name)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := ProfileYAML(name)
			if len(emb.FileReplacements) == 0 && string(out) != string(raw) {
				t.Fatal("a profile without data files is not printed as written")
			}
			p := filepath.Join(t.TempDir(), name+".yaml")
			if err := os.WriteFile(p, out, 0o644); err != nil {
				t.Fatal(err)
			}
			back, err := Load(p)
			if err != nil {
				t.Fatalf("the printed profile does not load: %v", err)
			}
			got, want := comparable(t, back), comparable(t, emb)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("the printed profile loads to another configuration:\n got %+v\nwant %+v", got, want)
			}
		})
	}
	if _, err := SelfContainedProfileYAML("frobnicate"); !errors.As(err, new(*UnknownProfileError)) {
		t.Fatalf("unknown name: %v", err)
	}
}

// comparable returns c with what differs between a file and its printed copy for the same configuration taken
// out: where it was read from, the lines and columns of its keys, and whether the replacement bytes were
// inline or in a data file (Content holds the bytes in both).
func comparable(t *testing.T, c *Config) *Config {
	t.Helper()
	data := DataFS(c)
	for i := range c.FileReplacements {
		for j := range c.FileReplacements[i].Files {
			f := &c.FileReplacements[i].Files[j]
			b, err := fs.ReadFile(data, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			f.Content, f.Data = string(b), ""
		}
	}
	c.File, c.DataDir, c.marks, c.inline = "", "", nil, nil
	zeroPositions(reflect.ValueOf(c), map[uintptr]bool{})
	return c
}

// zeroPositions sets every exported int field named Line or Column reachable from v to 0 (the profile's own
// Line fields and those of yaml.Node in rules:).
func zeroPositions(v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		zeroPositions(v.Elem(), seen)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			zeroPositions(v.Index(i), seen)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			if (sf.Name == "Line" || sf.Name == "Column") && f.Kind() == reflect.Int && f.CanSet() {
				f.SetInt(0)
				continue
			}
			zeroPositions(f, seen)
		}
	}
}

// TestProfileRegistry runs the registry on profile files made for the test: names from file names, sorted,
// descriptions from the first comment line, only profiles/*.yaml (not the data directory, not other files), and
// unknown names (paths included) refused with the known ones.
func TestProfileRegistry(t *testing.T) {
	body := "sources:\n  - name: a\n    url: https://example.com/a.git\n    packages: [{dir: \"\"}]\n"
	fsys := fstest.MapFS{
		"profiles/zeta.yaml":          {Data: []byte("# Zeta: the last one.\n#\n# More about it.\n" + body)},
		"profiles/mageos-mirror.yaml": {Data: []byte("\n#\n#   The mirror  \n" + body)},
		"profiles/alpha.yaml":         {Data: []byte(body + "# a comment after YAML is no description\n")},
		"profiles/notes.txt":          {Data: []byte("# not a profile\n")},
		"profiles/data/x/y.yaml":      {Data: []byte("# data, not a profile\n")},
	}
	got := listProfiles(fsys)
	want := []ProfileInfo{{Name: "alpha"}, {Name: "mageos-mirror", Default: true, Description: "The mirror"},
		{Name: "zeta", Description: "Zeta: the last one."}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("listProfiles:\n got %+v\nwant %+v", got, want)
	}
	if b, err := profileYAML(fsys, "zeta"); err != nil || !strings.HasPrefix(string(b), "# Zeta") {
		t.Fatalf("profileYAML(zeta) = %q, %v", b, err)
	}
	for _, name := range []string{"nope", "", "../profiles/zeta", "data/x/y", "zeta.yaml", "notes"} {
		_, err := profileYAML(fsys, name)
		var ue *UnknownProfileError
		if !errors.As(err, &ue) || !slices.Equal(ue.Known, []string{"alpha", "mageos-mirror", "zeta"}) {
			t.Fatalf("profileYAML(%q): %v", name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, `"`+name+`"`) || !strings.Contains(msg, "alpha, mageos-mirror (default), zeta") {
			t.Fatalf("profileYAML(%q): %s", name, msg)
		}
	}
	// The real registry refuses the same way, naming the real profiles.
	_, err := Profile("frobnicate")
	var ue *UnknownProfileError
	if !errors.As(err, &ue) || !slices.Equal(ue.Known, ProfileNames()) {
		t.Fatalf("Profile(frobnicate): %v", err)
	}
}
