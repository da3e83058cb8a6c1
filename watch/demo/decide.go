package demo

import (
	"time"

	"github.com/twinscale/twinscale/model"
)

// decide is the one place where the simulated HPA controllers apply the HPA maths:
// model's reproduction of the controller (tolerance, min/max, policies,
// stabilization), with the memory the controller keeps only in its own process (never
// pruned, kept across spec edits, as upstream). total is what the simulated custom metrics
// API serves: already whole milli-units.
func decide(h model.HPA, sc model.Scale, total float64, mem *model.HPAMemory, now time.Time) model.Decision {
	d := model.DecideSample(h, sc, model.MetricInput{Value: total, Source: model.SourceCustomMetrics}, mem, now)
	mem.Record(now, d, sc.Spec)
	return d
}

// Condition messages the HPA controller writes with each reason (horizontal.go).
var ableMessages = map[string]string{
	model.ReasonReadyForNewScale:    "recommended size matches current size",
	model.ReasonScaleDownStabilized: "recent recommendations were higher than current one, applying the highest recent recommendation",
	model.ReasonScaleUpStabilized:   "recent recommendations were lower than current one, applying the lowest recent recommendation",
}

var limitedMessages = map[string]string{
	model.ReasonDesiredWithinRange: "the desired count is within the acceptable range",
	model.ReasonTooManyReplicas:    "the desired replica count is more than the maximum replica count",
	model.ReasonTooFewReplicas:     "the desired replica count is less than the minimum replica count",
	model.ReasonScaleUpLimit:       "the desired replica count is increasing faster than the maximum scale rate",
	model.ReasonScaleDownLimit:     "the desired replica count is decreasing faster than the maximum scale rate",
}
