package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/version"
)

// globalOptions are the flags every command shares.
type globalOptions struct {
	Verbose   bool
	Quiet     bool
	LogFormat string // "text" or "json"
	stdout    io.Writer
	stderr    io.Writer
}

// logger returns the slog logger the options ask for, writing to stderr. --quiet leaves errors only: the
// summary on stdout still says how many conflicts and warnings there were.
func (g *globalOptions) logger() *slog.Logger {
	level := slog.LevelInfo
	if g.Verbose {
		level = slog.LevelDebug
	}
	if g.Quiet {
		level = slog.LevelError
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

Results go to stdout, logs to stderr; --quiet leaves only errors on stderr.

Exit status: 0 success, 1 something failed (details on stderr), 2 unusable
configuration or arguments, 130 interrupted.`,
		Version:       version.Get().String(),
		Args:          noSubcommand,
		RunE:          showHelp,
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
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetOut(g.outWriter()) // --version and --help are results: stdout
	root.SetErr(g.errWriter())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	f := root.PersistentFlags()
	f.BoolVarP(&g.Verbose, "verbose", "v", false, "log more detail")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "log only errors (the summary on stdout stays)")
	f.StringVar(&g.LogFormat, "log-format", "text", "log format: text or json")
	root.AddCommand(
		newBuildCommand(g),
		newServeCommand(g),
		newSyncCommand(g),
		newVerifyCommand(g),
		newConfigCommand(g),
		newProfileCommand(g),
		newVersionCommand(g),
	)
	usageArgs(root)
	return root
}

// usageArgs makes every argument error of the tree a usage error (exit 2), in one place, so that no command
// can forget to: cobra's own validators return plain errors, which would exit 1.
func usageArgs(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}

// noSubcommand is the Args of a command that only groups others: an argument is an unknown command. (Cobra's
// default says so for the root only, and a group such as "config" would print its help and exit 0.)
func noSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra sets it only on its own path to this message
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return fmt.Errorf("%s (see '%s --help')", msg, cmd.CommandPath())
}

// showHelp is the RunE of a command that only groups others: without arguments it prints the help (exit 0).
// It exists so that cobra runs noSubcommand: for a command that cannot run, cobra prints the help for any
// arguments and exits 0.
func showHelp(cmd *cobra.Command, args []string) error { return cmd.Help() }

// noArgs is the Args of a command that takes no arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s takes no arguments, got %q", subcommand(cmd), strings.Join(args, " "))
	}
	return nil
}

// exactArgs is the Args of a command that takes the arguments named in its Use line, exactly.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			want := strings.TrimSpace(strings.TrimPrefix(cmd.Use, cmd.Name()))
			return fmt.Errorf("%s wants %s, got %d arguments", subcommand(cmd), want, len(args))
		}
		return nil
	}
}

// subcommand names cmd without the program's name, which the "magerepo: " of every error already says.
func subcommand(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// jobs is the value of every --jobs/-j flag: a count of at least 1, checked while flags are parsed, so that
// every command rejects 0 and negative counts alike (exit 2).
type jobs int

func (j *jobs) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a count of at least 1", s)
	}
	*j = jobs(n)
	return nil
}

func (j *jobs) String() string { return strconv.Itoa(int(*j)) }
func (j *jobs) Type() string   { return "int" }

// addJobsFlag registers --jobs/-j, with one spelling, short form and validation on every command that has it.
func addJobsFlag(f *pflag.FlagSet, p *int, def int, usage string) {
	*p = def
	f.VarP((*jobs)(p), "jobs", "j", usage)
}
