package ui

import (
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// detailKey is what the detail body depends on.
type detailKeyT struct {
	version, histVer uint64
	key              string
	w, theme         int
}

// detailCache holds the rendered detail body.
type detailCache struct {
	ok    bool
	key   detailKeyT
	lines []string
	n     int
}

// renderDetail draws the title, the scrolled body and the footer.
func (a *App) renderDetail(st *themes.Styles) []string {
	body := a.detailLines()
	h := a.detailHeight()
	off := max(0, min(a.st.detailScroll, len(body)-h))
	title := st.Key.Render("esc") + st.Muted.Render(" back  ")
	if r := a.detailRow(); r != nil {
		title += st.HealthSymbol(r.health) + " " + st.Bold.Render(r.cells[colPair]) + "  " +
			st.Muted.Render(r.pair.Namespace) + "  " + st.Health(r.health).Render(r.health.String())
	} else {
		title += st.Bold.Render(a.st.detailKey)
	}
	lines := []string{title}
	end := min(len(body), off+h)
	lines = append(lines, body[off:end]...)
	lines = padTo(lines, a.h-1)
	pos := ""
	if len(body) > h {
		pos = st.Muted.Render("  " + itoaInt(off+1) + "-" + itoaInt(end) + "/" + itoaInt(len(body)))
	}
	return append(lines, a.keyLine(st, a.keys.DetailHelp())+pos)
}

// detailRow returns the row of the pair in the detail view, or nil.
func (a *App) detailRow() *row {
	if a.rows == nil {
		return nil
	}
	i, ok := a.rows.byKey[a.st.detailKey]
	if !ok {
		return nil
	}
	return &a.rows.rows[i]
}

// detailLines returns the detail body, rebuilt only when the snapshot, the
// history, the width or the theme changed.
func (a *App) detailLines() []string {
	k := detailKeyT{histVer: a.histVer, key: a.st.detailKey, w: a.w, theme: a.st.theme}
	if a.rows != nil {
		k.version = a.rows.version
	}
	if a.detail.ok && a.detail.key == k {
		return a.detail.lines
	}
	lines := a.buildDetail(a.styles())
	a.detail = detailCache{ok: true, key: k, lines: lines, n: len(lines)}
	return lines
}

// buildDetail renders every section of the detail view for the current width.
func (a *App) buildDetail(st *themes.Styles) []string {
	r := a.detailRow()
	if r == nil {
		return []string{"", st.Muted.Render("This pair is not in the latest snapshot: it was deleted, or the watch lost it."),
			st.Muted.Render("esc goes back to the list.")}
	}
	p, snap, w := r.pair, a.rows.snap, a.w
	var out []string
	add := func(l ...string) { out = append(out, l...) }
	section := func(name string) { add("", st.Section.Render(name)) }
	kv := func(k, v string) { add(wrapKV(st, k, v, w)...) }

	section("Now")
	kv("Replicas", "Model "+countWords(p.ModelDesired, p.ModelReady, "available")+
		" · Server "+countWords(p.ServerDesired, p.ServerReady, "ready pods"))
	per, _ := perReplica(p)
	traffic := rpsCell(p.Metric) + " · " + per + " per replica"
	if strings.HasPrefix(per, "n/a") {
		traffic = rpsCell(p.Metric) + " · per replica " + per
	}
	if p.Metric.Stale {
		traffic += " · ! stale"
	}
	if p.Metric.Problem != "" {
		traffic += " · ! " + clean(p.Metric.Problem)
	}
	if !p.Metric.SampledAt.IsZero() {
		traffic += " · sampled " + clock(p.Metric.SampledAt, a.loc)
	}
	kv("Traffic", traffic)
	kv("Latency", latencyText(p.Metric))
	kv("Errors", errorText(p.Metric))
	kv("Skew", skewText(p.Skew, snap.Taken))
	if p.Readiness.Samples > 0 {
		kv("Readiness", "new Server replicas become ready in ~"+dur(p.Readiness.Median)+
			" (median of "+plural(p.Readiness.Samples, "scale-up")+")")
	}
	if p.Link != "" {
		kv("Paired by", pairedBy(p))
	}
	if len(p.OtherModels) > 0 {
		kv("Server also", "serves "+strings.Join(p.OtherModels, ", "))
	}
	for _, s := range p.Shape {
		kv("Shape", "! "+string(s))
	}
	if sf := p.ScheduleFailed; sf != nil {
		kind, sym := "structural", st.Health(model.Critical).Render("✗ ScheduleFailed")
		if sf.Transient {
			kind, sym = "transient", st.Health(model.Converging).Render("~ ScheduleFailed")
		}
		txt := sym + " (" + kind + ")"
		if d := since(snap.Taken, sf.Since); d != "" {
			txt += " for " + d
		}
		txt += ": " + clean(sf.Reason)
		if sf.Why != "" {
			txt += ". " + clean(sf.Why)
		}
		if !sf.ExpectedClear.IsZero() {
			txt += ". Expected to clear by " + clock(sf.ExpectedClear, a.loc)
		}
		if sf.Serving > 0 {
			txt += ". The " + plural(int(sf.Serving), "replica") + " already loaded keep serving."
		} else {
			txt += ". No replica is loaded yet, so the Model serves nothing."
		}
		kv("Schedule", txt)
	}

	add(a.rolloutSection(st, p, w)...)

	section("Next HPA decision")
	kv("Model HPA", forecastText(p.ModelForecast, p.ModelHPA))
	kv("Server HPA", forecastText(p.ServerForecast, p.ServerHPA))

	section("Findings")
	if len(p.Findings) == 0 {
		add("  " + st.HealthSymbol(model.Healthy) + " none")
	}
	for _, f := range sortedFindings(p.Findings) {
		head := st.SeveritySymbol(f.Severity) + " " + st.Bold.Render(f.Rule) + " " +
			st.Severity(f.Severity).Render(f.Severity.String()) + "  " + clean(f.Message)
		add(indentWrap(head, w, 2, 4)...)
		if f.Hint != "" {
			add(indentWrap(st.Muted.Render("hint: ")+clean(f.Hint), w, 4, 10)...)
		}
	}

	section("HPA specs") // side by side, differences marked ≠
	add(a.hpaDiff(st, p.ModelHPA, p.ServerHPA, w)...)

	section("Charts")
	add(a.charts(st, w)...)

	section("Conditions")
	add(conditionLines(st, p, w)...)

	section("Timeline") // Events and ScheduleFailed, newest first
	add(a.timeline(st, p, snap.Taken)...)
	return out
}

// wrapKV prints "Key        value", wrapping the value under itself.
func wrapKV(st *themes.Styles, k, v string, w int) []string {
	const kw = 13
	lines := strings.Split(ansi.Wrap(v, max(10, w-kw-2), " "), "\n")
	out := make([]string, len(lines))
	for i, l := range lines {
		lbl := strings.Repeat(" ", kw)
		if i == 0 {
			lbl = st.Muted.Render(fit(k, kw, false))
		}
		out[i] = "  " + lbl + l
	}
	return out
}

// indentWrap wraps s to w with a first-line and a continuation indent.
func indentWrap(s string, w, first, rest int) []string {
	lines := strings.Split(ansi.Wrap(s, max(10, w-rest), " "), "\n")
	for i := range lines {
		ind := rest
		if i == 0 {
			ind = first
		}
		lines[i] = strings.Repeat(" ", ind) + lines[i]
	}
	return lines
}

// countWords prints "3 desired / 2 available", with the reason for unknowns.
func countWords(d, r model.Count, readyWord string) string {
	part := func(c model.Count, word string) string {
		if !c.Known {
			s := "? " + word
			if c.Unknown != "" {
				s += " (" + clean(c.Unknown) + ")"
			}
			return s
		}
		return itoa(c.Value) + " " + word
	}
	return part(d, "desired") + " / " + part(r, readyWord)
}

// latencyText prints the average latency, or why it is missing.
func latencyText(m model.PairMetric) string {
	if !m.HasLatency || !finite(m.LatencySec) {
		return "n/a"
	}
	return durSeconds(m.LatencySec) + " average per request"
}

// durSeconds prints seconds as µs, ms or s with three significant digits.
func durSeconds(s float64) string {
	switch {
	case s < 0.001:
		return num(s*1e6) + " µs"
	case s < 1:
		return num(s*1e3) + " ms"
	}
	return num(s) + " s"
}

// errorText prints the non-2xx rate and its share of traffic.
func errorText(m model.PairMetric) string {
	if !m.HasErrors || !finite(m.ErrorRate) {
		return "n/a"
	}
	s := num(m.ErrorRate) + " non-2xx rps"
	if m.Known && finite(m.RPS) && m.RPS > 0 {
		s += " (" + num(100*m.ErrorRate/m.RPS) + "% of requests)"
	}
	return s
}

// skewText explains the twins' difference.
func skewText(s model.Skew, ref time.Time) string {
	var parts []string
	if s.DesiredDiff == 0 {
		parts = append(parts, "= both HPAs want the same size")
	} else {
		txt := "Model HPA wants " + signed(s.DesiredDiff) + " vs the Server HPA"
		if d := since(ref, s.DifferentSince); d != "" {
			txt += " for " + d
		}
		if s.Bound > 0 {
			txt += " (normal up to " + dur(s.Bound) + ")"
		}
		if s.Alert {
			txt = "! " + txt + ": longer than normal"
		} else {
			txt = "~ " + txt
		}
		parts = append(parts, txt)
	}
	if s.LastLag > 0 {
		parts = append(parts, "last lag "+dur(s.LastLag))
	}
	if s.PhaseKnown {
		parts = append(parts, "sync phase model "+dur(s.ModelPhase)+" / server "+dur(s.ServerPhase))
	}
	return strings.Join(parts, " · ")
}

// forecastText prints an HPA's predicted next decision.
func forecastText(f *model.Forecast, h *model.HPA) string {
	switch {
	case h == nil:
		return "no HPA"
	case f == nil:
		return "no forecast yet (" + itoa(h.CurrentReplicas) + " now, HPA desires " + itoa(h.DesiredReplicas) + ")"
	}
	s := clean(f.Text)
	if s == "" {
		s = itoa(f.Current) + " → " + itoa(f.Desired)
	}
	if f.NextSync > 0 && !strings.Contains(s, "sync") {
		s += " (next sync in ~" + dur(f.NextSync) + ")"
	}
	if f.Limited != "" {
		s += "; limited: " + clean(f.Limited)
	}
	return s
}

// sortedFindings orders findings worst first, then by rule.
func sortedFindings(fs []model.Finding) []model.Finding {
	out := append([]model.Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Severity != out[j].Severity {
			return out[i].Severity > out[j].Severity
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// specRow is one line of the side-by-side HPA comparison.
type specRow struct {
	label         string
	model, server string
	compare       bool
}

// hpaDiff prints both HPAs side by side and marks every spec difference with
// ≠ (and the diff colour).
func (a *App) hpaDiff(st *themes.Styles, mh, sh *model.HPA, w int) []string {
	rows := []specRow{{label: "HPA", model: hpaName(mh), server: hpaName(sh)}}
	if mh == nil || sh == nil {
		rows = append(rows, specRow{label: "", model: "", server: ""})
	}
	get := func(h *model.HPA, f func(*model.HPA) string) string {
		if h == nil {
			return "—"
		}
		return f(h)
	}
	both := func(label string, compare bool, f func(*model.HPA) string) {
		rows = append(rows, specRow{label, get(mh, f), get(sh, f), compare && mh != nil && sh != nil})
	}
	both("scales", false, func(h *model.HPA) string { return h.Target.Kind + "/" + h.Target.Name })
	both("min", true, func(h *model.HPA) string { return itoa(h.MinReplicas) })
	both("max", true, func(h *model.HPA) string { return itoa(h.MaxReplicas) })
	nm := 0
	if mh != nil {
		nm = len(mh.Metrics)
	}
	if sh != nil {
		nm = max(nm, len(sh.Metrics))
	}
	for i := 0; i < max(1, nm); i++ {
		label := "metric"
		if nm > 1 {
			label += " " + itoaInt(i+1)
		}
		both(label, true, func(h *model.HPA) string { return metricText(h, i) })
		both("  target", true, func(h *model.HPA) string { return targetText(h, i) })
	}
	both("scale up", true, func(h *model.HPA) string { return rulesText(behaviorOf(h, true)) })
	both("scale down", true, func(h *model.HPA) string { return rulesText(behaviorOf(h, false)) })
	both("replicas", false, func(h *model.HPA) string {
		return itoa(h.CurrentReplicas) + " now → " + itoa(h.DesiredReplicas) + " desired"
	})
	both("sees", false, seesText)
	both("last scale", false, func(h *model.HPA) string {
		if h.LastScaleTime.IsZero() {
			return "never"
		}
		return clock(h.LastScaleTime, a.loc) + " (" + since(a.rows.snap.Taken, h.LastScaleTime) + " ago)"
	})

	const lw = 12
	colW := min(44, max(10, (w-lw-6)/2))
	var out []string
	diffs := 0
	for _, r := range rows {
		differ := r.compare && r.model != r.server
		mark := "  "
		ml := strings.Split(ansi.Wrap(r.model, colW, " "), "\n")
		sl := strings.Split(ansi.Wrap(r.server, colW, " "), "\n")
		if differ {
			diffs++
			mark = st.Diff.Render("≠") + " "
		}
		for i := 0; i < max(len(ml), len(sl)); i++ {
			lbl, m, s := strings.Repeat(" ", lw), "", ""
			if i == 0 {
				lbl = st.Muted.Render(fit(r.label, lw, false))
			}
			if i < len(ml) {
				m = ml[i]
			}
			if i < len(sl) {
				s = sl[i]
			}
			m, s = fit(m, colW, false), fit(s, colW, false)
			switch {
			case r.label == "HPA":
				m, s = st.Bold.Render(m), st.Bold.Render(s)
			case differ:
				m, s = st.Diff.Render(m), st.Diff.Render(s)
			}
			pre := "  "
			if i == 0 {
				pre = mark
			}
			out = append(out, pre+lbl+m+"  "+s)
		}
	}
	switch {
	case mh == nil || sh == nil:
		out = append(out, st.Health(model.Warning).Render("! only one HPA: nothing to compare"))
	case diffs == 0:
		out = append(out, st.Health(model.Healthy).Render("✓ the twin HPAs' specs match"))
	default:
		out = append(out, st.Diff.Render("≠ "+itoaInt(diffs)+" difference(s) between the twin HPAs"))
	}
	return out
}

// hpaName names an HPA, or says there is none.
func hpaName(h *model.HPA) string {
	if h == nil {
		return "(no HPA)"
	}
	return h.Name
}

// metricText describes metric i of an HPA's spec.
func metricText(h *model.HPA, i int) string {
	if i >= len(h.Metrics) {
		return "—"
	}
	m := h.Metrics[i]
	s := m.Type + " " + m.Name
	if m.DescribedObject.Kind != "" {
		s += " of " + m.DescribedObject.Kind + "/" + m.DescribedObject.Name
	}
	return s
}

// targetText describes the target of metric i.
func targetText(h *model.HPA, i int) string {
	if i >= len(h.Metrics) {
		return "—"
	}
	m := h.Metrics[i]
	return m.TargetType + " " + num(m.Target)
}

// behaviorOf returns one direction of an HPA's behavior, nil for defaults.
func behaviorOf(h *model.HPA, up bool) *model.ScalingRules {
	if h.Behavior == nil {
		return nil
	}
	if up {
		return h.Behavior.ScaleUp
	}
	return h.Behavior.ScaleDown
}

// rulesText describes scaling rules: window, select policy, policies, tolerance.
func rulesText(r *model.ScalingRules) string {
	if r == nil {
		return "controller default"
	}
	var parts []string
	if r.StabilizationWindowSeconds != nil {
		parts = append(parts, "window "+dur(time.Duration(*r.StabilizationWindowSeconds)*time.Second))
	}
	if r.SelectPolicy != "" {
		parts = append(parts, "select "+r.SelectPolicy)
	}
	for _, p := range r.Policies {
		unit := ""
		if p.Type == "Percent" {
			unit = "%"
		}
		parts = append(parts, p.Type+" "+itoa(p.Value)+unit+"/"+dur(time.Duration(p.PeriodSeconds)*time.Second))
	}
	if r.Tolerance != nil {
		parts = append(parts, "tolerance "+num(*r.Tolerance))
	}
	if len(parts) == 0 {
		return "controller default"
	}
	return strings.Join(parts, ", ")
}

// seesText prints what the HPA reports for its metric; the Model HPA's value
// overflows when its target has zero replicas, which is shown as such.
func seesText(h *model.HPA) string {
	if len(h.CurrentMetrics) == 0 {
		return "<unknown> (no current metric)"
	}
	m := h.CurrentMetrics[0]
	switch {
	case m.HasAverage && (!finite(m.AverageValue) || m.AverageValue < 0 || m.AverageValue > 1e15):
		return "n/a: overflow (0 replicas)"
	case m.HasAverage:
		return num(m.AverageValue) + " per replica (avg)"
	case m.HasValue && finite(m.Value):
		return num(m.Value) + " total"
	}
	return "<unknown>"
}

// conditionLines lists the conditions of both HPAs, the Model and the Server.
func conditionLines(st *themes.Styles, p *model.Pair, w int) []string {
	type owner struct {
		name  string
		conds []model.Condition
	}
	var owners []owner
	if p.ModelHPA != nil {
		owners = append(owners, owner{"Model HPA", p.ModelHPA.Conditions})
	}
	if p.ServerHPA != nil {
		owners = append(owners, owner{"Server HPA", p.ServerHPA.Conditions})
	}
	if p.Model != nil {
		owners = append(owners, owner{"Model", p.Model.Conditions})
	}
	if p.Server != nil {
		owners = append(owners, owner{"Server", p.Server.Conditions})
	}
	typeW, reasonW := 4, 6
	for _, o := range owners {
		for _, c := range o.conds {
			r, _ := conditionText(c)
			typeW, reasonW = max(typeW, cellWidth(c.Type)), max(reasonW, cellWidth(r))
		}
	}
	reasonW = min(reasonW, 22)
	// Narrow terminals put each message on its own line rather than cut it.
	stacked := w < 100
	var out []string
	for _, o := range owners {
		if len(o.conds) == 0 {
			out = append(out, "  "+st.Muted.Render(fit(o.name, 11, false))+st.Muted.Render("no conditions reported"))
			continue
		}
		for i, c := range o.conds {
			name := strings.Repeat(" ", 11)
			if i == 0 {
				name = st.Muted.Render(fit(o.name, 11, false))
			}
			sym, tn := conditionTone(c)
			reason, msg := conditionText(c)
			head := toneStyle(st, tn).Render(sym+" "+fit(c.Type, typeW, false)+" "+fit(c.Status, 7, false)) + " " + fit(reason, reasonW, false)
			if stacked {
				out = append(out, "  "+name+head)
				if msg != "" {
					out = append(out, indentWrap(st.Muted.Render(msg), w, 17, 17)...)
				}
				continue
			}
			line := "  " + name + head + " " + st.Muted.Render(msg)
			if cellWidth(line) > w {
				line = ansi.Truncate(line, w, "…")
			}
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		out = append(out, "  "+st.Muted.Render("no objects with conditions"))
	}
	return out
}

// conditionText returns a condition's reason and message. Seldon swaps the
// two (the state name lands in the message): the short word goes first.
func conditionText(c model.Condition) (reason, msg string) {
	reason, msg = clean(c.Reason), clean(c.Message)
	if strings.Contains(reason, " ") && !strings.Contains(msg, " ") {
		reason, msg = msg, reason
	}
	return reason, msg
}

// conditionTone judges a condition: ScalingLimited=True is the bad state;
// for every other type False is.
func conditionTone(c model.Condition) (string, tone) {
	bad := c.Status == "False"
	if c.Type == "ScalingLimited" || c.Type == "ScaledToZero" {
		bad = c.Status == "True"
	}
	switch {
	case c.Status != "True" && c.Status != "False":
		return "?", toneMuted
	case bad:
		return "!", toneWarning
	}
	return "✓", toneHealthy
}

// timelineEntry is one line of the merged timeline.
type timelineEntry struct {
	at   time.Time
	line string
}

// timeline merges the pair's Events with its ScheduleFailed episode.
func (a *App) timeline(st *themes.Styles, p *model.Pair, ref time.Time) []string {
	var es []timelineEntry
	for _, ev := range p.Events {
		t := ev.Last
		if t.IsZero() {
			t = ev.First
		}
		es = append(es, timelineEntry{t, "  " + eventLine(st, ev, a.loc)})
	}
	if sf := p.ScheduleFailed; sf != nil && !sf.Since.IsZero() {
		kind, tn := "structural", toneCritical
		if sf.Transient {
			kind, tn = "transient", toneConverging
		}
		sym := toneSymbol(tn)
		es = append(es, timelineEntry{sf.Since, "  " + st.Muted.Render(clock(sf.Since, a.loc)) + " " +
			toneStyle(st, tn).Render(sym+" ScheduleFailed began ("+kind+")") + " Model/" + p.ModelName + " " +
			st.Muted.Render(clean(sf.Reason))})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].at.After(es[j].at) })
	if len(es) == 0 {
		var w model.WatchState
		if a.rows != nil {
			w = a.rows.snap.Watch
		}
		return []string{"  " + st.Muted.Render(noEvents(w))}
	}
	const maxEntries = 20
	out := make([]string, 0, min(len(es), maxEntries))
	for i, e := range es {
		if i == maxEntries {
			break
		}
		l := e.line
		if cellWidth(l) > a.w {
			l = ansi.Truncate(l, a.w, "…")
		}
		out = append(out, l)
	}
	return out
}

// charts draws RPS against capacity and the replica counts over time.
func (a *App) charts(st *themes.Styles, w int) []string {
	h := a.hist
	n := len(h.RPS)
	for _, s := range [][]float64{h.Capacity, h.ModelDesired, h.ModelReady, h.ServerDesired, h.ServerReady} {
		n = max(n, len(s))
	}
	if n == 0 || h.Key != a.st.detailKey {
		return []string{"  " + st.Muted.Render("no history recorded yet")}
	}
	span := ""
	if h.Step > 0 {
		span = " over the last " + dur(time.Duration(n)*h.Step)
	}
	c := st.Chart
	rpsSeries := []series{
		{name: "rps", data: h.RPS, chars: solidChars, glyph: "─", color: c.RPS},
		{name: "capacity (target × ready servers)", data: h.Capacity, chars: dotChars, glyph: "·", color: c.Capacity},
	}
	// Ready first, desired on top: where ready matches desired only the line
	// shows, and a gap (replicas not ready yet) stands out as markers below it.
	replicaSeries := []series{
		{name: "model ready", data: h.ModelReady, chars: bulletChar, glyph: "•", color: c.Model},
		{name: "server ready", data: h.ServerReady, chars: crossChars, glyph: "×", color: c.Server},
		{name: "model desired", data: h.ModelDesired, chars: solidChars, glyph: "─", color: c.Model},
		{name: "server desired", data: h.ServerDesired, chars: doubleChars, glyph: "═", color: c.Server},
	}
	side := w >= 120
	cw := w - 2
	if side {
		cw = (w - 4) / 2
	}
	left := chartBlock(st, "RPS"+span, plot(st, rpsSeries, cw, 8, false), cw)
	right := chartBlock(st, "Replicas"+span, plot(st, replicaSeries, cw, 8, true), cw)
	if !side {
		return append(append(left, ""), right...)
	}
	var out []string
	for i := 0; i < max(len(left), len(right)); i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, fitStyled(l, cw+2)+r)
	}
	return out
}

// chartBlock titles a chart, or says there is no data for it.
func chartBlock(st *themes.Styles, title string, lines []string, w int) []string {
	out := []string{"  " + st.Bold.Render(title)}
	if lines == nil {
		return append(out, "  "+st.Muted.Render("no data yet"))
	}
	for _, l := range lines {
		out = append(out, "  "+l)
	}
	_ = w
	return out
}

// pairedBy says which link joined the Model to its Server and where the links disagree.
func pairedBy(p *model.Pair) string {
	txt := p.Link.Text()
	if p.ScheduledOn != "" && p.ScheduledOn != p.ServerName {
		txt += " · ! Seldon scheduled it on " + p.ScheduledOn
	}
	for _, e := range p.Elsewhere {
		txt += " · ! the Server HPA describes Model " + e.Model + ", which runs on " + e.Server
	}
	return txt
}
