package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mage-os/magerepo/internal/version"
)

func newVersionCommand(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print magerepo's version, revision and Go version",
		Long: `Version prints what the Go toolchain recorded in the binary: the module version (for
'go install …@vX.Y.Z'), the VCS revision it was built from and whether the work tree had
uncommitted changes, and the Go version. 'magerepo --version' prints the same line. The
HTTP client sends the short form in its User-Agent.`,
		Example: "  magerepo version\n  magerepo version --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				return writeJSON(g.outWriter(), version.Get())
			}
			_, err := fmt.Fprintln(g.outWriter(), version.Get())
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build information as JSON")
	return cmd
}
