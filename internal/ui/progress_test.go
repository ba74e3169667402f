package ui

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// TestProgressLogLines: off a terminal, progress is a log line at the start, about every tenth of the work and
// at the end, whatever the number of goroutines adding; with quiet there is none.
func TestProgressLogLines(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	p := NewProgress(&buf, false, log, "downloading dists")
	if _, ok := p.(*logLines); !ok {
		t.Fatalf("a buffer is no terminal: got %T", p)
	}
	p.Start(100)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				p.Add(1)
			}
		}()
	}
	wg.Wait()
	p.Finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// start, 10..90 done (9 lines), done
	if len(lines) != 11 || !strings.Contains(lines[0], "total=100") || !strings.Contains(lines[5], "done=50") ||
		!strings.Contains(lines[10], `msg="downloading dists: done"`) {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	if NewProgress(&buf, true, log, "x") != nil {
		t.Fatal("quiet shows progress")
	}
}
