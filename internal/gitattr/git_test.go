package gitattr

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// git runs git with a clean configuration in dir and returns its output.
func git(t *testing.T, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, stderr.Bytes())
	}
	return out
}

// commitTree writes files as blobs (without any filter, so the blobs keep their bytes), commits them and
// returns the repository directory and commit id.
func commitTree(t *testing.T, files map[string][]byte) (string, string) {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "src")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, repo, nil, "init", "-q")
	var index strings.Builder
	for _, p := range slices.Sorted(mapKeys(files)) {
		id := strings.TrimSpace(string(git(t, repo, files[p], "hash-object", "-w", "--no-filters", "--stdin")))
		fmt.Fprintf(&index, "100644 %s\t%s\n", id, p)
	}
	git(t, repo, []byte(index.String()), "update-index", "--add", "--index-info")
	tree := strings.TrimSpace(string(git(t, repo, nil, "write-tree")))
	commit := strings.TrimSpace(string(git(t, repo, []byte("c\n"), "commit-tree", tree)))
	return repo, commit
}

// checkoutStream reads path's checkout through Matcher.Checkout from a reader that returns one byte per call.
func checkoutStream(t *testing.T, m *Matcher, path string, blob []byte) []byte {
	t.Helper()
	open := func() (io.ReadCloser, error) { return io.NopCloser(iotest.OneByteReader(bytes.NewReader(blob))), nil }
	rc, err := m.Checkout(path, open)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// attrFiles extracts the .gitattributes files of a tree, keyed by directory.
func attrFiles(files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for p, b := range files {
		if p == ".gitattributes" {
			out[""] = b
		} else if dir, ok := strings.CutSuffix(p, "/.gitattributes"); ok {
			out[dir] = b
		}
	}
	return out
}

const rootAttrs = `# eol rules
[attr]crlftext text eol=crlf
*.bat text eol=crlf
*.sh eol=lf
*.txt text=auto eol=crlf
*.auto text=auto
*.bin binary
*.cmd eol=crlf
legacy/*.c crlf
legacy/*.h -crlf
legacy/*.in crlf=input
legacy/*.e crlf eol=crlf
*.mac crlftext
docs/** eol=crlf
/anchored.md eol=crlf
sub/*/deep.x eol=crlf
"quoted name.q" eol=crlf
"esc\141ped.q" eol=crlf
[Ab]*.cls eol=crlf
[!x]*.ncl eol=crlf
[[:upper:]]*.pc eol=crlf
*.unset eol=crlf
*.unset !eol
*.neg eol=crlf
*.neg -text
*.later -text
*.later text eol=crlf
*.mixed text -text eol=crlf
*.bt binary
*.bt eol=crlf
*.nb text eol=crlf
*.nb binary
*.nb -binary
weird**.w eol=crlf
!negated.md eol=crlf
dir/ eol=crlf
a/**/b.z eol=crlf
**/top.y eol=crlf
*.sl/ eol=crlf
export-ignored.txt export-ignore
`

// TestCRLFMatchesGitCheckout checks out a tree with real git and compares every file with the conversion
// Matcher.CRLF and ToCRLF predict from the blob.
func TestCRLFMatchesGitCheckout(t *testing.T) {
	lf := []byte("line one\nline two\n\tindented\n")
	files := map[string][]byte{
		".gitattributes":            []byte(rootAttrs),
		"sub/.gitattributes":        []byte("*.bat -text\n*.txt eol=lf\noverride.md eol=crlf\r\n"),
		"sub/deeper/.gitattributes": []byte("*.bat text eol=crlf\n  # comment\n\n"),
		"docs/.gitattributes":       []byte("[attr]crlftext -text\nno.md -text\n"),
	}
	plain := []string{"a.bat", "sub/a.bat", "sub/deeper/a.bat", "sub/deeper/x/a.bat", "x.sh", "t1.txt",
		"sub/t.txt", "f.bin", "f.cmd", "legacy/a.c", "legacy/b.h", "legacy/c.in", "legacy/d.e", "legacy/x/a.c",
		"x.mac", "docs/x.mac", "docs/a/b.md", "docs/no.md", "anchored.md", "sub/anchored.md", "sub/override.md",
		"sub/q/deep.x", "sub/q/r/deep.x", "deep.x", "quoted name.q", "escaped.q", "Abc.cls", "bcd.cls", "cde.cls",
		"x.ncl", "y.ncl", "Up.pc", "up.pc", "x.unset", "x.neg", "x.later", "x.mixed", "x.bt", "x.nb", "weirdabc.w",
		"weird/x.w", "negated.md", "!negated.md", "dir/file", "a/b.z", "a/x/y/b.z", "top.y", "m/n/top.y",
		"x.sl", "plain.php", "export-ignored.txt", "a.auto", "café.bat", "README"}
	for _, p := range plain {
		files[p] = lf
	}
	// Content variants for the text=auto heuristics and for eol=crlf on binary-looking content.
	files["t2.txt"] = []byte("nul\x00inside\nx\n")
	files["t3.txt"] = []byte("has crlf\r\nand lf\n")
	files["t4.txt"] = []byte("lone\rcr\nx\n")
	files["t5.txt"] = []byte("\x01\x02\x03\x04\x05\x06\x07\nlots of control\n")
	files["t6.txt"] = append(bytes.Repeat([]byte("printable text\n"), 20), 0x01, '\n')
	files["t7.txt"] = []byte("dos eof\n\x1a")
	files["t8.txt"] = []byte("no newline at all")
	files["t9.txt"] = []byte{}
	files["n.bat"] = []byte("nul\x00inside\nbut eol=crlf converts\n")
	files["m.bat"] = []byte("mixed\r\nendings\nlone\rcr\n")

	repo, commit := commitTree(t, files)
	work := filepath.Join(t.TempDir(), "work")
	git(t, repo, nil, "-c", "core.autocrlf=false", "worktree", "add", "-q", "--detach", work, commit)

	m := NewMatcher(attrFiles(files))
	converted := 0
	for _, p := range slices.Sorted(mapKeys(files)) {
		got, err := os.ReadFile(filepath.Join(work, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		want := files[p]
		if m.CRLF(p, want) {
			want = ToCRLF(want)
			converted++
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: git checked out %q, Matcher predicts %q", p, got, want)
		}
		// The streamed conversion, fed one byte per read (every piece boundary there is), agrees.
		streamed := checkoutStream(t, m, p, files[p])
		if !bytes.Equal(got, streamed) {
			t.Errorf("%s: git checked out %q, Matcher.Checkout streams %q", p, got, streamed)
		}
	}
	if converted < 20 {
		t.Errorf("only %d files converted; the test set is meant to convert many", converted)
	}
}

// TestLookupMatchesCheckAttr compares every attribute of many paths with git check-attr.
func TestLookupMatchesCheckAttr(t *testing.T) {
	patterns := []string{"*.php", "/root.txt", "a/*.x", "a/**/z", "**/b/*.y", "a/**", "*", "?.q", "[a-c]?.r",
		"[]x].s", "[!a]*.t", "x*y*z", "**", "b/**/", "\\*.lit", "a/b/c", "c", "*/d/*", "f**g.h", "a/b/**/c/*.x",
		"[[:digit:]][[:alpha:]].n", "[a-].m", "sub/x.php", "*.PHP", "a**/b.o", "a/**b.o", "***/e.e", "?x**/y.o", "a/[b-c]/**/*.k"}
	var attrs strings.Builder
	for i, p := range patterns {
		fmt.Fprintf(&attrs, "%s m%d\n", p, i)
	}
	paths := []string{"x.php", "a/x.php", "root.txt", "a/root.txt", "a/b.x", "a/c/b.x", "a/z", "a/b/c/z", "z",
		"b/q.y", "a/b/q.y", "b/c/q.y", "a/anything", "q.q", "qq.q", "a/q.q", "aq.r", "dq.r", "x.s", "].s", "a.s",
		"b.t", "a.t", "xaybz", "xa/ybz", "b/c/d", "*.lit", "x.lit", "a/b/c", "x/c", "c/d/e", "c/d", "fg.h", "f/g.h",
		"fxxg.h", "a/b/c/x.x", "a/b/q/c/x.x", "a/b/q/r/c/x.x", "1a.n", "a1.n", "a.m", "-.m", "b.m", "sub/x.php",
		"X.PHP", "ab/b.o", "a/b.o", "a/xb.o", "e.e", "q/e.e", "ax/y.o", "axq/y.o", "ax/q/y.o", "axq/r/y.o", "a/b/x.k", "a/c/d/e/x.k", "a/d/x.k", "café.php", "sub/sub2/deep.php"}
	files := map[string][]byte{".gitattributes": []byte(attrs.String()),
		"sub/.gitattributes": []byte("*.php -m0 sub\nx.php !m6\n/c m99\n")}
	for _, p := range paths {
		files[p] = []byte("x\n")
	}
	repo, _ := commitTree(t, files)
	input := strings.Join(paths, "\x00") + "\x00"
	out := git(t, repo, []byte(input), "check-attr", "--cached", "-z", "-a", "--stdin")
	want := map[string][]string{}
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	for i := 0; i+2 < len(fields); i += 3 {
		want[fields[i]] = append(want[fields[i]], fields[i+1]+"="+fields[i+2])
	}
	if len(fields) < 3*len(paths) {
		t.Fatalf("git check-attr reported only %d attributes", len(fields)/3)
	}
	m := NewMatcher(attrFiles(files))
	for _, p := range paths {
		var got []string
		for name, v := range m.lookup(p) {
			switch v {
			case valTrue:
				v = "set"
			case valFalse:
				v = "unset"
			case valUnspc:
				continue // check-attr -a omits unspecified attributes
			}
			got = append(got, name+"="+v)
		}
		slices.Sort(got)
		w := want[p]
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s:\n got %v\nwant %v", p, got, w)
		}
	}
}
