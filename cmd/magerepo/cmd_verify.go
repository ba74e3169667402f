package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// STUB: replaced by the real command.
func newVerifyCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "not implemented yet",
		RunE:  func(cmd *cobra.Command, args []string) error { return errors.New("verify: not implemented yet") },
	}
}
