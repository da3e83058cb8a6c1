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
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, documented in README.md and in `twinscale snapshot --help`. Every
// problem found before the dashboard starts has its own code, so scripts can tell a
// typo from a cluster that is down.
const (
	exitOK         = 0 // success
	exitFindings   = 1 // snapshot --fail-on: findings at or above the threshold exist
	exitError      = 2 // bad flags or arguments, unreadable input
	exitKubeconfig = 3 // no kubeconfig, a broken one, an unknown context, rejected credentials
	exitCluster    = 4 // the Kubernetes API server cannot be reached
	exitPrometheus = 5 // bad Prometheus settings: URL, service, --prometheus-config, --query
	exitTheme      = 6 // the --theme cannot be loaded
)

// withCode gives err an exit code unless it already carries one.
func withCode(code int, err error) error {
	var ee *exitErr
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return &exitErr{code: code, err: err}
}

// exitErr carries an exit code through cobra.
type exitErr struct {
	code int
	err  error
}

// Error returns the wrapped message.
func (e *exitErr) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e *exitErr) Unwrap() error { return e.err }

// gcPercent is the garbage collector's target unless GOGC says otherwise: the heap may
// grow to 1.5× what is live rather than Go's default 2×. twinscale's live heap grows
// with the cluster while it allocates little once synced (snapshots are rebuilt
// incrementally), so the lower target keeps the process smaller (about 50 MiB less at
// 5,000 pairs) at a cost of a few more collections during start-up and polls.
const gcPercent = 50

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and maps the outcome to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return execute(ctx, newRootCmd(stdout, stderr), args, stderr)
}

// execute runs a command tree with args, prints any error as one line on stderr and
// returns the exit code.
func execute(ctx context.Context, cmd *cobra.Command, args []string, stderr io.Writer) int {
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitErr
	switch {
	case !errors.As(err, &ee):
		fmt.Fprintln(stderr, "twinscale: "+oneLine(err.Error()))
	case ee.err != nil && ee.code != exitFindings:
		fmt.Fprintln(stderr, "twinscale: "+oneLine(ee.err.Error()))
	case ee.err != nil:
		fmt.Fprintln(stderr, oneLine(ee.err.Error()))
	}
	return exitCode(err)
}

// oneLine joins a multi-line message (errors.Join, YAML decoder lists) into one line.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "; ")
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
