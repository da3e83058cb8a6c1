package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/guptarohit/asciigraph"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/themes"
)

// print writes the replay in the chosen format.
func (o *whatifOptions) print(run *whatifRun) error {
	var err error
	switch o.output {
	case "json":
		var b []byte
		if b, err = json.MarshalIndent(run, "", "  "); err == nil {
			_, err = fmt.Fprintln(o.stdout, string(b))
		}
	case "csv":
		err = writeWhatifCSV(o.stdout, run)
	default:
		width, color := o.width, false
		if f, ok := o.stdout.(*os.File); ok && term.IsTerminal(f.Fd()) {
			if w, _, e := term.GetSize(f.Fd()); e == nil && width == 0 {
				width = w
			}
			color = !themes.NoColor(os.Getenv)
		}
		if width <= 0 {
			width = 80
		}
		err = writeWhatifText(o.stdout, run, width, color, o.mismatches)
	}
	if err != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("whatif: write: %w", err)}
	}
	return nil
}

// writeWhatifCSV writes one row per timeline point with both runs side by side.
func writeWhatifCSV(w io.Writer, run *whatifRun) error {
	cw := csv.NewWriter(w)
	cols := []string{"model_desired", "server_desired", "server_ready", "model_available", "capacity", "schedule_failed"}
	head := []string{"time", "rps"}
	for _, c := range cols {
		head = append(head, "baseline_"+c)
	}
	if run.Edited != nil {
		for _, c := range cols {
			head = append(head, "edited_"+c)
		}
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	row := func(p whatif.Point) []string {
		return []string{itoa(p.ModelReplicas), itoa(p.ServerReplicas), itoa(p.ServerReady), itoa(p.ModelAvailable),
			strconv.FormatFloat(p.Capacity, 'g', -1, 64), strconv.FormatBool(p.ScheduleFailed)}
	}
	for i, p := range run.Baseline.Points {
		rps := ""
		if !math.IsNaN(p.RPS) {
			rps = strconv.FormatFloat(p.RPS, 'g', -1, 64)
		}
		rec := append([]string{p.At.UTC().Format(time.RFC3339), rps}, row(p)...)
		if run.Edited != nil && i < len(run.Edited.Points) {
			rec = append(rec, row(run.Edited.Points[i])...)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// writeWhatifText writes the human report: where the input came from, the baseline's match
// with the recording, a replicas chart per run, the table of results and the verdict.
func writeWhatifText(w io.Writer, run *whatifRun, width int, color bool, maxMismatches int) error {
	var b strings.Builder
	in := run.input
	fmt.Fprintf(&b, "%s  %s → %s (%s)\n", run.Key, in.Start.Format("2006-01-02 15:04:05"), in.End.Format("15:04:05"), model.FormatDuration(in.End.Sub(in.Start)))
	fmt.Fprintf(&b, "from %s\n", run.Notes.Source)
	for _, l := range run.Notes.Lines {
		b.WriteString(wrap("· "+l, width, "  "))
	}
	b.WriteString(wrap(run.Match.String(), width, "  "))
	for i, m := range run.Match.Mismatches {
		if i == maxMismatches {
			fmt.Fprintf(&b, "  … and %d more (--mismatches N or -o json lists them)\n", len(run.Match.Mismatches)-i)
			break
		}
		line := fmt.Sprintf("  %s %s HPA: simulated %d, recorded %d: %s", m.Sync.At.Format(time.TimeOnly), m.Sync.Side, m.Sync.Desired, m.Real, m.Why)
		b.WriteString(wrap(line, width, "    "))
	}
	if len(run.Edits) > 0 {
		b.WriteString(wrap("edits: "+strings.Join(run.Edits, "; "), width, "  "))
	}
	b.WriteString("\n")
	b.WriteString(whatifChart("baseline", run.Baseline, in, width, color))
	if run.Edited != nil {
		b.WriteString(whatifChart("edited", *run.Edited, in, width, color))
	}
	b.WriteString(whatifTable(run, width))
	if run.Verdict != "" {
		b.WriteString("\n")
		b.WriteString(wrap("verdict: "+run.Verdict, width, "  "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap breaks a line at spaces to width, indenting continuation lines.
func wrap(s string, width int, indent string) string {
	if width < 20 {
		width = 20
	}
	var out strings.Builder
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) > width:
			out.WriteString(line + "\n")
			line = indent + word
		default:
			line += " " + word
		}
	}
	out.WriteString(line + "\n")
	return out.String()
}

// whatifChart plots the Model's desired replicas and the Server's ready replicas of one run.
func whatifChart(title string, res whatif.Result, in whatif.Input, width int, color bool) string {
	const label = 4
	cols := width - label - 3
	if cols < 10 || len(res.Points) < 2 {
		return ""
	}
	model, ready := make([]float64, len(res.Points)), make([]float64, len(res.Points))
	var hi float64
	for i, p := range res.Points {
		model[i], ready[i] = float64(p.ModelReplicas), float64(p.ServerReady)
		hi = max(hi, model[i], ready[i])
	}
	height := int(min(max(hi, 2), 10))
	opts := []asciigraph.Option{
		asciigraph.Height(height), asciigraph.LowerBound(0), asciigraph.Offset(2),
		asciigraph.YAxisValueFormatter(func(v float64) string { return fmt.Sprintf("%*d", label, int(math.Round(v))) }),
		asciigraph.SeriesChars(asciigraph.CreateCharSet("┄"), asciigraph.CreateCharSet("━")),
	}
	// The plot always spans the width: asciigraph interpolates a short span, averages a long one.
	opts = append(opts, asciigraph.Width(cols))
	if color {
		opts = append(opts, asciigraph.SeriesColors(asciigraph.Green, asciigraph.Red))
	}
	var b strings.Builder
	sum := res.Summary
	head := fmt.Sprintf("%s: replicas (━ Model desired, ┄ Server ready)", title)
	if sum.ScheduleFailed > 0 {
		head += fmt.Sprintf("; ScheduleFailed %s", model2(sum.ScheduleFailed))
	}
	b.WriteString(wrap(head, width, "  "))
	b.WriteString(asciigraph.PlotMany([][]float64{ready, model}, opts...))
	b.WriteString("\n")
	// The time axis: the span's ends under the plot's first and last columns.
	plotted := cols
	left, right := in.Start.Format("15:04"), in.End.Format("15:04")
	pad := label + 3
	gap := plotted - len(left) - len(right)
	if gap > 0 {
		fmt.Fprintf(&b, "%s%s%s%s\n", strings.Repeat(" ", pad), left, strings.Repeat(" ", gap), right)
	}
	b.WriteString("\n")
	return b.String()
}

func model2(d time.Duration) string { return model.FormatDuration(d) }

// whatifTable lists the results of both runs side by side.
func whatifTable(run *whatifRun, width int) string {
	base := run.Baseline.Summary
	rows := [][2]string{}
	for i, r := range base.Rows() {
		rows = append(rows, [2]string{r.Name, r.Value})
		if run.Edited != nil {
			rows[i][1] += "\x00" + run.Edited.Summary.Rows()[i].Value
		}
	}
	nameW := 16
	var b strings.Builder
	if run.Edited == nil {
		fmt.Fprintf(&b, "%-*s %s\n", nameW, "", "baseline")
		for _, r := range rows {
			fmt.Fprintf(&b, "%-*s %s\n", nameW, r[0], r[1])
		}
		return b.String()
	}
	colW := (width - nameW - 2) / 2
	colW = max(colW, 12)
	fmt.Fprintf(&b, "%-*s %-*s %s\n", nameW, "", colW, "baseline", "edited")
	for _, r := range rows {
		bv, ev, _ := strings.Cut(r[1], "\x00")
		if len([]rune(bv)) >= colW {
			fmt.Fprintf(&b, "%-*s %s\n%-*s %-*s %s\n", nameW, r[0], bv, nameW, "", colW, "", ev)
			continue
		}
		fmt.Fprintf(&b, "%-*s %-*s %s\n", nameW, r[0], colW, bv, ev)
	}
	if gaps := base.Gaps; len(gaps) > 0 {
		var parts []string
		for i, g := range gaps {
			if i == 3 {
				parts = append(parts, fmt.Sprintf("and %d more", len(gaps)-i))
				break
			}
			parts = append(parts, g.From.Format(time.TimeOnly)+"–"+g.To.Format(time.TimeOnly))
		}
		b.WriteString(wrap("metric missing at "+strings.Join(parts, ", ")+" (replayed as FailedGetObjectMetric: the HPAs kept their replicas)", width, "  "))
	}
	return b.String()
}
