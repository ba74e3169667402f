package gitsrc

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"
)

// CommitTime returns the committer time of a commit, in UTC. Builds that derive versions or choices from time
// use it instead of the clock, so the same history gives the same output anywhere, at any time.
func (r *Repo) CommitTime(ctx context.Context, commit string) (time.Time, error) {
	body, err := r.Object(ctx, commit, "commit")
	if err != nil {
		return time.Time{}, err
	}
	header, _, _ := bytes.Cut(body, []byte("\n\n"))
	for line := range bytes.SplitSeq(header, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte("committer "))
		if !ok {
			continue
		}
		return parseSignatureTime(rest, commit)
	}
	return time.Time{}, fmt.Errorf("commit %s: no committer line", commit)
}

// parseSignatureTime reads the "<seconds> <zone>" that ends a git signature line ("Name <mail> 1700000000 +0100").
func parseSignatureTime(sig []byte, commit string) (time.Time, error) {
	end := bytes.LastIndexByte(sig, '>')
	if end < 0 {
		return time.Time{}, fmt.Errorf("commit %s: malformed committer line", commit)
	}
	fields := bytes.Fields(sig[end+1:])
	if len(fields) == 0 {
		return time.Time{}, fmt.Errorf("commit %s: committer line has no time", commit)
	}
	secs, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("commit %s: committer time %q: %w", commit, fields[0], err)
	}
	return time.Unix(secs, 0).UTC(), nil
}
