package main

import (
	"github.com/spf13/cobra"

	"github.com/mage-os/magerepo/internal/config"
)

func newProfileCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "Show the embedded Magento Open Source mirror profile",
		Args:  noSubcommand,
		RunE:  showHelp,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the embedded default profile as YAML",
		Long: `Show prints the profile 'magerepo build' uses without --config: every source repository of the
Magento Open Source mirror with its first tag, layout and upstream fixes. Copy it to start your own
distribution's profile (a different file, not a fork of magerepo).

The printed profile is self-contained: the bytes of its file replacements, which the embedded profile keeps
in data files inside the binary, are written inline (content:), so 'magerepo build --config' builds the
saved copy as it is, wherever it is saved.`,
		Example: "  magerepo profile show > my-distribution.yaml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := config.SelfContainedYAML()
			if err != nil {
				return err
			}
			_, err = g.outWriter().Write(b)
			return err
		},
	})
	return cmd
}
