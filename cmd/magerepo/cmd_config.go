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
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a profile and print every problem with its line and column",
		Long: `Check reads a profile YAML strictly and prints every problem of the file at once, in file
order, each as "FILE: line L, column C: what is wrong": malformed YAML, unknown keys (with the
key meant), values of the wrong kind, missing settings, and values the build cannot use (an
unknown source, a version that does not parse, a dist-dir that collides with metadata).

Exit status: 0 the profile is valid, 2 it has problems (listed on stdout).`,
		Example: "  magerepo config check my-distribution.yaml",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigCheck(g, args[0])
		},
	})
	return cmd
}

// runConfigCheck prints the problems of the profile at path, or that it is valid.
func runConfigCheck(g *globalOptions, path string) error {
	c, err := config.Load(path)
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
