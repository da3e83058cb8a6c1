package model

import (
	"math"
	"strings"
	"sync/atomic"
	"time"
)

// TrackerOptions size a Tracker. Zero values take the defaults.
type TrackerOptions struct {
	// Step is the history resolution, the Prometheus poll interval (default 15 s).
	Step time.Duration
	// Capacity is the number of history slots kept per pair and series (default 480: 2 h at 15 s).
	Capacity int
	// SparkLen is the number of RPS points each Pair carries for its sparkline (default 40).
	SparkLen int
	// Metrics says a metrics source is configured; without one no pair is marked stale.
	Metrics bool
	// RampWindow is the window of the ramp check (default 5 min).
	RampWindow time.Duration
	// Refresh is how old the analysis of a pair whose objects did not change may get before
	// a build analyses it again at the new time (default 1 s), at most RefreshBudget pairs
	// per build (default 256). Every pair is analysed again at least once per Step anyway.
	Refresh       time.Duration
	RefreshBudget int
}

// Tracker turns a stream of inventories and metric polls into snapshots. It owns the state
// that spans more than one moment: the history rings, the live analysis and the change log.
// Time comes in as an argument, so a Tracker fed the same inputs builds the same snapshots.
// It is not safe for concurrent use: its owner serialises calls.
type Tracker struct {
	opts     TrackerOptions
	history  *History
	analyzer *Analyzer
	rollouts *Rollouts
	prom     PromState
	keep     map[string]bool
	// metricsDirty is set when metrics arrived since the last build: every pair changes.
	metricsDirty bool
	// metricsAPI is the last read of the custom metrics pipeline.
	metricsAPI MetricsAPIRead
	cache      trackerCache
}

// NewTracker returns a Tracker with empty history.
func NewTracker(opts TrackerOptions) *Tracker {
	if opts.Step <= 0 {
		opts.Step = 15 * time.Second
	}
	if opts.Capacity <= 0 {
		opts.Capacity = 480
	}
	if opts.SparkLen <= 0 {
		opts.SparkLen = 40
	}
	if opts.RampWindow <= 0 {
		opts.RampWindow = 5 * time.Minute
	}
	if opts.Refresh <= 0 {
		opts.Refresh = time.Second
	}
	if opts.RefreshBudget <= 0 {
		opts.RefreshBudget = 256
	}
	return &Tracker{
		opts:     opts,
		history:  NewHistory(opts.Capacity, opts.Step),
		analyzer: NewAnalyzer(),
		rollouts: NewRollouts(RolloutOptions{RampWindow: opts.RampWindow}),
		keep:     map[string]bool{},
	}
}

// ApplyBackfill records the range-query history fetched at start.
func (t *Tracker) ApplyBackfill(b Backfill) {
	t.history.ApplyBackfill(b)
	t.metricsDirty = true
}

// RecordPoll records one Prometheus poll for all pairs.
func (t *Tracker) RecordPoll(p MetricsPoll) {
	t.history.RecordPoll(p)
	t.metricsDirty = true
}

// RecordMetricsAPI records one read of the metrics pipeline (APIServices and the values the
// HPAs see) for the next snapshot; every pair's metric changes with it.
func (t *Tracker) RecordMetricsAPI(r MetricsAPIRead) {
	t.metricsAPI = r
	t.metricsDirty = true
}

// SetPromState records the poller's health for the next snapshot.
func (t *Tracker) SetPromState(s PromState) { t.prom = s }

// PromState is the poller's health as last recorded.
func (t *Tracker) PromState() PromState { return t.prom }

// History returns a copy of one pair's full history with the capacity line for target.
func (t *Tracker) History(key string, target float64) PairHistory {
	ph := t.history.Pair(key)
	if target > 0 {
		ph.SetCapacity(target)
	}
	return ph
}

// Build joins inv into a snapshot taken at now and derives everything that needs history:
// metrics and sparklines, replica history, skew, forecasts, findings and rollouts. When
// only a few objects changed since the last build, only their pairs are derived again
// (see trackerCache).
func (t *Tracker) Build(now time.Time, inv Inventory, w WatchState) Snapshot {
	snap, _ := t.build(now, inv, w)
	return snap
}

// build is Build, also saying whether the build took the incremental path.
func (t *Tracker) build(now time.Time, inv Inventory, w WatchState) (Snapshot, bool) {
	// What the informers list while they sync is the cluster as it was, not a change.
	t.rollouts.setBaseline(!w.Synced)
	if snap, ok := t.buildIncremental(now, inv, w); ok {
		return snap, true
	}
	return t.buildFull(now, inv, w, true), false
}

// buildFull joins and derives every pair; memo false trusts no memory of object versions
// (the tests' reference).
func (t *Tracker) buildFull(now time.Time, inv Inventory, w WatchState, memo bool) Snapshot {
	snap, plans := buildSnapshot(now, inv, w)
	joinEv := make([][]Event, len(snap.Pairs))
	clear(t.keep)
	for i := range snap.Pairs {
		p := &snap.Pairs[i]
		joinEv[i] = p.Events
		t.keep[p.Key] = true
		t.derive(now, p)
	}
	snapEv := snap.Events
	// Until the watch has synced, a pair missing from the inventory may just not be listed
	// yet: dropping its history then would lose the backfill.
	if w.Synced {
		t.history.Retain(func(key string) bool { return t.keep[key] })
	}
	t.analyzer.apply(now, snap.Pairs, memo)
	t.rollouts.apply(now, inv, &snap, t.recentRPS, memo)
	snap.Prom = t.prom
	snap.MetricsAPI = t.metricsAPI.State
	t.metricsDirty = false
	t.cache.remember(now, inv, w, &snap, plans, joinEv, snapEv)
	return snap
}

// pairRevs numbers pair derivations across every Tracker of the process, so a Rev never
// names two different pairs.
var pairRevs atomic.Uint64

// derive records a pair's replicas, sets its live metric and sparkline and gives it a new Rev.
func (t *Tracker) derive(now time.Time, p *Pair) {
	p.Rev = pairRevs.Add(1)
	t.history.RecordReplicas(now, p.Key, p.ModelDesired, p.ModelReady, p.ServerDesired, p.ServerReady)
	p.Metric = t.metric(p)
	p.Spark = t.history.Spark(p.Key, t.opts.SparkLen)
}

// recentRPS is the short history the ramp check reads: only its window, not a full copy.
func (t *Tracker) recentRPS(key string) PairHistory {
	n := int(t.opts.RampWindow/t.opts.Step) + 1
	return PairHistory{Key: key, Step: t.opts.Step, RPS: t.history.Spark(key, n)}
}

// metric is the pair's latest live metric next to the target its HPAs scale on.
func (t *Tracker) metric(p *Pair) PairMetric {
	m := PairMetric{Target: pairTarget(p)}
	s, at, ok := t.history.Latest(p.Key)
	if ok && !math.IsNaN(s.RPS) {
		m.Known, m.RPS, m.SampledAt = true, s.RPS, at
	}
	if ok {
		m.LatencySec, m.HasLatency = s.Latency, s.HasLatency
		m.ErrorRate, m.HasErrors = s.Errors, s.HasErrors
		m.Problem = s.Problem
	}
	m.Stale = t.opts.Metrics && p.Model != nil && t.history.Stale(p.Key)
	t.apiValue(p, &m)
	return m
}

// pairTarget is the AverageValue target of the Model HPA's infer_rps metric, else the Server HPA's.
func pairTarget(p *Pair) float64 {
	for _, h := range []*HPA{p.ModelHPA, p.ServerHPA} {
		if h == nil {
			continue
		}
		for _, m := range h.Metrics {
			if m.TargetType == "AverageValue" && m.Target > 0 {
				return m.Target
			}
		}
	}
	return 0
}

// apiValue sets what the HPA controller itself sees for the pair's Model, from the custom
// metrics API, or why it is not known.
func (t *Tracker) apiValue(p *Pair, m *PairMetric) {
	r := &t.metricsAPI
	if r.At.IsZero() {
		return
	}
	if failedGetMetric(p) {
		m.Cause = pipelineCause(r.State)
	}
	if p.ModelName == "" {
		return
	}
	if v, ok := r.Values[p.Namespace+"/"+p.ModelName]; ok {
		m.APIValue, m.HasAPIValue = v, true
		return
	}
	if pr, ok := r.Problems[p.Namespace]; ok {
		m.APIProblem = pr
		return
	}
	if r.State.ValuesAccess == string(AccessOK) && (p.ModelHPA != nil || p.ServerHPA != nil) {
		m.APIProblem = "no value"
	}
}

// failedGetMetric reports an HPA of the pair whose ScalingActive is False because it could
// not read its metric.
func failedGetMetric(p *Pair) bool {
	for _, h := range []*HPA{p.ModelHPA, p.ServerHPA} {
		if h == nil {
			continue
		}
		if c, ok := FindCondition(h.Conditions, "ScalingActive"); ok && c.Status == "False" && strings.HasPrefix(c.Reason, "FailedGet") {
			return true
		}
	}
	return false
}
