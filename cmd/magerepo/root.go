package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command shares.
type globalOptions struct {
	Verbose   bool
	Quiet     bool
	LogFormat string // "text" or "json"
	stdout    io.Writer
	stderr    io.Writer
}

// logger returns the slog logger the options ask for, writing to stderr.
func (g *globalOptions) logger() *slog.Logger {
	level := slog.LevelInfo
	if g.Verbose {
		level = slog.LevelDebug
	}
	if g.Quiet {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	if g.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(g.errWriter(), opts))
	}
	return slog.New(slog.NewTextHandler(g.errWriter(), opts))
}

func (g *globalOptions) outWriter() io.Writer {
	if g.stdout != nil {
		return g.stdout
	}
	return os.Stdout
}

func (g *globalOptions) errWriter() io.Writer {
	if g.stderr != nil {
		return g.stderr
	}
	return os.Stderr
}

func newRootCommand(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "magerepo",
		Short: "Build, serve, sync and verify Composer repositories for Magento Open Source",
		Long: `magerepo builds a Composer repository from git repositories (by default the whole
Magento Open Source mirror), serves it, keeps a local copy of another repository in
sync, and verifies a repository end to end.

Exit status: 0 success, 1 something failed (details on stderr), 2 unusable
configuration or arguments, 130 interrupted.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if g.Quiet && g.Verbose {
				return usageError{fmt.Errorf("--quiet and --verbose cannot be combined")}
			}
			if g.LogFormat != "text" && g.LogFormat != "json" {
				return usageError{fmt.Errorf("--log-format must be text or json, not %q", g.LogFormat)}
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	f := root.PersistentFlags()
	f.BoolVarP(&g.Verbose, "verbose", "v", false, "log more detail")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "log only warnings and errors")
	f.StringVar(&g.LogFormat, "log-format", "text", "log format: text or json")
	root.AddCommand(
		newBuildCommand(g),
		newServeCommand(g),
		newSyncCommand(g),
		newVerifyCommand(g),
		newConfigCommand(g),
		newProfileCommand(g),
	)
	return root
}
