package model

import (
	"fmt"
	"time"
)

// unscheduledGrace is how long a Model no Server hosts yet may stay ScheduleFailed before
// it counts as structural: a fresh deployment waits for its Server's first replica.
const unscheduledGrace = 2 * time.Minute

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
	case p.Link == LinkUnscheduled && now.Sub(sf.Since) < unscheduledGrace:
		sf.Transient = true
		sf.Why = "Seldon has not placed the Model on a Server yet; a new Server's first replica may still be starting"
	case p.Link == LinkUnscheduled:
		sf.Transient, sf.Why = false, fmt.Sprintf("Seldon has found no Server for the Model for %s", FormatDuration(now.Sub(sf.Since)))
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
	case p.Skew.Alert:
		sf.Transient = false
		sf.Why = fmt.Sprintf("Server desired %d has stayed below the Model's %d for %s: the %s HPA should go %s and has not for %s",
			srvDesired, modelDesired, FormatDuration(now.Sub(p.Skew.DifferentSince)), p.Skew.Stuck, p.Skew.StuckMove,
			FormatDuration(now.Sub(p.Skew.StuckSince)))
	case serverRests(now, p):
		sf.Transient = false
		sf.Why = fmt.Sprintf("the Server HPA's own decision keeps Server desired %d below the Model's %d: %s",
			srvDesired, modelDesired, p.ServerForecast.Text)
	default:
		sf.Transient = true
		sf.Why = fmt.Sprintf("the Server HPA has not followed the Model yet (Server desired %d, Model %d)", srvDesired, modelDesired)
		if next, ok := st.server.nextSync(now); ok && med > 0 {
			sf.ExpectedClear = now.Add(next + med)
		}
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

// serverRests reports a Server HPA whose own decision keeps it where it is while the twins
// have differed for longer than SkewDueBound: it will not follow the Model by itself. The
// decision counts when the metric itself asks for no change, or when the memory behind it is
// complete (a reconstructed memory could hide what holds or moves it).
func serverRests(now time.Time, p *Pair) bool {
	f := p.ServerForecast
	if f == nil || f.Decision.Rescale || p.Skew.DifferentSince.IsZero() || now.Sub(p.Skew.DifferentSince) <= SkewDueBound {
		return false
	}
	return !f.Approximate || (f.Decision.Computed && f.Decision.Raw == f.Decision.Current)
}
