package whatif

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Mismatch is one sync where the baseline's desired replicas differ from the recorded ones.
type Mismatch struct {
	Sync Sync `json:"sync"`
	// Real is the recorded desired replicas after the sync; RealBefore before it.
	Real       int32 `json:"real"`
	RealBefore int32 `json:"realBefore"`
	// Why is the likeliest cause, in words.
	Why string `json:"why"`
}

// MatchReport is how closely the baseline reproduced the recorded HPAs: the tool's credibility.
type MatchReport struct {
	// Compared counts the syncs that fall inside the recording with a computed recorded
	// desired count; Matched those the simulation reproduced.
	Compared int `json:"compared"`
	Matched  int `json:"matched"`
	// ModelCompared, ModelMatched, ServerCompared and ServerMatched split them per HPA.
	ModelCompared  int        `json:"modelCompared"`
	ModelMatched   int        `json:"modelMatched"`
	ServerCompared int        `json:"serverCompared"`
	ServerMatched  int        `json:"serverMatched"`
	Mismatches     []Mismatch `json:"mismatches,omitempty"`
}

// Rate is the share of compared syncs that matched (NaN when none were compared).
func (m MatchReport) Rate() float64 {
	if m.Compared == 0 {
		return math.NaN()
	}
	return float64(m.Matched) / float64(m.Compared)
}

// String is the credibility line: "baseline matches 478 of 480 recorded syncs (99.6%)".
func (m MatchReport) String() string {
	if m.Compared == 0 {
		return "baseline not checked: the input has no recorded desired replicas"
	}
	return fmt.Sprintf("baseline matches %d of %d recorded syncs (%.1f%%)", m.Matched, m.Compared, 100*m.Rate())
}

// Match compares the baseline's syncs with the recorded desired replicas of each HPA. The
// result of a sync is what the HPA's status shows until its next sync, so it is read just
// before then; syncs the recording does not cover, or before the HPA first computed a
// count (desired 0), are not compared.
func Match(in Input, base Result) MatchReport {
	var m MatchReport
	for _, s := range base.Syncs {
		obs := in.RecordedModel
		if s.Side == SideServer {
			obs = in.RecordedServer
		}
		if len(obs) == 0 || s.At.Before(obs[0].At) || s.At.Add(model.SyncPeriod).After(in.End) {
			continue
		}
		real := valueAt(obs, s.At.Add(model.SyncPeriod-time.Millisecond))
		if real == 0 {
			continue
		}
		m.Compared++
		if s.Side == SideServer {
			m.ServerCompared++
		} else {
			m.ModelCompared++
		}
		if real == s.Desired {
			m.Matched++
			if s.Side == SideServer {
				m.ServerMatched++
			} else {
				m.ModelMatched++
			}
			continue
		}
		before := valueAt(obs, s.At.Add(-time.Millisecond))
		m.Mismatches = append(m.Mismatches, Mismatch{Sync: s, Real: real, RealBefore: before, Why: why(in, s, before)})
	}
	return m
}

// valueAt is the latest observation at or before t (0 when there is none).
func valueAt(obs []Observation, t time.Time) int32 {
	i := sort.Search(len(obs), func(i int) bool { return obs[i].At.After(t) })
	if i == 0 {
		return 0
	}
	return obs[i-1].Desired
}

// why names the likeliest cause of a mismatch.
func why(in Input, s Sync, realBefore int32) string {
	h := in.ModelHPA
	if s.Side == SideServer {
		h = in.ServerHPA
	}
	switch {
	case realBefore != 0 && realBefore != s.From:
		return fmt.Sprintf("diverged earlier: the simulation had %d replicas before this sync, the real HPA %d", s.From, realBefore)
	case math.IsNaN(s.Metric):
		return "the history has no metric at this sync; the real HPA read one"
	}
	if h != nil {
		tol := model.TolerancesFor(*h)
		target := in.Target()
		near := func(a, b float64) bool { return math.Abs(a-b) <= 0.02*math.Max(math.Abs(b), 1e-9) }
		if near(s.Ratio, 1+tol.Up) || near(s.Ratio, 1-tol.Down) {
			return fmt.Sprintf("usage ratio %s is at the edge of the tolerance band: the history's value and the one the HPA read differ slightly", model.FormatRatio(s.Ratio))
		}
		if target > 0 {
			q := s.Metric / target
			if f := q - math.Floor(q); f < 0.02 || f > 0.98 {
				return fmt.Sprintf("infer_rps %s is within 2%% of a whole replica's worth (%s × target): the value the HPA read may have rounded the other way", model.FormatNumber(s.Metric), model.FormatNumber(math.Round(q)))
			}
		}
	}
	if s.LimitedBy == model.LimitStabilization || s.LimitedBy == model.LimitPolicy {
		if s.At.Sub(in.Start) < model.DefaultDownscaleStabilization+model.SyncPeriod {
			return "limited by " + s.Limit + ": the controller's memory from before the recording is only estimated"
		}
	}
	return fmt.Sprintf("unexplained: metric %s, raw proposal %d", model.FormatNumber(s.Metric), s.Raw)
}
