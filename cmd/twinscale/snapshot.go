package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch/record"
	"github.com/twinscale/twinscale/watch/static"
)

// snapshotOptions are the flags of `twinscale snapshot`.
type snapshotOptions struct {
	*rootOptions
	output      string
	failOn      string
	syncTimeout time.Duration
	pairs       []string
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
  4  the Kubernetes API server cannot be reached (or the watch did not sync in time);
     with several contexts: one of them (the others' pairs are still printed), or,
     with --fail-on, one whose Models or Servers cannot be listed
  5  bad Prometheus settings: URL, service, --prometheus-config file, --query template
  6  the --theme cannot be loaded`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	root.addShared(cmd, snapshotFlags)
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, json or yaml")
	f.StringVar(&o.failOn, "fail-on", "none", "exit 1 when a pair has a finding at or above this severity: none, info, warning or critical")
	f.DurationVar(&o.syncTimeout, "sync-timeout", 30*time.Second, "how long to wait for the cluster watch to sync")
	addPairsFlag(f, &o.pairs, "pairs to list first in the table, as the dashboard pins them")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "yaml"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions(failOnValues, cobra.ShellCompDirectiveNoFileComp))
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
	if o.syncTimeout <= 0 {
		return &exitErr{code: exitError, err: fmt.Errorf("--sync-timeout %v: want a positive duration such as 30s", o.syncTimeout)}
	}
	if err := validatePairs(o.pairs); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if o.theme != "" && o.theme != themes.Auto {
		// A bad --theme is exit 6 whether or not the output is coloured.
		dir, _ := themes.UserDir()
		if _, err := themes.Find(o.theme, dir); err != nil {
			return &exitErr{code: exitTheme, err: fmt.Errorf("theme: %w", err)}
		}
	}
	closeLog, err := setupLogging(o.logFile, o.logLevel, o.stderr)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	defer closeLog()
	src, err := openSource(ctx, o.rootOptions)
	if err != nil {
		return withCode(exitError, err)
	}
	defer src.stop()
	// With several clusters, those that answered are printed even when one did not; the
	// exit code still says a cluster could not be read.
	var unread error
	if src.waitSynced != nil {
		wctx, cancel := context.WithTimeout(ctx, o.syncTimeout)
		err := src.waitSynced(wctx)
		cancel()
		var partial *clustersNotReady
		switch {
		case errors.As(err, &partial):
			unread = &exitErr{code: exitCluster, err: err}
		case err != nil:
			return &exitErr{code: exitCluster, err: fmt.Errorf("waiting for the watch to sync: %w", err)}
		}
	}
	snap := src.Snapshot()
	if snap.Watch.Blind() == "" {
		// A typo in --pairs changes no exit code, but must not pass unseen.
		if missing := model.MissingPairs(snap, o.pairs); len(missing) > 0 {
			fmt.Fprintf(o.stderr, "twinscale: --pairs %s: %s\n", strings.Join(missing, ", "), pluralWord(len(missing), "matches no pair", "match no pair"))
		}
	}
	if err := o.print(snap, src.History, pairsIn(o.pairs, src.clusters)); err != nil {
		return withCode(exitError, err)
	}
	if unread != nil {
		return unread
	}
	if failOn {
		// No pair of a cluster that cannot be read is counted: that is not "all good".
		for _, c := range snap.Clusters {
			if why := c.Watch.Blind(); why != "" {
				return &exitErr{code: exitCluster, err: fmt.Errorf("cluster %s cannot be read (%s), so --fail-on %s cannot pass", c.Name, why, o.failOn)}
			}
		}
		if n := countAtOrAbove(snap, threshold); n > 0 {
			return &exitErr{code: exitFindings, err: fmt.Errorf("twinscale: %s at %s or worse (--fail-on %s)",
				pluralPairs(n), threshold, o.failOn)}
		}
	}
	return nil
}

// print writes the snapshot in the chosen format.
func (o *snapshotOptions) print(snap *model.Snapshot, hist func(string) model.PairHistory, pinned []string) error {
	switch o.output {
	case "json":
		return writeJSON(o.stdout, snap, hist)
	case "yaml":
		b, err := yaml.Marshal(static.Save(jsonSafe(snap), hist))
		if err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		_, err = o.stdout.Write(b)
		return err
	}
	var st *themes.Styles
	var out io.Writer = o.stdout
	width := 0 // piped: every column whole, for grep and files
	if f, ok := o.stdout.(*os.File); ok && term.IsTerminal(f.Fd()) {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			width = w // a terminal: fit it, as the dashboard does, instead of wrapping
		}
	}
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
	return ui.WriteTablePinned(out, snap, st, time.Local, width, pinned)
}

// failOnValues is the one set of --fail-on values snapshot and lint share.
var failOnValues = []string{"none", "info", "warning", "critical"}

// parseFailOn reads --fail-on (none, info, warning or critical); ok is false for "none".
func parseFailOn(s string) (model.Severity, bool, error) {
	if s == "none" {
		return model.Info, false, nil
	}
	sev, err := model.ParseSeverity(s)
	if err != nil {
		return model.Info, false, fmt.Errorf("--fail-on %q: want %s", s, strings.Join(failOnValues, ", "))
	}
	return sev, true, nil
}

// countAtOrAbove counts pairs with a finding, or a health, at or above sev; at info, a pair
// without any finding and a healthy or converging health does not count.
func countAtOrAbove(snap *model.Snapshot, sev model.Severity) int {
	n := 0
	for i := range snap.Pairs {
		p := &snap.Pairs[i]
		worst, any := model.Info, false
		switch {
		case p.Health >= model.Critical:
			worst, any = model.SeverityCritical, true
		case p.Health >= model.Warning:
			worst, any = model.SeverityWarning, true
		}
		for _, f := range p.Findings {
			worst, any = max(worst, f.Severity), true
		}
		if any && worst >= sev {
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

// writeJSON writes json.MarshalIndent(static.Save(jsonSafe(snap), hist)) and a newline,
// one pair at a time: at 5,000 pairs the document is tens of MB, and marshalling it whole
// (then copying it into a string) made the output the peak of `twinscale snapshot`'s memory.
func writeJSON(w io.Writer, snap *model.Snapshot, hist func(string) model.PairHistory) error {
	env := *snap
	env.Pairs = []model.Pair{}
	head, err := json.MarshalIndent(static.Saved{Snapshot: jsonSafe(&env)}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	// The only line break followed by two spaces and "pairs" is the top-level field's:
	// JSON strings cannot hold a raw line break. The maps Save adds come last.
	const open = "\n  \"pairs\": ["
	at := bytes.Index(head, []byte(open+"]"))
	if at < 0 || !bytes.HasSuffix(head, []byte("\n}")) {
		return errors.New("encode json: unexpected snapshot layout")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	_, _ = bw.Write(head[:at+len(open)])
	// Save keys its maps by pair key (the last pair of a key wins); JSON sorts map keys.
	last := map[string]int{}
	for i := range snap.Pairs {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.WriteString("\n    ")
		b, err := json.MarshalIndent(jsonSafePair(snap.Pairs[i]), "    ", "  ")
		if err != nil {
			return fmt.Errorf("encode json: pair %s: %w", snap.Pairs[i].Key, err)
		}
		_, _ = bw.Write(b)
		last[snap.Pairs[i].Key] = i
	}
	if len(snap.Pairs) > 0 {
		_, _ = bw.WriteString("\n  ")
	}
	_, _ = bw.Write(head[at+len(open) : len(head)-2])
	keys := slices.Sorted(maps.Keys(last))
	entries := func(name string, value func(e static.Entry) any) error {
		n := 0
		for _, k := range keys {
			p := snap.Pairs[last[k]]
			p = jsonSafePair(p)
			v := value(static.SaveEntry(&p, hist))
			if v == nil {
				continue
			}
			if n == 0 {
				fmt.Fprintf(bw, ",\n  %q: {", name)
			} else {
				_ = bw.WriteByte(',')
			}
			n++
			key, _ := json.Marshal(k)
			b, err := json.MarshalIndent(v, "    ", "  ")
			if err != nil {
				return fmt.Errorf("encode json: %s of %s: %w", name, k, err)
			}
			_, _ = bw.WriteString("\n    ")
			_, _ = bw.Write(key)
			_, _ = bw.WriteString(": ")
			_, _ = bw.Write(b)
		}
		if n > 0 {
			_, _ = bw.WriteString("\n  }")
		}
		return nil
	}
	for _, m := range []struct {
		name  string
		value func(e static.Entry) any
	}{
		{"objects", func(e static.Entry) any { return e.Objects }},
		{"spark", func(e static.Entry) any {
			if e.Spark == nil {
				return nil
			}
			return e.Spark
		}},
		{"histories", func(e static.Entry) any {
			if e.History == nil {
				return nil
			}
			return e.History
		}},
	} {
		if err := entries(m.name, m.value); err != nil {
			return err
		}
	}
	_, _ = bw.WriteString("\n}\n")
	return bw.Flush()
}

// jsonSafe returns a copy of the snapshot whose floats JSON can encode: NaN
// and infinities become 0 and the metric says why.
func jsonSafe(s *model.Snapshot) *model.Snapshot {
	c := *s
	c.Pairs = make([]model.Pair, len(s.Pairs))
	for i := range s.Pairs {
		c.Pairs[i] = jsonSafePair(s.Pairs[i])
	}
	// Whatever else is not a number becomes 0: JSON has no NaN, and the snapshot must print.
	clean, _ := record.Finite(&c)
	return clean
}

// jsonSafePair is jsonSafe for one pair.
func jsonSafePair(p model.Pair) model.Pair {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	m := &p.Metric
	for _, f := range []*float64{&m.RPS, &m.Target, &m.LatencySec, &m.ErrorRate} {
		if bad(*f) {
			*f = 0
			if m.Problem == "" {
				m.Problem = "not a number from Prometheus"
			}
		}
	}
	for _, fp := range []**model.Forecast{&p.ModelForecast, &p.ServerForecast} {
		if *fp != nil && bad((*fp).Ratio) {
			f := **fp
			f.Ratio = 0
			*fp = &f
		}
	}
	// A forecast's maths on a missing metric, say, is not a number either.
	clean, _ := record.Finite(p)
	return clean
}
