package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/archive"
	"github.com/mage-os/magerepo/internal/build"
	"github.com/mage-os/magerepo/internal/config"
	"github.com/mage-os/magerepo/internal/gitsrc"
	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/ui"
)

// buildOptions are the flags of `magerepo build`.
type buildOptions struct {
	Config     string
	Profile    string
	Out        string
	Cache      string
	Jobs       int
	Strict     bool
	BaseURL    string
	ChangeURL  bool
	SourcesDir string
	Prebuilt   []string
	Format     archive.Format
	formatSet  bool
	JSON       bool
	PublishTo  publishTo
}

// AddFlags registers the options' flags.
func (o *buildOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVarP(&o.Config, "config", "c", "", "profile YAML (default: the embedded Magento Open Source mirror profile)")
	addProfileFlag(f, &o.Profile, "build the embedded profile `NAME` instead of the default one (magerepo profile list; not with --config)")
	f.StringVarP(&o.Out, "out", "o", "public", "output directory (the repository to serve)")
	f.StringVar(&o.Cache, "cache", gitsrc.DefaultCacheDir(), "directory for the bare git mirrors of remote sources (below the user cache directory: $XDG_CACHE_HOME or ~/.cache on Linux)")
	// Defaults that depend on the machine are described, not printed, so that --help and the generated
	// reference (docs/cli-reference) read the same everywhere.
	f.Lookup("cache").DefValue = "~/.cache/magerepo/git"
	addJobsFlag(f, &o.Jobs, runtime.GOMAXPROCS(0), "archives written in parallel (output never depends on it)")
	f.Lookup("jobs").DefValue = "the number of CPUs"
	f.BoolVar(&o.Strict, "strict", false, "stop at the first failure")
	f.StringVar(&o.BaseURL, "base-url", "", "public URL the repository is served at; required for a new repository unless your --config sets base-url (later runs use the recorded one)")
	f.BoolVar(&o.ChangeURL, "change-base-url", false, "move the repository to --base-url: every dist URL is rewritten (archives are not)")
	f.StringVar(&o.SourcesDir, "sources-dir", "", "read the source named N from DIR/N (a bare repository or a clone) instead of its URL")
	f.StringArrayVar(&o.Prebuilt, "prebuilt", nil, "directory of prebuilt zips to publish verbatim (repeatable)")
	f.Var(&o.Format, "archive-format", "override the profile's archive format: mageos or deflate")
	f.Lookup("archive-format").DefValue = "" // the profile decides unless the flag is given
	f.BoolVar(&o.JSON, "json", false, "print the run summary as JSON on stdout")
	addPublishToFlag(f, &o.PublishTo)
}

func newBuildCommand(g *globalOptions) *cobra.Command {
	opts := &buildOptions{}
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build (or update) a Composer repository from git repositories",
		Long: `Build turns the tags of the configured git repositories into a Composer 2 repository in --out:
one zip per package version, p2 metadata, packages.json. Without --config or --profile it builds
the whole Magento Open Source mirror (see 'magerepo profile show'); --profile NAME builds another
embedded profile ('magerepo profile list'), --config FILE your own.

Runs are incremental: tags already processed are not read again, and a published archive is
never rebuilt or rewritten, so users' lock files and caches stay valid.

Exit status: 0 success, 1 some packages, tags or sources failed (each is reported with its
repository, tag and path; the rest is built), 2 unusable configuration or arguments.`,
		Example: `  magerepo build --out /srv/magerepo --base-url https://mirror.example.com/
  magerepo build --config my-distribution.yaml --out public --jobs 8
  magerepo build --profile upstream-nightly --out nightly --base-url https://nightly.example.com/
  magerepo build --sources-dir ./clones --prebuilt ./additional-packages --out public`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.formatSet = cmd.Flags().Changed("archive-format")
			return runBuild(cmd.Context(), opts, g)
		},
	}
	opts.AddFlags(cmd.Flags())
	completeProfileFlag(cmd)
	return cmd
}

// runBuild is the build command; tests call it directly.
func runBuild(ctx context.Context, opts *buildOptions, g *globalOptions) error {
	_, err := runBuildSummary(ctx, opts, g)
	return err
}

// runBuildSummary is runBuild, also returning the summary (nil when the build could not start).
func runBuildSummary(ctx context.Context, opts *buildOptions, g *globalOptions) (*build.Summary, error) {
	cfg, label, embedded, err := loadProfile(opts.Config, opts.Profile)
	if err != nil {
		return nil, err
	}
	if embedded {
		cfg.BaseURL = "" // an embedded profile's URL is an example: never publish at somebody else's server
	}
	if opts.BaseURL != "" {
		cfg.BaseURL = opts.BaseURL
	}
	if opts.formatSet {
		cfg.ArchiveFormat = opts.Format.String()
	}
	if probs := cfg.Validate(); len(probs) > 0 {
		return nil, usageError{&config.ValidationError{File: label, Problems: probs}}
	}
	log := g.logger()
	sum, err := build.Run(ctx, build.Options{
		Config: cfg, Out: opts.Out, CacheDir: opts.Cache, SourcesDir: opts.SourcesDir, Prebuilt: opts.Prebuilt,
		ChangeBaseURL: opts.ChangeURL, Jobs: opts.Jobs, Strict: opts.Strict, Logger: log, Progress: ui.NewProgress(g.errWriter(), g.Quiet, log, "writing archives"),
	})
	if sum != nil {
		printSummary(g.outWriter(), sum, opts.JSON)
	}
	if sum != nil && sum.Published && !sum.Interrupted && (err == nil || errors.Is(err, build.ErrFailed)) {
		if merr := mirrorBuild(ctx, g, opts); merr != nil {
			return sum, merr
		}
	}
	switch {
	case err == nil:
		return sum, nil
	case errors.Is(err, repo.ErrNotOwner), errors.Is(err, repo.ErrBaseURL), errors.Is(err, repo.ErrNoBaseURL),
		errors.Is(err, build.ErrOptions):
		return sum, usageError{err}
	case errors.Is(err, build.ErrFailed):
		return sum, partial(err)
	default:
		return sum, err
	}
}

// mirrorBuild uploads the build's output directory to --publish-to. With --json the upload line goes to stderr,
// so stdout stays one JSON document.
func mirrorBuild(ctx context.Context, g *globalOptions, opts *buildOptions) error {
	if !opts.PublishTo.set {
		return nil
	}
	r, err := repo.Open(opts.Out)
	if err != nil {
		return err
	}
	defer r.Close()
	w := g.outWriter()
	if opts.JSON {
		w = g.errWriter()
	}
	return opts.PublishTo.mirror(ctx, g, r, w)
}

// buildOnce runs one build for `magerepo serve --update-every`: opts names the profile, cache, base URL
// and prebuilt directories; the output is the served directory. The summary is nil when the build could not
// start.
func buildOnce(ctx context.Context, g *globalOptions, opts buildOptions, outDir string) (*build.Summary, error) {
	opts.Out = outDir
	if opts.Jobs == 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Cache == "" {
		opts.Cache = gitsrc.DefaultCacheDir()
	}
	quiet := *g
	quiet.stdout = io.Discard
	quiet.Quiet = true
	return runBuildSummary(ctx, &opts, &quiet)
}

// summaryAttrs are the counts of a build summary as log attributes (the server's "update finished" line).
func summaryAttrs(s *build.Summary) []slog.Attr {
	if s == nil {
		return nil
	}
	return []slog.Attr{slog.Int("built", s.Built), slog.Int("reused", s.Reused), slog.Int("prebuilt", s.Prebuilt),
		slog.Int("skipped", s.Skipped), slog.Int("conflicts", s.Conflicts), slog.Int("failed", s.Failed),
		slog.Int("new_tags", s.NewTags)}
}

// printSummary prints the run's summary: one line, or the JSON document. The problems themselves were logged on
// stderr as they were found (with -q, the errors only), so they are not repeated here.
func printSummary(w io.Writer, s *build.Summary, asJSON bool) {
	if asJSON {
		_ = writeJSON(w, s)
		return
	}
	counts := fmt.Sprintf("built %d, reused %d, prebuilt %d, skipped %d, conflicts %d, failed %d", s.Built, s.Reused,
		s.Prebuilt, s.Skipped, s.Conflicts, s.Failed)
	switch {
	case s.Interrupted && !s.Published:
		// The archives are on disk, but no metadata names them yet and the tags are not recorded: say so, rather
		// than a summary that reads like a finished run.
		fmt.Fprintf(w, "interrupted after %s: %s; nothing published: the next run publishes the %d archives written and reads the %d new tags again\n",
			s.Duration, counts, s.Built, s.NewTags)
	case s.Interrupted:
		fmt.Fprintf(w, "interrupted after publishing: %s; %d new tags in %s\n", counts, s.NewTags, s.Duration)
	case !s.Published:
		fmt.Fprintf(w, "%s; nothing published; %d new tags in %s\n", counts, s.NewTags, s.Duration)
	default:
		fmt.Fprintf(w, "%s; %d new tags in %s\n", counts, s.NewTags, s.Duration)
	}
}
