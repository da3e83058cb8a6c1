package demo

import (
	"time"

	"github.com/twinscale/twinscale/model"
)

// laggedRamp is a morning ramp (3 → 11 rps over 4 minutes) on a pair whose Model HPA has a
// 60 s scale-up stabilization window, against flapping, and whose Server HPA the same window
// and one pod per three minutes. The Model outruns its Server and waits in ScheduleFailed;
// a Server HPA that scales up at once, two pods per 30 s, stays ahead of the lagging Model
// and the ScheduleFailed is gone (README, what-if).
func laggedRamp() []pairSpec {
	s := newPair("seldon-mesh", "iris-morning", "mlserver-morning", sklearn, 3, 1, 5,
		ramp(3, 11, time.Minute, 4*time.Minute, -1))
	window := ptr(int32(60))
	s.modelHPA.behavior.ScaleUp = &model.ScalingRules{StabilizationWindowSeconds: window,
		Policies: []model.ScalingPolicy{{Type: "Pods", Value: 4, PeriodSeconds: 15}}}
	s.serverHPA.behavior.ScaleUp = &model.ScalingRules{StabilizationWindowSeconds: window,
		Policies: []model.ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 180}}}
	s.hpaPhase = 4 * time.Second
	s.serverHPA.created = 6 * time.Second
	return []pairSpec{s}
}
