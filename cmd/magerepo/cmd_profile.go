package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mage-os/magerepo/internal/config"
)

func newProfileCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "List and show the embedded profiles (the mirror, nightly, a distribution example)",
		Long: `The binary embeds ready-made profiles: the Magento Open Source mirror, which every command uses
without --config or --profile, and others to build or to start from. 'profile list' names
them, 'profile show NAME' prints one, and --profile NAME builds one (build, serve, config check).
docs/profiles.md says what each one builds.`,
		Args: noSubcommand,
		RunE: showHelp,
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the embedded profiles: name, the default mark, what each builds",
		Long: `List prints one line per embedded profile, sorted by name: its name (what --profile and
'profile show' take), "*" for the default profile (used without --config or --profile), and
the first line of its description. With --json, the same as {"profiles": [{"name", "default",
"description"}]}.`,
		Example: `  magerepo profile list
  magerepo profile list --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProfileList(g, asJSON)
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON on stdout")
	show := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Print an embedded profile as YAML (the default one without NAME)",
		Long: `Show prints the embedded profile NAME ('magerepo profile list' names them), without NAME the
default one, which 'magerepo build' uses without --config or --profile: every source repository
of the Magento Open Source mirror with its first tag, layout and upstream fixes. Copy one to start
your own distribution's profile (a different file, not a fork of magerepo).

The printed profile is self-contained: the bytes of its file replacements, which the embedded
profiles keep in data files inside the binary, are written inline (content:), so
'magerepo build --config' builds the saved copy as it is, wherever it is saved.

Exit status: 0 printed, 2 no embedded profile has that name (the error lists them).`,
		Example: `  magerepo profile show > my-distribution.yaml
  magerepo profile show upstream-nightly`,
		Args:              maxArgs(1),
		ValidArgsFunction: completeProfileArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := config.DefaultProfile
			if len(args) == 1 {
				name = args[0]
			}
			b, err := config.SelfContainedProfileYAML(name)
			if err != nil {
				return usageError{err}
			}
			_, err = g.outWriter().Write(b)
			return err
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

// runProfileList prints the embedded profiles as a table, or as JSON.
func runProfileList(g *globalOptions, asJSON bool) error {
	ps := config.Profiles()
	if asJSON {
		return writeJSON(g.outWriter(), struct {
			Profiles []config.ProfileInfo `json:"profiles"`
		}{ps})
	}
	w := tabwriter.NewWriter(g.outWriter(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tDEFAULT\tDESCRIPTION")
	for _, p := range ps {
		mark := ""
		if p.Default {
			mark = "*"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.Name, mark, p.Description)
	}
	return w.Flush()
}

// addProfileFlag registers --profile NAME; usage names the value `NAME` (in backquotes, for the help's flag line).
func addProfileFlag(f *pflag.FlagSet, p *string, usage string) {
	f.StringVar(p, "profile", "", usage)
}

// completeProfileFlag makes the shell complete --profile with the embedded profiles' names.
func completeProfileFlag(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return profileCompletions(), cobra.ShellCompDirectiveNoFileComp
	})
}

// completeProfileArg completes the NAME of `profile show`.
func completeProfileArg(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return profileCompletions(), cobra.ShellCompDirectiveNoFileComp
}

// profileCompletions are the embedded profiles' names, each with its description, for shell completion.
func profileCompletions() []string {
	var out []string
	for _, p := range config.Profiles() {
		out = append(out, p.Name+"\t"+p.Description)
	}
	return out
}

// loadProfile returns the profile a command's --config path or --profile name chose, the embedded default one
// when neither is given, and the name errors give it. embedded reports an embedded profile, whose base-url is
// an example that is never used. Both flags at once, an unknown name, or a profile with problems is a usage
// error (exit 2).
func loadProfile(path, name string) (c *config.Config, label string, embedded bool, err error) {
	switch {
	case path != "" && name != "":
		return nil, "", false, usageError{fmt.Errorf("--config and --profile cannot be combined: --config FILE builds a profile file, --profile NAME an embedded profile")}
	case path != "":
		c, err = config.Load(path)
		label = path
	default:
		if name == "" {
			name = config.DefaultProfile
		}
		c, err = config.Profile(name)
		label, embedded = config.ProfileFileName(name), true
	}
	if err != nil {
		return nil, "", false, usageError{err}
	}
	return c, label, embedded, nil
}

// maxArgs is the Args of a command that takes at most n of the arguments named in its Use line.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			want := strings.TrimSpace(strings.TrimPrefix(cmd.Use, cmd.Name()))
			return fmt.Errorf("%s takes %s, got %d arguments", subcommand(cmd), want, len(args))
		}
		return nil
	}
}
