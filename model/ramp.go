package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// RampInput is what CheckRamp needs to tell whether scale-up keeps pace with a traffic ramp.
type RampInput struct {
	// RPS is the pair's infer_rps history, oldest first, one point per Step; NaN marks a gap.
	RPS  []float64
	Step time.Duration
	// Window is the sliding window the ramp rate is fitted over (default 5 min).
	Window time.Duration
	// Target is the AverageValue target per replica.
	Target float64
	// ModelHPA and ServerHPA give the scale-up policies; a nil HPA does not limit.
	ModelHPA  *HPA
	ServerHPA *HPA
	// Current is the current replica count each HPA scales from (used when the HPA reports none).
	Current int32
	// ReadyServers is the number of ready Server replicas (capacity now), -1 when unknown.
	ReadyServers int32
	// Readiness is the measured time a new Server replica takes to become ready (0 when unknown).
	Readiness time.Duration
}

// RampCheck is the answer to "can scale-up keep up with the traffic ramp?".
type RampCheck struct {
	// Known is false when there is too little history or no target; Text then says why.
	Known bool `json:"known"`
	// RampPerMin is the fitted traffic ramp in rps per minute; NeedPerMin the replicas per minute it needs.
	RampPerMin float64 `json:"rampPerMin"`
	NeedPerMin float64 `json:"needPerMin"`
	// Ramping is true when the ramp needs at least MinRampReplicasPerMin.
	Ramping bool `json:"ramping"`
	// HPA names the binding HPA ("Model" or "Server"); Policy is its effective scale-up policy.
	HPA    string `json:"hpa,omitempty"`
	Policy string `json:"policy,omitempty"`
	// AllowReplicas per AllowPeriod is what the effective policy adds at the current size.
	AllowReplicas int32         `json:"allowReplicas"`
	AllowPeriod   time.Duration `json:"allowPeriod"`
	AllowPerMin   float64       `json:"allowPerMin"`
	// Readiness, Lag and Headroom explain the readiness check: traffic added during Lag must fit in Headroom.
	Readiness time.Duration `json:"readiness"`
	Lag       time.Duration `json:"lag"`
	Headroom  float64       `json:"headroom"`
	// PolicyTooSlow and ReadinessTooSlow say which check failed; KeepsUp is true when neither did.
	PolicyTooSlow    bool   `json:"policyTooSlow"`
	ReadinessTooSlow bool   `json:"readinessTooSlow"`
	KeepsUp          bool   `json:"keepsUp"`
	Text             string `json:"text"`
}

// MinRampReplicasPerMin is the smallest need that counts as a ramp: one replica per ten minutes.
const MinRampReplicasPerMin = 0.1

// The HPA controller's default scale-up behavior and sync period (facts.md §6).
var defaultScaleUp = ScalingRules{SelectPolicy: "Max", Policies: []ScalingPolicy{
	{Type: "Pods", Value: 4, PeriodSeconds: 15}, {Type: "Percent", Value: 100, PeriodSeconds: 15},
}}

const hpaSyncPeriod = 15 * time.Second

// recentRamp is how far back traffic must still rise for a window's slope to count as a ramp.
const recentRamp = 2 * time.Minute

// CheckRamp fits the RPS ramp over the sliding window and compares the replicas it needs per minute with
// what the HPAs' effective scale-up policies add, and the traffic that arrives while new Server replicas
// become ready with the spare capacity. It never fails: unknown inputs give Known=false and a reason.
func CheckRamp(in RampInput) RampCheck {
	var r RampCheck
	if in.Window <= 0 {
		in.Window = 5 * time.Minute
	}
	if !(in.Target > 0) || math.IsInf(in.Target, 0) {
		r.Text = "ramp unknown: no AverageValue target"
		return r
	}
	slope, n, ok := rampSlope(in.RPS, in.Step, in.Window)
	if !ok {
		r.Text = fmt.Sprintf("ramp unknown: %d usable RPS samples in the last %s", n, FormatDuration(in.Window))
		return r
	}
	r.Known = true
	r.RampPerMin = slope
	r.NeedPerMin = slope / in.Target
	r.Ramping = r.NeedPerMin >= MinRampReplicasPerMin
	need := fmt.Sprintf("traffic %s rps/min needs %s replicas/min", signed(r.RampPerMin), signed(r.NeedPerMin))
	if !r.Ramping {
		r.KeepsUp = true
		r.Text = "no ramp: traffic " + signed(r.RampPerMin) + " rps/min"
		return r
	}
	// A spike early in the window lifts the fitted slope while traffic already falls: only traffic that
	// still rises over the last recentRamp is a ramp.
	if now, _, ok := rampSlope(in.RPS, in.Step, min(recentRamp, in.Window)); ok && now/in.Target < MinRampReplicasPerMin {
		r.Ramping, r.KeepsUp = false, true
		r.Text = "no ramp: traffic " + signed(now) + " rps/min over the last " + FormatDuration(min(recentRamp, in.Window)) +
			" (" + signed(r.RampPerMin) + " over " + FormatDuration(in.Window) + ")"
		r.RampPerMin, r.NeedPerMin = now, now/in.Target
		return r
	}

	// The pair grows only as fast as the slower of its two HPAs.
	var bind *allowance
	for _, side := range []struct {
		name string
		h    *HPA
	}{{"Model", in.ModelHPA}, {"Server", in.ServerHPA}} {
		if side.h == nil {
			continue
		}
		a := scaleUpAllowance(side.h, in.Current)
		a.hpa = side.name
		if bind == nil || a.perMin < bind.perMin {
			bind = &a
		}
	}
	if bind == nil {
		r.Known = false
		r.Text = "ramp " + signed(r.RampPerMin) + " rps/min: no HPA scales this pair"
		return r
	}
	r.HPA, r.Policy = bind.hpa, bind.policy
	r.AllowReplicas, r.AllowPeriod, r.AllowPerMin = bind.replicas, bind.period, bind.perMin
	r.PolicyTooSlow = r.AllowPerMin < r.NeedPerMin

	// Capacity asked for now serves only after the stabilization window and the readiness time; the traffic
	// that arrives meanwhile must fit in the spare ready capacity (up to the HPA's tolerance, which it
	// tolerates by design).
	r.Readiness = in.Readiness
	if in.Readiness > 0 && in.ReadyServers >= 0 {
		r.Lag = in.Readiness + bind.window
		last := lastUsable(in.RPS)
		r.Headroom = math.Max(0, in.Target*float64(in.ReadyServers)*(1+bind.tolerance)-last)
		arriving := r.RampPerMin * r.Lag.Minutes()
		r.ReadinessTooSlow = arriving > r.Headroom
	}
	r.KeepsUp = !r.PolicyTooSlow && !r.ReadinessTooSlow

	switch {
	case r.PolicyTooSlow && bind.disabled:
		r.Text = need + "; policy disables scale-up (selectPolicy Disabled)"
	case r.PolicyTooSlow && bind.atMax:
		r.Text = need + fmt.Sprintf("; %s HPA is at max %d", bind.hpa, bind.max)
	case r.PolicyTooSlow:
		r.Text = need + "; policy allows " + bind.text()
	case r.ReadinessTooSlow:
		r.Text = need + fmt.Sprintf("; Servers take %s to become ready: +%s rps arrive before new capacity serves, headroom %s rps",
			FormatDuration(r.Lag), num(r.RampPerMin*r.Lag.Minutes()), num(r.Headroom))
	default:
		r.Text = "keeps up: " + need + "; policy allows " + bind.text()
	}
	return r
}

// Finding returns the ramp warning as a finding, or nil when scale-up keeps up or nothing is known.
func (r RampCheck) Finding() *Finding {
	if !r.Known || r.KeepsUp {
		return nil
	}
	hint := "raise the " + r.HPA + " HPA's scale-up policy (a Pods policy sized to what Servers can make ready per period) or ramp the traffic more slowly"
	if r.ReadinessTooSlow && !r.PolicyTooSlow {
		hint = "keep more spare replicas (a higher minReplicas or a lower target) during the shift, or ramp the traffic more slowly"
	}
	return &Finding{Rule: RuleRampOutruns, Severity: SeverityWarning, Badge: "ramp", Message: r.Text, Hint: hint}
}

type allowance struct {
	hpa       string
	policy    string
	replicas  int32
	period    time.Duration
	perMin    float64
	window    time.Duration
	tolerance float64
	disabled  bool
	atMax     bool
	max       int32
}

func (a allowance) text() string {
	return fmt.Sprintf("+%d per %s", a.replicas, FormatDuration(a.period))
}

// scaleUpAllowance is how many replicas an HPA may add per period at its current size, with the policy
// selectPolicy picks (the largest rate for Max, the smallest for Min), as the controller applies them.
func scaleUpAllowance(h *HPA, fallback int32) allowance {
	cur := h.CurrentReplicas
	if cur <= 0 {
		cur = fallback
	}
	if cur < 1 {
		cur = 1
	}
	a := allowance{tolerance: 0.1, max: h.MaxReplicas}
	var rules *ScalingRules
	if h.Behavior != nil {
		rules = h.Behavior.ScaleUp
		if rules == nil {
			rules = &defaultScaleUp
		}
	}
	if rules != nil {
		if rules.Tolerance != nil && *rules.Tolerance >= 0 {
			a.tolerance = *rules.Tolerance
		}
		if rules.StabilizationWindowSeconds != nil && *rules.StabilizationWindowSeconds > 0 {
			a.window = time.Duration(*rules.StabilizationWindowSeconds) * time.Second
		}
	}
	switch {
	case rules == nil:
		// No behavior at all: the legacy limit max(2 × current, 4) per sync.
		a.policy = "legacy: max(2×current, 4) per 15s"
		a.replicas = max(2*cur, 4) - cur
		a.period = hpaSyncPeriod
	case strings.EqualFold(rules.SelectPolicy, "Disabled"):
		a.policy, a.disabled = "Disabled", true
		a.period = hpaSyncPeriod
	default:
		policies := rules.Policies
		if len(policies) == 0 {
			policies = defaultScaleUp.Policies
		}
		pickMin := strings.EqualFold(rules.SelectPolicy, "Min")
		first := true
		for _, p := range policies {
			if p.PeriodSeconds <= 0 || p.Value <= 0 {
				continue // the API server rejects these; never divide by them
			}
			inc := p.Value
			if strings.EqualFold(p.Type, "Percent") {
				inc = int32(math.Ceil(float64(cur)*(1+float64(p.Value)/100))) - cur
			}
			period := time.Duration(p.PeriodSeconds) * time.Second
			rate := float64(inc) / period.Minutes()
			if first || (pickMin && rate < a.perMin) || (!pickMin && rate > a.perMin) {
				a.replicas, a.period, a.perMin = inc, period, rate
				a.policy = p.String()
				first = false
			}
		}
		if first {
			a.policy, a.period = "no valid policy", hpaSyncPeriod
		}
	}
	a.perMin = float64(a.replicas) / a.period.Minutes()
	if h.MaxReplicas > 0 && cur >= h.MaxReplicas {
		a.atMax, a.replicas, a.perMin = true, 0, 0
	}
	return a
}

// rampSlope fits a least-squares line to the usable points of the last window and returns its slope in
// units per minute. It needs at least three points spanning a minute, so one noisy poll is no ramp.
func rampSlope(series []float64, step, window time.Duration) (slope float64, n int, ok bool) {
	if step <= 0 || len(series) == 0 {
		return 0, 0, false
	}
	points := int(window / step)
	if points < 2 {
		points = 2
	}
	from := max(len(series)-points-1, 0)
	var sx, sy, sxx, sxy float64
	first, last := -1, -1
	for i := from; i < len(series); i++ {
		v := series[i]
		if !trafficUsable(v) {
			continue
		}
		x := (time.Duration(i-from) * step).Minutes()
		sx += x
		sy += v
		sxx += x * x
		sxy += x * v
		n++
		if first < 0 {
			first = i
		}
		last = i
	}
	if n < 3 || time.Duration(last-first)*step < time.Minute {
		return 0, n, false
	}
	fn := float64(n)
	den := fn*sxx - sx*sx
	if den == 0 {
		return 0, n, false
	}
	return (fn*sxy - sx*sy) / den, n, true
}

func lastUsable(series []float64) float64 {
	for i := len(series) - 1; i >= 0; i-- {
		if trafficUsable(series[i]) {
			return series[i]
		}
	}
	return 0
}

// num prints a rate for people: whole numbers without decimals, others with one.
func num(v float64) string {
	if math.Abs(v-math.Round(v)) < 0.05 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func signed(v float64) string {
	s := num(v)
	if s == "0" || s == "-0" {
		return "0"
	}
	if v > 0 {
		return "+" + s
	}
	return s
}

// RampFor runs CheckRamp on a pair and its history with the pair's own target, HPAs, counts and
// measured Server readiness, over window (0 means the default).
func RampFor(p Pair, h PairHistory, window time.Duration) RampCheck {
	return CheckRamp(rampInput(p, h, window))
}
