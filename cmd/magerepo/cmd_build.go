package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB: replaced by the real command.
func newBuildCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "build",
		Short: "not implemented yet",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("build: not implemented yet") },
	}
}
