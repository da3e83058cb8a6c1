package model

import (
	"fmt"
	"time"
)

// OverdueAfter is how long an HPA whose decision says it changes may go without a status
// update before it is overdue: three sync periods. The controller writes an HPA's status at a
// sync whenever something in it changes, and a change of desired replicas always does.
const OverdueAfter = 3 * SyncPeriod

// overdue says how long t's HPA has owed the move forecast in f: the time since the later of
// its last status write and the start of the forecast's move, when that exceeds OverdueAfter.
// A forecast whose memory is still reconstructed, or an HPA that cannot compute (ScalingActive
// False, AbleToScale False), does not count: there the quiet status has another explanation.
func (t *hpaTrack) overdue(now time.Time, h *HPA, f *Forecast) (time.Duration, bool) {
	d := f.Decision
	if !d.Rescale || f.MoveSince.IsZero() || (f.Approximate && d.Computed) {
		return 0, false
	}
	for _, c := range []string{"ScalingActive", "AbleToScale"} {
		if cond, ok := FindCondition(h.Conditions, c); ok && cond.Status == "False" {
			return 0, false
		}
	}
	from := t.lastWrite
	if f.MoveSince.After(from) {
		from = f.MoveSince
	}
	late := now.Sub(from)
	return late, late > OverdueAfter
}

// OverdueSummary counts the HPAs of pairs whose forecast is overdue and the longest wait, for
// the header: "controller behind: 212 HPAs overdue, oldest 74 s".
func OverdueSummary(pairs []Pair) (n int, oldest time.Duration) {
	for i := range pairs {
		for _, f := range []*Forecast{pairs[i].ModelForecast, pairs[i].ServerForecast} {
			if f != nil && f.Overdue {
				n++
				oldest = max(oldest, f.OverdueFor)
			}
		}
	}
	return n, oldest
}

// OverdueText is the header's summary, empty when no HPA is overdue.
func OverdueText(pairs []Pair) string {
	n, oldest := OverdueSummary(pairs)
	if n == 0 {
		return ""
	}
	what := "HPAs"
	if n == 1 {
		what = "HPA"
	}
	return fmt.Sprintf("controller behind: %d %s overdue, oldest %s", n, what, FormatDuration(oldest))
}

// overdueFinding is TS215 for one HPA of a pair.
func overdueFinding(side string, h *HPA, f *Forecast) Finding {
	return newFinding(RuleHPAOverdue, SeverityWarning, hpaRef(h), "status",
		fmt.Sprintf("%s HPA %s has owed the move %d → %d for %s without a status update (more than %d sync periods): the HPA controller is behind",
			side, h.Name, f.Current, f.Desired, FormatDuration(f.OverdueFor), int(OverdueAfter/SyncPeriod)))
}
