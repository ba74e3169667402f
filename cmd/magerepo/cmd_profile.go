package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB: replaced by the real command.
func newProfileCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "profile",
		Short: "not implemented yet",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("profile: not implemented yet") },
	}
}
