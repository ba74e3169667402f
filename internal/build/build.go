// Package build turns tagged git repositories into a Composer repository: it opens the sources, expands every new
// tag's layout entries into package candidates, lets internal/plan choose which candidate builds each
// (name, version), writes the winners' archives on a worker pool and publishes through internal/repo.
//
// The stages are deliberately separate: expansion reads only composer.json files and tree objects (cheap), so a
// run with nothing new does almost no work, and the expensive archive writing happens once per published version.
package build

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mage-os/magerepo/internal/archive"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/fixes"
	"github.com/mage-os/magerepo/internal/gitsrc"
	"github.com/mage-os/magerepo/internal/jsonreport"
	"github.com/mage-os/magerepo/internal/magento"
	"github.com/mage-os/magerepo/internal/repo"
)

// ErrFailed is returned (wrapped) when the build finished but some packages, tags or sources failed.
var ErrFailed = errors.New("build: some items failed")

// Options configure one build run.
type Options struct {
	Config *config.Config
	// Out is the output directory.
	Out string
	// CacheDir holds the bare mirrors of remote sources.
	CacheDir string
	// SourcesDir, when set, reads the source named N from SourcesDir/N instead of its URL (offline builds).
	SourcesDir string
	// Prebuilt are extra directories of ready-made zips (added to the configuration's).
	Prebuilt []string
	// Jobs is the number of archive writers; output never depends on it.
	Jobs int
	// ChangeBaseURL allows Config.BaseURL to differ from the URL the output is recorded at: the metadata is
	// republished under the new URL. Without it such a run fails before doing any work.
	ChangeBaseURL bool
	// Strict stops at the first failure.
	Strict bool
	// Logger receives progress and problems; nil discards.
	Logger *slog.Logger
	// Progress, if set, is told about archive writing.
	Progress Progress
}

// Progress is informed as archives are written (a terminal progress bar implements it). Add is called from
// several goroutines at once.
type Progress interface {
	Start(total int)
	Add(n int)
	Finish()
}

// Summary is the outcome of a run; it is also written to <out>/.magerepo/last-build.json. Its JSON follows
// internal/jsonreport.
type Summary struct {
	// Built counts the archives written by this run, as they are written: after an interruption, those are on
	// disk but not yet published (Published is false), and the next run publishes them without writing them
	// again.
	Built     int `json:"built"`
	Reused    int `json:"reused"`
	Prebuilt  int `json:"prebuilt"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	Conflicts int `json:"conflicts"`
	Warnings  int `json:"warnings"`
	// NewTags counts the tags read for the first time; they are recorded as done only when Published.
	NewTags int `json:"new_tags"`
	// Published reports that the metadata was published (or was already up to date).
	Published bool `json:"published"`
	// Interrupted reports that the run was stopped by a signal (or its context).
	Interrupted bool               `json:"interrupted"`
	Duration    jsonreport.Seconds `json:"duration_seconds"`
	Problems    []Problem          `json:"problems"`
}

// Run builds the repository described by opts and publishes it. It returns a summary even when it also returns
// an error; the error wraps ErrFailed when only some items failed.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	start := time.Now()
	b, err := newBuilder(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer b.close()
	err = b.run(ctx)
	sum := b.summary(time.Since(start))
	sum.Interrupted = ctx.Err() != nil
	if werr := b.out.WriteReport("last-build.json", sum); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return sum, err
	}
	if sum.Failed > 0 {
		return sum, fmt.Errorf("%w: %d failed", ErrFailed, sum.Failed)
	}
	return sum, nil
}

// builder holds one run's state.
type builder struct {
	opts    Options
	cfg     *config.Config
	format  archive.Format
	log     *slog.Logger
	out     *repo.Repo
	fixes   *fixes.Set
	report  *report
	sources []*source
	state   *buildState

	mdOnce     sync.Once
	md         *magento.ReleaseMetadata
	unreadable unreadableSources // sources that could not be read at all (firstRunComplete)
	nightly    *nightlyRun       // this run's nightly set (nightly.go); nil unless the profile builds branches
	extraRepos []*gitsrc.Repo    // repositories opened besides the sources (release metadata)

	dist           *distribution        // this run's distribution releases (distro.go)
	doneReleases   []config.DistRelease // distribution releases this run completes (distro.go)
	expandEveryTag bool                 // expand processed tags too (a pending distribution release)

	reused, prebuilt, newTags int
	expanded                  int          // tags expanded: the new ones, and every one for a pending distribution release
	built                     atomic.Int64 // archives written, counted by the writers as they finish
	published                 bool
}

func newBuilder(ctx context.Context, opts Options) (*builder, error) {
	if opts.Config == nil {
		return nil, errors.New("build: no configuration")
	}
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	format, err := archive.ParseFormat(opts.Config.ArchiveFormat)
	if err != nil {
		return nil, err
	}
	fx, err := fixes.New(opts.Config, config.DataFS(opts.Config))
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	out, err := repo.OpenAs(opts.Out, repo.OwnerBuild)
	if err != nil {
		return nil, err
	}
	// An empty Config.BaseURL means the recorded one; a new repository needs one.
	if opts.Config.BaseURL, err = out.ResolveBaseURL(opts.Config.BaseURL, opts.ChangeBaseURL); err != nil {
		out.Close()
		return nil, err
	}
	b := &builder{opts: opts, cfg: opts.Config, format: format, log: opts.Logger, out: out, fixes: fx,
		report: newReport(opts.Logger)}
	if b.state, err = loadState(out); err != nil {
		out.Close()
		return nil, err
	}
	return b, nil
}

func (b *builder) close() {
	for _, r := range b.extraRepos {
		r.Close()
	}
	for _, s := range b.sources {
		if s.repo != nil {
			s.repo.Close()
		}
	}
	b.out.Close()
}

func (b *builder) summary(d time.Duration) *Summary {
	probs := b.report.sorted()
	s := &Summary{Built: int(b.built.Load()), Reused: b.reused, Prebuilt: b.prebuilt, NewTags: b.newTags, Published: b.published,
		Duration: jsonreport.Seconds(d), Problems: jsonreport.List(probs)}
	for _, p := range probs {
		switch p.Severity {
		case SeverityError:
			s.Failed++
		case SeveritySkip:
			s.Skipped++
		case SeverityConflict:
			s.Conflicts++
		case SeverityWarning:
			s.Warnings++
		}
	}
	return s
}

// run is the pipeline: sources → candidates → plan → archives → publish.
func (b *builder) run(ctx context.Context) error {
	if err := b.openSources(ctx); err != nil {
		return err
	}
	cands, err := b.expandAll(ctx)
	if err != nil {
		return err
	}
	cands = b.pinNightly(ctx, cands)
	pre, err := b.addPrebuilt(ctx)
	if err != nil {
		return err
	}
	if b.distributing() {
		cands = b.distribute(ctx, cands)
	}
	winners := b.resolve(cands, pre)
	if err := b.writeArchives(ctx, cands, winners); err != nil {
		return err
	}
	if err := b.finishReleases(ctx); err != nil {
		return err
	}
	b.retireNightlies(cands)
	if err := b.publish(ctx); err != nil {
		return err
	}
	b.reportUnusedFixes()
	return b.state.save(b.out)
}

func (b *builder) strictErr() error {
	if b.opts.Strict && b.report.failed() {
		return fmt.Errorf("%w: stopped at the first failure (--strict)", ErrFailed)
	}
	return nil
}
