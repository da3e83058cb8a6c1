// Command twinscale is a terminal dashboard for Seldon Core 2 Models and
// Servers autoscaled by twin HPAs. This package only wires things together:
// flags, logging, the data source and the Bubble Tea program.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, documented in README.md and in `twinscale snapshot --help`.
const (
	exitOK       = 0 // success
	exitFindings = 1 // snapshot --fail-on: findings at or above the threshold exist
	exitError    = 2 // bad flags, unreadable input, no data source
)

// exitErr carries an exit code through cobra.
type exitErr struct {
	code int
	err  error
}

// Error returns the wrapped message.
func (e *exitErr) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e *exitErr) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and maps the outcome to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newRootCmd(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	switch {
	case !errors.As(err, &ee):
		fmt.Fprintln(stderr, "twinscale:", err)
	case ee.err != nil && ee.code != exitFindings:
		fmt.Fprintln(stderr, "twinscale:", ee.err)
	case ee.err != nil:
		fmt.Fprintln(stderr, ee.err)
	}
	return exitCode(err)
}

// exitCode maps a command's error to the process exit code: 0 for nil, the code an
// exitErr carries, else exitError.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitError
}
