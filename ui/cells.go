package ui

import (
	"sort"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// serverLabel names a pair's Server, or says why it has none: a Model Seldon has not
// placed yet is unscheduled, not missing its Server.
func serverLabel(p *model.Pair) string {
	if p.ServerName == "" && p.Link == model.LinkUnscheduled {
		return "(unscheduled)"
	}
	return firstNonEmpty(p.ServerName, "(no server)")
}

// healthSymbolPlain is the unstyled health symbol.
func healthSymbolPlain(h model.Health) string { return model.HealthSymbol(h) }

// healthTone maps a health level to its tone.
func healthTone(h model.Health) tone {
	switch h {
	case model.Healthy:
		return toneHealthy
	case model.Converging:
		return toneConverging
	case model.Warning:
		return toneWarning
	case model.Critical:
		return toneCritical
	}
	return toneWarning
}

// severityTone maps a finding severity to its tone.
func severityTone(s model.Severity) tone {
	switch s {
	case model.SeverityCritical:
		return toneCritical
	case model.SeverityWarning:
		return toneWarning
	}
	return toneInfo
}

// worstOf ranks a tone for sorting alerts first.
func worstOf(t tone) int {
	switch t {
	case toneCritical:
		return 3
	case toneWarning:
		return 2
	case toneConverging:
		return 1
	}
	return 0
}

// countCell prints desired/ready; a gap between them is converging, an
// unknown ready count is a warning (its "?" is the text twin).
func countCell(d, r model.Count) (string, tone) {
	s := desiredReady(d, r)
	switch {
	case !d.Known || !r.Known:
		return s, toneWarning
	case d.Value != r.Value:
		return s, toneConverging
	}
	return s, toneText
}

// hpaDesired prints an HPA's desired replicas, "–" without an HPA.
func hpaDesired(h *model.HPA) string {
	if h == nil {
		return "–"
	}
	return itoa(h.DesiredReplicas)
}

// rpsNumber is the RPS column's cell: the live total without its unit (the title says it),
// "n/a" without a value, "bad" when the metric is not a number.
func rpsNumber(m model.PairMetric) (string, tone) {
	switch {
	case m.Problem != "" || (m.Known && !finite(m.RPS)):
		return "bad", toneWarning
	case !m.Known:
		return "n/a", toneMuted
	case m.Stale:
		return model.FormatNumber(m.RPS), toneMuted
	}
	return model.FormatNumber(m.RPS), toneText
}

// perReplicaCell is the PER REPLICA column's cell: "2.97/3" (a warning above the target),
// "0 ready" or "? ready" when no replica is known to serve, "n/a" without traffic.
func perReplicaCell(p *model.Pair) (string, tone) {
	m := p.Metric
	if !m.Known || m.Problem != "" || !finite(m.RPS) {
		return "n/a", toneMuted
	}
	switch n := servingReplicas(p); {
	case !n.Known:
		return "? ready", toneMuted
	case n.Value <= 0:
		return "0 ready", toneMuted
	}
	cell, over := perReplica(p)
	if over {
		return cell, toneWarning
	}
	return cell, toneText
}

// skewCell prints the desired difference between the twin HPAs and how long
// it has lasted, relative to the snapshot time; "–" when there are not two
// decisions to compare (skewMissing says why).
func skewCell(p *model.Pair, snap *model.Snapshot) (string, tone) {
	if skewMissing(p) != "" {
		return "–", toneMuted
	}
	s := p.Skew
	if s.DesiredDiff == 0 {
		return "=", toneMuted
	}
	txt := signed(s.DesiredDiff)
	if !s.DifferentSince.IsZero() && !snap.Taken.IsZero() {
		// Whole seconds: a skew's age in milliseconds is noise and would change the cell's
		// shape ("495ms", then "1s") every frame.
		txt += " " + model.FormatDuration(snap.Taken.Sub(s.DifferentSince).Truncate(time.Second))
	}
	if s.Alert {
		return "!" + txt, toneWarning
	}
	return "~" + txt, toneConverging
}

// badgesOf lists a pair's status badges, worst first: findings, ScheduleFailed
// (classified), shape flags, metric problems.
func badgesOf(p *model.Pair) []badge {
	var out []badge
	seen := map[string]int{}
	add := func(b badge) {
		if i, ok := seen[strings.ToLower(b.text)]; ok {
			if worstOf(b.tone) > worstOf(out[i].tone) {
				out[i].tone = b.tone
			}
			return
		}
		seen[strings.ToLower(b.text)] = len(out)
		out = append(out, b)
	}
	if sf := p.ScheduleFailed; sf != nil {
		// The pair's own classification decides the symbol: transient
		// converges by itself, structural does not.
		if sf.Transient {
			add(badge{"SchedFail", toneConverging})
		} else {
			add(badge{"SchedFail", toneCritical})
		}
	}
	for _, f := range p.Findings {
		if f.Badge == "" || f.Severity == model.Info {
			// An info finding is advice, not a state: on nearly every row its badge would be
			// noise. The detail view and lint show it.
			continue
		}
		if p.ScheduleFailed != nil && (f.Rule == model.RuleScheduleFailedTrans || f.Rule == model.RuleScheduleFailedStruct) {
			// The SchedFail badge above already says it.
			continue
		}
		add(badge{f.Badge, severityTone(f.Severity)})
	}
	for _, s := range p.Shape {
		name, ok := shapeBadges[s]
		if !ok {
			name = string(s)
		}
		add(badge{name, toneWarning})
	}
	switch {
	case p.Metric.Problem != "" || (p.Metric.Known && !finite(p.Metric.RPS)):
		add(badge{"bad-metric", toneWarning})
	case p.Metric.Stale:
		add(badge{"stale", toneWarning})
	}
	if p.Skew.Alert {
		add(badge{"skew", toneWarning})
	}
	if len(out) == 0 {
		// The row's health must always be explained in words, so a pair
		// without findings still gets a badge that matches its symbol.
		switch {
		case (!p.ModelReady.Known && p.Model != nil) || (!p.ServerReady.Known && p.ServerName != ""):
			add(badge{"ready?", toneWarning})
		case p.Health == model.Converging:
			add(badge{"scaling", toneConverging})
		case p.Health >= model.Warning:
			add(badge{p.Health.String(), healthTone(p.Health)})
		default:
			add(badge{"ok", toneHealthy})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return worstOf(out[i].tone) > worstOf(out[j].tone) })
	return out
}
