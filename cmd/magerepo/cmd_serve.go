package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/mage-os/magerepo/internal/server"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// serveOptions are the flags of `magerepo serve`.
type serveOptions struct {
	Listen        string
	TLSCert       string
	TLSKey        string
	AuthFile      string
	UpdateEvery   time.Duration
	Config        string
	Profile       string
	Cache         string
	BaseURL       string
	Prebuilt      []string
	WebhookSecret string
}

// AddFlags registers the serve flags on f.
func (o *serveOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "address to listen on (host:port)")
	f.StringVar(&o.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS and HTTP/2 (needs --tls-key)")
	f.StringVar(&o.TLSKey, "tls-key", "", "PEM private key file for --tls-cert")
	f.StringVar(&o.AuthFile, "auth-file", "", "credentials file (lines user:password or token:<token>): require HTTP Basic or Bearer")
	f.DurationVar(&o.UpdateEvery, "update-every", 0, "rebuild the repository at this interval (e.g. 1h); 0: never")
	f.StringVar(&o.Config, "config", "", "build configuration for updates (default: the embedded profile)")
	addProfileFlag(f, &o.Profile, "embedded profile `NAME` for updates (magerepo profile list; not with --config)")
	f.StringVar(&o.Cache, "cache", "", "git cache directory for updates (default: the build command's default)")
	f.StringVar(&o.BaseURL, "base-url", "", "public URL of the repository for updates (overrides the profile's base-url)")
	f.StringArrayVar(&o.Prebuilt, "prebuilt", nil, "prebuilt zip directory for updates (repeatable)")
	f.StringVar(&o.WebhookSecret, "webhook-secret", "", "enable POST /hooks/update with this shared secret (env MAGEREPO_WEBHOOK_SECRET)")
}

func newServeCommand(g *globalOptions) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve DIR",
		Short: "Serve a repository directory over HTTP(S) for Composer",
		Long: `Serve a repository directory (the output of "magerepo build" or "magerepo sync")
for the Composer client: Last-Modified/ETag with 304 answers, gzip for JSON (the
.gz copies written by the build, or compressed once in memory), byte ranges, and a
fast plain 404 for names the repository does not hold. The private state in
.magerepo/, dot files and directory listings are never served.

With --update-every and/or --webhook-secret the server also rebuilds the
repository (like "magerepo build --config FILE|--profile NAME --cache ... --out <dir>") on that
interval, once at start, and on POST /hooks/update, while requests keep being
served; updates never run concurrently. The webhook accepts the secret as
"X-Magerepo-Secret: <secret>", "Authorization: Bearer <secret>", or a GitHub
"X-Hub-Signature-256" signature.

With --auth-file every file needs credentials (GET /healthz stays open). The
file holds one entry a line, "user:password" for HTTP Basic (Composer auth.json
"http-basic") or "token:<token>" for Bearer (auth.json "bearer"); "#" starts a
comment. Restart the server to reload it.

The server stops gracefully on SIGTERM or SIGINT. Access logs go to stderr
(--log-format json for machines, --quiet to silence them).

Exit status: 0 stopped by a signal after a clean shutdown, 1 the server failed,
2 unusable arguments.`,
		Example: `  # serve a built repository on localhost
  magerepo serve ./public

  # public HTTPS with HTTP/2, rebuilding every hour and on a webhook
  MAGEREPO_WEBHOOK_SECRET=s3cret magerepo serve --listen :443 \
      --tls-cert /etc/ssl/repo.pem --tls-key /etc/ssl/repo.key \
      --config mirror.yaml --cache /var/cache/magerepo --update-every 1h /srv/magerepo

  # a private distribution
  magerepo serve --auth-file /etc/magerepo/credentials ./public`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("webhook-secret") {
				opts.WebhookSecret = os.Getenv("MAGEREPO_WEBHOOK_SECRET")
			}
			return runServe(cmd.Context(), opts, g, args[0])
		},
	}
	opts.AddFlags(cmd.Flags())
	completeProfileFlag(cmd)
	return cmd
}

// runServe validates the options, then serves dir until ctx is done.
func runServe(ctx context.Context, opts *serveOptions, g *globalOptions, dir string) error {
	if (opts.TLSCert == "") != (opts.TLSKey == "") {
		return usageError{fmt.Errorf("serve: --tls-cert and --tls-key go together")}
	}
	if opts.UpdateEvery < 0 {
		return usageError{fmt.Errorf("serve: --update-every must not be negative")}
	}
	updates := opts.UpdateEvery > 0 || opts.WebhookSecret != ""
	if !updates && (opts.Config != "" || opts.Profile != "" || opts.Cache != "" || opts.BaseURL != "" || len(opts.Prebuilt) > 0) {
		return usageError{fmt.Errorf("serve: --config, --profile, --cache, --base-url and --prebuilt are for updates: add --update-every or --webhook-secret")}
	}
	if updates && opts.Profile != "" {
		// Refuse a wrong name now, not at the first update after the server announced itself.
		if _, _, _, err := loadProfile(opts.Config, opts.Profile); err != nil {
			return err
		}
	}
	if opts.TLSCert != "" {
		// Load the pair now: the server would only read it after announcing that it serves with TLS.
		if _, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey); err != nil {
			return usageError{fmt.Errorf("serve: --tls-cert/--tls-key: %w", err)}
		}
	}
	log := g.logger()
	sopts := server.Options{Logger: log, WebhookSecret: opts.WebhookSecret}
	if opts.AuthFile != "" {
		creds, err := server.LoadCredentials(opts.AuthFile)
		if err != nil {
			return usageError{fmt.Errorf("serve: %w", err)}
		}
		sopts.Credentials = creds
	}
	if updates {
		// The first update may have to create the directory.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		sopts.Updater = server.NewCountingUpdater(func(ctx context.Context) ([]slog.Attr, error) {
			sum, err := buildOnce(ctx, g, buildOptions{Config: opts.Config, Profile: opts.Profile, Cache: opts.Cache, BaseURL: opts.BaseURL, Prebuilt: opts.Prebuilt}, dir)
			return summaryAttrs(sum), err
		}, log)
	} else if _, err := os.Stat(filepath.Join(dir, "packages.json")); err != nil {
		// Not an error: a build may be about to write it. But a typo in DIR would otherwise look like a
		// server that answers 404 to everything.
		log.Warn("the directory holds no repository (no packages.json): Composer finds no packages until a build or sync writes one", "dir", dir)
	}
	srv, err := server.New(dir, sopts)
	if err != nil {
		return usageError{fmt.Errorf("serve: %w", err)}
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if sopts.Updater != nil {
		uctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sopts.Updater.Run(uctx, opts.UpdateEvery, true)
		}()
		// Stop and wait for the updater before the directory handle closes.
		defer func() { cancel(); <-done }()
	}
	return server.Run(ctx, ln, srv, server.RunOptions{TLSCert: opts.TLSCert, TLSKey: opts.TLSKey, Logger: log})
}
