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
	"sync"
	"time"
)

// Tunables of the live analysis.
const (
	// DivergenceThreshold is the relative difference between an HPA's view of the metric and
	// live Prometheus above which a poll counts as divergent.
	DivergenceThreshold = 0.2
	// DivergencePolls is how many consecutive divergent polls raise the finding.
	DivergencePolls = 2
	// LagHorizon is how far apart the twins' decisions to one size may be and still pair up.
	LagHorizon = 10 * time.Minute
	// MinNotReadyAllowance is the least time ready replicas may trail desired before TS208.
	MinNotReadyAllowance = 5 * time.Minute

	maxChanges      = 16
	maxSyncs        = 12
	maxReadySamples = 9
	maxPending      = 16
	minAdviceSample = 3
)

// Analyzer derives the live state of every pair from the sequence of snapshots: skew between
// the twin HPAs, ScheduleFailed classification, forecasts of each HPA's next decision, honest
// metric values, Server readiness, findings and health. It keeps a bounded state per pair and
// forgets pairs that disappear. It is safe for use from several goroutines, though the engine
// calls it from one.
type Analyzer struct {
	mu    sync.Mutex
	pairs map[string]*pairState
	// fresh disables the memory of Lint and status fingerprints (the tests' reference).
	fresh bool
}

// NewAnalyzer returns an analyzer with no history.
func NewAnalyzer() *Analyzer { return &Analyzer{pairs: map[string]*pairState{}} }

type pairState struct {
	model, server  hpaTrack
	differentSince time.Time
	lastLag        time.Duration
	sfSince        time.Time
	lastPoll       time.Time
	srv            readinessTrack
	srvUnready     time.Time
	modelUnready   time.Time
	lint           lintMemo
	memo           bool // use lint and the status fingerprints from memory
}

// version names one object at one resourceVersion; zero when unknown.
type version struct{ uid, rv string }

func versionOf(m *Meta) version { return version{m.UID, m.ResourceVersion} }

// known reports whether the version identifies the object's content.
func (v version) known() bool { return v.uid != "" && v.rv != "" }

// lintMemo remembers the last Lint of a pair: Lint reads only the pair's objects and
// shape, so while their versions stay the same the findings do too.
type lintMemo struct {
	ok                       bool
	m, s, mh, sh             version
	hasM, hasS, hasMH, hasSH bool
	ns, model, server        string
	link                     PairLink
	elsewhere                []Placement // depends on other Models, so not on the pair's versions
	shape                    []ShapeFlag
	others                   []string
	out                      []Finding
}

// of returns Lint(*p), from memory when nothing Lint reads changed.
func (l *lintMemo) of(p *Pair, memo bool) []Finding {
	key := lintMemo{ok: true, ns: p.Namespace, model: p.ModelName, server: p.ServerName, link: p.Link, elsewhere: p.Elsewhere,
		shape: p.Shape, others: p.OtherModels}
	known := true
	take := func(m *Meta, v *version, has *bool) {
		*has = m != nil
		if m != nil {
			*v = versionOf(m)
			known = known && v.known()
		}
	}
	take(metaOf(p.Model), &key.m, &key.hasM)
	take(metaOfServer(p.Server), &key.s, &key.hasS)
	take(metaOfHPA(p.ModelHPA), &key.mh, &key.hasMH)
	take(metaOfHPA(p.ServerHPA), &key.sh, &key.hasSH)
	if memo && known && l.ok && l.m == key.m && l.s == key.s && l.mh == key.mh && l.sh == key.sh &&
		l.hasM == key.hasM && l.hasS == key.hasS && l.hasMH == key.hasMH && l.hasSH == key.hasSH &&
		l.ns == key.ns && l.model == key.model && l.server == key.server && l.link == key.link &&
		slices.Equal(l.elsewhere, key.elsewhere) && slices.Equal(l.shape, key.shape) && slices.Equal(l.others, key.others) {
		return l.out
	}
	key.out = Lint(*p)
	key.ok = known
	*l = key
	return key.out
}

func metaOf(m *SeldonModel) *Meta {
	if m == nil {
		return nil
	}
	return &m.Meta
}

func metaOfServer(s *SeldonServer) *Meta {
	if s == nil {
		return nil
	}
	return &s.Meta
}

func metaOfHPA(h *HPA) *Meta {
	if h == nil {
		return nil
	}
	return &h.Meta
}

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

type pendingStep struct {
	target int32
	since  time.Time
}

type readinessTrack struct {
	known   bool
	desired int32
	pending []pendingStep
	samples []time.Duration
}

// Len reports how many pairs the analyzer remembers.
func (a *Analyzer) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pairs)
}

// Apply analyses a new snapshot's pairs in place: it fills Skew, ScheduleFailed (a copy, never
// the caller's), ModelForecast, ServerForecast, Readiness, Findings (lint and live alerts)
// and Health. now is the snapshot time. Pairs not in pairs are forgotten.
func (a *Analyzer) Apply(now time.Time, pairs []Pair) {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := make(map[string]bool, len(pairs))
	for i := range pairs {
		p := &pairs[i]
		seen[p.Key] = true
		a.applyLocked(now, p)
	}
	for k := range a.pairs {
		if !seen[k] {
			delete(a.pairs, k)
		}
	}
}

// applyPair analyses one pair in place like Apply, forgetting no other pair.
func (a *Analyzer) applyPair(now time.Time, p *Pair) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.applyLocked(now, p)
}

func (a *Analyzer) applyLocked(now time.Time, p *Pair) {
	st := a.pairs[p.Key]
	if st == nil {
		st = &pairState{}
		a.pairs[p.Key] = st
	}
	st.memo = !a.fresh
	st.apply(now, p)
}

func (st *pairState) apply(now time.Time, p *Pair) {
	newPoll := p.Metric.Known && !p.Metric.SampledAt.IsZero() && !p.Metric.SampledAt.Equal(st.lastPoll)
	if newPoll {
		st.lastPoll = p.Metric.SampledAt
	}
	live, liveOK := liveTotal(p)

	if p.ModelHPA != nil {
		st.model.observe(now, p.ModelHPA, p.Events, modelScale(p, p.ModelHPA).Status, st.memo)
	} else {
		st.model = hpaTrack{}
	}
	if p.ServerHPA != nil {
		st.server.observe(now, p.ServerHPA, p.Events, serverScale(p, p.ServerHPA).Status, st.memo)
	} else {
		st.server = hpaTrack{}
	}
	st.srv.observe(now, p.ServerDesired, p.ServerReady, st.server.changeTime(p.ServerDesired.Value, now))
	p.Readiness = st.srv.readiness()

	p.Skew = st.skew(now, p)
	p.ModelForecast, p.ServerForecast = nil, nil
	if h := p.ModelHPA; h != nil {
		p.ModelForecast = st.model.forecast(now, h, modelScale(p, h), live, liveOK, newPoll)
	}
	if h := p.ServerHPA; h != nil {
		p.ServerForecast = st.server.forecast(now, h, serverScale(p, h), live, liveOK, newPoll)
	}
	st.scheduleFailed(now, p)

	findings := keepForeign(p.Findings)
	findings = append(findings, st.lint.of(p, st.memo)...)
	findings = append(findings, st.live(now, p)...)
	SortFindings(findings)
	p.Findings = findings
	p.Health = health(p)
}

// liveTotal is the pair's live metric total from Prometheus, when usable: never a stale one, so a
// forecast falls back to the HPA's own view instead of a firm answer from old traffic.
func liveTotal(p *Pair) (float64, bool) {
	m := p.Metric
	if !m.Known || m.Stale || m.Problem != "" || math.IsNaN(m.RPS) || math.IsInf(m.RPS, 0) || m.RPS < 0 {
		return 0, false
	}
	return m.RPS, true
}

// modelScale is the Model's scale subresource as the Model HPA reads it.
func modelScale(p *Pair, h *HPA) Scale {
	if m := p.Model; m != nil {
		spec := int32(0)
		if m.Replicas != nil {
			spec = *m.Replicas
		}
		return Scale{Spec: spec, Status: m.StatusReplicas}
	}
	return Scale{Spec: h.CurrentReplicas, Status: h.CurrentReplicas}
}

// serverScale is the Server's scale subresource; its .status.replicas mirrors spec.
func serverScale(p *Pair, h *HPA) Scale {
	if s := p.Server; s != nil {
		spec := s.StatusReplicas
		if s.Replicas != nil {
			spec = *s.Replicas
		}
		return Scale{Spec: spec, Status: s.StatusReplicas}
	}
	return Scale{Spec: h.CurrentReplicas, Status: h.CurrentReplicas}
}

// keepForeign keeps findings of rules the analyzer does not own (for example the watch's).
func keepForeign(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if _, mine := RuleByID(f.Rule); !mine {
			out = append(out, f)
		}
	}
	return out
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

func (t *hpaTrack) forecast(now time.Time, h *HPA, sc Scale, live float64, liveOK, newPoll bool) *Forecast {
	f := &Forecast{Current: sc.Spec}
	if m, _, err := pickMetric(*h); err == "" {
		f.Target = m.Target
	}
	total, from := math.NaN(), ""
	avg, hasAvg := reportedAverage(h)
	switch {
	case liveOK:
		total, from = live, "prometheus"
	case hasAvg && sc.Status > 0:
		total, from = avg*float64(sc.Status), "hpa"
	}
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
	if t.hasRaw {
		// Syncs that changed nothing leave no trace in status; the last recommendation stands.
		mem.Recommendations = append(mem.Recommendations, Recommendation{At: now, Replicas: t.lastRaw})
	}
	d := DecideScale(*h, sc, total, &mem, now)
	f.Decision = d
	f.Desired, f.Ratio, f.Limited = d.Desired, d.Ratio, d.Limit
	if next, ok := t.nextSync(now); ok {
		f.NextSync = next
	}
	horizon := max(d.UpWindow, d.DownWindow, d.UpPeriod, d.DownPeriod)
	f.Approximate = now.Sub(t.firstSeen) < horizon
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

// observe tracks Server scale-ups until the new replicas are ready.
func (r *readinessTrack) observe(now time.Time, desired, ready Count, changedAt time.Time) {
	if !desired.Known || !ready.Known {
		return
	}
	if !r.known {
		r.known, r.desired = true, desired.Value
		return
	}
	if changedAt.After(now) {
		changedAt = now
	}
	switch {
	case desired.Value > r.desired:
		r.pending = append(r.pending, pendingStep{target: desired.Value, since: changedAt})
		if len(r.pending) > maxPending {
			r.pending = slices.Clone(r.pending[len(r.pending)-maxPending:])
		}
	case desired.Value < r.desired:
		r.pending = slices.DeleteFunc(r.pending, func(s pendingStep) bool { return s.target > desired.Value })
	}
	r.desired = desired.Value
	r.pending = slices.DeleteFunc(r.pending, func(s pendingStep) bool {
		if ready.Value >= s.target {
			r.samples = appendBounded(r.samples, now.Sub(s.since), maxReadySamples)
			return true
		}
		return false
	})
}

func (r *readinessTrack) readiness() Readiness {
	if len(r.samples) == 0 {
		return Readiness{}
	}
	s := slices.Clone(r.samples)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Readiness{Median: med, Samples: len(s)}
}

// oldestPending is when the oldest Server scale-up still waiting for readiness started.
func (r *readinessTrack) oldestPending() (time.Time, bool) {
	if len(r.pending) == 0 {
		return time.Time{}, false
	}
	return r.pending[0].since, true
}

// skewWindow is the stabilization window that applies to a change in direction dir.
func skewWindow(h *HPA, up bool) time.Duration {
	if h == nil {
		return 0
	}
	if h.Behavior == nil {
		if up {
			return 0
		}
		return DefaultDownscaleStabilization
	}
	u, d := EffectiveBehavior(h.Behavior)
	if up {
		return u.Stabilization
	}
	return d.Stabilization
}

func (st *pairState) skew(now time.Time, p *Pair) Skew {
	var s Skew
	s.ModelChanges = slices.Clone(st.model.changes)
	s.ServerChanges = slices.Clone(st.server.changes)
	mp, mok := st.model.phase()
	sp, sok := st.server.phase()
	s.ModelPhase, s.ModelPhaseKnown = mp, mok
	s.ServerPhase, s.ServerPhaseKnown = sp, sok
	s.PhaseKnown = mok && sok
	if s.PhaseKnown {
		s.PhaseOffset = (sp - mp + SyncPeriod) % SyncPeriod
	}
	mh, sh := p.ModelHPA, p.ServerHPA
	if mh == nil || sh == nil || mh.DesiredReplicas == 0 || sh.DesiredReplicas == 0 {
		st.differentSince = time.Time{}
		return s
	}
	s.Measured = true
	s.DesiredDiff = mh.DesiredReplicas - sh.DesiredReplicas

	// Lag: the twins' latest decisions to the same size.
	if mc, sc := last(st.model.changes), last(st.server.changes); mc != nil && sc != nil && mc.To == sc.To &&
		absDur(mc.At.Sub(sc.At)) <= LagHorizon {
		st.lastLag = absDur(mc.At.Sub(sc.At))
	}
	s.LastLag = st.lastLag

	// The bound uses the stabilization window of the direction of the latest change.
	up := false
	latest := latestChange(st.model.changes, st.server.changes)
	if latest != nil {
		up = latest.To > latest.From
	}
	s.Bound = 2*SyncPeriod + max(skewWindow(mh, up), skewWindow(sh, up))

	if s.DesiredDiff == 0 {
		st.differentSince = time.Time{}
		return s
	}
	if st.differentSince.IsZero() {
		st.differentSince = now
		if latest != nil && !latest.At.After(now) && now.Sub(latest.At) < LagHorizon {
			st.differentSince = latest.At
		}
	}
	s.DifferentSince = st.differentSince
	s.Alert = now.Sub(st.differentSince) > s.Bound
	return s
}

func last(cs []DesiredChange) *DesiredChange {
	if len(cs) == 0 {
		return nil
	}
	return &cs[len(cs)-1]
}

func latestChange(a, b []DesiredChange) *DesiredChange {
	x, y := last(a), last(b)
	switch {
	case x == nil:
		return y
	case y == nil:
		return x
	case y.At.After(x.At):
		return y
	}
	return x
}

func (st *pairState) scheduleFailed(now time.Time, p *Pair) {
	src := p.ScheduleFailed
	if src == nil {
		src = DetectScheduleFailed(p.Model)
	}
	if src == nil {
		st.sfSince = time.Time{}
		p.ScheduleFailed = nil
		return
	}
	sf := *src
	if st.sfSince.IsZero() {
		st.sfSince = now
	}
	if sf.Since.IsZero() {
		sf.Since = st.sfSince
	}
	sf.Serving = p.ModelReady.Value
	modelDesired := countOr(p.ModelDesired, hpaDesired(p.ModelHPA))
	srvDesired := countOr(p.ServerDesired, hpaDesired(p.ServerHPA))
	srvReady := p.ServerReady.Value
	med := p.Readiness.Median
	sh := p.ServerHPA
	switch {
	case p.Link == LinkUnscheduled:
		sf.Transient, sf.Why = false, "Seldon has not placed the Model on any Server"
	case p.Server == nil:
		sf.Transient, sf.Why = false, fmt.Sprintf("Server %s does not exist", orUnset(p.ServerName))
	case sh == nil && srvDesired < modelDesired:
		sf.Transient, sf.Why = false, fmt.Sprintf("no Server HPA: nothing scales Server %s from %d to the Model's %d replicas", p.ServerName, srvDesired, modelDesired)
	case sh != nil && sh.MaxReplicas < modelDesired:
		sf.Transient, sf.Why = false, fmt.Sprintf("Server HPA %s max %d is below the Model's %d desired replicas", sh.Name, sh.MaxReplicas, modelDesired)
	case srvDesired >= modelDesired:
		sf.Transient = true
		sf.Why = fmt.Sprintf("Server %s is scaling to %d: %d ready", p.ServerName, srvDesired, srvReady)
		if srvReady >= modelDesired {
			sf.Why = fmt.Sprintf("Server %s has %d ready replicas; the Model's replicas are loading", p.ServerName, srvReady)
		}
		if start, ok := st.srv.oldestPending(); ok && med > 0 {
			sf.ExpectedClear = start.Add(med)
		}
	case !p.Skew.Alert:
		sf.Transient = true
		sf.Why = fmt.Sprintf("the Server HPA has not followed the Model yet (Server desired %d, Model %d; normal skew is up to %s)",
			srvDesired, modelDesired, FormatDuration(p.Skew.Bound))
		if next, ok := st.server.nextSync(now); ok && med > 0 {
			sf.ExpectedClear = now.Add(next + med)
		}
	default:
		sf.Transient = false
		sf.Why = fmt.Sprintf("Server desired %d has stayed below the Model's %d for %s (normal skew is up to %s)",
			srvDesired, modelDesired, FormatDuration(now.Sub(p.Skew.DifferentSince)), FormatDuration(p.Skew.Bound))
	}
	if !sf.ExpectedClear.IsZero() && sf.ExpectedClear.Before(now) {
		sf.ExpectedClear = now
	}
	p.ScheduleFailed = &sf
}

func hpaDesired(h *HPA) int32 {
	if h == nil {
		return 0
	}
	return h.DesiredReplicas
}

func countOr(c Count, v int32) int32 {
	if c.Known {
		return c.Value
	}
	return v
}

// live produces the findings that need live state (TS2xx).
func (st *pairState) live(now time.Time, p *Pair) []Finding {
	var out []Finding
	model := ObjectRef{Kind: "Model", Namespace: p.Namespace, Name: p.ModelName}
	server := ObjectRef{Kind: "Server", Namespace: p.Namespace, Name: p.ServerName}

	if sf := p.ScheduleFailed; sf != nil {
		dur := FormatDuration(now.Sub(sf.Since))
		serving := fmt.Sprintf("the %d loaded replicas keep serving", sf.Serving)
		if sf.Serving == 0 {
			serving = "no replica is loaded yet"
		}
		if sf.Transient {
			clear := ""
			if !sf.ExpectedClear.IsZero() {
				clear = fmt.Sprintf("; expected to clear in ~%s", FormatDuration(sf.ExpectedClear.Sub(now)))
			}
			out = append(out, newFinding(RuleScheduleFailedTrans, Info, model, "status.conditions",
				fmt.Sprintf("ScheduleFailed for %s (%s): transient, %s%s; %s", dur, sf.Reason, sf.Why, clear, serving)))
		} else {
			out = append(out, newFinding(RuleScheduleFailedStruct, SeverityCritical, model, "status.conditions",
				fmt.Sprintf("ScheduleFailed for %s (%s): %s; %s", dur, sf.Reason, sf.Why, serving)))
		}
	}
	if p.Skew.Alert {
		md, sd := hpaDesired(p.ModelHPA), hpaDesired(p.ServerHPA)
		what := "the Model is ahead of its Server"
		if sd > md {
			what = "the Server runs more replicas than the Model uses (idle pods)"
		}
		out = append(out, newFinding(RuleSkew, SeverityWarning, hpaRef(p.ServerHPA), "status.desiredReplicas",
			fmt.Sprintf("twin HPAs disagree for %s (Model %d, Server %d; normal skew is up to %s): %s",
				FormatDuration(now.Sub(p.Skew.DifferentSince)), md, sd, FormatDuration(p.Skew.Bound), what)))
	}
	for _, side := range []struct {
		h    *HPA
		f    *Forecast
		name string
	}{{p.ModelHPA, p.ModelForecast, "Model"}, {p.ServerHPA, p.ServerForecast, "Server"}} {
		if side.h == nil || side.f == nil {
			continue
		}
		h, f := side.h, side.f
		if f.Diverged {
			out = append(out, newFinding(RuleMetricDivergence, SeverityWarning, hpaRef(h), "status.currentMetrics",
				fmt.Sprintf("%s HPA %s sees %s rps per replica (%s in total) while Prometheus has %s: %.0f%% apart for %d polls; check prometheus-adapter",
					side.name, h.Name, FormatNumber(f.Reported), FormatNumber(f.Reported*float64(f.Decision.StatusReplicas)),
					FormatNumber(f.Total), f.Divergence*100, DivergencePolls)))
		}
		d := f.Decision
		if h.MaxReplicas > 0 && f.Current >= h.MaxReplicas && d.Computed && d.Raw > h.MaxReplicas {
			out = append(out, newFinding(RuleAtMax, SeverityWarning, hpaRef(h), "spec.maxReplicas",
				fmt.Sprintf("%s HPA %s is at max %d and the metric asks for %d (%s rps / %s per replica)",
					side.name, h.Name, h.MaxReplicas, d.Raw, FormatNumber(d.Total), FormatNumber(d.Target))))
		}
		if c, ok := FindCondition(h.Conditions, "ScalingActive"); ok && c.Status == "False" {
			out = append(out, newFinding(RuleScalingInactive, SeverityWarning, hpaRef(h), "status.conditions",
				fmt.Sprintf("%s HPA %s cannot scale: ScalingActive False, %s: %s", side.name, h.Name, c.Reason, c.Message)))
		}
	}
	if sh := p.ServerHPA; sh != nil && p.Readiness.Samples >= minAdviceSample {
		up, _ := EffectiveBehavior(sh.Behavior)
		if up.SelectPolicy != SelectDisabled {
			var fastest *ScalingPolicy
			for i := range up.Policies {
				if fastest == nil || up.Policies[i].PeriodSeconds < fastest.PeriodSeconds {
					fastest = &up.Policies[i]
				}
			}
			if fastest != nil && time.Duration(fastest.PeriodSeconds)*time.Second < p.Readiness.Median {
				out = append(out, newFinding(RuleReadinessVsPolicy, Info, hpaRef(sh), "spec.behavior.scaleUp.policies",
					fmt.Sprintf("new Server replicas take ~%s to become ready (median of %d), but policy %s may ask for more every %ds; use a period of at least %s",
						FormatDuration(p.Readiness.Median), p.Readiness.Samples, fastest, fastest.PeriodSeconds,
						fmtSeconds(p.Readiness.Median.Round(15*time.Second)+15*time.Second))))
			}
		}
	}
	if p.Metric.Stale {
		last := "never"
		if !p.Metric.SampledAt.IsZero() {
			last = FormatDuration(now.Sub(p.Metric.SampledAt)) + " ago"
		}
		out = append(out, newFinding(RuleMetricStale, SeverityWarning, model, "",
			fmt.Sprintf("no infer_rps from Prometheus for Model %s in the last two polls (last sample: %s); forecasts use the HPA's own metric",
				p.ModelName, last)))
	}
	allowance := max(MinNotReadyAllowance, 3*p.Readiness.Median)
	st.srvUnready = trackSince(st.srvUnready, now, p.ServerDesired.Known && p.ServerReady.Known && p.ServerReady.Value < p.ServerDesired.Value)
	if !st.srvUnready.IsZero() && now.Sub(st.srvUnready) > allowance {
		out = append(out, newFinding(RuleNotReady, SeverityWarning, server, "status",
			fmt.Sprintf("Server %s has had %d of %d replicas ready for %s", p.ServerName, p.ServerReady.Value, p.ServerDesired.Value,
				FormatDuration(now.Sub(st.srvUnready)))))
	}
	st.modelUnready = trackSince(st.modelUnready, now, p.ScheduleFailed == nil && p.ModelDesired.Known && p.ModelReady.Known &&
		p.ModelReady.Value < p.ModelDesired.Value)
	if !st.modelUnready.IsZero() && now.Sub(st.modelUnready) > allowance {
		out = append(out, newFinding(RuleNotReady, SeverityWarning, model, "status.availableReplicas",
			fmt.Sprintf("Model %s has had %d of %d replicas available for %s", p.ModelName, p.ModelReady.Value, p.ModelDesired.Value,
				FormatDuration(now.Sub(st.modelUnready)))))
	}
	return out
}

func trackSince(since, now time.Time, cond bool) time.Time {
	switch {
	case !cond:
		return time.Time{}
	case since.IsZero():
		return now
	}
	return since
}

// health is the worst of the findings, or converging while the pair is still moving.
func health(p *Pair) Health {
	worst := Info
	for _, f := range p.Findings {
		worst = max(worst, f.Severity)
	}
	switch worst {
	case SeverityCritical:
		return Critical
	case SeverityWarning:
		return Warning
	}
	moving := p.ScheduleFailed != nil || p.Skew.DesiredDiff != 0 ||
		(p.ModelDesired.Known && p.ModelReady.Known && p.ModelReady.Value != p.ModelDesired.Value) ||
		(p.ServerDesired.Known && p.ServerReady.Known && p.ServerReady.Value != p.ServerDesired.Value)
	for _, f := range []*Forecast{p.ModelForecast, p.ServerForecast} {
		if f != nil && f.Decision.Rescale {
			moving = true
		}
	}
	if moving {
		return Converging
	}
	return Healthy
}

func appendBounded[T any](xs []T, x T, n int) []T {
	xs = append(xs, x)
	if len(xs) > n {
		xs = slices.Clone(xs[len(xs)-n:])
	}
	return xs
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
