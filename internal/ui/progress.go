// Package ui shows the progress of long runs (the archives of a build; the metadata and dists of a sync or a
// verify, phase by phase): a progress bar when the output is a terminal, log lines otherwise (CI logs and cron
// mails).
package ui

import (
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress is told how much work there is and how much is done; Add may be called from several goroutines.
type Progress interface {
	Start(total int)
	Add(n int)
	Finish()
}

// bar is a terminal progress bar.
type bar struct {
	w    io.Writer
	what string
	bar  *progressbar.ProgressBar
}

// NewProgress returns a progress bar when stderr is a terminal, and otherwise log lines (about every tenth of
// the work), so that CI logs and cron mails still show how far a long build is.
func NewProgress(w io.Writer, quiet bool, log *slog.Logger, what string) Progress {
	if quiet {
		return nil
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &bar{w: w, what: what}
	}
	return &logLines{log: log, what: what}
}

func (p *bar) Start(total int) {
	p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(p.what),
		progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
}
func (p *bar) Add(n int) { _ = p.bar.Add(n) }
func (p *bar) Finish()   { _ = p.bar.Finish() }

// logLines reports progress as log lines.
type logLines struct {
	mu          sync.Mutex // Add is called by every archive writer
	log         *slog.Logger
	what        string
	total, done int
	start       time.Time
}

// Start begins a pass (a build has two: the archives, then a distribution's aliases).
func (p *logLines) Start(total int) {
	p.total, p.done, p.start = total, 0, time.Now()
	if total > 0 {
		p.log.Info(p.what, "total", total)
	}
}

func (p *logLines) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	step := max(p.total/10, 1)
	before := p.done / step
	p.done += n
	if p.done/step != before && p.done < p.total {
		p.log.Info(p.what, "done", p.done, "total", p.total, "duration", time.Since(p.start).Round(time.Millisecond))
	}
}

func (p *logLines) Finish() {
	if p.total > 0 {
		p.log.Info(p.what+": done", "total", p.total, "duration", time.Since(p.start).Round(time.Millisecond))
	}
}
