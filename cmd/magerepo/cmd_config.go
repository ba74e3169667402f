package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mage-os/magerepo/internal/config"
)

func newConfigCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with profile files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a profile and print every problem with its line",
		Long: `Check reads a profile YAML strictly: unknown keys, wrong types, missing fields and bad values
are reported as FILE:line messages. Exit status 0 when the profile is valid, 2 otherwise.`,
		Example: "  magerepo config check my-distribution.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := config.Load(args[0])
			if err != nil {
				return usageError{err}
			}
			fmt.Fprintf(g.outWriter(), "%s: valid (%d sources)\n", args[0], len(c.Sources))
			return nil
		},
	})
	return cmd
}
