package model

import (
	"slices"
	"time"
)

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
