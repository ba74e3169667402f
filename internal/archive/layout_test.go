package archive

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fileNames returns the paths of the file entries only.
func fileNames(entries []Entry) []string {
	var names []string
	for _, e := range entries {
		if e.File != nil {
			names = append(names, e.Path)
		}
	}
	return names
}

func entryNames(entries []Entry) []string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Path
	}
	return names
}

// layoutOf lays out empty files with the given paths, given in reverse so the input order cannot help.
func layoutOf(paths []string, emptyDirs []string) []Entry {
	files := make([]File, 0, len(paths))
	for _, p := range slices.Backward(paths) {
		files = append(files, bytesFile(p, false, nil))
	}
	return Layout(files, emptyDirs)
}

func TestLayoutCollation(t *testing.T) {
	tests := []struct {
		name string
		want []string // already in reference order
	}{
		{"spec appendix A", []string{"_files/x", "-x", "a_b", "a-b", "a.b", "a/b", "A/b", "ab", "Ab", "Block/X.php",
			"composer.json", "Controller/A.php", "etc/di.xml", "i18n/en_US.csv", "LICENSE_AFL.txt", "LICENSE.txt",
			"README.md", "registration.php", "Test/Unit/x", "view/x"}},
		{"gamma set", []string{"_files/x.txt", "a_b.txt", "a-b.txt", "a.b.txt", "ab.txt", "aB.txt", "Ab.txt",
			"AB.txt", "composer.json", "resume.txt", "Resume.txt", "résumé.txt"}},
		{"prefix before deeper path", []string{"lib/web/jquery.js", "lib/web/jquery/jquery.min.js"}},
		{"magento root", []string{"composer.json", "COPYING.txt", "generated/x", "grunt-config.json.sample",
			"Gruntfile.js.sample"}},
		{"case and dashes", []string{"module-gamma/x", "ModuleAlpha/x", "readme-extra.md", "README.md"}},
		{"dotfiles and punctuation first", []string{"_underscore.php", "-dash.php", ".hidden", "007", "1digit.php", "Zeta.php"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fileNames(layoutOf(tc.want, nil))
			if !slices.Equal(got, tc.want) {
				t.Errorf("order\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLayoutArrayIndexRootNames(t *testing.T) {
	in := []string{"404", "50", "007", "0", "00", "-1", "4294967294", "4294967295", "1e3", "a.php", "sub/404", "sub/50"}
	want := []string{"0", "50", "404", "4294967294", // array indices, numeric order
		"-1", "00", "007", "1e3", "4294967295", "a.php", "sub/404", "sub/50"}
	got := fileNames(layoutOf(in, nil))
	if !slices.Equal(got, want) {
		t.Errorf("order\n got %q\nwant %q", got, want)
	}
}

func TestLayoutLazyParents(t *testing.T) {
	got := layoutOf([]string{"A/c.php", "a/b.php", "A/a.php", "x/y/z/f"}, nil)
	want := []string{"A/", "A/a.php", "a/", "a/b.php", "A/c.php", "x/", "x/y/", "x/y/z/", "x/y/z/f"}
	if names := entryNames(got); !slices.Equal(names, want) {
		t.Fatalf("order\n got %q\nwant %q", names, want)
	}
	for _, e := range got {
		if e.File == nil && e.Mode != 0o775 {
			t.Errorf("%s: mode %o, want 775", e.Path, e.Mode)
		}
	}
}

func TestLayoutEmptyDirs(t *testing.T) {
	got := layoutOf([]string{"app/etc/env.php", "lib/internal/Magento/x.php", "lib/web/a.js"},
		[]string{"app/code/Magento", "app/design/frontend/Magento/", "lib/internal/Magento", "app/code/Magento"})
	want := []struct {
		path string
		mode uint32
	}{
		{"app/", 0o775}, {"app/code/", 0o775}, {"app/code/Magento/", 0o755},
		{"app/design/", 0o775}, {"app/design/frontend/", 0o775}, {"app/design/frontend/Magento/", 0o755},
		{"app/etc/", 0o775}, {"app/etc/env.php", 0o644},
		{"lib/", 0o775}, {"lib/internal/", 0o775}, {"lib/internal/Magento/", 0o775}, // also a parent: 775
		{"lib/internal/Magento/x.php", 0o644}, {"lib/web/", 0o775}, {"lib/web/a.js", 0o644},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries %q, want %d", len(got), entryNames(got), len(want))
	}
	for i, w := range want {
		if got[i].Path != w.path || got[i].Mode != w.mode {
			t.Errorf("entry %d: got %s %o, want %s %o", i, got[i].Path, got[i].Mode, w.path, w.mode)
		}
	}
}

func TestLayoutDuplicateLaterWins(t *testing.T) {
	files := []File{
		bytesFile("z.txt", false, nil),
		bytesFile("composer.json", false, []byte("source")),
		bytesFile("a.txt", false, nil),
		bytesFile("composer.json", true, []byte("generated")),
	}
	got := Layout(files, nil)
	if names := entryNames(got); !slices.Equal(names, []string{"a.txt", "composer.json", "z.txt"}) {
		t.Fatalf("order %q", names)
	}
	if got[1].File != &files[3] || got[1].Mode != 0o755 {
		t.Errorf("composer.json: got file %p mode %o, want the later file %p, 755", got[1].File, got[1].Mode, &files[3])
	}
}

// TestLayoutEntriesTSV checks names, order and modes of every reference zip, from ENTRIES.tsv alone.
func TestLayoutEntriesTSV(t *testing.T) {
	rows := readEntriesTSV(t)
	if len(rows) != 16 {
		t.Fatalf("ENTRIES.tsv covers %d zips, want 16", len(rows))
	}
	for zipName, want := range rows {
		t.Run(zipName, func(t *testing.T) {
			var files []File
			for _, r := range want {
				if !strings.HasSuffix(r.path, "/") {
					files = append(files, bytesFile(r.path, r.mode == 0o755, nil))
				}
			}
			slices.Reverse(files)
			got := Layout(files, nil)
			if len(got) != len(want) {
				t.Fatalf("got %d entries, want %d", len(got), len(want))
			}
			for i, w := range want {
				if got[i].Path != w.path || got[i].Mode != w.mode {
					t.Errorf("entry %d: got %s %o, want %s %o", i, got[i].Path, got[i].Mode, w.path, w.mode)
				}
			}
		})
	}
}

type tsvRow struct {
	path string
	mode uint32
}

// readEntriesTSV returns the rows of ENTRIES.tsv grouped by zip, in entry order.
func readEntriesTSV(t *testing.T) map[string][]tsvRow {
	t.Helper()
	f, err := os.Open(filepath.Join(vectorsDir, "ENTRIES.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string][]tsvRow{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || !strings.HasSuffix(cols[0], ".zip") {
			continue // header or comment
		}
		idx, err := strconv.Atoi(cols[1])
		if err != nil || idx != len(rows[cols[0]]) {
			t.Fatalf("ENTRIES.tsv: unexpected index in %q", sc.Text())
		}
		mode, err := strconv.ParseUint(cols[4], 8, 32)
		if err != nil {
			t.Fatalf("ENTRIES.tsv: bad perm in %q", sc.Text())
		}
		rows[cols[0]] = append(rows[cols[0]], tsvRow{cols[2], uint32(mode)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}
