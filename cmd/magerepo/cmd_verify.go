package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/fetch"
	"github.com/mage-os/magerepo/internal/ui"
	"github.com/mage-os/magerepo/internal/verify"
)

// verifyOptions are the flags of `magerepo verify`.
type verifyOptions struct {
	Deep    bool
	Own     []string
	Against string
	Audit   string
	BaseURL string
	JSON    bool
	Jobs    int
	// The HTTP client's flags (addFetchFlags).
	Retries         int
	StallTimeout    time.Duration
	MaxMetadataSize int64
	// progress shows the long phases (set by the command; tests leave it nil).
	progress func(phase string) verify.Progress
}

// AddFlags registers the verify flags on f.
func (o *verifyOptions) AddFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.Deep, "deep", false, "also compare require, replace, conflict and autoload of each dist's composer.json with the metadata")
	f.StringArrayVar(&o.Own, "own", nil, "package pattern the repository is responsible for (e.g. 'magento/*'); repeatable")
	f.StringVar(&o.Against, "against", "", "another repository (directory or URL) to compare with")
	f.StringVar(&o.Audit, "audit-against", "", "public repository (e.g. https://repo.packagist.org/) the Magento dependency-version audit plugin compares with: report versions it would reject (docs/audit-plugin.md)")
	f.StringVar(&o.BaseURL, "base-url", "", "URL a repository directory is published at (default: inferred from packages.json)")
	f.BoolVar(&o.JSON, "json", false, "print the report as JSON on stdout")
	addJobsFlag(f, &o.Jobs, verify.DefaultJobs, "files read or downloaded at once (connections per host)")
	addFetchFlags(f, &o.Retries, &o.StallTimeout, &o.MaxMetadataSize)
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	opts := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify DIR|URL",
		Short: "Check a Composer 2 repository end to end",
		Long: `Check a Composer 2 repository, a local directory or an http(s) URL:

  - packages.json and every p2 file parse (minified or not); every version entry
    has a valid name (the file's), a version that normalizes, a consistent
    version_normalized, a zip dist with url and shasum (unless a metapackage),
    and constraints that parse; no version is listed twice;
  - every dist exists, its SHA-1 equals shasum, the zip opens, and its root
    composer.json has the same name and version (with --deep, also the same
    require, replace, conflict and autoload);
  - every requirement on a package the repository owns (available-packages,
    available-package-patterns, --own) is satisfied by some version in it, or
    by a replace/provide; for a metapackage, the failing chain is shown;
  - with --against, both repositories have the same packages, versions, SHA-1s
    and metadata (dist URLs aside).

For a directory, dists whose URL lies under the repository's base URL are read
from the directory; others are downloaded. The base URL is inferred from
metadata-url unless --base-url gives it.

Output: one line per problem ("package version: what is wrong"), then a summary
line; --json prints a JSON report instead. See docs/verify.md.

Exit status: 0 no problem, 1 problems found, 2 the repository could not be
checked (packages.json missing or unusable, unreachable URL, bad arguments).`,
		Example: `  # a build's output directory, also comparing composer.json contents
  magerepo verify --deep ./public

  # a published mirror, owning every magento/* package
  magerepo verify --own 'magento/*' https://mirror.mage-os.org/

  # a rebuild against the published repository
  magerepo verify --against https://mirror.example.com/ ./public`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			log := g.logger()
			opts.progress = func(phase string) verify.Progress { return ui.NewProgress(g.errWriter(), g.Quiet, log, phase) }
			return runVerify(cmd.Context(), opts, args[0], g.outWriter())
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// runVerify checks target and writes the report to out.
func runVerify(ctx context.Context, opts *verifyOptions, target string, out io.Writer) error {
	if opts.Jobs < 1 {
		return usageError{fmt.Errorf("verify: --jobs must be at least 1")}
	}
	if err := checkFetchFlags("verify", opts.Retries, opts.StallTimeout, opts.MaxMetadataSize); err != nil {
		return usageError{err}
	}
	client := verify.NewClient(fetch.New(fetch.Options{Conns: opts.Jobs, Retries: opts.Retries, StallTimeout: opts.StallTimeout}))
	src, err := verify.OpenSource(target, opts.BaseURL, client)
	if err != nil {
		return usageError{err}
	}
	vo := verify.Options{Jobs: opts.Jobs, Deep: opts.Deep, Own: opts.Own, MaxMetadataSize: opts.MaxMetadataSize, Progress: opts.progress}
	if opts.Against != "" {
		if vo.Against, err = verify.OpenSource(opts.Against, "", client); err != nil {
			return usageError{err}
		}
	}
	if opts.Audit != "" {
		if vo.AuditAgainst, err = verify.OpenSource(opts.Audit, "", client); err != nil {
			return usageError{err}
		}
	}
	rep, err := verify.Run(ctx, src, vo)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return usageError{err}
	}
	if err := writeReport(rep, opts.JSON, out); err != nil {
		return fmt.Errorf("verify: writing report: %w", err)
	}
	if !rep.Clean() {
		return partial(fmt.Errorf("verify: %s found", plural(len(rep.Problems), "problem")))
	}
	return nil
}

// writeReport prints the report as text or JSON.
func writeReport(rep *verify.Report, asJSON bool, out io.Writer) error {
	if asJSON {
		return rep.WriteJSON(out)
	}
	return rep.WriteText(out)
}
