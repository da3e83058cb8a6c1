package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/manifest"
)

// exitCodeError carries the process exit code a command wants, with an optional message.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// ExitCode is the exit code the process should end with.
func (e *exitCodeError) ExitCode() int { return e.code }

// exitCode maps a command's error to the process exit code: 0 for nil, the code an error
// carries (ExitCode() int), else 2 (a usage error).
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return manifest.ExitError
}

func usageError(format string, args ...any) error {
	return &exitCodeError{code: manifest.ExitError, err: fmt.Errorf(format, args...)}
}

// lintOptions are the flags of twinscale lint.
type lintOptions struct {
	output    string
	failOn    string
	namespace string
	version   string
}

// newLintCmd builds `twinscale lint FILE|DIR|-`: the drift and shape rules that need no
// live data, run over manifests in CI before a change reaches the cluster.
func newLintCmd() *cobra.Command {
	opts := lintOptions{output: "text", failOn: "warning", namespace: "default", version: "dev"}
	cmd := &cobra.Command{
		Use:   "lint FILE|DIR|- ...",
		Short: "Check Model, Server and HPA manifests for twin drift, offline",
		Long: `Lint reads Kubernetes manifests (multi-document YAML or JSON, kustomize build output, a
directory of them, or - for stdin), pairs Seldon Models, Servers and their HPAs the way the
dashboard does, and reports the rules that need no live cluster (TS1xx, see docs/rules.md).

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above --fail-on;
2 usage error, unreadable path or a manifest that cannot be parsed.`,
		Example: `  twinscale lint deploy/
  kustomize build overlays/prod | twinscale lint - --fail-on critical
  twinscale lint -o sarif deploy/ > twinscale.sarif`,
		SilenceUsage: true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("lint: give at least one FILE, DIR or - for stdin")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd.InOrStdin(), cmd.OutOrStdout(), args, opts)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("lint: %w", err) })
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", opts.output, "output format: text, json or sarif")
	f.StringVar(&opts.failOn, "fail-on", opts.failOn, "lowest severity that fails (exit 1): info, warning or critical")
	f.StringVarP(&opts.namespace, "namespace", "n", opts.namespace, "namespace of objects that set none")
	return cmd
}

func parseFailOn(s string) (model.Severity, error) {
	for _, sev := range []model.Severity{model.Info, model.SeverityWarning, model.SeverityCritical} {
		if s == sev.String() {
			return sev, nil
		}
	}
	return 0, usageError("lint: --fail-on %q: want info, warning or critical", s)
}

func runLint(stdin io.Reader, stdout io.Writer, args []string, opts lintOptions) error {
	failOn, err := parseFailOn(opts.failOn)
	if err != nil {
		return err
	}
	var write func(io.Writer, manifest.Report) error
	switch opts.output {
	case "text":
		write = manifest.WriteText
	case "json":
		write = manifest.WriteJSON
	case "sarif":
		write = func(w io.Writer, r manifest.Report) error { return manifest.WriteSARIF(w, r, opts.version) }
	default:
		return usageError("lint: --output %q: want text, json or sarif", opts.output)
	}
	set, err := manifest.Load(args, stdin)
	if err != nil {
		return usageError("lint: %w", err)
	}
	report := manifest.Lint(set, opts.namespace)
	if err := write(stdout, report); err != nil {
		return &exitCodeError{code: manifest.ExitError, err: fmt.Errorf("lint: write report: %w", err)}
	}
	switch code := report.ExitCode(failOn); code {
	case manifest.ExitError:
		return &exitCodeError{code: code, err: fmt.Errorf("lint: %d manifest %s could not be read", len(report.Errors), pluralWord(len(report.Errors), "error", "errors"))}
	case manifest.ExitFindings:
		n := report.Count(failOn)
		return &exitCodeError{code: code, err: fmt.Errorf("lint: %d %s at or above %s", n, pluralWord(n, "finding", "findings"), failOn)}
	}
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
