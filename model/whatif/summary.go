package whatif

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Gap is a stretch of the replayed span where the metric was missing.
type Gap struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Summary is what one simulation adds up to.
type Summary struct {
	Span time.Duration `json:"span"`
	// ScheduleFailed is how long the Model asked for more replicas than the Server had ready.
	ScheduleFailed         time.Duration `json:"scheduleFailed"`
	ScheduleFailedEpisodes int           `json:"scheduleFailedEpisodes"`
	// OverCapacity is how long infer_rps exceeded the target × the Model replicas serving.
	OverCapacity time.Duration `json:"overCapacity"`
	// ServerReplicaMinutes integrates the Server's pods (its cost); ModelReplicaMinutes the Model's spec.
	ServerReplicaMinutes float64 `json:"serverReplicaMinutes"`
	ModelReplicaMinutes  float64 `json:"modelReplicaMinutes"`
	ModelScaleEvents     int     `json:"modelScaleEvents"`
	ServerScaleEvents    int     `json:"serverScaleEvents"`
	// WorstSkew is the largest |Model desired − Server desired|, first reached at WorstSkewAt;
	// LongestSkew the longest stretch during which they differed.
	WorstSkew   int32         `json:"worstSkew"`
	WorstSkewAt time.Time     `json:"worstSkewAt,omitzero"`
	LongestSkew time.Duration `json:"longestSkew"`
	PeakModel   int32         `json:"peakModel"`
	PeakServer  int32         `json:"peakServer"`
	// MetricMissing is how long the metric was missing; MissingSyncs how many syncs found
	// no metric (FailedGetObjectMetric: the HPA kept its replicas); Gaps where.
	MetricMissing time.Duration `json:"metricMissing"`
	MissingSyncs  int           `json:"missingSyncs"`
	Gaps          []Gap         `json:"gaps,omitempty"`
}

// ScaleEvents is the number of rescales of both HPAs.
func (s Summary) ScaleEvents() int { return s.ModelScaleEvents + s.ServerScaleEvents }

// accumulator integrates the state between events.
type accumulator struct {
	sum                        Summary
	modelEvents, serverEvents  int
	missingSyncs               int
	wasSF                      bool
	skewSince                  time.Time
	gapSince                   time.Time
	inGap                      bool
	modelSeconds, serverSecond float64
}

func (a *accumulator) begin(t time.Time, r *sim) { a.observe(t, r) }

// advance adds the interval [from, to) during which the state was constant.
func (a *accumulator) advance(from, to time.Time, r *sim) {
	dt := to.Sub(from)
	if dt <= 0 {
		return
	}
	s := r.s
	if r.sf {
		a.sum.ScheduleFailed += dt
	}
	rps := r.metricNow(from)
	if math.IsNaN(rps) {
		a.sum.MetricMissing += dt
	} else if r.target > 0 && rps > r.target*float64(s.ModelAvailable) {
		a.sum.OverCapacity += dt
	}
	a.modelSeconds += float64(s.ModelReplicas) * dt.Seconds()
	a.serverSecond += float64(s.ServerReplicas) * dt.Seconds()
}

// observe notes the state after the events at t.
func (a *accumulator) observe(t time.Time, r *sim) {
	if r.sf && !a.wasSF {
		a.sum.ScheduleFailedEpisodes++
	}
	a.wasSF = r.sf
	s := r.s
	a.sum.PeakModel = max(a.sum.PeakModel, s.ModelReplicas)
	a.sum.PeakServer = max(a.sum.PeakServer, s.ServerReplicas)
	skew := s.ModelReplicas - s.ServerReplicas
	if skew < 0 {
		skew = -skew
	}
	if r.mHPA != nil && r.sHPA != nil {
		if skew > a.sum.WorstSkew {
			a.sum.WorstSkew, a.sum.WorstSkewAt = skew, t
		}
		switch {
		case skew != 0 && a.skewSince.IsZero():
			a.skewSince = t
		case skew == 0 && !a.skewSince.IsZero():
			a.sum.LongestSkew = max(a.sum.LongestSkew, t.Sub(a.skewSince))
			a.skewSince = time.Time{}
		}
	}
	missing := math.IsNaN(r.metricNow(t))
	switch {
	case missing && !a.inGap:
		a.inGap, a.gapSince = true, t
	case !missing && a.inGap:
		a.inGap = false
		a.sum.Gaps = append(a.sum.Gaps, Gap{From: a.gapSince, To: t})
	}
}

func (a *accumulator) finish(end time.Time, r *sim) {
	if !a.skewSince.IsZero() {
		a.sum.LongestSkew = max(a.sum.LongestSkew, end.Sub(a.skewSince))
	}
	if a.inGap {
		a.sum.Gaps = append(a.sum.Gaps, Gap{From: a.gapSince, To: end})
	}
	a.sum.Span = end.Sub(r.in.Start)
	a.sum.ModelScaleEvents, a.sum.ServerScaleEvents = a.modelEvents, a.serverEvents
	a.sum.MissingSyncs = a.missingSyncs
	a.sum.ModelReplicaMinutes = a.modelSeconds / 60
	a.sum.ServerReplicaMinutes = a.serverSecond / 60
	r.res.Summary = a.sum
}

// Verdict is the one-line comparison of a baseline and an edited run:
// "ScheduleFailed 4m10s → 0s; over capacity 5m → 1m; +18% replica-minutes".
func Verdict(base, edited Summary) string {
	parts := []string{
		"ScheduleFailed " + model.FormatDuration(base.ScheduleFailed) + " → " + model.FormatDuration(edited.ScheduleFailed),
		"over capacity " + model.FormatDuration(base.OverCapacity) + " → " + model.FormatDuration(edited.OverCapacity),
		percent(base.ServerReplicaMinutes, edited.ServerReplicaMinutes) + " replica-minutes",
	}
	if base.ScaleEvents() != edited.ScaleEvents() {
		parts = append(parts, fmt.Sprintf("scale events %d → %d", base.ScaleEvents(), edited.ScaleEvents()))
	}
	return strings.Join(parts, "; ")
}

func percent(base, edited float64) string {
	if base == 0 {
		if edited == 0 {
			return "±0%"
		}
		return "+∞%"
	}
	p := (edited - base) / base * 100
	switch {
	case math.Abs(p) < 0.5:
		return "±0%"
	case p > 0:
		return fmt.Sprintf("+%.0f%%", p)
	}
	return fmt.Sprintf("%.0f%%", p)
}

// Row is one line of a summary table: what it measures and its value.
type Row struct{ Name, Value string }

// Rows renders the summary as the table rows the CLI and the dashboard print side by side.
func (s Summary) Rows() []Row {
	skew := "0"
	if s.WorstSkew != 0 {
		skew = fmt.Sprintf("%d (longest %s)", s.WorstSkew, model.FormatDuration(s.LongestSkew))
	}
	return []Row{
		{"ScheduleFailed", fmt.Sprintf("%s (%d×)", model.FormatDuration(s.ScheduleFailed), s.ScheduleFailedEpisodes)},
		{"over capacity", model.FormatDuration(s.OverCapacity)},
		{"replica-minutes", fmt.Sprintf("%s Server, %s Model", model.FormatNumber(s.ServerReplicaMinutes), model.FormatNumber(s.ModelReplicaMinutes))},
		{"scale events", fmt.Sprintf("%d Model, %d Server", s.ModelScaleEvents, s.ServerScaleEvents)},
		{"peak replicas", fmt.Sprintf("%d Model, %d Server", s.PeakModel, s.PeakServer)},
		{"worst skew", skew},
		{"metric missing", fmt.Sprintf("%s (%d syncs)", model.FormatDuration(s.MetricMissing), s.MissingSyncs)},
	}
}
