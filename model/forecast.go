package model

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// hpaTrack is what the analyzer remembers of one HPA.
type hpaTrack struct {
	id        string
	seen      bool
	firstSeen time.Time
	status    uint64 // fingerprint of the last status seen
	desired   int32
	changes   []DesiredChange
	syncs     []time.Time
	lastEvent time.Time
	mem       HPAMemory
	lastRaw   int32
	hasRaw    bool
	diverged  int
	// lastWrite is when the HPA's status was last seen to change (firstSeen before any).
	lastWrite time.Time
	// moveSince is when the forecast started to say the HPA changes at its next sync.
	moveSince time.Time
	// fpOf is the version whose status fingerprint is status, when known.
	fpOf version
}

// fingerprint is statusFingerprint(h), from memory while h's version is the one last seen.
func (t *hpaTrack) fingerprint(h *HPA, memo bool) uint64 {
	v := versionOf(&h.Meta)
	if memo && v.known() && v == t.fpOf {
		return t.status
	}
	return statusFingerprint(h)
}

// statusFingerprint changes whenever the controller writes the HPA's status, which it does
// only at a sync and only when something changed.
func statusFingerprint(h *HPA) uint64 {
	f := fnv.New64a()
	var buf [8]byte
	num := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		f.Write(buf[:])
	}
	str := func(s string) {
		f.Write([]byte(s))
		f.Write([]byte{0})
	}
	num(uint64(h.CurrentReplicas))
	num(uint64(h.DesiredReplicas))
	num(uint64(h.LastScaleTime.UnixNano()))
	for _, m := range h.CurrentMetrics {
		str(m.Name)
		num(math.Float64bits(m.AverageValue))
		num(math.Float64bits(m.Value))
	}
	for _, c := range h.Conditions {
		str(c.Type)
		str(c.Status)
		str(c.Reason)
		str(c.Message)
	}
	return f.Sum64()
}

func (t *hpaTrack) observe(now time.Time, h *HPA, events []Event, statusReplicas int32, memo bool) {
	id := h.UID
	if id == "" {
		id = h.Key()
	}
	if t.id != id {
		*t = hpaTrack{id: id}
	}
	fp := t.fingerprint(h, memo)
	up, down := EffectiveBehavior(h.Behavior)
	window := max(up.Stabilization, down.Stabilization)
	if h.Behavior == nil {
		window = DefaultDownscaleStabilization
	}
	raw, rawOK := reportedRecommendation(h, statusReplicas)

	if !t.seen {
		t.seen, t.firstSeen, t.status, t.desired = true, now, fp, h.DesiredReplicas
		t.lastWrite = now
		// The controller's memory is unknown: seed it with what the status implies now. A
		// desired above the current recommendation is evidence of a higher recommendation
		// inside the scale-down window.
		t.mem = HPAMemory{Seeded: true}
		if rawOK {
			t.mem.Recommendations = append(t.mem.Recommendations, Recommendation{At: now, Replicas: raw})
			t.lastRaw, t.hasRaw = raw, true
		}
		if (!rawOK || h.DesiredReplicas > raw) && h.DesiredReplicas > 0 {
			t.mem.Recommendations = append(t.mem.Recommendations, Recommendation{At: now, Replicas: h.DesiredReplicas})
		}
	} else if fp != t.status {
		t.status = fp
		t.syncs = appendBounded(t.syncs, now, maxSyncs)
		if t.hasRaw && now.Sub(t.lastWrite) > SyncPeriod {
			// The syncs since the last write changed nothing, so they recommended the last
			// reported value again: the latest of them, one period ago, is what a window sees.
			t.mem.Recommendations = append(t.mem.Recommendations, Recommendation{At: now.Add(-SyncPeriod), Replicas: t.lastRaw})
		}
		t.lastWrite = now
		if rawOK {
			t.mem.Recommendations = append(t.mem.Recommendations, Recommendation{At: now, Replicas: raw})
			t.lastRaw, t.hasRaw = raw, true
		}
		if h.DesiredReplicas != t.desired {
			at, src := now, "status"
			if e, ok := rescaleEventFor(events, h, h.DesiredReplicas, now); ok {
				at, src = e, "event"
			}
			t.addChange(DesiredChange{At: at, From: t.desired, To: h.DesiredReplicas, Source: src}, h.Behavior != nil)
			t.desired = h.DesiredReplicas
		}
	}
	t.fpOf = versionOf(&h.Meta) // t.status is fp now
	t.ingestEvents(events, h)
	t.mem.Prune(now, window, up.LongestPeriod(), down.LongestPeriod())
}

// reportedRecommendation rebuilds the recommendation the controller computed at its last sync
// from the value it reported (averageValue × the target's .status.replicas).
func reportedRecommendation(h *HPA, statusReplicas int32) (int32, bool) {
	avg, ok := reportedAverage(h)
	if !ok || statusReplicas <= 0 {
		return 0, false
	}
	m, _, err := pickMetric(*h)
	if err != "" || m.Target <= 0 {
		return 0, false
	}
	var d Decision
	d.Tolerance = TolerancesFor(*h)
	return max(objectPerPodReplicas(&d, quantityMilli(avg*float64(statusReplicas)), targetMilli(m.Target), statusReplicas), 0), true
}

// reportedAverage is the averageValue of the HPA's first Object metric in its status, unless
// it is missing or the division-by-zero artefact (a huge negative Quantity).
func reportedAverage(h *HPA) (float64, bool) {
	for _, m := range h.CurrentMetrics {
		if m.Type != "" && m.Type != "Object" {
			continue
		}
		if !m.HasAverage || m.AverageValue < 0 || math.IsNaN(m.AverageValue) || math.IsInf(m.AverageValue, 0) {
			return 0, false
		}
		return m.AverageValue, true
	}
	return 0, false
}

// parseRescale reads "New size: 3; reason: ..." from a SuccessfulRescale message.
func parseRescale(msg string) (int32, bool) {
	rest, ok := strings.CutPrefix(msg, "New size: ")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, ";")
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 32)
	if err != nil {
		return 0, false
	}
	return int32(n), true
}

func isRescaleOf(e Event, h *HPA) bool {
	return e.Reason == "SuccessfulRescale" && e.Object.Name == h.Name &&
		(e.Object.Kind == "" || e.Object.Kind == "HorizontalPodAutoscaler") && (e.Namespace == "" || e.Namespace == h.Namespace)
}

// rescaleEventFor finds the SuccessfulRescale event of h to size n close before now.
func rescaleEventFor(events []Event, h *HPA, n int32, now time.Time) (time.Time, bool) {
	for _, e := range events {
		if !isRescaleOf(e, h) || e.Last.IsZero() || e.Last.After(now) || now.Sub(e.Last) > 2*SyncPeriod {
			continue
		}
		if size, ok := parseRescale(e.Message); ok && size == n {
			return e.Last, true
		}
	}
	return time.Time{}, false
}

// ingestEvents adds SuccessfulRescale events not seen before as desired changes and syncs.
func (t *hpaTrack) ingestEvents(events []Event, h *HPA) {
	var fresh []Event
	for _, e := range events {
		if isRescaleOf(e, h) && !e.Last.IsZero() && e.Last.After(t.lastEvent) {
			fresh = append(fresh, e)
		}
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].Last.Before(fresh[j].Last) })
	for _, e := range fresh {
		size, ok := parseRescale(e.Message)
		if !ok {
			continue
		}
		// The size before an event is known only from an earlier change; 0 means unknown.
		var from int32
		for _, c := range t.changes {
			if c.At.Before(e.Last) {
				from = c.To
			}
		}
		t.addChange(DesiredChange{At: e.Last, From: from, To: size, Source: "event"}, h.Behavior != nil)
		t.syncs = appendBounded(t.syncs, e.Last, maxSyncs)
		t.lastEvent = e.Last
	}
	slices.SortFunc(t.syncs, func(a, b time.Time) int { return a.Compare(b) })
}

// addChange records a change of desired replicas once: a status change and the event of the
// same rescale (same size, within two sync periods) are one change, timed by the event.
func (t *hpaTrack) addChange(c DesiredChange, behavior bool) {
	for i, old := range t.changes {
		if old.To == c.To && absDur(old.At.Sub(c.At)) <= 2*SyncPeriod {
			if c.Source == "event" && old.Source != "event" {
				t.changes[i].At, t.changes[i].Source = c.At, "event"
			}
			return
		}
	}
	if c.From == c.To {
		return
	}
	t.changes = append(t.changes, c)
	slices.SortFunc(t.changes, func(a, b DesiredChange) int { return a.At.Compare(b.At) })
	if len(t.changes) > maxChanges {
		t.changes = slices.Clone(t.changes[len(t.changes)-maxChanges:])
	}
	if behavior && c.From > 0 {
		if c.To > c.From {
			t.mem.ScaleUpEvents = append(t.mem.ScaleUpEvents, ScaleEvent{At: c.At, Change: c.To - c.From})
		} else {
			t.mem.ScaleDownEvents = append(t.mem.ScaleDownEvents, ScaleEvent{At: c.At, Change: c.From - c.To})
		}
	}
}

// changeTime is when the HPA last changed its desired replicas to n, or now.
func (t *hpaTrack) changeTime(n int32, now time.Time) time.Time {
	for i := len(t.changes) - 1; i >= 0; i-- {
		if t.changes[i].To == n {
			return t.changes[i].At
		}
	}
	return now
}

// phase estimates the HPA's sync phase within SyncPeriod (a circular mean of observed syncs).
func (t *hpaTrack) phase() (time.Duration, bool) {
	if len(t.syncs) < 2 {
		return 0, false
	}
	var x, y float64
	for _, s := range t.syncs {
		a := 2 * math.Pi * float64(s.UnixNano()%int64(SyncPeriod)) / float64(SyncPeriod)
		x += math.Cos(a)
		y += math.Sin(a)
	}
	n := float64(len(t.syncs))
	if math.Hypot(x, y)/n < 0.9 {
		return 0, false // scattered: the controller is not keeping its 15 s rhythm
	}
	a := math.Atan2(y, x)
	if a < 0 {
		a += 2 * math.Pi
	}
	return time.Duration(a/(2*math.Pi)*float64(SyncPeriod)).Round(time.Millisecond) % SyncPeriod, true
}

// nextSync is the time from now to the HPA's next estimated sync.
func (t *hpaTrack) nextSync(now time.Time) (time.Duration, bool) {
	ph, ok := t.phase()
	if !ok {
		return 0, false
	}
	into := time.Duration(now.UnixNano() % int64(SyncPeriod))
	d := (ph - into + SyncPeriod) % SyncPeriod
	if d == 0 {
		d = SyncPeriod
	}
	return d, true
}

// forecast reproduces the controller's decision at the HPA's next sync. Its metric total is
// the custom metrics API's value (api) when twinscale could read it, what the controller itself
// reads; else Prometheus' (live, truncated to milli-units as prometheus-adapter does); else the
// HPA's own last report.
func (t *hpaTrack) forecast(now time.Time, h *HPA, sc Scale, live float64, liveOK bool, api float64, apiOK, newPoll bool) *Forecast {
	f := &Forecast{Current: sc.Spec}
	if m, _, err := pickMetric(*h); err == "" {
		f.Target = m.Target
	}
	total, from := math.NaN(), ""
	avg, hasAvg := reportedAverage(h)
	source := SourcePrometheus
	switch {
	case apiOK:
		// What the controller itself reads: the custom metrics API's value.
		total, from, source = api, TotalFromMetricsAPI, SourceCustomMetrics
	case liveOK:
		total, from = live, "prometheus"
	case hasAvg && sc.Status > 0:
		// Rebuilt from a Quantity: whole milli-units already.
		total, from, source = avg*float64(sc.Status), "hpa", SourceCustomMetrics
	}
	in := MetricInput{Value: total, Source: source}
	f.Total, f.TotalFrom = total, from
	if from == "" {
		f.Total = 0
	}

	// Honest values: per replica over the target's .status.replicas, never an overflow.
	switch {
	case sc.Status == 0:
		f.PerReplica, f.PerReplicaText = math.NaN(), "n/a (0 replicas)"
	case from == "":
		f.PerReplica, f.PerReplicaText = math.NaN(), "unknown"
	default:
		f.PerReplica = total / float64(sc.Status)
		f.PerReplicaText = FormatNumber(f.PerReplica)
	}
	f.Reported, f.HasReported = avg, hasAvg
	switch {
	case hasAvg:
		f.ReportedText = FormatNumber(avg)
	case len(h.CurrentMetrics) > 0 && sc.Status == 0:
		f.ReportedText = "n/a (0 replicas; the HPA shows a division-by-zero overflow)"
	case len(h.CurrentMetrics) > 0:
		f.ReportedText = "n/a (the HPA reports an overflow)"
	default:
		f.ReportedText = "unknown (no value in the HPA's status yet)"
	}
	if hasAvg && liveOK && sc.Status > 0 {
		view := avg * float64(sc.Status)
		diff := math.Abs(view - live)
		if big := max(view, live); big > 0 {
			f.Divergence = diff / big
		}
		if newPoll {
			if f.Divergence > DivergenceThreshold && diff > 0.05*f.Target {
				t.diverged++
			} else {
				t.diverged = 0
			}
		}
	} else if newPoll {
		t.diverged = 0
	}
	f.Diverged = t.diverged >= DivergencePolls

	mem := HPAMemory{Seeded: true,
		Recommendations: slices.Clone(t.mem.Recommendations),
		ScaleUpEvents:   slices.Clone(t.mem.ScaleUpEvents),
		ScaleDownEvents: slices.Clone(t.mem.ScaleDownEvents)}
	// Decide at the next sync, not now: a window or period that expires before it counts.
	f.At = now
	if next, ok := t.nextSync(now); ok {
		f.NextSync = next
		f.At = now.Add(next)
	}
	if t.hasRaw {
		// Syncs that changed nothing leave no trace in status: the last one before the next
		// sync recommended the last reported value again.
		quiet := f.At.Add(-SyncPeriod)
		if quiet.After(now) {
			quiet = now
		}
		if quiet.After(t.lastWrite) {
			mem.Recommendations = append(mem.Recommendations, Recommendation{At: quiet, Replicas: t.lastRaw})
		}
	}
	d := DecideSample(*h, sc, in, &mem, f.At)
	f.Decision = d
	f.Desired, f.Ratio, f.Limited = d.Desired, d.Ratio, d.Limit
	horizon := max(d.UpWindow, d.DownWindow, d.UpPeriod, d.DownPeriod)
	f.Approximate = now.Sub(t.firstSeen) < horizon
	switch {
	case !d.Rescale:
		t.moveSince = time.Time{}
	case t.moveSince.IsZero():
		t.moveSince = now
	}
	f.MoveSince, f.LastWrite = t.moveSince, t.lastWrite
	if late, ok := t.overdue(now, h, f); ok {
		f.Overdue, f.OverdueFor = true, late
	}
	f.Text = ForecastText(d, f.NextSync)
	return f
}

// ForecastText explains a decision in words: "stays at 2: ratio 1.04 is within tolerance" or
// "→ 3 at the next sync in ~6 s: 8.9 rps / 3 per replica; capped by policy Pods 5/90s".
func ForecastText(d Decision, next time.Duration) string {
	when := "at the next sync"
	if next > 0 {
		when = fmt.Sprintf("at the next sync in ~%s", FormatDuration(next))
	}
	if !d.Computed {
		switch {
		case d.Rescale && d.RescaleReason != "":
			return fmt.Sprintf("→ %d %s: %s", d.Desired, when, strings.ToLower(d.RescaleReason[:1])+d.RescaleReason[1:])
		case d.Rescale:
			return fmt.Sprintf("→ %d %s", d.Desired, when)
		case d.ScalingActive == ReasonScalingDisabled:
			return fmt.Sprintf("stays at %d: scaling is disabled while the target has 0 replicas", d.Current)
		case d.ScalingActive == ReasonFailedGetObjectMetric && d.Err == "the metric value is unavailable":
			return fmt.Sprintf("stays at %d: no metric value (neither Prometheus nor the HPA has one)", d.Current)
		default:
			return fmt.Sprintf("stays at %d: %s", d.Current, d.Err)
		}
	}
	calc := fmt.Sprintf("%s rps / %s per replica", FormatNumber(d.Total), FormatNumber(d.Target))
	if d.StatusReplicas == 0 {
		calc += " (the target reports 0 replicas)"
	}
	if d.Raw != d.Desired {
		calc += fmt.Sprintf(" = %d", d.Raw)
	}
	limit := ""
	if d.Limit != "" {
		verb := "capped by"
		if d.LimitedBy == LimitStabilization {
			verb = "held by"
		}
		limit = "; " + verb + " " + d.Limit
	}
	if d.Rescale {
		return fmt.Sprintf("→ %d %s: %s%s", d.Desired, when, calc, limit)
	}
	if d.WithinTolerance {
		return fmt.Sprintf("stays at %d: ratio %s is within tolerance", d.Current, FormatRatio(d.Ratio))
	}
	return fmt.Sprintf("stays at %d: %s%s", d.Current, calc, limit)
}
