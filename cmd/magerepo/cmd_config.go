package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mage-os/magerepo/internal/config"
)

func newConfigCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with profile files",
		Args:  noSubcommand,
		RunE:  showHelp,
	}
	var profile string
	check := &cobra.Command{
		Use:   "check [FILE]",
		Short: "Validate a profile and print every problem with its line and column",
		Long: `Check reads a profile YAML strictly and prints every problem of the file at once, in file
order, each as "FILE: line L, column C: what is wrong": malformed YAML, unknown keys (with the
key meant), values of the wrong kind, missing settings, and values the build cannot use (an
unknown source, a version that does not parse, a dist-dir that collides with metadata).
With --profile NAME instead of FILE it checks the embedded profile NAME.

Exit status: 0 the profile is valid, 2 it has problems (listed on stdout).`,
		Example: `  magerepo config check my-distribution.yaml
  magerepo config check --profile mageos-distribution`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 1 && profile != "":
				return usageError{fmt.Errorf("config check takes FILE or --profile NAME, not both")}
			case len(args) == 0 && profile == "":
				return usageError{fmt.Errorf("config check wants FILE or --profile NAME")}
			case len(args) == 1:
				return runConfigCheck(g, args[0], "")
			default:
				return runConfigCheck(g, "", profile)
			}
		},
	}
	addProfileFlag(check.Flags(), &profile, "check the embedded profile `NAME` instead of a FILE (magerepo profile list)")
	completeProfileFlag(check)
	cmd.AddCommand(check)
	return cmd
}

// runConfigCheck prints the problems of the profile file at path or the embedded profile name, or that it is
// valid.
func runConfigCheck(g *globalOptions, path, name string) error {
	var c *config.Config
	var err error
	if name != "" {
		c, err = config.Profile(name)
		path = config.ProfileFileName(name)
	} else {
		c, err = config.Load(path)
	}
	var ve *config.ValidationError
	switch {
	case errors.As(err, &ve):
		fmt.Fprintln(g.outWriter(), ve.Error())
		return usageError{fmt.Errorf("%s: %s", path, plural(len(ve.Problems), "problem"))}
	case err != nil:
		return usageError{err}
	}
	fmt.Fprintf(g.outWriter(), "%s: valid (%s)\n", path, plural(len(c.Sources), "source"))
	return nil
}
