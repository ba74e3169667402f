package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB: replaced by the real command.
func newServeCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "not implemented yet",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("serve: not implemented yet") },
	}
}
