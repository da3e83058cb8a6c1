package demo

import (
	"math"
	"time"

	"github.com/twinscale/twinscale/model"
)

// decision is what a simulated HPA controller does after computing its metric.
type decision struct {
	desired int32
	// rescaleReason completes "New size: %d; reason: %s" when desired differs.
	rescaleReason string
	// able is the AbleToScale condition when the controller does not rescale.
	able cond
	// limited is the ScalingLimited condition.
	limited cond
}

// decisionMemory is the state the HPA controller keeps only in its own memory
// (recommendations and scale events, for stabilization and policies).
type decisionMemory struct{}

// decide is the one place where the simulated controllers apply the HPA maths.
//
// TODO(demo): swap for model.Decide once the intel branch lands; this interim
// version only does the ratio, tolerance and clamp, not behavior.
func decide(h model.HPA, statusReplicas int32, total float64, mem *decisionMemory, now time.Time) decision {
	current := h.CurrentReplicas
	target := h.Metrics[0].Target
	desired := current
	ratio := total / (target * float64(statusReplicas))
	if math.IsInf(ratio, 0) || math.IsNaN(ratio) || ratio < 0.9 || ratio > 1.1 {
		desired = int32(math.Ceil(total / target))
	}
	d := decision{}
	switch {
	case desired > h.MaxReplicas:
		desired = h.MaxReplicas
		d.limited = cond{typ: "ScalingLimited", status: "True", reason: "TooManyReplicas", message: "the desired replica count is more than the maximum replica count"}
	case desired < h.MinReplicas:
		desired = h.MinReplicas
		d.limited = cond{typ: "ScalingLimited", status: "True", reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count"}
	default:
		d.limited = cond{typ: "ScalingLimited", status: "False", reason: "DesiredWithinRange", message: "the desired count is within the acceptable range"}
	}
	d.desired = desired
	switch {
	case desired > current:
		d.rescaleReason = "external metric " + h.Metrics[0].Name + "(nil) above target"
	case desired < current:
		d.rescaleReason = "All metrics below target"
	}
	d.able = cond{typ: "AbleToScale", status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size"}
	return d
}
