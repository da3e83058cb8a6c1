package ui

import (
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// buildBody renders every section of the detail view for the current width.
func (d *detailView) buildBody(st *themes.Styles) []string {
	r := d.row()
	if r == nil {
		return []string{"", st.Muted.Render("This pair is not in the latest snapshot: it was deleted, or the watch lost it."),
			st.Muted.Render("esc goes back to the list.")}
	}
	p, snap, w := r.pair, d.c.rows.snap, d.c.w
	var out []string
	add := func(l ...string) { out = append(out, l...) }
	section := func(name string) { add("", st.Section.Render(name)) }
	kv := func(k, v string) { add(wrapKV(st, k, v, w)...) }

	section("Now")
	kv("Replicas", "Model "+modelCountWords(p)+" · Server "+countWords(p.ServerDesired, p.ServerReady, "ready pods"))
	per, _ := perReplica(p)
	rate := rpsCell(p.Metric)
	if p.Metric.Known {
		rate += " from Prometheus"
	}
	traffic := rate + " · " + per + " per replica"
	if strings.HasPrefix(per, "n/a") {
		traffic = rate + " · per replica " + per
	}
	if p.Metric.Stale {
		traffic += " · ! stale"
	}
	if p.Metric.Problem != "" {
		traffic += " · ! " + clean(p.Metric.Problem)
	}
	if !p.Metric.SampledAt.IsZero() {
		traffic += " · sampled " + clock(p.Metric.SampledAt, d.c.loc)
	}
	kv("Traffic", traffic)
	if t, ok := hpaSeesText(p.Metric); ok {
		kv("HPA sees", t)
	}
	if p.Mode != "" {
		kv("Scaled by", p.Mode.Text())
	}
	if t := kedaStateText(p); t != "" {
		kv("KEDA", t)
	}
	if s := seldonStateText(p); s != "" {
		kv("Seldon", s)
	}
	kv("Latency", latencyText(p.Metric))
	kv("Errors", errorText(p.Metric))
	kv("Skew", skewText(p, snap.Taken))
	if p.Readiness.Samples > 0 {
		kv("Readiness", "new Server replicas become ready in ~"+model.FormatDuration(p.Readiness.Median)+
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
			txt += ". Expected to clear by " + clock(sf.ExpectedClear, d.c.loc)
		}
		if sf.Serving > 0 {
			txt += ". The " + plural(int(sf.Serving), "replica") + " already loaded keep serving."
		} else {
			txt += ". No replica is loaded yet, so the Model serves nothing."
		}
		kv("Schedule", txt)
	}

	add(d.rolloutSection(st, p, w)...)

	section("Next HPA decision")
	kv("Model HPA", forecastText(p.ModelForecast, p.ModelHPA)+forecastSource(p.ModelForecast))
	kv("Server HPA", forecastText(p.ServerForecast, p.ServerHPA)+forecastSource(p.ServerForecast))

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
	add(d.hpaDiff(st, p.ModelHPA, p.ServerHPA, w)...)

	section("Charts")
	add(d.charts(st, w)...)

	section("Conditions")
	add(conditionLines(st, p, w)...)

	section("Timeline") // Events and ScheduleFailed, newest first
	add(d.timeline(st, p, snap.Taken)...)
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
	return countPart(d, "desired") + " / " + countPart(r, readyWord)
}

// countPart prints "3 desired", or "? desired (reason)".
func countPart(c model.Count, word string) string {
	if !c.Known {
		s := "? " + word
		if c.Unknown != "" {
			s += " (" + clean(c.Unknown) + ")"
		}
		return s
	}
	return itoa(c.Value) + " " + word
}

// modelCountWords is countWords for the Model, saying when its desired count is Seldon's
// default for an unset spec.replicas: an HPA then reads 0 replicas and scales nothing, and
// "1 desired" alone would contradict the HPA's own 0.
func modelCountWords(p *model.Pair) string {
	if p.Model == nil || p.Model.Replicas != nil || !p.ModelDesired.Known {
		return countWords(p.ModelDesired, p.ModelReady, "available")
	}
	note := "spec.replicas unset: Seldon's default"
	if h := p.ModelHPA; h != nil {
		note += "; the Model HPA reads " + itoa(h.CurrentReplicas) + " and scales nothing"
	}
	return countPart(p.ModelDesired, "desired") + " (" + note + ") / " + countPart(p.ModelReady, "available")
}

// latencyText prints the average latency, or why it is missing.
func latencyText(m model.PairMetric) string {
	if !m.HasLatency || !finite(m.LatencySec) {
		return "n/a"
	}
	return model.FormatDuration(time.Duration(m.LatencySec*float64(time.Second))) + " average per request"
}

// errorText prints the non-2xx rate and its share of traffic.
func errorText(m model.PairMetric) string {
	if !m.HasErrors || !finite(m.ErrorRate) {
		return "n/a"
	}
	s := model.FormatNumber(m.ErrorRate) + " non-2xx rps"
	if m.Known && finite(m.RPS) && m.RPS > 0 {
		s += " (" + model.FormatNumber(100*m.ErrorRate/m.RPS) + "% of requests)"
	}
	return s
}

// skewMissing says why a pair has no skew to show ("no Server HPA", "the Model HPA
// wants 0 replicas: …"), "" when both HPAs have decided a size. Read from the HPAs
// themselves, so snapshots written before Skew.Measured existed read the same.
func skewMissing(p *model.Pair) string {
	mh, sh := p.ModelHPA, p.ServerHPA
	switch {
	case mh == nil && sh == nil:
		return "no HPAs"
	case mh == nil:
		return "no Model HPA"
	case sh == nil:
		return "no Server HPA"
	}
	for _, side := range []struct {
		name string
		h    *model.HPA
	}{{"Model", mh}, {"Server", sh}} {
		if side.h.DesiredReplicas != 0 {
			continue
		}
		why := "it has not decided yet"
		if c, ok := model.FindCondition(side.h.Conditions, "ScalingActive"); ok && c.Status == "False" && c.Message != "" {
			why = clean(c.Message)
		}
		return "the " + side.name + " HPA wants 0 replicas: " + why
	}
	return ""
}

// skewText explains the twins' difference.
func skewText(p *model.Pair, ref time.Time) string {
	s := p.Skew
	var parts []string
	if why := skewMissing(p); why != "" {
		parts = append(parts, "– "+why)
	} else if s.DesiredDiff == 0 {
		parts = append(parts, "= both HPAs want the same size")
	} else {
		txt := "Model HPA wants " + signed(s.DesiredDiff) + " vs the Server HPA"
		if d := since(ref, s.DifferentSince); d != "" {
			txt += " for " + d
		}
		switch {
		case s.Alert:
			txt = "! " + txt + ": the " + s.Stuck + " HPA should go " + s.StuckMove + " and has not"
			if d := since(ref, s.StuckSince); d != "" {
				txt += " for " + d
			}
		case s.Resting:
			txt = "~ " + txt + " (both decisions hold: at rest)"
		default:
			txt = "~ " + txt + " (moving)"
		}
		parts = append(parts, txt)
	}
	if s.LastLag > 0 {
		parts = append(parts, "last lag "+model.FormatDuration(s.LastLag))
	}
	if s.PhaseKnown {
		parts = append(parts, "sync phase model "+model.FormatDuration(s.ModelPhase)+" / server "+model.FormatDuration(s.ServerPhase))
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
	// A rescale's text already says when it happens.
	if f.NextSync > 0 && !f.Decision.Rescale {
		s += " (next sync in ~" + model.FormatDuration(f.NextSync) + ")"
	}
	// The decision's text names its limit already ("held by scale-down stabilization …"):
	// once is enough.
	if l := clean(f.Limited); l != "" && !strings.Contains(s, l) {
		s += "; limited: " + l
	}
	return s
}

// forecastSource names where a forecast's rate came from, since with several clusters or a
// global Prometheus the number the controller divides may not be the one on the Traffic line.
func forecastSource(f *model.Forecast) string {
	if f == nil || !f.Decision.Computed {
		return ""
	}
	switch f.TotalFrom {
	case model.TotalFromMetricsAPI:
		return " · rate from the custom metrics API"
	case "prometheus":
		return " · rate from Prometheus"
	case "hpa":
		return " · rate from the HPA's last status"
	}
	return ""
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

// rolloutSection is the detail view's rollout part: Seldon state, the ramp check and the change log.
func (d *detailView) rolloutSection(st *themes.Styles, p *model.Pair, w int) []string {
	if p.Rollout == nil && p.Ramp == nil && len(p.Changes) == 0 {
		return nil
	}
	out := []string{"", st.Section.Render("Rollout")}
	kv := func(k, v string) { out = append(out, wrapKV(st, k, v, w)...) }
	if r := p.Rollout; r != nil {
		tn := healthTone(r.Health())
		kv("State", toneStyle(st, tn).Render(toneSymbol(tn)+" "+string(r.Phase))+" · "+clean(r.Text))
	}
	if r := p.Ramp; r != nil {
		tn := toneHealthy
		switch {
		case !r.Known:
			tn = toneMuted
		case !r.KeepsUp:
			tn = toneWarning
		}
		kv("Scale-up", toneStyle(st, tn).Render(toneSymbol(tn))+" "+clean(r.Text))
	}
	if len(p.Changes) == 0 {
		kv("Changes", st.Muted.Render("no spec change seen since twinscale started"))
		return out
	}
	out = append(out, "  "+st.Bold.Render("Changes")+st.Muted.Render(" (newest first, before → after)"))
	for _, c := range p.Changes {
		line := st.Muted.Render(clock(c.At, d.c.loc)) + " " + clean(c.Text())
		out = append(out, indentWrap(line, w, 4, 13)...)
	}
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

// hpaSeesText is the custom metrics API's value (what the HPA controller divides) or why
// twinscale could not read it; false when it was not asked.
func hpaSeesText(m model.PairMetric) (string, bool) {
	switch {
	case m.HasAPIValue:
		return rps(m.APIValue) + " from the custom metrics API (the forecast uses it)", true
	case m.APIProblem != "":
		return clean(m.APIProblem) + "; the forecast uses Prometheus", true
	}
	return "", false
}

// seldonStateText is the pair's Seldon 2.9+ state and modelgwReady on one line.
func seldonStateText(p *model.Pair) string {
	var parts []string
	switch p.State {
	case model.StatePartial:
		parts = append(parts, "! partial: "+clean(p.StateText))
	case model.StateScaledToZero:
		parts = append(parts, "· scaled to 0: "+clean(p.StateText))
	case model.StateScalingSpecInvalid:
		parts = append(parts, "✗ "+clean(p.StateText))
	}
	if p.ModelgwReady != "" {
		parts = append(parts, "modelgwReady "+clean(p.ModelgwReady))
	}
	return strings.Join(parts, " · ")
}

// kedaStateText is the state of a KEDA pair's HPAs: active, or paused by which annotation.
func kedaStateText(p *model.Pair) string {
	if p.Mode != model.ModeKEDA {
		return ""
	}
	var parts []string
	for _, side := range []struct {
		name string
		h    *model.HPA
	}{{"Model", p.ModelHPA}, {"Server", p.ServerHPA}} {
		if !model.IsKEDA(side.h) {
			continue
		}
		state := "active"
		if k := model.KEDAPauseOf(side.h); k.Paused {
			state = k.Text()
		}
		parts = append(parts, side.name+" HPA "+side.h.Name+": "+state)
	}
	return strings.Join(parts, "; ")
}
