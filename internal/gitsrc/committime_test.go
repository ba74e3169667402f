package gitsrc

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCommitTime reads the committer date git wrote, whatever the author date and the time zone.
func TestCommitTime(t *testing.T) {
	dir := t.TempDir()
	run := func(env []string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run(nil, "init", "-q")
	run([]string{"GIT_AUTHOR_DATE=2001-02-03T04:05:06Z", "GIT_COMMITTER_DATE=2024-01-15T23:30:00+02:00",
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b"},
		"commit", "-q", "--allow-empty", "-m", "x")
	commit := run(nil, "rev-parse", "HEAD")
	r, err := openLocal(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.CommitTime(context.Background(), commit)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 1, 15, 21, 30, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("CommitTime = %v, want %v in UTC", got, want)
	}
	if _, err := r.CommitTime(context.Background(), strings.Repeat("0", 40)); err == nil {
		t.Fatal("a missing commit has no time")
	}
}
