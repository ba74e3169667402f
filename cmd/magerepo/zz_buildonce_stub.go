package main

import (
	"context"
	"errors"
)

// TEMPORARY (server engineer): stands in for the lead's buildOnce in cmd_build.go
// until it exists. Delete this file when cmd_build.go defines buildOnce.
func buildOnce(ctx context.Context, g *globalOptions, configPath, outDir, cacheDir string) error {
	return errors.New("build: not implemented yet")
}
