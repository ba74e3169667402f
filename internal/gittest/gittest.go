// Package gittest builds real git repositories for tests with the git CLI: fixed identities, dates and
// configuration, so object ids are stable and the caller's git setup never leaks in.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a git repository with a work tree in a temporary directory.
type Repo struct {
	t   testing.TB
	Dir string
	n   int // commits made, for increasing dates
}

// New creates an empty repository on branch main.
func New(t testing.TB) *Repo {
	t.Helper()
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "-q", "-b", "main", ".")
	r.Git("config", "core.autocrlf", "false")
	return r
}

// Env is the environment every git command of these helpers runs with.
func Env(home string) []string {
	return append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=Test Author", "GIT_AUTHOR_EMAIL=author@example.invalid",
		"GIT_COMMITTER_NAME=Test Committer", "GIT_COMMITTER_EMAIL=committer@example.invalid",
		"LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
}

// Git runs git in the repository and returns its trimmed output; a failure fails the test.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	out, err := r.run(nil, args...)
	if err != nil {
		r.t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (r *Repo) run(extraEnv []string, args ...string) (string, error) {
	home := filepath.Join(r.Dir, ".git", "test-home")
	_ = os.MkdirAll(home, 0o755)
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(Env(home), extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// Write creates or replaces files (mode 644) with the given contents.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for p, c := range files {
		r.WriteFile(p, c, false)
	}
}

// WriteFile creates or replaces one file; executable gives mode 755.
func (r *Repo) WriteFile(path, content string, executable bool) {
	r.t.Helper()
	full := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		r.t.Fatal(err)
	}
	mode := os.FileMode(0o644)
	if executable {
		mode = 0o755
	}
	_ = os.Remove(full)
	if err := os.WriteFile(full, []byte(content), mode); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Chmod(full, mode); err != nil {
		r.t.Fatal(err)
	}
}

// Symlink creates a symbolic link at path pointing to target.
func (r *Repo) Symlink(path, target string) {
	r.t.Helper()
	full := filepath.Join(r.Dir, filepath.FromSlash(path))
	_ = os.MkdirAll(filepath.Dir(full), 0o755)
	_ = os.Remove(full)
	if err := os.Symlink(target, full); err != nil {
		r.t.Fatal(err)
	}
}

// Remove deletes files or directories from the work tree.
func (r *Repo) Remove(paths ...string) {
	r.t.Helper()
	for _, p := range paths {
		if err := os.RemoveAll(filepath.Join(r.Dir, filepath.FromSlash(p))); err != nil {
			r.t.Fatal(err)
		}
	}
}

// Commit records the whole work tree and returns the commit id. Dates advance one day per commit.
func (r *Repo) Commit(msg string) string {
	r.t.Helper()
	r.n++
	date := fmt.Sprintf("2024-01-%02dT12:00:00+00:00", r.n)
	r.Git("add", "-A")
	if _, err := r.run([]string{"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date},
		"commit", "-q", "--allow-empty", "--no-gpg-sign", "-m", msg); err != nil {
		r.t.Fatalf("commit: %v", err)
	}
	return r.Git("rev-parse", "HEAD")
}

// Tag creates an annotated tag on HEAD.
func (r *Repo) Tag(name string) {
	r.t.Helper()
	date := fmt.Sprintf("2024-01-%02dT12:30:00+00:00", r.n)
	if _, err := r.run([]string{"GIT_COMMITTER_DATE=" + date}, "tag", "-a", "-m", "Release "+name, name); err != nil {
		r.t.Fatalf("tag %s: %v", name, err)
	}
}

// CommitTag commits the work tree and tags it.
func (r *Repo) CommitTag(tag string) string {
	r.t.Helper()
	c := r.Commit("Release " + tag)
	r.Tag(tag)
	return c
}

// ComposerJSON returns a small composer.json document for tests.
func ComposerJSON(name, version string, require map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{\n    \"name\": %q,\n    \"description\": \"test package %s\",\n    \"type\": \"library\"", name, name)
	if version != "" {
		fmt.Fprintf(&b, ",\n    \"version\": %q", version)
	}
	if len(require) > 0 {
		b.WriteString(",\n    \"require\": {")
		first := true
		for _, k := range sortedKeys(require) {
			if !first {
				b.WriteString(",")
			}
			first = false
			fmt.Fprintf(&b, "\n        %q: %q", k, require[k])
		}
		b.WriteString("\n    }")
	}
	b.WriteString("\n}\n")
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}
