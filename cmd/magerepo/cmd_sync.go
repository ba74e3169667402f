package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB: replaced by the real command.
func newSyncCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "sync",
		Short: "not implemented yet",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("sync: not implemented yet") },
	}
}
