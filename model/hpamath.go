package model

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// This file reproduces the decision of the Kubernetes HPA controller
// (k8s.io/kubernetes pkg/controller/podautoscaler, v1.37: horizontal.go reconcileAutoscaler and
// replica_calculator.go GetObjectPerPodMetricReplicas) for the one shape Seldon single-model
// serving uses: a single Object metric with an AverageValue target.
//
// Modelled: out-of-range current replicas, scaling disabled at zero replicas (and scale from
// zero when the ScaledToZero condition is True), the usage ratio over the target's
// .status.replicas, per-HPA tolerances (KEP-4951), ceil, the legacy path (spec.behavior nil:
// max-over-300 s stabilization and max(2×current, 4)), the behavior path (stabilization windows
// over past recommendations, Pods/Percent policies over their periods with selectPolicy
// Max/Min/Disabled, scale events in each period, min/max clamp), the AbleToScale/ScalingActive/
// ScalingLimited reasons and the SuccessfulRescale reason text.
//
// Not modelled: other metric types and the Value target (they count ready pods by selector),
// several metrics (the controller takes the max proposal; we use the first Object metric),
// metric selectors (rendered as "nil"), selector validation (InvalidSelector,
// AmbiguousSelector), failed scale updates, kube-controller-manager flags other than their
// defaults (tolerance 0.1, downscale stabilization 5m, sync period 15 s), and the controller
// falling behind on large clusters.

// HPA controller defaults (kube-controller-manager flags and API defaulting).
const (
	// SyncPeriod is --horizontal-pod-autoscaler-sync-period: each HPA is re-evaluated this often.
	SyncPeriod = 15 * time.Second
	// DefaultTolerance is --horizontal-pod-autoscaler-tolerance.
	DefaultTolerance = 0.1
	// DefaultDownscaleStabilization is --horizontal-pod-autoscaler-downscale-stabilization.
	DefaultDownscaleStabilization = 5 * time.Minute
)

// Select policies of an HPA scaling rule.
const (
	SelectMax      = "Max"
	SelectMin      = "Min"
	SelectDisabled = "Disabled"
)

// Policy types of an HPA scaling policy.
const (
	PolicyPods    = "Pods"
	PolicyPercent = "Percent"
)

// Decision paths: which normalization the controller applies.
const (
	PathBehavior = "behavior" // spec.behavior is set (defaults fill its unset parts)
	PathLegacy   = "legacy"   // spec.behavior is nil
)

// Condition reasons the HPA controller sets (horizontal.go).
const (
	ReasonReadyForNewScale      = "ReadyForNewScale"
	ReasonScaleUpStabilized     = "ScaleUpStabilized"
	ReasonScaleDownStabilized   = "ScaleDownStabilized"
	ReasonSucceededRescale      = "SucceededRescale"
	ReasonValidMetricFound      = "ValidMetricFound"
	ReasonScalingDisabled       = "ScalingDisabled"
	ReasonFailedGetObjectMetric = "FailedGetObjectMetric"
	ReasonDesiredWithinRange    = "DesiredWithinRange"
	ReasonTooManyReplicas       = "TooManyReplicas"
	ReasonTooFewReplicas        = "TooFewReplicas"
	ReasonScaleUpLimit          = "ScaleUpLimit"
	ReasonScaleDownLimit        = "ScaleDownLimit"
)

// SuccessfulRescale reasons for out-of-range replicas and scale-down (horizontal.go).
const (
	RescaleAboveMax     = "Current number of replicas above Spec.MaxReplicas"
	RescaleBelowMin     = "Current number of replicas below Spec.MinReplicas"
	RescaleAllBelow     = "All metrics below target"
	rescaleAboveSuffix  = " above target"
	maxRememberedPoints = 1024
)

// LimitKind names what bounded the controller's recommendation.
type LimitKind string

// Limit kinds, in the order the controller applies them.
const (
	LimitNone          LimitKind = ""
	LimitStabilization LimitKind = "stabilization"
	LimitPolicy        LimitKind = "policy"
	LimitDisabled      LimitKind = "disabled" // selectPolicy Disabled
	LimitLegacyRate    LimitKind = "legacy-rate"
	LimitMax           LimitKind = "max"
	LimitMin           LimitKind = "min"
)

// String renders a policy the way the dashboard names it: "Pods 5/1m30s", "Percent 100%/15s",
// its period in the one duration format.
func (p ScalingPolicy) String() string {
	unit := ""
	if strings.EqualFold(p.Type, "Percent") {
		unit = "%"
	}
	return fmt.Sprintf("%s %d%s/%s", p.Type, p.Value, unit, FormatDuration(time.Duration(p.PeriodSeconds)*time.Second))
}

// Tolerances are the controller's no-change band around a usage ratio of 1.
type Tolerances struct {
	Down float64 `json:"down"`
	Up   float64 `json:"up"`
}

// Within reports whether the ratio needs no change: (1-down) <= r <= (1+up).
func (t Tolerances) Within(r float64) bool { return 1-t.Down <= r && r <= 1+t.Up }

// TolerancesFor returns the HPA's tolerances: behavior.scaleUp/scaleDown.tolerance when set
// (KEP-4951; an API server without the HPAConfigurableTolerance gate drops the field, so a
// tolerance we can see is one the controller honours), else DefaultTolerance.
func TolerancesFor(h HPA) Tolerances {
	t := Tolerances{Down: DefaultTolerance, Up: DefaultTolerance}
	if h.Behavior == nil {
		return t
	}
	if r := h.Behavior.ScaleDown; r != nil && r.Tolerance != nil {
		t.Down = *r.Tolerance
	}
	if r := h.Behavior.ScaleUp; r != nil && r.Tolerance != nil {
		t.Up = *r.Tolerance
	}
	return t
}

// Rules is one direction of an HPA's behavior after API defaulting, as the controller uses it.
type Rules struct {
	Stabilization time.Duration   `json:"stabilization"`
	SelectPolicy  string          `json:"selectPolicy"`
	Policies      []ScalingPolicy `json:"policies"`
	// Defaulted is true when the whole direction was unset and the defaults apply.
	Defaulted bool `json:"defaulted"`
	// DefaultedParts lists the fields that were unset and took their default.
	DefaultedParts []string `json:"defaultedParts,omitempty"`
}

// LongestPeriod is the longest policy period: how long the controller keeps scale events.
func (r Rules) LongestPeriod() time.Duration {
	var longest int32
	for _, p := range r.Policies {
		longest = max(longest, p.PeriodSeconds)
	}
	return time.Duration(longest) * time.Second
}

// DefaultScaleUpRules is the API default scaleUp: stabilization 0, Max of Pods 4/15s and Percent 100/15s.
func DefaultScaleUpRules() Rules {
	return Rules{SelectPolicy: SelectMax, Policies: []ScalingPolicy{
		{Type: PolicyPods, Value: 4, PeriodSeconds: 15},
		{Type: PolicyPercent, Value: 100, PeriodSeconds: 15},
	}, Defaulted: true}
}

// DefaultScaleDownRules is the API default scaleDown: stabilization 300 s (the controller flag), Max of Percent 100/15s.
func DefaultScaleDownRules() Rules {
	return Rules{Stabilization: DefaultDownscaleStabilization, SelectPolicy: SelectMax, Policies: []ScalingPolicy{
		{Type: PolicyPercent, Value: 100, PeriodSeconds: 15},
	}, Defaulted: true}
}

// EffectiveBehavior fills unset parts of a behavior the way the API server
// (SetDefaults_HorizontalPodAutoscalerBehavior) and the controller
// (maybeInitScaleDownStabilizationWindow) do. A nil behavior returns the defaults; the
// controller then takes the legacy path instead (see Decide).
func EffectiveBehavior(b *Behavior) (up, down Rules) {
	up, down = DefaultScaleUpRules(), DefaultScaleDownRules()
	if b == nil {
		return up, down
	}
	return fillRules(b.ScaleUp, up), fillRules(b.ScaleDown, down)
}

func fillRules(from *ScalingRules, to Rules) Rules {
	if from == nil {
		return to
	}
	to.Defaulted = false
	if from.SelectPolicy != "" {
		to.SelectPolicy = from.SelectPolicy
	} else {
		to.DefaultedParts = append(to.DefaultedParts, "selectPolicy")
	}
	if from.StabilizationWindowSeconds != nil {
		to.Stabilization = time.Duration(*from.StabilizationWindowSeconds) * time.Second
	} else {
		to.DefaultedParts = append(to.DefaultedParts, "stabilizationWindowSeconds")
	}
	if from.Policies != nil {
		to.Policies = from.Policies
	} else {
		to.DefaultedParts = append(to.DefaultedParts, "policies")
	}
	return to
}

// Scale is the target's scale subresource as the controller reads it at a sync.
type Scale struct {
	// Spec is .spec.replicas: the controller's "current replicas" for range checks and limits.
	Spec int32
	// Status is .status.replicas: the divisor of the usage ratio (for a Seldon Model, available
	// plus unavailable replicas; for a Server, a copy of spec).
	Status int32
}

// Recommendation is one unstabilized recommendation the controller remembers.
type Recommendation struct {
	At       time.Time `json:"at"`
	Replicas int32     `json:"replicas"`
}

// ScaleEvent is one rescale the controller remembers: Change replicas added (scale-up list)
// or removed (scale-down list), always positive.
type ScaleEvent struct {
	At     time.Time `json:"at"`
	Change int32     `json:"change"`
	// Outdated marks an event older than its direction's longest policy period at the last
	// rescale in that direction: the controller reuses its slot (markScaleEventsOutdated), but
	// until then it still counts wherever a policy period reaches it.
	Outdated bool `json:"outdated,omitempty"`
}

// HPAMemory is the controller's in-memory state for one HPA (it is never written to status).
// A simulator keeps it exactly by calling Record after every sync; the dashboard can only
// approximate it from observed history. Like the controller's, it is never pruned: each list
// reuses the slot of one outdated entry per sync and grows only when none is outdated, so its
// length is bounded by the longest window or period divided by the sync period.
type HPAMemory struct {
	// Seeded is true once the controller has seen the HPA. While false, Decide adds the
	// recommendation the controller records at its first sync: the current replicas, now.
	Seeded          bool             `json:"seeded"`
	Recommendations []Recommendation `json:"recommendations,omitempty"`
	ScaleUpEvents   []ScaleEvent     `json:"scaleUpEvents,omitempty"`
	ScaleDownEvents []ScaleEvent     `json:"scaleDownEvents,omitempty"`
}

// Decision is what the controller does at one sync of one HPA, with every intermediate value.
type Decision struct {
	Path           string `json:"path"` // PathBehavior or PathLegacy
	Current        int32  `json:"current"`
	StatusReplicas int32  `json:"statusReplicas"`
	MetricName     string `json:"metricName,omitempty"` // "external metric infer_rps(nil)"
	// Total and Target are in metric units, after the milli-unit rounding the API applies.
	Total  float64 `json:"total"`
	Target float64 `json:"target"`
	// Computed is true when the metric was used (false when out of range, disabled or failed).
	Computed        bool       `json:"computed"`
	Ratio           float64    `json:"ratio"` // total / (target × statusReplicas); +Inf at 0 replicas
	Tolerance       Tolerances `json:"tolerance"`
	WithinTolerance bool       `json:"withinTolerance"`
	// Raw is the metric's proposal (statusReplicas within tolerance, else ceil(total/target)),
	// before stabilization and limits: the value the controller records as a recommendation.
	Raw int32 `json:"raw"`
	// Stabilized is Raw after the stabilization windows.
	Stabilized int32 `json:"stabilized"`
	// Desired is the replica count the controller sets (equal to Current when it does not rescale).
	Desired int32 `json:"desired"`
	Rescale bool  `json:"rescale"`
	// LimitedBy and Limit name what bounded the result: "policy Pods 5/90s", "maxReplicas 3".
	LimitedBy LimitKind `json:"limitedBy,omitempty"`
	Limit     string    `json:"limit,omitempty"`
	// Condition reasons the controller sets at this sync; empty when it leaves a condition as it was.
	AbleToScale          string `json:"ableToScale,omitempty"`
	ScalingActive        string `json:"scalingActive,omitempty"`
	ScalingLimited       bool   `json:"scalingLimited"`
	ScalingLimitedReason string `json:"scalingLimitedReason,omitempty"`
	// RescaleReason is the reason of the SuccessfulRescale event ("... above target").
	RescaleReason string `json:"rescaleReason,omitempty"`
	// Reported is the averageValue the HPA writes to status.currentMetrics: ceil(total/statusReplicas)
	// in milli-units; ReportedOverflow is true when statusReplicas is 0 (the "-9223372036854775808m" artefact).
	Reported         float64 `json:"reported"`
	ReportedOverflow bool    `json:"reportedOverflow"`
	// Overflow is true when the metric's proposal did not fit an int32: the controller's result
	// is then platform-defined (on amd64 it collapses to 0 and the HPA scales to minReplicas).
	Overflow bool `json:"overflow,omitempty"`
	// Err explains why no metric-based decision was possible (no usable metric or target).
	Err string `json:"err,omitempty"`
	// Notes lists parts of this HPA the maths does not model.
	Notes []string `json:"notes,omitempty"`
	// Memory horizons: the windows decide which recommendation HPAMemory.Record overwrites,
	// the periods which scale events it marks outdated.
	UpWindow   time.Duration `json:"upWindow"`
	DownWindow time.Duration `json:"downWindow"`
	UpPeriod   time.Duration `json:"upPeriod"`
	DownPeriod time.Duration `json:"downPeriod"`
}

// Event is the SuccessfulRescale message the controller would emit, or "" without a rescale.
func (d Decision) Event() string {
	if !d.Rescale {
		return ""
	}
	return fmt.Sprintf("New size: %d; reason: %s", d.Desired, d.RescaleReason)
}

// Decide reproduces one sync of the HPA controller for h, with the target's .status.replicas
// also taken as its .spec.replicas (true for Seldon Servers and, outside transitions, Models).
// metricTotal is the value the custom metrics API returns for the described object (NaN or
// ±Inf mean the metric could not be fetched). mem may be nil (a first sync). Decide does not
// change mem; call mem.Record with the result to advance it.
func Decide(h HPA, statusReplicas int32, metricTotal float64, mem *HPAMemory, now time.Time) Decision {
	return DecideScale(h, Scale{Spec: statusReplicas, Status: statusReplicas}, metricTotal, mem, now)
}

// DecideScale is Decide with distinct .spec.replicas and .status.replicas of the target; the
// metric is a Prometheus sample, which prometheus-adapter truncates to milli-units.
func DecideScale(h HPA, sc Scale, metricTotal float64, mem *HPAMemory, now time.Time) Decision {
	return DecideSample(h, sc, MetricInput{Value: metricTotal, Source: SourcePrometheus}, mem, now)
}

// DecideSample is DecideScale with the metric value and where it was read.
func DecideSample(h HPA, sc Scale, metric MetricInput, mem *HPAMemory, now time.Time) Decision {
	if mem == nil {
		mem = &HPAMemory{}
	}
	d := Decision{Current: sc.Spec, StatusReplicas: sc.Status, Ratio: math.NaN(), Tolerance: TolerancesFor(h)}
	up, down := EffectiveBehavior(h.Behavior)
	if h.Behavior == nil {
		d.Path = PathLegacy
		d.DownWindow = DefaultDownscaleStabilization
	} else {
		d.Path = PathBehavior
		d.UpWindow, d.DownWindow = up.Stabilization, down.Stabilization
		d.UpPeriod, d.DownPeriod = up.LongestPeriod(), down.LongestPeriod()
	}
	spec, notes, err := pickMetric(h)
	d.Notes = notes
	recs := mem.Recommendations
	if !mem.Seeded {
		recs = append(append([]Recommendation(nil), recs...), Recommendation{At: now, Replicas: sc.Spec})
	}

	current, minR, maxR := sc.Spec, h.MinReplicas, h.MaxReplicas
	switch {
	case current == 0:
		c, ok := FindCondition(h.Conditions, "ScaledToZero")
		if !(ok && c.Status == "True") {
			d.Desired = 0
			d.ScalingActive = ReasonScalingDisabled
			d.Err = "scaling is disabled since the replica count of the target is zero"
			return d
		}
		d.Notes = append(d.Notes, "scale from zero (HPAScaleToZero) is modelled as a normal sync")
	case current > maxR:
		return outOfRange(d, maxR, RescaleAboveMax, LimitMax, fmt.Sprintf("maxReplicas %d", maxR))
	case current < minR:
		return outOfRange(d, minR, RescaleBelowMin, LimitMin, fmt.Sprintf("minReplicas %d", minR))
	}

	if err != "" {
		d.Desired = current
		d.Err = err
		return d
	}
	d.MetricName = fmt.Sprintf("external metric %s(nil)", spec.Name)
	tgt := targetMilli(spec.Target)
	d.Target = float64(tgt) / 1000
	usage, ok := metric.Milli()
	if !ok {
		d.Desired = current
		d.ScalingActive = ReasonFailedGetObjectMetric
		d.Err = "the metric value is unavailable"
		return d
	}
	if tgt <= 0 {
		d.Desired = current
		d.ScalingActive = ReasonFailedGetObjectMetric
		d.Err = "the AverageValue target is not positive"
		return d
	}
	raw := objectPerPodReplicas(&d, usage, tgt, sc.Status)
	d.Computed = true
	d.ScalingActive = ReasonValidMetricFound
	// The controller starts from 0 and keeps the largest metric proposal.
	raw = max(raw, 0)
	d.Raw = raw
	switch {
	case raw > current:
		d.RescaleReason = d.MetricName + rescaleAboveSuffix
	case raw < current:
		d.RescaleReason = RescaleAllBelow
	}

	var final int32
	if d.Path == PathLegacy {
		final = normalizeLegacy(&d, recs, now, minR, maxR)
	} else {
		final = normalizeBehavior(&d, recs, mem, up, down, now, minR, maxR)
	}
	if current == 0 && minR != 0 && final < minR {
		final = minR
		if d.RescaleReason == "" {
			d.RescaleReason = RescaleBelowMin
		}
	}
	d.Desired = final
	d.Rescale = final != current
	if !d.Rescale {
		d.RescaleReason = ""
	} else {
		d.AbleToScale = ReasonSucceededRescale
	}
	return d
}

func outOfRange(d Decision, to int32, reason string, kind LimitKind, limit string) Decision {
	d.Desired = to
	d.Rescale = true
	d.RescaleReason = reason
	d.AbleToScale = ReasonSucceededRescale
	d.LimitedBy, d.Limit = kind, limit
	return d
}

// pickMetric returns the metric the maths models (the first Object metric), notes on what it
// leaves out, and why no decision can be computed ("" when one can).
func pickMetric(h HPA) (MetricTarget, []string, string) {
	var notes []string
	idx := -1
	for i, m := range h.Metrics {
		if m.Type == "Object" && idx < 0 {
			idx = i
			continue
		}
		notes = append(notes, fmt.Sprintf("metric %s (%s) is not modelled", m.Name, m.Type))
	}
	if idx < 0 {
		return MetricTarget{}, notes, "no Object metric: only an Object metric with an AverageValue target is modelled"
	}
	if len(h.Metrics) > 1 {
		notes = append(notes, "with several metrics the controller takes the largest proposal")
	}
	m := h.Metrics[idx]
	if m.TargetType != "AverageValue" {
		return m, notes, fmt.Sprintf("target type %s is not modelled: it counts ready pods by selector, and Seldon supports only AverageValue", orUnset(m.TargetType))
	}
	return m, notes, ""
}

// MetricSource says where a metric value was read, which decides how it becomes the integer
// milli-units the controller computes with.
type MetricSource string

// Metric sources.
const (
	// SourcePrometheus is a Prometheus sample: prometheus-adapter serves it as
	// NewMilliQuantity(int64(v*1000)), truncating.
	SourcePrometheus MetricSource = "prometheus"
	// SourceCustomMetrics is the custom metrics API's value, the Quantity the controller reads
	// itself: already whole milli-units.
	SourceCustomMetrics MetricSource = "custom-metrics"
)

// MetricInput is one value of the HPA's metric for the described object, with its source.
// NaN or ±Inf mean no value could be read.
type MetricInput struct {
	Value  float64      `json:"value"`
	Source MetricSource `json:"source"`
}

// Milli returns the sample in the milli-units the controller reads (Quantity.MilliValue), and
// false when there is no value.
func (s MetricInput) Milli() (int64, bool) {
	if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
		return 0, false
	}
	if s.Source == SourceCustomMetrics {
		return quantityMilli(s.Value), true
	}
	return adapterMilli(s.Value), true
}

// adapterMilli is prometheus-adapter's conversion, int64(v*1000) with no rounding (1.001 rps
// is 1000m, 4.35 rps is 4349m); beyond the int64 range the result is the platform's.
func adapterMilli(v float64) int64 { return int64(v * 1000) }

// quantityMilli recovers the milli-units of a value converted from a milli-unit Quantity,
// undoing float noise (4.35 is 4350m).
func quantityMilli(v float64) int64 {
	x := v * 1000
	if r := math.Round(x); math.Abs(x-r) < 1e-6*max(1, math.Abs(x)) {
		x = r
	}
	return saturateInt64(math.Ceil(x))
}

// targetMilli is Quantity.MilliValue() of a target converted to a float: the exact decimal
// rounded up, so 1500u is 2m and 100u is 1m.
func targetMilli(v float64) int64 { return quantityMilli(v) }

func saturateInt64(x float64) int64 {
	switch {
	case x >= math.MaxInt64:
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(x)
}

// objectPerPodReplicas is GetObjectPerPodMetricReplicas: the proposal for an Object metric
// with an AverageValue target (both in milli-units), dividing by the target's .status.replicas.
func objectPerPodReplicas(d *Decision, usage, tgt int64, statusReplicas int32) int32 {
	d.Total = float64(usage) / 1000
	ratio := float64(usage) / (float64(tgt) * float64(statusReplicas))
	d.Ratio = ratio
	d.WithinTolerance = d.Tolerance.Within(ratio)
	proposal := statusReplicas
	if !d.WithinTolerance {
		f := math.Ceil(float64(usage) / float64(tgt))
		// The controller converts with int32(), whose result outside the int32 range is the
		// platform's (the smallest int32 on amd64): mirror it and say so.
		proposal = int32(f)
		if f > math.MaxInt32 || f < math.MinInt32 || math.IsNaN(f) {
			d.Overflow = true
			d.Notes = append(d.Notes, fmt.Sprintf("the proposal %s replicas is outside int32: the controller's conversion is platform-defined (%d here)", FormatNumber(f), proposal))
		}
	}
	if statusReplicas == 0 {
		d.ReportedOverflow = true
	} else {
		d.Reported = math.Ceil(float64(usage)/float64(statusReplicas)) / 1000
	}
	return proposal
}

// normalizeLegacy is normalizeDesiredReplicas: the path for spec.behavior nil.
func normalizeLegacy(d *Decision, recs []Recommendation, now time.Time, minR, maxR int32) int32 {
	cutoff := now.Add(-DefaultDownscaleStabilization)
	stab := d.Raw
	var highest Recommendation
	for _, r := range recs {
		if !r.At.Before(cutoff) && r.Replicas > stab {
			stab, highest = r.Replicas, r
		}
	}
	d.Stabilized = stab
	d.AbleToScale = ReasonReadyForNewScale
	if stab != d.Raw {
		d.AbleToScale = ReasonScaleDownStabilized
		d.LimitedBy = LimitStabilization
		d.Limit = fmt.Sprintf("scale-down stabilization %s (highest recent recommendation %d, %s ago)",
			FormatDuration(DefaultDownscaleStabilization), highest.Replicas, FormatDuration(now.Sub(highest.At)))
	}
	upLimit := int32(math.Max(2*float64(d.Current), 4))
	maxAllowed, kind, limit, reason := maxR, LimitMax, fmt.Sprintf("maxReplicas %d", maxR), ReasonTooManyReplicas
	if maxR > upLimit {
		maxAllowed, kind, reason = upLimit, LimitLegacyRate, ReasonScaleUpLimit
		limit = fmt.Sprintf("legacy scale-up limit max(2×%d, 4) = %d per sync", d.Current, upLimit)
	}
	out, why := stab, ReasonDesiredWithinRange
	switch {
	case stab < minR:
		out, why = minR, ReasonTooFewReplicas
		d.LimitedBy, d.Limit = LimitMin, fmt.Sprintf("minReplicas %d", minR)
	case stab > maxAllowed:
		out, why = maxAllowed, reason
		d.LimitedBy, d.Limit = kind, limit
	}
	d.ScalingLimitedReason = why
	d.ScalingLimited = out != stab
	return out
}

// normalizeBehavior is normalizeDesiredReplicasWithBehaviors: stabilization windows, then the
// policies' rate limits and the min/max clamp.
func normalizeBehavior(d *Decision, recs []Recommendation, mem *HPAMemory, up, down Rules, now time.Time, minR, maxR int32) int32 {
	desired, current := d.Raw, d.Current
	upCut, downCut := now.Add(-up.Stabilization), now.Add(-down.Stabilization)
	upRec, downRec := desired, desired
	for _, r := range recs {
		if r.At.After(upCut) {
			upRec = min(upRec, r.Replicas)
		}
		if r.At.After(downCut) {
			downRec = max(downRec, r.Replicas)
		}
	}
	stab := current
	if stab < upRec {
		stab = upRec
	}
	if stab > downRec {
		stab = downRec
	}
	d.Stabilized = stab
	d.AbleToScale = ReasonReadyForNewScale
	if stab != desired {
		if desired >= current {
			d.AbleToScale = ReasonScaleUpStabilized
			d.Limit = fmt.Sprintf("scale-up stabilization %s (lowest recent recommendation %d)", FormatDuration(up.Stabilization), upRec)
		} else {
			d.AbleToScale = ReasonScaleDownStabilized
			d.Limit = fmt.Sprintf("scale-down stabilization %s (highest recent recommendation %d)", FormatDuration(down.Stabilization), downRec)
		}
		d.LimitedBy = LimitStabilization
	}

	out, why := stab, ReasonDesiredWithinRange
	switch {
	case stab > current:
		limit, pol := scaleUpLimit(current, mem.ScaleUpEvents, mem.ScaleDownEvents, up, now)
		limit = max(limit, current)
		maxAllowed, kind, text, reason := maxR, LimitMax, fmt.Sprintf("maxReplicas %d", maxR), ReasonTooManyReplicas
		if maxR > limit {
			maxAllowed, reason = limit, ReasonScaleUpLimit
			kind, text = policyLimit(up.SelectPolicy, pol, "scale-up")
		}
		if stab > maxAllowed {
			out, why = maxAllowed, reason
			d.LimitedBy, d.Limit = kind, text
		}
	case stab < current:
		limit, pol := scaleDownLimit(current, mem.ScaleUpEvents, mem.ScaleDownEvents, down, now)
		limit = min(limit, current)
		minAllowed, kind, text, reason := minR, LimitMin, fmt.Sprintf("minReplicas %d", minR), ReasonTooFewReplicas
		if minR < limit {
			minAllowed, reason = limit, ReasonScaleDownLimit
			kind, text = policyLimit(down.SelectPolicy, pol, "scale-down")
		}
		if stab < minAllowed {
			out, why = minAllowed, reason
			d.LimitedBy, d.Limit = kind, text
		}
	}
	d.ScalingLimitedReason = why
	d.ScalingLimited = out != stab
	// Held at a bound the metric asks past, the bound keeps the HPA there whatever the
	// window remembers: name the bound, not the stabilization (the conditions stay as the
	// controller sets them).
	if d.LimitedBy == LimitStabilization && out == current {
		switch {
		case out == maxR && desired >= maxR:
			d.LimitedBy, d.Limit = LimitMax, fmt.Sprintf("maxReplicas %d", maxR)
		case out == minR && desired <= minR:
			d.LimitedBy, d.Limit = LimitMin, fmt.Sprintf("minReplicas %d", minR)
		}
	}
	return out
}

func policyLimit(selectPolicy string, pol ScalingPolicy, dir string) (LimitKind, string) {
	if selectPolicy == SelectDisabled {
		return LimitDisabled, dir + " disabled (selectPolicy Disabled)"
	}
	if pol.Type == "" {
		return LimitPolicy, dir + " policies (none set)"
	}
	return LimitPolicy, "policy " + pol.String()
}

// changeInPeriod is getReplicasChangePerPeriod: the sum of changes strictly newer than now-period.
func changeInPeriod(period int32, events []ScaleEvent, now time.Time) int32 {
	cutoff := now.Add(-time.Duration(period) * time.Second)
	var n int32
	for _, e := range events {
		if e.At.After(cutoff) {
			n += e.Change
		}
	}
	return n
}

// scaleUpLimit is calculateScaleUpLimitWithScalingRules; it also returns the policy selected.
func scaleUpLimit(current int32, ups, downs []ScaleEvent, r Rules, now time.Time) (int32, ScalingPolicy) {
	if r.SelectPolicy == SelectDisabled {
		return current, ScalingPolicy{}
	}
	pickMin := r.SelectPolicy == SelectMin
	result := int32(math.MinInt32)
	if pickMin {
		result = math.MaxInt32
	}
	var chosen ScalingPolicy
	for _, p := range r.Policies {
		start := current - changeInPeriod(p.PeriodSeconds, ups, now) + changeInPeriod(p.PeriodSeconds, downs, now)
		var proposed int32
		switch p.Type {
		case PolicyPods:
			proposed = start + p.Value
		case PolicyPercent:
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		}
		if (pickMin && proposed < result) || (!pickMin && proposed > result) {
			result, chosen = proposed, p
		}
	}
	return result, chosen
}

// scaleDownLimit is calculateScaleDownLimitWithBehaviors; it also returns the policy selected.
func scaleDownLimit(current int32, ups, downs []ScaleEvent, r Rules, now time.Time) (int32, ScalingPolicy) {
	if r.SelectPolicy == SelectDisabled {
		return current, ScalingPolicy{}
	}
	pickMin := r.SelectPolicy == SelectMin // the smallest change: the highest floor
	result := int32(math.MaxInt32)
	if pickMin {
		result = math.MinInt32
	}
	var chosen ScalingPolicy
	for _, p := range r.Policies {
		start := current - changeInPeriod(p.PeriodSeconds, ups, now) + changeInPeriod(p.PeriodSeconds, downs, now)
		var proposed int32
		switch p.Type {
		case PolicyPods:
			proposed = start - p.Value
		case PolicyPercent:
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		if (pickMin && proposed > result) || (!pickMin && proposed < result) {
			result, chosen = proposed, p
		}
	}
	return result, chosen
}

// Record advances the memory after a sync the way the controller does: it seeds the initial
// recommendation (from, the replicas at the first sync: recordInitialRecommendation), records
// the unstabilized recommendation when the metric was computed (stabilizeRecommendation*:
// overwriting the last entry older than every window, else appending), and on the behavior
// path stores the rescale as a scale event (storeScaleEvent: marking the direction's events
// older than its longest policy period outdated and reusing the last outdated slot). Nothing
// is ever removed, so a recommendation or event outlives a spec edit exactly as upstream.
func (m *HPAMemory) Record(now time.Time, d Decision, from int32) {
	if !m.Seeded {
		m.Recommendations = append(m.Recommendations, Recommendation{At: now, Replicas: from})
		m.Seeded = true
	}
	if d.Computed {
		cutoff := now.Add(-max(d.UpWindow, d.DownWindow))
		old := -1
		for i, r := range m.Recommendations {
			if r.At.Before(cutoff) {
				old = i
			}
		}
		rec := Recommendation{At: now, Replicas: d.Raw}
		if old >= 0 {
			m.Recommendations[old] = rec
		} else {
			m.Recommendations = append(m.Recommendations, rec)
		}
	}
	if d.Rescale && d.Path == PathBehavior {
		if d.Desired > from {
			m.ScaleUpEvents = storeScaleEvent(m.ScaleUpEvents, d.UpPeriod, now, d.Desired-from)
		} else {
			m.ScaleDownEvents = storeScaleEvent(m.ScaleDownEvents, d.DownPeriod, now, from-d.Desired)
		}
	}
}

func storeScaleEvent(events []ScaleEvent, longest time.Duration, now time.Time, change int32) []ScaleEvent {
	cutoff := now.Add(-longest)
	old := -1
	for i := range events {
		if events[i].At.Before(cutoff) {
			events[i].Outdated = true
		}
		if events[i].Outdated {
			old = i
		}
	}
	e := ScaleEvent{At: now, Change: change}
	if old >= 0 {
		events[old] = e
		return events
	}
	return append(events, e)
}

// Prune forgets recommendations older than window and scale events older than their longest
// policy period; entries exactly at a cutoff are kept, since the legacy path still counts them.
// The controller never prunes (see Record); the analyzer prunes its approximation of the
// memory, rebuilt from observed history, to bound what it keeps per HPA.
func (m *HPAMemory) Prune(now time.Time, window, upPeriod, downPeriod time.Duration) {
	m.Recommendations = keepSince(m.Recommendations, now.Add(-window), func(r Recommendation) time.Time { return r.At })
	m.ScaleUpEvents = keepSince(m.ScaleUpEvents, now.Add(-upPeriod), func(e ScaleEvent) time.Time { return e.At })
	m.ScaleDownEvents = keepSince(m.ScaleDownEvents, now.Add(-downPeriod), func(e ScaleEvent) time.Time { return e.At })
}

func keepSince[T any](xs []T, cutoff time.Time, at func(T) time.Time) []T {
	out := xs[:0]
	for _, x := range xs {
		if !at(x).Before(cutoff) {
			out = append(out, x)
		}
	}
	if len(out) > maxRememberedPoints {
		out = append(out[:0], out[len(out)-maxRememberedPoints:]...)
	}
	return out
}

func orUnset(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(unset)"
	}
	return s
}
