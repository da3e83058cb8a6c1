package model

import (
	"fmt"
	"slices"
	"time"
)

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

	latest := latestChange(st.model.changes, st.server.changes)
	s.Bound = SkewDueBound

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
	// Twins may rest apart for ever (the tolerance dead band: target 1 at 10.5 rps keeps a
	// Model at 10, ratio 1.05, and a Server at 11, ratio 0.95; policies; different min/max).
	// The alert is for an HPA whose own decision says it moves and that does not.
	moving := false
	for _, side := range []struct {
		name string
		f    *Forecast
	}{{"Model", p.ModelForecast}, {"Server", p.ServerForecast}} {
		f := side.f
		if f == nil || !f.Decision.Rescale {
			continue
		}
		moving = true
		if f.Approximate || f.MoveSince.IsZero() || now.Sub(f.MoveSince) <= s.Bound {
			continue
		}
		if s.Stuck == "" || f.MoveSince.Before(s.StuckSince) {
			s.Stuck, s.StuckSince = side.name, f.MoveSince
			s.StuckMove = fmt.Sprintf("%d → %d", f.Current, f.Desired)
		}
	}
	s.Resting = !moving
	s.Alert = s.Stuck != ""
	return s
}

// SkewDueBound is how long an HPA whose forecast says it moves at its next sync may stay
// put before twins that differ raise the skew alert: two sync periods.
const SkewDueBound = 2 * SyncPeriod

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
