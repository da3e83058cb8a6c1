package model

import (
	"math"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// testHPA is the Seldon docs' HPA: Object metric infer_rps described by Model irisa0, AverageValue target.
func testHPA(minR, maxR int32, target float64, b *Behavior) HPA {
	return HPA{
		Meta:        Meta{Namespace: "seldon-mesh", Name: "irisa0-model-hpa"},
		Target:      CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "irisa0"},
		MinReplicas: minR, MaxReplicas: maxR,
		Metrics: []MetricTarget{{Type: "Object", Name: "infer_rps",
			DescribedObject: CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "irisa0"},
			TargetType:      "AverageValue", Target: target}},
		Behavior: b,
	}
}

// seldonBehavior is the docs' recommended scale-up: stabilization 60 s, Pods 5/90s.
func seldonBehavior() *Behavior {
	return &Behavior{ScaleUp: &ScalingRules{StabilizationWindowSeconds: ptr(int32(60)),
		Policies: []ScalingPolicy{{Type: PolicyPods, Value: 5, PeriodSeconds: 90}}}}
}

func seeded(recs ...Recommendation) *HPAMemory {
	return &HPAMemory{Seeded: true, Recommendations: recs}
}

func rec(ago time.Duration, n int32) Recommendation {
	return Recommendation{At: t0.Add(-ago), Replicas: n}
}

func TestDecide(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name    string
		hpa     HPA
		scale   Scale
		total   float64
		mem     *HPAMemory
		want    int32
		raw     int32
		limited LimitKind
		limit   string
		able    string // AbleToScale reason
		slr     string // ScalingLimited reason
		reason  string // SuccessfulRescale reason
		active  string
	}{
		{name: "within tolerance: ratio 1.04 stays", hpa: testHPA(1, 3, 3, nil), scale: Scale{2, 2}, total: 6.24, mem: seeded(),
			want: 2, raw: 2, able: ReasonReadyForNewScale, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "tolerance upper edge 1.1 is within", hpa: testHPA(1, 3, 3, nil), scale: Scale{2, 2}, total: 6.6, mem: seeded(),
			want: 2, raw: 2, able: ReasonReadyForNewScale, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "tolerance lower edge 0.9 is within", hpa: testHPA(1, 3, 3, nil), scale: Scale{2, 2}, total: 5.4, mem: seeded(),
			want: 2, raw: 2, able: ReasonReadyForNewScale, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "just above tolerance scales up with ceil", hpa: testHPA(1, 3, 3, nil), scale: Scale{2, 2}, total: 6.61, mem: seeded(),
			want: 3, raw: 3, able: ReasonSucceededRescale, slr: ReasonDesiredWithinRange,
			reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "ceil: 8.9 rps over target 3 needs 3", hpa: testHPA(1, 5, 3, nil), scale: Scale{2, 2}, total: 8.9, mem: seeded(),
			want: 3, raw: 3, able: ReasonSucceededRescale, slr: ReasonDesiredWithinRange,
			reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "per-HPA scale-up tolerance 0.5 keeps ratio 1.48", scale: Scale{2, 2}, total: 8.9, mem: seeded(),
			hpa:  testHPA(1, 5, 3, &Behavior{ScaleUp: &ScalingRules{Tolerance: ptr(0.5)}}),
			want: 2, raw: 2, able: ReasonReadyForNewScale, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "default tolerance keeps ratio 0.925", hpa: testHPA(1, 30, 1, nil), scale: Scale{20, 20}, total: 18.5, mem: seeded(),
			want: 20, raw: 20, able: ReasonReadyForNewScale, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "per-HPA scale-down tolerance 0.05 acts on ratio 0.925", scale: Scale{20, 20}, total: 18.5, mem: seeded(),
			hpa:  testHPA(1, 30, 1, &Behavior{ScaleDown: &ScalingRules{Tolerance: ptr(0.05), StabilizationWindowSeconds: ptr(int32(0))}}),
			want: 19, raw: 19, able: ReasonSucceededRescale, slr: ReasonDesiredWithinRange, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "legacy: clamp to max", hpa: testHPA(1, 3, 3, nil), scale: Scale{2, 2}, total: 30, mem: seeded(),
			want: 3, raw: 10, limited: LimitMax, limit: "maxReplicas 3", able: ReasonSucceededRescale, slr: ReasonTooManyReplicas,
			reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "legacy: scale-up limit max(2x2, 4) = 4", hpa: testHPA(1, 50, 1, nil), scale: Scale{2, 2}, total: 30, mem: seeded(),
			want: 4, raw: 30, limited: LimitLegacyRate, limit: "legacy scale-up limit max(2×2, 4) = 4 per sync",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "legacy: scale-up limit max(2x5, 4) = 10", hpa: testHPA(1, 50, 1, nil), scale: Scale{5, 5}, total: 30, mem: seeded(),
			want: 10, raw: 30, limited: LimitLegacyRate, limit: "legacy scale-up limit max(2×5, 4) = 10 per sync",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "legacy: clamp to min", hpa: testHPA(2, 5, 3, nil), scale: Scale{3, 3}, total: 0.3, mem: seeded(),
			want: 2, raw: 1, limited: LimitMin, limit: "minReplicas 2", able: ReasonSucceededRescale, slr: ReasonTooFewReplicas,
			reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "legacy: scale-down stabilized by a recommendation 100 s ago", hpa: testHPA(1, 5, 3, nil), scale: Scale{4, 4}, total: 3,
			mem: seeded(rec(100*sec, 4)), want: 4, raw: 1, limited: LimitStabilization,
			limit: "scale-down stabilization 5m (highest recent recommendation 4, 1m40s ago)",
			able:  ReasonScaleDownStabilized, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "legacy: a recommendation exactly 300 s ago still counts", hpa: testHPA(1, 5, 3, nil), scale: Scale{4, 4}, total: 3,
			mem: seeded(rec(300*sec, 3)), want: 3, raw: 1, limited: LimitStabilization,
			limit: "scale-down stabilization 5m (highest recent recommendation 3, 5m ago)",
			able:  ReasonSucceededRescale, slr: ReasonDesiredWithinRange, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "legacy: a recommendation 301 s ago is forgotten", hpa: testHPA(1, 5, 3, nil), scale: Scale{4, 4}, total: 3,
			mem: seeded(rec(301*sec, 4)), want: 1, raw: 1, able: ReasonSucceededRescale, slr: ReasonDesiredWithinRange,
			reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "first sync: the initial recommendation (current) holds a scale-down", hpa: testHPA(1, 5, 3, nil), scale: Scale{4, 4},
			total: 3, mem: nil, want: 4, raw: 1, limited: LimitStabilization,
			limit: "scale-down stabilization 5m (highest recent recommendation 4, 0s ago)",
			able:  ReasonScaleDownStabilized, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "behavior defaults: Max of Pods 4/15s (6) and Percent 100/15s (4)", hpa: testHPA(1, 50, 1, &Behavior{}),
			scale: Scale{2, 2}, total: 30, mem: seeded(), want: 6, raw: 30, limited: LimitPolicy, limit: "policy Pods 4/15s",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior defaults: Percent 100/15s wins at 10 replicas", hpa: testHPA(1, 50, 1, &Behavior{}),
			scale: Scale{10, 10}, total: 30, mem: seeded(), want: 20, raw: 30, limited: LimitPolicy, limit: "policy Percent 100%/15s",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior: max below the policy limit clamps as TooManyReplicas", hpa: testHPA(1, 3, 1, seldonBehavior()),
			scale: Scale{2, 2}, total: 30, mem: seeded(), want: 3, raw: 30, limited: LimitMax, limit: "maxReplicas 3",
			able: ReasonSucceededRescale, slr: ReasonTooManyReplicas, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior: Pods 5/90s counts a +2 event 30 s ago", hpa: testHPA(1, 20, 1, seldonBehavior()),
			scale: Scale{3, 3}, total: 10, mem: &HPAMemory{Seeded: true, ScaleUpEvents: []ScaleEvent{{At: t0.Add(-30 * sec), Change: 2}}},
			want: 6, raw: 10, limited: LimitPolicy, limit: "policy Pods 5/1m30s",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior: Pods 5/90s ignores an event 90 s ago", hpa: testHPA(1, 20, 1, seldonBehavior()),
			scale: Scale{3, 3}, total: 10, mem: &HPAMemory{Seeded: true, ScaleUpEvents: []ScaleEvent{{At: t0.Add(-90 * sec), Change: 2}}},
			want: 8, raw: 10, limited: LimitPolicy, limit: "policy Pods 5/1m30s",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior: a scale-down in the period raises the scale-up start", hpa: testHPA(1, 20, 1, seldonBehavior()),
			scale: Scale{3, 3}, total: 10, mem: &HPAMemory{Seeded: true, ScaleDownEvents: []ScaleEvent{{At: t0.Add(-30 * sec), Change: 1}}},
			want: 9, raw: 10, limited: LimitPolicy, limit: "policy Pods 5/1m30s",
			able: ReasonSucceededRescale, slr: ReasonScaleUpLimit, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior: scale-up stabilization takes the lowest recommendation in 60 s", hpa: testHPA(1, 20, 3, seldonBehavior()),
			scale: Scale{2, 2}, total: 15, mem: seeded(rec(45*sec, 2), rec(30*sec, 3)), want: 2, raw: 5, limited: LimitStabilization,
			limit: "scale-up stabilization 1m (lowest recent recommendation 2)",
			able:  ReasonScaleUpStabilized, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "behavior: at max, a scale-up window holding it is not what keeps it there", hpa: testHPA(1, 3, 3, seldonBehavior()),
			scale: Scale{3, 3}, total: 15, mem: seeded(rec(45*sec, 2)), want: 3, raw: 5, limited: LimitMax,
			limit: "maxReplicas 3", able: ReasonScaleUpStabilized, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "behavior: scale-up stabilization forgets what is older than 60 s", hpa: testHPA(1, 20, 3, seldonBehavior()),
			scale: Scale{2, 2}, total: 15, mem: seeded(rec(60*sec, 2), rec(30*sec, 3)), want: 3, raw: 5, limited: LimitStabilization,
			limit: "scale-up stabilization 1m (lowest recent recommendation 3)",
			able:  ReasonSucceededRescale, slr: ReasonDesiredWithinRange, reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "behavior: default scale-down window 300 s takes the highest recommendation", hpa: testHPA(1, 20, 3, seldonBehavior()),
			scale: Scale{5, 5}, total: 3, mem: seeded(rec(200*sec, 5), rec(100*sec, 4)), want: 5, raw: 1, limited: LimitStabilization,
			limit: "scale-down stabilization 5m (highest recent recommendation 5)",
			able:  ReasonScaleDownStabilized, slr: ReasonDesiredWithinRange, active: ReasonValidMetricFound},
		{name: "behavior: scale-down window steps down to the highest remaining", hpa: testHPA(1, 20, 3, seldonBehavior()),
			scale: Scale{5, 5}, total: 3, mem: seeded(rec(301*sec, 5), rec(100*sec, 4)), want: 4, raw: 1, limited: LimitStabilization,
			limit: "scale-down stabilization 5m (highest recent recommendation 4)",
			able:  ReasonSucceededRescale, slr: ReasonDesiredWithinRange, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "selectPolicy Min picks the smaller scale-up", scale: Scale{2, 2}, total: 30, mem: seeded(),
			hpa: testHPA(1, 50, 1, &Behavior{ScaleUp: &ScalingRules{SelectPolicy: SelectMin}}), want: 4, raw: 30, limited: LimitPolicy,
			limit: "policy Percent 100%/15s", able: ReasonSucceededRescale, slr: ReasonScaleUpLimit,
			reason: "external metric infer_rps(nil) above target", active: ReasonValidMetricFound},
		{name: "selectPolicy Disabled blocks scale-up", scale: Scale{2, 2}, total: 30, mem: seeded(),
			hpa:  testHPA(1, 50, 1, &Behavior{ScaleUp: &ScalingRules{SelectPolicy: SelectDisabled}}),
			want: 2, raw: 30, limited: LimitDisabled, limit: "scale-up disabled (selectPolicy Disabled)",
			able: ReasonReadyForNewScale, slr: ReasonScaleUpLimit, active: ReasonValidMetricFound},
		{name: "selectPolicy Disabled blocks scale-down", scale: Scale{5, 5}, total: 1, mem: seeded(),
			hpa: testHPA(1, 50, 1, &Behavior{ScaleDown: &ScalingRules{SelectPolicy: SelectDisabled,
				StabilizationWindowSeconds: ptr(int32(0))}}),
			want: 5, raw: 1, limited: LimitDisabled, limit: "scale-down disabled (selectPolicy Disabled)",
			able: ReasonReadyForNewScale, slr: ReasonScaleDownLimit, active: ReasonValidMetricFound},
		{name: "scale-down Pods 1/60s with a removal 30 s ago holds", scale: Scale{5, 5}, total: 1,
			mem: &HPAMemory{Seeded: true, ScaleDownEvents: []ScaleEvent{{At: t0.Add(-30 * sec), Change: 1}}},
			hpa: testHPA(1, 50, 1, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0)),
				Policies: []ScalingPolicy{{Type: PolicyPods, Value: 1, PeriodSeconds: 60}}}}),
			want: 5, raw: 1, limited: LimitPolicy, limit: "policy Pods 1/1m",
			able: ReasonReadyForNewScale, slr: ReasonScaleDownLimit, active: ReasonValidMetricFound},
		{name: "scale-down Pods 1/60s removes one", scale: Scale{5, 5}, total: 1, mem: seeded(),
			hpa: testHPA(1, 50, 1, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0)),
				Policies: []ScalingPolicy{{Type: PolicyPods, Value: 1, PeriodSeconds: 60}}}}),
			want: 4, raw: 1, limited: LimitPolicy, limit: "policy Pods 1/1m",
			able: ReasonSucceededRescale, slr: ReasonScaleDownLimit, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "scale-down Max picks the larger change (Percent 50 -> 5)", scale: Scale{10, 10}, total: 1, mem: seeded(),
			hpa: testHPA(1, 50, 1, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0)),
				Policies: []ScalingPolicy{{Type: PolicyPods, Value: 1, PeriodSeconds: 60}, {Type: PolicyPercent, Value: 50, PeriodSeconds: 60}}}}),
			want: 5, raw: 1, limited: LimitPolicy, limit: "policy Percent 50%/1m",
			able: ReasonSucceededRescale, slr: ReasonScaleDownLimit, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "scale-down Min picks the smaller change (Pods 1 -> 9)", scale: Scale{10, 10}, total: 1, mem: seeded(),
			hpa: testHPA(1, 50, 1, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0)), SelectPolicy: SelectMin,
				Policies: []ScalingPolicy{{Type: PolicyPods, Value: 1, PeriodSeconds: 60}, {Type: PolicyPercent, Value: 50, PeriodSeconds: 60}}}}),
			want: 9, raw: 1, limited: LimitPolicy, limit: "policy Pods 1/1m",
			able: ReasonSucceededRescale, slr: ReasonScaleDownLimit, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "behavior: scale-down to min is TooFewReplicas", scale: Scale{4, 4}, total: 0, mem: seeded(),
			hpa:  testHPA(2, 50, 1, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0))}}),
			want: 2, raw: 0, limited: LimitMin, limit: "minReplicas 2",
			able: ReasonSucceededRescale, slr: ReasonTooFewReplicas, reason: RescaleAllBelow, active: ReasonValidMetricFound},
		{name: "current above max", hpa: testHPA(1, 3, 3, nil), scale: Scale{5, 5}, total: 30, mem: seeded(),
			want: 3, limited: LimitMax, limit: "maxReplicas 3", able: ReasonSucceededRescale, reason: RescaleAboveMax},
		{name: "current below min", hpa: testHPA(2, 3, 3, nil), scale: Scale{1, 1}, total: 0, mem: seeded(),
			want: 2, limited: LimitMin, limit: "minReplicas 2", able: ReasonSucceededRescale, reason: RescaleBelowMin},
		{name: "zero replicas disable scaling", hpa: testHPA(1, 3, 3, nil), scale: Scale{0, 0}, total: 30, mem: seeded(),
			want: 0, active: ReasonScalingDisabled},
		{name: "metric unavailable", hpa: testHPA(1, 3, 3, nil), scale: Scale{2, 2}, total: math.NaN(), mem: seeded(),
			want: 2, active: ReasonFailedGetObjectMetric},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DecideScale(tt.hpa, tt.scale, tt.total, tt.mem, t0)
			if d.Desired != tt.want || d.Raw != tt.raw {
				t.Errorf("desired %d raw %d, want %d raw %d (%+v)", d.Desired, d.Raw, tt.want, tt.raw, d)
			}
			if d.LimitedBy != tt.limited || d.Limit != tt.limit {
				t.Errorf("limit %q %q, want %q %q", d.LimitedBy, d.Limit, tt.limited, tt.limit)
			}
			if d.AbleToScale != tt.able || d.ScalingLimitedReason != tt.slr || d.ScalingActive != tt.active {
				t.Errorf("conditions able=%q limited=%q active=%q, want %q %q %q",
					d.AbleToScale, d.ScalingLimitedReason, d.ScalingActive, tt.able, tt.slr, tt.active)
			}
			if d.RescaleReason != tt.reason {
				t.Errorf("rescale reason %q, want %q", d.RescaleReason, tt.reason)
			}
			if d.Rescale != (tt.want != tt.scale.Spec) {
				t.Errorf("rescale %v for %d -> %d", d.Rescale, tt.scale.Spec, d.Desired)
			}
			if d.ScalingLimited != (tt.slr != "" && tt.slr != ReasonDesiredWithinRange) {
				t.Errorf("ScalingLimited %v with reason %q", d.ScalingLimited, d.ScalingLimitedReason)
			}
		})
	}
}

func TestDecideRatioAndReported(t *testing.T) {
	h := testHPA(1, 5, 3, nil)
	d := Decide(h, 2, 9.931, seeded(), t0)
	if got := d.Ratio; math.Abs(got-9.931/6) > 1e-12 {
		t.Errorf("ratio %v", got)
	}
	// status.currentMetrics averageValue is ceil(9931m / 2) = 4966m.
	if d.Reported != 4.966 || d.ReportedOverflow {
		t.Errorf("reported %v overflow %v", d.Reported, d.ReportedOverflow)
	}
	if d.Event() != "New size: 4; reason: external metric infer_rps(nil) above target" {
		t.Errorf("event %q", d.Event())
	}

	// A Model whose .status.replicas is 0 while spec is 2: the ratio is +Inf, the proposal is
	// still ceil(total/target), and the reported value is the overflow artefact.
	d = DecideScale(h, Scale{Spec: 2, Status: 0}, 8.9, seeded(), t0)
	if !math.IsInf(d.Ratio, 1) || d.Raw != 3 || d.Desired != 3 || !d.ReportedOverflow {
		t.Errorf("status 0: %+v", d)
	}

	// Milli-unit truncation as prometheus-adapter does: 2.9999 rps is 2999m.
	d = Decide(testHPA(1, 5, 1, nil), 1, 2.9999, seeded(), t0)
	if d.Total != 2.999 || d.Raw != 3 {
		t.Errorf("milli: total %v raw %d", d.Total, d.Raw)
	}
	// prometheus-adapter keeps float noise: int64(1.001*1000) is 1000m. A value read from a
	// Quantity (the custom metrics API, a target) is exact: 1001m.
	if got, _ := (MetricInput{Value: 1.001, Source: SourcePrometheus}).Milli(); got != 1000 {
		t.Errorf("adapter milli(1.001) = %d", got)
	}
	if got, _ := (MetricInput{Value: 1.001, Source: SourceCustomMetrics}).Milli(); got != 1001 {
		t.Errorf("quantity milli(1.001) = %d", got)
	}
	if _, ok := (MetricInput{Value: math.NaN(), Source: SourceCustomMetrics}).Milli(); ok {
		t.Error("NaN has a milli value")
	}
}

func TestDecideUnmodelled(t *testing.T) {
	h := testHPA(1, 5, 3, nil)
	h.Metrics[0].TargetType = "Value"
	d := Decide(h, 2, 9, seeded(), t0)
	if d.Err == "" || d.Desired != 2 || d.Rescale || d.Computed {
		t.Errorf("Value target: %+v", d)
	}
	h = testHPA(1, 5, 3, nil)
	h.Metrics = append(h.Metrics, MetricTarget{Type: "Resource", Name: "cpu", TargetType: "Utilization", Target: 80})
	d = Decide(h, 2, 9, seeded(), t0)
	if d.Err != "" || d.Desired != 3 || len(d.Notes) != 2 {
		t.Errorf("extra metric: %+v", d)
	}
	h.Metrics = h.Metrics[1:]
	if d = Decide(h, 2, 9, seeded(), t0); d.Err == "" || d.Desired != 2 {
		t.Errorf("no Object metric: %+v", d)
	}
}

func TestDecideScaleFromZero(t *testing.T) {
	h := testHPA(1, 5, 3, nil)
	h.Conditions = []Condition{{Type: "ScaledToZero", Status: "True"}}
	d := Decide(h, 0, 8.9, seeded(), t0)
	if d.ScalingActive != ReasonValidMetricFound || d.Desired != 3 {
		t.Errorf("scale from zero: %+v", d)
	}
	// A zero metric from zero replicas still lands on minReplicas, through the min clamp; the
	// controller's rescale reason stays empty there ("New size: 1; reason: "), as in horizontal.go.
	d = Decide(h, 0, 0, seeded(), t0)
	if d.Desired != 1 || d.RescaleReason != "" || d.ScalingLimitedReason != ReasonTooFewReplicas {
		t.Errorf("scale from zero at 0 rps: %+v", d)
	}
}

func TestEffectiveBehavior(t *testing.T) {
	up, down := EffectiveBehavior(nil)
	if !up.Defaulted || !down.Defaulted || down.Stabilization != 300*time.Second || len(up.Policies) != 2 {
		t.Errorf("defaults: %+v %+v", up, down)
	}
	up, down = EffectiveBehavior(seldonBehavior())
	if up.Defaulted || up.Stabilization != 60*time.Second || up.SelectPolicy != SelectMax || len(up.Policies) != 1 ||
		up.LongestPeriod() != 90*time.Second {
		t.Errorf("seldon up: %+v", up)
	}
	if len(up.DefaultedParts) != 1 || up.DefaultedParts[0] != "selectPolicy" {
		t.Errorf("defaulted parts: %v", up.DefaultedParts)
	}
	if !down.Defaulted || down.Stabilization != 300*time.Second {
		t.Errorf("seldon down: %+v", down)
	}
	if tol := TolerancesFor(testHPA(1, 2, 1, &Behavior{ScaleDown: &ScalingRules{Tolerance: ptr(0.2)}})); tol.Down != 0.2 || tol.Up != 0.1 {
		t.Errorf("tolerances %+v", tol)
	}
}

// TestDecideSequence drives the docs' behavior (stabilization 60 s, Pods 5/90s) through a
// step of load with exact memory, as the demo's simulated controller does.
func TestDecideSequence(t *testing.T) {
	h := testHPA(1, 20, 3, seldonBehavior())
	mem := &HPAMemory{}
	replicas := int32(1)
	var got []int32
	for i := 0; i <= 40; i++ {
		now := t0.Add(time.Duration(i) * SyncPeriod)
		d := Decide(h, replicas, 20, mem, now) // 20 rps / 3 per replica = 7 replicas
		mem.Record(now, d, replicas)
		replicas = d.Desired
		got = append(got, replicas)
	}
	// The first sync records the current count (1), which the 60 s scale-up window keeps
	// lowest until t=60s; then Pods 5/90s allows 1+5; the next 2 wait for that event to age
	// out of the 90 s period (t=150s).
	want := []int32{1, 1, 1, 1, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("replicas over time %v, want %v", got, want)
		}
	}
	// The controller never forgets a scale event; it only reuses outdated slots.
	if got[40] != 7 || len(mem.ScaleUpEvents) != 2 {
		t.Errorf("steady state: %d replicas, scale-up events %+v", got[40], mem.ScaleUpEvents)
	}
	// With a 300 s window, the list grows until its oldest entry is older than 300 s, then
	// one slot is reused per sync: 21 syncs in (t-300s, t] plus the seed, never more.
	if n := len(mem.Recommendations); n != 22 {
		t.Errorf("recommendations kept: %d, want 22", n)
	}
}

func TestRecordLegacyKeepsNoEvents(t *testing.T) {
	h := testHPA(1, 20, 1, nil)
	mem := &HPAMemory{}
	d := Decide(h, 2, 10, mem, t0)
	mem.Record(t0, d, 2)
	if !mem.Seeded || len(mem.Recommendations) != 2 || len(mem.ScaleUpEvents) != 0 {
		t.Errorf("legacy memory %+v", mem)
	}
	// Out-of-range syncs rescale without a recommendation.
	d = Decide(testHPA(1, 3, 1, nil), 5, 10, mem, t0.Add(SyncPeriod))
	mem.Record(t0.Add(SyncPeriod), d, 5)
	if len(mem.Recommendations) != 2 {
		t.Errorf("out-of-range recorded a recommendation: %+v", mem.Recommendations)
	}
	// 10 minutes later both entries are older than the window: the controller overwrites
	// the last of them (stabilizeRecommendation) and keeps the other.
	later := t0.Add(10 * time.Minute)
	d = Decide(h, 4, 4, mem, later)
	mem.Record(later, d, 4)
	want := []Recommendation{{At: t0, Replicas: 2}, {At: later, Replicas: 4}}
	if !slices.Equal(mem.Recommendations, want) {
		t.Errorf("reuse: %+v, want %+v", mem.Recommendations, want)
	}
}

func TestDecideExtremeInputs(t *testing.T) {
	// An absurd metric value overflows the controller's int64 and int32 conversions, whose
	// results are the platform's: the decision is flagged, and lands on min or max.
	d := Decide(testHPA(1, 3, 3, nil), 2, 1e300, seeded(), t0)
	if !d.Overflow || (d.Desired != 1 && d.Desired != 3) || len(d.Notes) == 0 {
		t.Errorf("huge metric: %+v", d)
	}
	// A zero target (invalid; the API rejects it) is reported, not divided by.
	d = Decide(testHPA(1, 3, 0, nil), 2, 5, seeded(), t0)
	if d.Err == "" || d.Desired != 2 || d.Rescale {
		t.Errorf("zero target: %+v", d)
	}
	// Negative values are used as the controller would: ceil is at most 0, clamped to min.
	d = Decide(testHPA(1, 3, 3, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0))}}), 2, -4, seeded(), t0)
	if d.Desired != 1 || d.Raw != 0 {
		t.Errorf("negative metric: %+v", d)
	}
}
