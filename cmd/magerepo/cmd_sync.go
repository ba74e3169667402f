package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/repo"
	"github.com/mage-os/magerepo/internal/sync"
	"github.com/mage-os/magerepo/internal/ui"
)

// syncOptions are the flags of `magerepo sync`: the sync options themselves, and the output format.
type syncOptions struct {
	sync.Options
	JSON      bool
	PublishTo publishTo
}

// AddFlags registers the sync flags on f.
func (o *syncOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.BaseURL, "base-url", "", "URL the local copy is served at; dist URLs point under it (required for a new copy; later runs use the recorded one)")
	f.BoolVar(&o.ChangeBaseURL, "change-base-url", false, "move the copy to --base-url: every dist URL is rewritten")
	f.StringVar(&o.DistDir, "dist-dir", "dist", "directory (relative to <dir>) for dists: <dist-dir>/<vendor>/<name>-<version>.zip")
	f.BoolVar(&o.MirrorPaths, "mirror-paths", false, "store each dist at its upstream path below the upstream URL instead")
	f.BoolVar(&o.KeepUpstreamMirror, "keep-upstream-mirror", false, "publish the upstream dist URL as a (non-preferred) dist mirror")
	f.StringArrayVar(&o.Only, "only", nil, "sync only package names matching this pattern (\"*\" wildcard; repeatable)")
	f.BoolVar(&o.Prune, "prune", false, "remove local versions that upstream no longer has (default: report and keep)")
	addJobsFlag(f, &o.Jobs, 8, "parallel HTTP requests")
	addFetchFlags(f, &o.Retries, &o.StallTimeout, &o.MaxMetadataSize)
	f.BoolVar(&o.JSON, "json", false, "print the run report as JSON on stdout")
	addPublishToFlag(f, &o.PublishTo)
}

func newSyncCommand(g *globalOptions) *cobra.Command {
	opts := &syncOptions{}
	cmd := &cobra.Command{
		Use:   "sync URL DIR",
		Short: "Keep a verified local copy of another Composer repository",
		Long: `Copy a Composer repository (a magerepo, Satis or Packagist-like server) into an
output directory that "magerepo serve" or any web server can serve.

sync reads the upstream packages.json (metadata-url with available-packages, or
available-package-patterns with a list endpoint; Composer 1 packages/includes as a
fallback), fetches every p2 file, downloads every dist and checks its SHA-1 against
the upstream shasum before publishing it, and writes Composer 2 metadata whose dist
URLs point under --base-url, in the layout of "magerepo build": dists first, then
p2 files, then packages.json, each atomically.

Later runs are incremental: metadata is requested with If-Modified-Since, only new
dists are downloaded, unchanged files are not touched, and a download interrupted
by a crash or a dropped connection is resumed. A version upstream removed is
reported and kept unless --prune. A dist whose checksum does not match, or a
published version whose bytes upstream changed, is reported and not published; the
previous state stays. See docs/sync.md.

Exit status: 0 in sync, 1 something failed (listed on stderr and in
<dir>/.magerepo/sync-report.json), 2 unusable arguments, 130 interrupted.`,
		Example: `  # mirror the Mage-OS repository for local customers
  magerepo sync --base-url https://mirror.example.com/ https://repo.mage-os.org/ /srv/mirror

  # only Magento packages, every hour from cron, deleting what upstream deletes
  magerepo sync --only 'magento/*' --prune --base-url https://m.example.com/ https://repo.mage-os.org/ /srv/m`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSync(cmd.Context(), opts, g, args[0], args[1])
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// runSync checks the arguments, syncs and prints the summary.
func runSync(ctx context.Context, opts *syncOptions, g *globalOptions, upstream, dir string) error {
	if err := opts.check(upstream); err != nil {
		return usageError{err}
	}
	r, err := repo.OpenAs(dir, repo.OwnerSync)
	if errors.Is(err, repo.ErrNotOwner) {
		return usageError{fmt.Errorf("sync: %w", err)}
	}
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	defer r.Close()
	so := opts.Options
	so.Upstream, so.Logger = upstream, g.logger()
	so.Progress = func(phase string) sync.Progress { return ui.NewProgress(g.errWriter(), g.Quiet, so.Logger, phase) }
	rep, err := sync.Run(ctx, r, so)
	if err != nil {
		if ctx.Err() != nil {
			if rep != nil {
				printSyncReport(g.outWriter(), rep, opts.JSON)
			}
			return ctx.Err()
		}
		if errors.Is(err, repo.ErrBaseURL) || errors.Is(err, repo.ErrNoBaseURL) {
			return usageError{err}
		}
		return err
	}
	printSyncReport(g.outWriter(), rep, opts.JSON)
	w := g.outWriter()
	if opts.JSON {
		w = g.errWriter() // stdout stays one JSON document
	}
	if err := opts.PublishTo.mirror(ctx, g, r, w); err != nil {
		return err
	}
	if rep.Failed() {
		return partial(fmt.Errorf("sync: %d failed", len(rep.Failures)))
	}
	return nil
}

func (o *syncOptions) check(upstream string) error {
	for _, s := range []string{o.BaseURL, upstream} {
		if s == "" {
			continue // a base URL is needed by a new copy only: sync.Run says so
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("sync: %q is not an http(s) URL", s)
		}
	}
	if o.Jobs < 1 {
		return errors.New("sync: --jobs must be at least 1")
	}
	return checkFetchFlags("sync", o.Retries, o.StallTimeout, o.MaxMetadataSize)
}

// printSyncReport prints the summary, or the JSON report. Each failure, skipped version and version gone upstream
// was logged on stderr when it was found, so the summary only counts them.
func printSyncReport(w io.Writer, rep *sync.Report, asJSON bool) {
	if asJSON {
		_ = writeJSON(w, rep)
		return
	}
	if rep.Interrupted {
		fmt.Fprintf(w, "interrupted after %s: nothing published; %d dists downloaded are kept and the next run resumes\n",
			rep.Duration, rep.Downloaded)
		return
	}
	fmt.Fprintf(w, "synced %s: %d packages, %d versions published\n", rep.Upstream, rep.Packages, rep.Versions)
	fmt.Fprintf(w, "metadata: %d fetched, %d not modified, %d missing; dists: %d downloaded (%d resumed), %d reused\n",
		rep.MetadataFetched, rep.MetadataNotModified, rep.MetadataMissing, rep.Downloaded, rep.Resumed, rep.Reused)
	fmt.Fprintf(w, "versions: %d added, %d updated, %d gone upstream (kept), %d pruned, %d skipped, %d failed\n",
		len(rep.Added), len(rep.Updated), len(rep.Gone), len(rep.Pruned), len(rep.Skipped), len(rep.Failures))
	fmt.Fprintf(w, "%d requests, %d bytes received, %s\n", rep.Requests, rep.BytesReceived, rep.Duration)
}
