package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/twinscale/twinscale/cmd/twinscale/manifests"
	"github.com/twinscale/twinscale/model"
)

// usageError is a lint error that exits with code 2.
func usageError(format string, args ...any) error {
	return &exitErr{code: exitError, err: fmt.Errorf(format, args...)}
}

// lintOptions are the flags of twinscale lint.
type lintOptions struct {
	output    string
	failOn    string
	namespace string
	version   string
	whatif    string
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
			err := runLint(cmd.InOrStdin(), cmd.OutOrStdout(), args, opts)
			if opts.whatif == "" {
				return err
			}
			return lintWhatif(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, opts, err)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("lint: %w", err) })
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", opts.output, "output format: text, json or sarif")
	f.StringVar(&opts.failOn, "fail-on", opts.failOn, "lowest severity that fails (exit 1): none, info, warning or critical")
	f.StringVarP(&opts.namespace, "namespace", "n", opts.namespace, "namespace of objects that set none")
	f.StringVar(&opts.whatif, "whatif", "", "replay RECORDING through the manifests' HPAs and fail (exit 1) when ScheduleFailed time grows")
	return cmd
}

// lintFailOn reads lint's --fail-on, the same set as snapshot's; ok is false for "none".
func lintFailOn(s string) (model.Severity, bool, error) {
	sev, ok, err := parseFailOn(s)
	if err != nil {
		return 0, false, usageError("lint: %v", err)
	}
	return sev, ok, nil
}

func runLint(stdin io.Reader, stdout io.Writer, args []string, opts lintOptions) error {
	failOn, failing, err := lintFailOn(opts.failOn)
	if err != nil {
		return err
	}
	if !failing {
		failOn = model.SeverityCritical + 1 // no finding is that severe: only errors fail
	}
	var write func(io.Writer, manifests.Report) error
	switch opts.output {
	case "text":
		write = manifests.WriteText
	case "json":
		write = manifests.WriteJSON
	case "sarif":
		write = func(w io.Writer, r manifests.Report) error { return manifests.WriteSARIF(w, r, opts.version) }
	default:
		return usageError("lint: --output %q: want text, json or sarif", opts.output)
	}
	set, err := manifests.Load(args, stdin)
	if err != nil {
		return usageError("lint: %w", err)
	}
	report := manifests.Lint(set, opts.namespace)
	if err := write(stdout, report); err != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("lint: write report: %w", err)}
	}
	switch code := report.ExitCode(failOn); code {
	case manifests.ExitError:
		return &exitErr{code: code, err: fmt.Errorf("lint: %d manifest %s could not be read", len(report.Errors), pluralWord(len(report.Errors), "error", "errors"))}
	case manifests.ExitFindings:
		n := report.Count(failOn)
		return &exitErr{code: code, err: fmt.Errorf("lint: %d %s at or above %s", n, pluralWord(n, "finding", "findings"), failOn)}
	}
	return nil
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
