package model

import (
	"math"
	"slices"
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

// Len reports how many pairs the analyzer remembers.
func (a *Analyzer) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pairs)
}

// Apply analyses a new snapshot's pairs in place: it fills Skew, ScheduleFailed (a copy, never
// the caller's), ModelForecast, ServerForecast, Readiness, Findings (lint and live alerts)
// and Health. now is the snapshot time. Pairs not in pairs are forgotten.
func (a *Analyzer) Apply(now time.Time, pairs []Pair) { a.apply(now, pairs, true) }

// apply is Apply; memo false trusts no memory of Lint or status fingerprints (the tests' reference).
func (a *Analyzer) apply(now time.Time, pairs []Pair, memo bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	seen := make(map[string]bool, len(pairs))
	for i := range pairs {
		p := &pairs[i]
		seen[p.Key] = true
		a.applyLocked(now, p, memo)
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
	a.applyLocked(now, p, true)
}

func (a *Analyzer) applyLocked(now time.Time, p *Pair, memo bool) {
	st := a.pairs[p.Key]
	if st == nil {
		st = &pairState{}
		a.pairs[p.Key] = st
	}
	st.apply(now, p, memo)
}

func (st *pairState) apply(now time.Time, p *Pair, memo bool) {
	newPoll := p.Metric.Known && !p.Metric.SampledAt.IsZero() && !p.Metric.SampledAt.Equal(st.lastPoll)
	if newPoll {
		st.lastPoll = p.Metric.SampledAt
	}
	live, liveOK := liveTotal(p)
	api, apiOK := apiTotal(p)

	if p.ModelHPA != nil {
		st.model.observe(now, p.ModelHPA, p.Events, modelScale(p, p.ModelHPA).Status, memo)
	} else {
		st.model = hpaTrack{}
	}
	if p.ServerHPA != nil {
		st.server.observe(now, p.ServerHPA, p.Events, serverScale(p, p.ServerHPA).Status, memo)
	} else {
		st.server = hpaTrack{}
	}
	st.srv.observe(now, p.ServerDesired, p.ServerReady, st.server.changeTime(p.ServerDesired.Value, now))
	p.Readiness = st.srv.readiness()

	p.ModelForecast, p.ServerForecast = nil, nil
	if h := p.ModelHPA; h != nil {
		p.ModelForecast = st.model.forecast(now, h, modelScale(p, h), live, liveOK, api, apiOK, newPoll)
	}
	if h := p.ServerHPA; h != nil {
		p.ServerForecast = st.server.forecast(now, h, serverScale(p, h), live, liveOK, api, apiOK, newPoll)
	}
	// A paused KEDA HPA does not follow the metric: say so instead of forecasting a move.
	if k := KEDAPauseOf(p.ModelHPA); k.Paused {
		p.ModelForecast = pausedForecast(p.ModelForecast, k)
	}
	if k := KEDAPauseOf(p.ServerHPA); k.Paused {
		p.ServerForecast = pausedForecast(p.ServerForecast, k)
	}
	p.Skew = st.skew(now, p)
	st.scheduleFailed(now, p)

	findings := keepForeign(p.Findings)
	findings = append(findings, st.lint.of(p, memo)...)
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

// apiTotal is the metric total the HPA controller itself reads from the custom metrics
// API, when twinscale could read it: what the controller divides by the target's replicas.
func apiTotal(p *Pair) (float64, bool) {
	m := p.Metric
	if !m.HasAPIValue || math.IsNaN(m.APIValue) || math.IsInf(m.APIValue, 0) || m.APIValue < 0 {
		return 0, false
	}
	return m.APIValue, true
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
