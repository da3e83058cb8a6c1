package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/ui"
)

// snapshotOptions are the flags of `twinscale snapshot`.
type snapshotOptions struct {
	*rootOptions
	output      string
	failOn      string
	syncTimeout time.Duration
}

// syncWaiter is implemented by sources that start empty and fill as their
// watch syncs; snapshot waits for them before printing.
type syncWaiter interface {
	WaitSynced(ctx context.Context) error
}

// newSnapshotCmd prints the table once, or the whole snapshot as JSON/YAML.
func newSnapshotCmd(root *rootOptions) *cobra.Command {
	o := &snapshotOptions{rootOptions: root}
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Print every pair once (a table, or the full snapshot as JSON or YAML)",
		Long: `Print every Model/Server pair once and exit: for scripts, CI and incident notes.

The table is plain text when stdout is not a terminal. -o json and -o yaml print the
full snapshot; a JSON snapshot can be viewed later with --snapshot-file.

Exit codes:
  0  success (and, with --fail-on, no finding at or above that severity)
  1  --fail-on: at least one pair has a finding (or health) at or above the severity
  2  bad flags or arguments, unreadable input
  3  kubeconfig: none found, broken, unknown context, or credentials rejected
  4  the Kubernetes API server cannot be reached (or the watch did not sync in time)
  5  bad Prometheus settings: URL, service, --prometheus-config file, --query template
  6  the --theme cannot be loaded`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, json or yaml")
	f.StringVar(&o.failOn, "fail-on", "none", "exit 1 when a pair has a finding at or above this severity: warning, critical or none")
	f.DurationVar(&o.syncTimeout, "sync-timeout", 30*time.Second, "how long to wait for the cluster watch to sync")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"none", "warning", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// run prints the snapshot and applies --fail-on.
func (o *snapshotOptions) run(ctx context.Context) error {
	switch o.output {
	case "table", "json", "yaml":
	default:
		return &exitErr{code: exitError, err: fmt.Errorf("output %q: want table, json or yaml", o.output)}
	}
	threshold, failOn, err := parseFailOn(o.failOn)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	closeLog, err := setupLogging(o.logFile, o.logLevel, o.stderr)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	defer closeLog()
	src, stop, err := openSource(ctx, o.rootOptions)
	if err != nil {
		return withCode(exitError, err)
	}
	defer stop()
	if w, ok := src.(syncWaiter); ok {
		wctx, cancel := context.WithTimeout(ctx, o.syncTimeout)
		err := w.WaitSynced(wctx)
		cancel()
		if err != nil {
			return &exitErr{code: exitCluster, err: fmt.Errorf("waiting for the watch to sync: %w", err)}
		}
	}
	snap := src.Snapshot()
	if err := o.print(snap); err != nil {
		return withCode(exitError, err)
	}
	if failOn {
		if n := countAtOrAbove(snap, threshold); n > 0 {
			return &exitErr{code: exitFindings, err: fmt.Errorf("twinscale: %s at %s or worse (--fail-on %s)",
				pluralPairs(n), threshold, o.failOn)}
		}
	}
	return nil
}

// print writes the snapshot in the chosen format.
func (o *snapshotOptions) print(snap *model.Snapshot) error {
	switch o.output {
	case "json":
		b, err := json.MarshalIndent(jsonSafe(snap), "", "  ")
		if err != nil {
			return fmt.Errorf("encode json: %w", err)
		}
		_, err = fmt.Fprintln(o.stdout, string(b))
		return err
	case "yaml":
		b, err := yaml.Marshal(jsonSafe(snap))
		if err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		_, err = o.stdout.Write(b)
		return err
	}
	var st *themes.Styles
	var out io.Writer = o.stdout
	if f, ok := o.stdout.(*os.File); ok && term.IsTerminal(f.Fd()) && !themes.NoColor(os.Getenv) {
		// On a terminal: colours, downsampled to what it supports. The
		// terminal's background is unknown here, so auto means the theme
		// built from its own ANSI colours.
		name := o.theme
		if name == themes.Auto || name == "" {
			name = themes.HighContrast
		}
		dir, _ := themes.UserDir()
		t, err := themes.Find(name, dir)
		if err != nil {
			return &exitErr{code: exitTheme, err: fmt.Errorf("theme: %w", err)}
		}
		st = themes.New(t, false)
		out = colorprofile.NewWriter(f, os.Environ())
	}
	return ui.WriteTable(out, snap, st, time.Local)
}

// parseFailOn reads --fail-on; ok is false for "none".
func parseFailOn(s string) (model.Severity, bool, error) {
	if s == "none" || s == "" {
		return model.Info, false, nil
	}
	sev, err := model.ParseSeverity(s)
	if err != nil || sev == model.Info {
		return model.Info, false, fmt.Errorf("--fail-on %q: want warning, critical or none", s)
	}
	return sev, true, nil
}

// countAtOrAbove counts pairs with a finding, or a health, at or above sev.
func countAtOrAbove(snap *model.Snapshot, sev model.Severity) int {
	n := 0
	for i := range snap.Pairs {
		p := &snap.Pairs[i]
		worst := model.Info
		switch {
		case p.Health >= model.Critical:
			worst = model.SeverityCritical
		case p.Health >= model.Warning:
			worst = model.SeverityWarning
		}
		for _, f := range p.Findings {
			worst = max(worst, f.Severity)
		}
		if worst >= sev {
			n++
		}
	}
	return n
}

// pluralPairs prints "1 pair", "2 pairs".
func pluralPairs(n int) string {
	if n == 1 {
		return "1 pair"
	}
	return fmt.Sprintf("%d pairs", n)
}

// jsonSafe returns a copy of the snapshot whose floats JSON can encode: NaN and
// infinities become 0 wherever they are (forecasts, decisions, metrics), and the metric
// says why. The snapshot itself is shared and stays untouched.
func jsonSafe(s *model.Snapshot) *model.Snapshot {
	cv, _ := finite(reflect.ValueOf(s))
	c := cv.Interface().(*model.Snapshot)
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	for i := range c.Pairs {
		orig := s.Pairs[i].Metric
		// A bad value was replaced, so c.Pairs is a copy and may be written.
		if orig.Problem == "" && (bad(orig.RPS) || bad(orig.Target) || bad(orig.LatencySec) || bad(orig.ErrorRate)) {
			c.Pairs[i].Metric.Problem = "not a number from Prometheus"
		}
	}
	return c
}

// finite returns v with every NaN or infinite float that encoding/json would see set to
// 0, and whether it changed anything. Values without one are returned as they are, not
// copied.
func finite(v reflect.Value) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return reflect.Zero(v.Type()), true
		}
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		if e, ok := finite(v.Elem()); ok {
			n := reflect.New(v.Type().Elem())
			n.Elem().Set(e)
			return n, true
		}
	case reflect.Interface:
		if v.IsNil() {
			return v, false
		}
		if e, ok := finite(v.Elem()); ok {
			n := reflect.New(v.Type()).Elem()
			n.Set(e)
			return n, true
		}
	case reflect.Struct:
		var n reflect.Value
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() || sf.Tag.Get("json") == "-" {
				continue
			}
			if f, ok := finite(v.Field(i)); ok {
				if !n.IsValid() {
					n = reflect.New(v.Type()).Elem()
					n.Set(v)
				}
				n.Field(i).Set(f)
			}
		}
		if n.IsValid() {
			return n, true
		}
	case reflect.Slice, reflect.Array:
		var n reflect.Value
		for i := range v.Len() {
			if f, ok := finite(v.Index(i)); ok {
				if !n.IsValid() {
					if v.Kind() == reflect.Slice {
						n = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
						reflect.Copy(n, v)
					} else {
						n = reflect.New(v.Type()).Elem()
						n.Set(v)
					}
				}
				n.Index(i).Set(f)
			}
		}
		if n.IsValid() {
			return n, true
		}
	case reflect.Map:
		var n reflect.Value
		for it := v.MapRange(); it.Next(); {
			if f, ok := finite(it.Value()); ok {
				if !n.IsValid() {
					n = reflect.MakeMapWithSize(v.Type(), v.Len())
					for c := v.MapRange(); c.Next(); {
						n.SetMapIndex(c.Key(), c.Value())
					}
				}
				n.SetMapIndex(it.Key(), f)
			}
		}
		if n.IsValid() {
			return n, true
		}
	}
	return v, false
}
