package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// specRow is one line of the side-by-side HPA comparison.
type specRow struct {
	label         string
	model, server string
	compare       bool
}

// hpaDiff prints both HPAs side by side and marks every spec difference with
// ≠ (and the diff colour).
func (d *detailView) hpaDiff(st *themes.Styles, mh, sh *model.HPA, w int) []string {
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
		return clock(h.LastScaleTime, d.c.loc) + " (" + since(d.c.rows.snap.Taken, h.LastScaleTime) + " ago)"
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
		out = append(out, st.Diff.Render("≠ "+plural(diffs, "difference")+" between the twin HPAs"))
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
	return m.TargetType + " " + model.FormatNumber(m.Target)
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
		parts = append(parts, "window "+model.FormatDuration(time.Duration(*r.StabilizationWindowSeconds)*time.Second))
	}
	if r.SelectPolicy != "" {
		parts = append(parts, "select "+r.SelectPolicy)
	}
	for _, p := range r.Policies {
		parts = append(parts, p.String())
	}
	if r.Tolerance != nil {
		parts = append(parts, "tolerance "+model.FormatNumber(*r.Tolerance))
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
		return model.FormatNumber(m.AverageValue) + " per replica (avg)"
	case m.HasValue && finite(m.Value):
		return model.FormatNumber(m.Value) + " total"
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
