// Command magerepo builds, serves, syncs and verifies Composer package repositories
// for Magento Open Source and distributions built on it.
package main

// The generated documentation (docs/cli-reference/, and the exit-status table, the --json examples and the
// config check example in docs/cli.md, the profile list in docs/profiles.md) comes from the tests that check it:
//go:generate go test -run ^(TestCommandReference|TestExitCodes|TestDocumentedOutput|TestProfilesDocumented)$ -update

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes, documented in docs/cli.md.
const (
	exitOK       = 0
	exitFailed   = 1 // the command ran, but something failed (a package, a check)
	exitUsage    = 2 // unusable configuration or arguments; the command could not run
	exitCanceled = 130
)

// errPartial marks a run that finished but reported failures (exit status 1). Commands return it through
// [partial], which adds no words to the message: the message says what failed once.
var errPartial = errors.New("some items failed")

// partialError is an error of a run that finished but reported failures.
type partialError struct{ err error }

func (e partialError) Error() string        { return e.err.Error() }
func (e partialError) Unwrap() error        { return e.err }
func (e partialError) Is(target error) bool { return target == errPartial }

// partial marks err as the failure of some items of a run that otherwise finished (exit status 1).
func partial(err error) error { return partialError{err} }

// usageError marks unusable configuration or arguments (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns its exit status. The error, if any, is printed here and only here,
// on stderr: commands return it instead of printing it, so that every message appears once.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(&globalOptions{stdout: stdout, stderr: stderr})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	code := exitCode(ctx, err)
	switch {
	case code == exitCanceled:
		fmt.Fprintln(stderr, "magerepo: interrupted")
	case err != nil:
		// Every line is prefixed, so that a multi-line error (a profile's problems) reads as one message each.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "magerepo:", line)
		}
	}
	return code
}

// exitCode maps an error returned by a command to the process exit status.
func exitCode(ctx context.Context, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errPartial):
		return exitFailed
	case errors.As(err, &ue):
		return exitUsage
	case ctx.Err() != nil:
		return exitCanceled
	default:
		return exitFailed
	}
}
