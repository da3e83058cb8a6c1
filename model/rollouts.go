package model

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// RolloutOptions tune Rollouts. Zero values take the defaults.
type RolloutOptions struct {
	ChangeLog ChangeLogOptions
	// PairChanges caps Pair.Changes (default 20); SnapshotChanges caps Snapshot.Changes (default 100).
	PairChanges     int
	SnapshotChanges int
	// RampWindow is the sliding window of the ramp fit (default 5 min).
	RampWindow time.Duration
}

// Rollouts is the engine's rollout step: it keeps the change log across inventories and annotates each
// snapshot with every pair's rollout state, spec changes and ramp check. Safe for concurrent use.
type Rollouts struct {
	mu   sync.Mutex
	opts RolloutOptions
	log  *ChangeLog
}

// NewRollouts returns a rollout step with an empty change log.
func NewRollouts(opts RolloutOptions) *Rollouts {
	if opts.PairChanges <= 0 {
		opts.PairChanges = 20
	}
	if opts.SnapshotChanges <= 0 {
		opts.SnapshotChanges = 100
	}
	return &Rollouts{opts: opts, log: NewChangeLog(opts.ChangeLog)}
}

// Rollout rule IDs (TS9xx belong to rollouts).
const (
	RuleModelFailed = "TS901"
	RuleRampOutruns = "TS902"
	RuleRollingOut  = "TS903"
)

// Apply annotates s, built from inv, in place before it is published: each pair's Rollout, Changes
// (also merged into its Events and the snapshot's, as Source "twinscale") and Ramp, with their findings
// and health. Call it after the Analyzer, whose measured readiness the ramp check uses. history returns
// a pair's history (nil skips the ramp check).
func (r *Rollouts) Apply(now time.Time, inv Inventory, s *Snapshot, history func(key string) PairHistory) {
	r.apply(now, inv, s, history, true)
}

// apply is Apply; memo false makes the change log trust no object version.
func (r *Rollouts) apply(now time.Time, inv Inventory, s *Snapshot, history func(key string) PairHistory, memo bool) {
	r.mu.Lock()
	r.log.observePairs(now, inv, s.Pairs, memo)
	r.log.Annotate(s, r.opts.PairChanges, r.opts.SnapshotChanges)
	r.mu.Unlock()

	for i := range s.Pairs {
		r.annotate(now, &s.Pairs[i], history)
	}
	s.Events = mergeChangeEvents(s.Events, s.Changes, MaxSnapshotEvents)
}

// setBaseline makes the change log take observations as a new baseline rather than
// changes while the watch has not synced.
func (r *Rollouts) setBaseline(b bool) {
	r.mu.Lock()
	r.log.baseline = b
	r.mu.Unlock()
}

// annotate sets one pair's Rollout and Ramp with their findings and health, and merges its
// Changes (already set) into its Events.
func (r *Rollouts) annotate(now time.Time, p *Pair, history func(key string) PairHistory) {
	ro := Rollout(*p)
	p.Rollout = &ro
	p.Findings = slices.DeleteFunc(slices.Clone(p.Findings), func(f Finding) bool {
		return strings.HasPrefix(f.Rule, "TS9") || seldonRules[f.Rule]
	})
	stuckBySpec(p)
	rf := RolloutFindings(ro)
	if p.State == StateScalingSpecInvalid {
		// TS211 says the same as TS901 with the operator's reason and the fix.
		rf = slices.DeleteFunc(rf, func(f Finding) bool { return f.Rule == RuleModelFailed })
	}
	p.Findings = append(p.Findings, rf...)
	p.Health = max(p.Health, ro.Health())
	for _, f := range liveSeldonFindings(now, p) {
		p.Findings = append(p.Findings, f)
		p.Health = max(p.Health, severityHealth(f.Severity))
	}

	p.Ramp = nil
	if history != nil && p.Metric.Target > 0 {
		rc := RampFor(*p, history(p.Key), r.opts.RampWindow)
		p.Ramp = &rc
		if f := rc.Finding(); f != nil {
			p.Findings = append(p.Findings, *f)
			p.Health = max(p.Health, Warning)
		}
	}
	if len(p.Findings) > 1 {
		SortFindings(p.Findings)
	}
	p.Events = mergeChangeEvents(p.Events, p.Changes, MaxPairEvents)
}

// applyChanged is Apply for a snapshot whose pairs at the given indexes were rebuilt from
// an Inventory in which only the given objects changed since the last call (same objects,
// names and links). Pairs that gained a change entry are added to dirty, by key, before
// any pair is annotated; the caller passes those in too. It reports whether the
// snapshot's change list moved.
func (r *Rollouts) applyChanged(now time.Time, inv Inventory, models, servers, hpas []int32,
	pairsOf func(kind string, i int32) []string, touched map[string]bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	before := r.log.added
	r.log.touched = touched
	r.log.observeChanged(now, inv, models, servers, hpas, pairsOf)
	r.log.touched = nil
	return r.log.added != before
}

// setPairs tells the change log the pairs built from the Inventory applyChanged saw.
func (r *Rollouts) setPairs(pairs []Pair) {
	r.mu.Lock()
	r.log.setPairs(pairs)
	r.mu.Unlock()
}

// annotateChanged sets the Changes of one rebuilt pair and annotates it like Apply.
func (r *Rollouts) annotateChanged(now time.Time, p *Pair, history func(key string) PairHistory) {
	r.mu.Lock()
	e := r.log.Entries(p.Key)
	r.mu.Unlock()
	if r.opts.PairChanges > 0 && len(e) > r.opts.PairChanges {
		e = e[:r.opts.PairChanges]
	}
	p.Changes = e
	r.annotate(now, p, history)
}

// snapshotChanges returns the snapshot's change list, as Apply sets it.
func (r *Rollouts) snapshotChanges() []Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.Recent(r.opts.SnapshotChanges)
}

func rampInput(p Pair, h PairHistory, window time.Duration) RampInput {
	in := RampInput{
		RPS: h.RPS, Step: h.Step, Window: window, Target: p.Metric.Target,
		ModelHPA: p.ModelHPA, ServerHPA: p.ServerHPA, ReadyServers: -1, Readiness: p.Readiness.Median,
	}
	if p.ServerDesired.Known {
		in.Current = p.ServerDesired.Value
	}
	if p.ServerReady.Known {
		in.ReadyServers = p.ServerReady.Value
	}
	return in
}

// mergeChangeEvents adds the changes to events as Events, newest first, capped at limit. The result is
// a new slice: events may be shared with an older snapshot.
func mergeChangeEvents(events []Event, changes []Change, limit int) []Event {
	if len(changes) == 0 {
		return events
	}
	out := make([]Event, 0, len(events)+len(changes))
	out = append(out, events...)
	for _, c := range changes {
		out = append(out, c.Event())
	}
	SortEventsNewestFirst(out)
	if len(out) > limit {
		out = out[:limit:limit]
	}
	return out
}

// seldonRules are the live rules liveSeldonFindings owns (annotate replaces them).
var seldonRules = map[string]bool{RulePartial: true, RuleScaledToZero: true, RuleScalingSpecInvalid: true,
	RuleReplicaFight: true, RuleServerUnbounded: true}

// severityHealth is the pair health a finding of that severity implies (info implies none).
func severityHealth(s Severity) Health {
	switch s {
	case SeverityCritical:
		return Critical
	case SeverityWarning:
		return Warning
	}
	return Healthy
}
