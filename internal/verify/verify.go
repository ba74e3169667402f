package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/jsonreport"
	"github.com/mage-os/magerepo/internal/progress"
)

// DefaultJobs is the default number of files read or downloaded at once. It
// bounds the connections to a remote repository, which is I/O bound, so it
// does not follow the number of CPUs.
const DefaultJobs = 8

// Options tune a check.
type Options struct {
	// Jobs bounds concurrent reads and downloads (DefaultJobs when < 1).
	Jobs int
	// Deep also compares require, replace, conflict and autoload of each
	// dist's composer.json with the metadata.
	Deep bool
	// Own lists package patterns ("magento/*") the repository is responsible
	// for besides those it lists; requirements on them must be satisfiable.
	Own []string
	// Against, if set, is a second repository to compare with.
	Against Source
	// AuditAgainst, if set, is the public repository (packagist.org) that
	// magento/composer-dependency-version-audit-plugin compares installs with.
	AuditAgainst Source
	// MaxMetadataSize caps packages.json and each p2 file read into memory
	// ([fetch.DefaultMaxMetadata] when < 1); a larger p2 file is a problem.
	MaxMetadataSize int64
	// Progress, if set, is called at the start of each long phase ("reading
	// metadata", "checking dists") and returns what to tell how far it is
	// (a terminal progress bar, log lines), or nil.
	Progress progress.Phases
}

// Progress is told how much work a phase has and how much is done (internal/progress).
type Progress = progress.Reporter

// unprefixed is err without its leading "verify: ", for an error about a second repository that a message
// already introduces with "verify: against X:" (the chain is kept for errors.Is).
func unprefixed(err error) error {
	msg, ok := strings.CutPrefix(err.Error(), "verify: ")
	if !ok {
		return err
	}
	return prefixless{msg, err}
}

type prefixless struct {
	msg string
	err error
}

func (e prefixless) Error() string { return e.msg }
func (e prefixless) Unwrap() error { return e.err }

// Run checks the repository src and returns the report. The error is set only
// when the check could not run: packages.json (of src or of opts.Against) is
// missing or unusable, or ctx was canceled.
func Run(ctx context.Context, src Source, opts Options) (*Report, error) {
	start := time.Now()
	jobs := opts.Jobs
	if jobs < 1 {
		jobs = DefaultJobs
	}
	maxMeta := opts.MaxMetadataSize
	if maxMeta < 1 {
		maxMeta = fetch.DefaultMaxMetadata
	}
	r, err := (&repository{src: src, maxMetadata: maxMeta, checkGzip: true, opts: &opts}).load(ctx, jobs)
	if err != nil {
		return nil, err
	}
	rep := &Report{Source: src.String(), Packages: len(r.packages), Versions: len(r.entries())}
	probs := r.problems
	var dp []Problem
	rep.Dists, dp = checkDists(ctx, r, jobs, opts.Deep, opts.Progress)
	probs = append(probs, dp...)
	probs = append(probs, checkClosure(r, newUniverse(r, opts.Own))...)
	rep.Advisories = checkAdvisories(r)
	if opts.Against != nil {
		other, err := (&repository{src: opts.Against, maxMetadata: maxMeta}).load(ctx, jobs)
		if err != nil {
			return nil, fmt.Errorf("verify: against %s: %w", opts.Against, unprefixed(err))
		}
		rep.Against = opts.Against.String()
		probs = append(probs, compare(r, other)...)
	}
	if opts.AuditAgainst != nil {
		ap, err := checkAudit(ctx, r, opts.AuditAgainst, jobs)
		if err != nil {
			return nil, err
		}
		probs = append(probs, ap...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Problems = sortProblems(probs)
	rep.Duration = jsonreport.Seconds(time.Since(start))
	return rep, nil
}

// entries returns every version of every package, in package order.
func (r *repository) entries() []*entry {
	var out []*entry
	for _, p := range r.packages {
		out = append(out, p.entries...)
	}
	return out
}
