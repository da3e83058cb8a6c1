package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// world is the observable state of one pair at one moment; pair() renders it as Join would.
type world struct {
	rps                     float64
	polledAt                time.Time
	modelSpec, modelStatus  int32
	modelAvail              int32
	serverSpec, serverReady int32
	mhDesired, shDesired    int32
	mhAvg, shAvg            float64 // averageValue in each HPA's status; <0 means the overflow artefact
	mhSeq, shSeq            int     // bumped to mark a status write (a sync that changed something)
	serverMax, modelMax     int32
	noServerHPA             bool
	schedFailed             string  // Seldon's human text; empty when ModelReady
	target                  float64 // both HPAs' AverageValue target; 0 keeps goodPair's
	events                  []Event
	mhBehavior, shBehavior  *Behavior
	mhConditions            []Condition
}

func steady(n int32, rps float64) world {
	return world{rps: rps, modelSpec: n, modelStatus: n, modelAvail: n, serverSpec: n, serverReady: n,
		mhDesired: n, shDesired: n, mhAvg: rps / float64(n), shAvg: rps / float64(n), serverMax: 3, modelMax: 3,
		mhBehavior: seldonBehavior(), shBehavior: seldonBehavior()}
}

func (w world) pair() Pair {
	p := goodPair()
	p.Model.Replicas = ptr(w.modelSpec)
	p.Model.StatusReplicas, p.Model.AvailableReplicas = w.modelStatus, w.modelAvail
	p.Server.Replicas = ptr(w.serverSpec)
	p.Server.StatusReplicas = w.serverSpec
	p.ModelDesired, p.ModelReady = Known(w.modelSpec), Known(w.modelAvail)
	p.ServerDesired, p.ServerReady = Known(w.serverSpec), Known(w.serverReady)
	mh, sh := p.ModelHPA, p.ServerHPA
	mh.Behavior, sh.Behavior = w.mhBehavior, w.shBehavior
	mh.UID, sh.UID = "uid-mh", "uid-sh"
	sh.MaxReplicas, mh.MaxReplicas = w.serverMax, w.modelMax
	mh.DesiredReplicas, mh.CurrentReplicas = w.mhDesired, w.modelSpec
	sh.DesiredReplicas, sh.CurrentReplicas = w.shDesired, w.serverSpec
	mh.CurrentMetrics = []MetricValue{{Type: "Object", Name: "infer_rps", AverageValue: w.mhAvg, HasAverage: true}}
	sh.CurrentMetrics = []MetricValue{{Type: "Object", Name: "infer_rps", AverageValue: w.shAvg, HasAverage: true}}
	mh.Conditions = append([]Condition{{Type: "ScalingActive", Status: "True", Reason: ReasonValidMetricFound,
		Message: strings.Repeat("x", w.mhSeq)}}, w.mhConditions...)
	sh.Conditions = []Condition{{Type: "ScalingActive", Status: "True", Reason: ReasonValidMetricFound, Message: strings.Repeat("x", w.shSeq)}}
	// The sequence numbers stand for status writes; fold them into the fingerprint via LastScaleTime.
	mh.LastScaleTime = t0.Add(time.Duration(w.mhSeq) * time.Millisecond)
	sh.LastScaleTime = t0.Add(time.Duration(w.shSeq) * time.Millisecond)
	if w.noServerHPA {
		p.ServerHPA = nil
	}
	p.Metric = PairMetric{Known: true, RPS: w.rps, Target: 3, SampledAt: w.polledAt}
	if w.target > 0 {
		mh.Metrics = slices.Clone(mh.Metrics)
		mh.Metrics[0].Target = w.target
		if sh != nil {
			sh.Metrics = slices.Clone(sh.Metrics)
			sh.Metrics[0].Target = w.target
		}
		p.Metric.Target = w.target
	}
	if w.schedFailed != "" {
		p.Model.Conditions = []Condition{{Type: "ModelReady", Status: "False", Message: "ScheduleFailed", Reason: w.schedFailed}}
	}
	p.Events = w.events
	return p
}

func apply(a *Analyzer, now time.Time, w world) Pair {
	ps := []Pair{w.pair()}
	a.Apply(now, ps)
	return ps[0]
}

func hasRule(p Pair, id string) *Finding {
	for i := range p.Findings {
		if p.Findings[i].Rule == id {
			return &p.Findings[i]
		}
	}
	return nil
}

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func TestAnalyzerForecastWithinTolerance(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6.24)
	p := apply(a, at(0), w)
	if p.ModelForecast == nil || p.ModelForecast.Text != "stays at 2: ratio 1.04 is within tolerance" {
		t.Fatalf("forecast %+v", p.ModelForecast)
	}
	if p.ModelForecast.TotalFrom != "prometheus" || p.ModelForecast.PerReplicaText != "3.12" {
		t.Errorf("honest values %+v", p.ModelForecast)
	}
	if p.Health != Healthy || len(p.Findings) != 0 {
		t.Errorf("health %v findings %v", p.Health, p.Findings)
	}
}

// fastBehavior is Pods 5/90s without a scale-up stabilization window.
func fastBehavior() *Behavior {
	return &Behavior{ScaleUp: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0)),
		Policies: []ScalingPolicy{{Type: PolicyPods, Value: 5, PeriodSeconds: 90}}}}
}

func TestAnalyzerForecastPhaseAndPolicy(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6)
	w.mhBehavior, w.shBehavior = fastBehavior(), fastBehavior()
	apply(a, at(0), w)
	// Both HPAs write status at 3 s into each 15 s period: their sync phase is 3 s.
	for i, s := range []float64{3, 18, 33} {
		w.mhSeq, w.shSeq = i+1, i+1
		apply(a, at(s), w)
	}
	// Load jumps; 42 s is 9 s into a period, so the next sync is ~6 s away.
	w.rps = 8.9
	p := apply(a, at(42), w)
	if !p.Skew.PhaseKnown || p.Skew.ModelPhase != 3*time.Second || p.Skew.PhaseOffset != 0 {
		t.Fatalf("phase %+v", p.Skew)
	}
	want := "→ 3 at the next sync in ~6s: 8.9 rps / 3 per replica"
	if got := p.ModelForecast.Text; got != want {
		t.Errorf("forecast %q, want %q", got, want)
	}
	if p.Health != Converging {
		t.Errorf("health %v, want converging while a rescale is due", p.Health)
	}

	// With the docs' 60 s scale-up window the recent recommendations of 2 hold the same jump.
	a = NewAnalyzer()
	w = steady(2, 6)
	apply(a, at(0), w)
	for i, s := range []float64{3, 18, 33} {
		w.mhSeq, w.shSeq = i+1, i+1
		apply(a, at(s), w)
	}
	w.rps = 8.9
	p = apply(a, at(42), w)
	want = "stays at 2: 8.9 rps / 3 per replica = 3; held by scale-up stabilization 1m (lowest recent recommendation 2)"
	if got := p.ModelForecast.Text; got != want {
		t.Errorf("stabilized forecast %q, want %q", got, want)
	}

	// The Model HPA rescales 1 -> 2 (as seen by the watch): then a jump to 20 rps is capped by Pods 5/90s.
	a = NewAnalyzer()
	w = steady(1, 2)
	w.mhBehavior, w.shBehavior = fastBehavior(), fastBehavior()
	w.serverMax, w.modelMax = 20, 20
	p = apply(a, at(0), w)
	w.modelSpec, w.modelStatus, w.mhDesired, w.mhSeq = 2, 2, 2, 1
	w.mhAvg = 2
	apply(a, at(30), w)
	w.rps, w.mhSeq = 20, 2
	w.mhAvg = 10
	p = apply(a, at(45), w)
	want = "→ 6 at the next sync in ~15s: 20 rps / 3 per replica = 7; capped by policy Pods 5/1m30s"
	if got := p.ModelForecast.Text; got != want {
		t.Errorf("capped forecast %q, want %q", got, want)
	}
	if len(p.Skew.ModelChanges) != 1 || p.Skew.ModelChanges[0].From != 1 || p.Skew.ModelChanges[0].To != 2 {
		t.Errorf("changes %+v", p.Skew.ModelChanges)
	}
}

func TestAnalyzerForecastStabilizedAndAtMax(t *testing.T) {
	a := NewAnalyzer()
	w := steady(3, 9)
	apply(a, at(0), w)
	// Load falls: the HPA still reports 3 desired; the 300 s scale-down window holds.
	w.rps, w.mhAvg, w.mhSeq = 2, 2.0/3, 1
	p := apply(a, at(15), w)
	want := "stays at 3: 2 rps / 3 per replica = 1; held by scale-down stabilization 5m (highest recent recommendation 3)"
	if got := p.ModelForecast.Text; got != want {
		t.Errorf("forecast %q, want %q", got, want)
	}
	if !p.ModelForecast.Approximate {
		t.Error("memory seen for 15s should be approximate")
	}

	// At max with more load: TS206 on both HPAs.
	w = steady(3, 30)
	p = apply(NewAnalyzer(), at(0), w)
	if f := hasRule(p, RuleAtMax); f == nil || !strings.Contains(f.Message, "is at max 3 and the metric asks for 10") {
		t.Errorf("at max: %v", p.Findings)
	}
	if p.Health != Warning {
		t.Errorf("health %v", p.Health)
	}
}

func TestAnalyzerHonestMetrics(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6)
	w.modelStatus, w.mhAvg = 0, -9223372036854775.808 // the -9223372036854775808m artefact
	p := apply(a, at(0), w)
	f := p.ModelForecast
	if f.PerReplicaText != "n/a (0 replicas)" || f.HasReported || !strings.HasPrefix(f.ReportedText, "n/a (0 replicas") {
		t.Errorf("0 replicas: %+v", f)
	}
	// Without Prometheus the total falls back to the HPA's averageValue × replicas.
	w = steady(2, 6)
	pp := w.pair()
	pp.Metric = PairMetric{}
	ps := []Pair{pp}
	NewAnalyzer().Apply(at(0), ps)
	if f := ps[0].ServerForecast; f.TotalFrom != "hpa" || f.Total != 6 {
		t.Errorf("fallback total %+v", f)
	}
}

func TestAnalyzerMetricDivergence(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 8)
	w.mhAvg = 2 // the Model HPA sees 4 rps in total, Prometheus 8
	w.polledAt = at(0)
	p := apply(a, at(0), w)
	if p.ModelForecast.Diverged || hasRule(p, RuleMetricDivergence) != nil {
		t.Fatal("diverged after one poll")
	}
	p = apply(a, at(1), w) // same poll again: no new evidence
	if p.ModelForecast.Diverged {
		t.Fatal("diverged without a new poll")
	}
	w.polledAt = at(15)
	p = apply(a, at(15), w)
	f := hasRule(p, RuleMetricDivergence)
	if !p.ModelForecast.Diverged || f == nil || f.Subject.Name != "irisa0-model-hpa" {
		t.Fatalf("not diverged after two polls: %+v %v", p.ModelForecast, p.Findings)
	}
	if p.ServerForecast.Diverged {
		t.Error("the Server HPA agrees with Prometheus")
	}
	w.mhAvg, w.polledAt = 4, at(30)
	if p = apply(a, at(30), w); p.ModelForecast.Diverged {
		t.Error("divergence did not reset when values agree")
	}
}

func TestAnalyzerSkew(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6)
	apply(a, at(0), w)
	// The Model HPA decides 3 at 10 s, the Server HPA 7 s later.
	w.rps, w.mhDesired, w.modelSpec, w.modelStatus, w.mhSeq, w.mhAvg = 8.9, 3, 3, 3, 1, 8.9/3
	p := apply(a, at(10), w)
	if p.Skew.DesiredDiff != 1 || !p.Skew.DifferentSince.Equal(at(10)) || p.Skew.Alert || p.Skew.Bound != SkewDueBound {
		t.Fatalf("skew while model ahead %+v", p.Skew)
	}
	if p.Health != Converging {
		t.Errorf("health %v", p.Health)
	}
	w.shDesired, w.serverSpec, w.shSeq, w.shAvg = 3, 3, 1, 8.9/2
	w.events = []Event{{Namespace: "seldon-mesh", Object: CrossRef{Kind: "HorizontalPodAutoscaler", Name: "mlserver-server-hpa"},
		Reason: "SuccessfulRescale", Message: "New size: 3; reason: external metric infer_rps(nil) above target", Last: at(17)}}
	p = apply(a, at(17.4), w)
	if p.Skew.DesiredDiff != 0 || !p.Skew.DifferentSince.IsZero() || p.Skew.LastLag != 7*time.Second {
		t.Fatalf("skew after the Server followed %+v", p.Skew)
	}
	if c := p.Skew.ServerChanges; len(c) != 1 || c[0].Source != "event" || !c[0].At.Equal(at(17)) {
		t.Errorf("server change timed by the event: %+v", c)
	}

	// At 12 rps the Model HPA goes to 4; the Server HPA's own decision is 3 → 4 too, but its
	// status never changes. Once its memory is complete (300 s after first sight), two sync
	// periods of a due move that does not happen are an alert.
	w.rps, w.mhDesired, w.modelSpec, w.modelStatus, w.mhSeq, w.mhAvg = 12, 4, 4, 4, 2, 3
	w.serverMax, w.modelMax = 5, 5
	w.events = nil
	p = apply(a, at(400), w)
	if p.Skew.Alert || p.Skew.Resting || p.ServerForecast.Desired != 4 {
		t.Fatalf("due move at once: %+v %+v", p.Skew, p.ServerForecast)
	}
	p = apply(a, at(430), w)
	if p.Skew.Alert || hasRule(p, RuleSkew) != nil {
		t.Fatalf("alert within the bound: %+v", p.Skew)
	}
	p = apply(a, at(431), w)
	if f := hasRule(p, RuleSkew); !p.Skew.Alert || f == nil ||
		!strings.Contains(f.Message, "twin HPAs disagree for 31s (Model 4, Server 3): the Server HPA should go 3 → 4 and has not for 31s") {
		t.Fatalf("no alert beyond the bound: %+v %v", p.Skew, p.Findings)
	}
	if p.Health != Warning {
		t.Errorf("health %v", p.Health)
	}
}

func TestAnalyzerPhaseOffset(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6)
	apply(a, at(0), w)
	for i := range 3 {
		base := float64(15 * i)
		w.mhSeq = i + 1
		apply(a, at(base+3), w)
		w.shSeq = i + 1
		apply(a, at(base+10), w)
	}
	p := apply(a, at(50), w)
	if !p.Skew.PhaseKnown || p.Skew.ModelPhase != 3*time.Second || p.Skew.ServerPhase != 10*time.Second ||
		p.Skew.PhaseOffset != 7*time.Second {
		t.Errorf("phases %+v", p.Skew)
	}
	// 50 s is 5 s into a period: the Server HPA syncs next in ~5 s.
	if p.ServerForecast.NextSync != 5*time.Second {
		t.Errorf("next sync %v", p.ServerForecast.NextSync)
	}
}

func TestAnalyzerScheduleFailedTransient(t *testing.T) {
	a := NewAnalyzer()
	w := steady(1, 3)
	apply(a, at(0), w)
	// Measure readiness: the Server goes 1 -> 2 at 15 s and is ready at 55 s (40 s).
	w.serverSpec, w.shDesired, w.shSeq = 2, 2, 1
	w.modelSpec, w.modelStatus, w.mhDesired, w.mhSeq = 2, 2, 2, 1
	w.modelAvail = 1
	w.schedFailed = "Failed to schedule model as no matching server had enough suitable replicas"
	p := apply(a, at(15), w)
	if sf := p.ScheduleFailed; sf == nil || !sf.Transient || !sf.ExpectedClear.IsZero() {
		t.Fatalf("first ScheduleFailed %+v", p.ScheduleFailed)
	}
	w.serverReady, w.modelAvail, w.schedFailed = 2, 2, ""
	p = apply(a, at(55), w)
	if p.Readiness.Samples != 1 || p.Readiness.Median != 40*time.Second || p.ScheduleFailed != nil {
		t.Fatalf("readiness %+v sf %+v", p.Readiness, p.ScheduleFailed)
	}
	// Now 2 -> 3 at 100 s on both sides; ScheduleFailed is expected to clear 40 s later.
	w.serverSpec, w.shDesired, w.shSeq = 3, 3, 2
	w.modelSpec, w.modelStatus, w.mhDesired, w.mhSeq = 3, 3, 3, 2
	w.schedFailed = "Failed to schedule model as no matching server had enough suitable replicas"
	p = apply(a, at(100), w)
	sf := p.ScheduleFailed
	if sf == nil || !sf.Transient || !sf.ExpectedClear.Equal(at(140)) || sf.Serving != 2 || !sf.Since.Equal(at(100)) {
		t.Fatalf("transient %+v", sf)
	}
	f := hasRule(p, RuleScheduleFailedTrans)
	if f == nil || f.Severity != Info || !strings.Contains(f.Message, "expected to clear in ~40s") ||
		!strings.Contains(f.Message, "the 2 loaded replicas keep serving") || !strings.Contains(f.Message, sf.Reason) {
		t.Fatalf("finding %+v", p.Findings)
	}
	if p.Health != Converging {
		t.Errorf("health %v", p.Health)
	}
}

func TestAnalyzerScheduleFailedStructural(t *testing.T) {
	// Server HPA max 2 below the Model's 3 desired.
	w := steady(2, 8.9)
	w.serverMax = 2
	w.mhDesired, w.modelSpec, w.modelStatus = 3, 3, 3
	w.schedFailed = "Failed to schedule model as no matching server had enough suitable replicas"
	p := apply(NewAnalyzer(), at(0), w)
	sf := p.ScheduleFailed
	if sf == nil || sf.Transient || !strings.Contains(sf.Why, "max 2 is below the Model's 3") {
		t.Fatalf("structural %+v", sf)
	}
	if hasRule(p, RuleScheduleFailedStruct) == nil || hasRule(p, RuleServerMaxBelowModel) == nil || p.Health != Critical {
		t.Errorf("findings %v health %v", p.Findings, p.Health)
	}

	// No Server HPA.
	w = steady(2, 8.9)
	w.noServerHPA = true
	w.mhDesired, w.modelSpec, w.modelStatus = 3, 3, 3
	w.schedFailed = "x"
	if sf := apply(NewAnalyzer(), at(0), w).ScheduleFailed; sf == nil || sf.Transient || !strings.Contains(sf.Why, "no Server HPA") {
		t.Errorf("no server HPA %+v", sf)
	}

	// The Server HPA stays below beyond the skew bound.
	a := NewAnalyzer()
	w = steady(2, 6)
	w.serverMax = 5
	apply(a, at(0), w)
	w.mhDesired, w.modelSpec, w.modelStatus, w.mhSeq = 3, 3, 3, 1
	w.schedFailed = "Failed to schedule model as no matching server had enough suitable replicas"
	if sf := apply(a, at(10), w).ScheduleFailed; !sf.Transient || !strings.Contains(sf.Why, "has not followed") {
		t.Fatalf("within bound %+v", sf)
	}
	p = apply(a, at(200), w)
	if sf := p.ScheduleFailed; sf.Transient || !strings.Contains(sf.Why, "own decision keeps Server desired 2 below the Model's 3: stays at 2") || !sf.Since.Equal(at(10)) {
		t.Errorf("beyond bound %+v", sf)
	}
}

func TestAnalyzerDoesNotMutateSharedScheduleFailed(t *testing.T) {
	shared := &ScheduleFailed{Reason: "Failed to schedule model as no matching servers are available"}
	p := steady(2, 6).pair()
	p.ScheduleFailed = shared
	ps := []Pair{p}
	NewAnalyzer().Apply(at(0), ps)
	if shared.Why != "" || shared.Transient || !shared.Since.IsZero() || ps[0].ScheduleFailed == shared {
		t.Errorf("the caller's ScheduleFailed was modified: %+v", shared)
	}
}

func TestAnalyzerReadinessVsPolicy(t *testing.T) {
	a := NewAnalyzer()
	w := steady(1, 1)
	w.serverMax, w.modelMax, w.mhBehavior, w.shBehavior = 10, 10, nil, nil
	apply(a, at(0), w)
	now := 0.0
	for i := range 3 {
		n := int32(i + 2)
		now += 100
		w.serverSpec, w.shDesired, w.shSeq = n, n, i+1
		w.modelSpec, w.modelStatus, w.mhDesired, w.mhSeq, w.modelAvail = n, n, n, i+1, n
		apply(a, at(now), w)
		now += 60
		w.serverReady = n
		apply(a, at(now), w)
	}
	p := apply(a, at(now+1), w)
	if p.Readiness.Samples != 3 || p.Readiness.Median != time.Minute {
		t.Fatalf("readiness %+v", p.Readiness)
	}
	f := hasRule(p, RuleReadinessVsPolicy)
	if f == nil || !strings.Contains(f.Message, "~1m to become ready (median of 3), but policy Pods 4/15s may ask for more every 15s; use a period of at least 1m15s") {
		t.Fatalf("advice %v", p.Findings)
	}
}

func TestAnalyzerLiveConditions(t *testing.T) {
	w := steady(2, 6)
	w.mhConditions = []Condition{{Type: "ScalingActive", Status: "False", Reason: ReasonFailedGetObjectMetric,
		Message: "the HPA was unable to compute the replica count: unable to get metric infer_rps"}}
	// FindCondition returns the first ScalingActive; put the failing one first.
	p := w.pair()
	p.ModelHPA.Conditions = w.mhConditions
	ps := []Pair{p}
	NewAnalyzer().Apply(at(0), ps)
	if f := hasRule(ps[0], RuleScalingInactive); f == nil || !strings.Contains(f.Message, "FailedGetObjectMetric") {
		t.Errorf("scaling inactive %v", ps[0].Findings)
	}

	// Server replicas not ready for longer than 5 minutes.
	a := NewAnalyzer()
	w = steady(2, 6)
	w.serverReady = 1
	w.modelAvail = 2
	apply(a, at(0), w)
	if p := apply(a, at(299), w); hasRule(p, RuleNotReady) != nil {
		t.Error("not-ready too early")
	}
	if p := apply(a, at(301), w); hasRule(p, RuleNotReady) == nil {
		t.Errorf("no not-ready finding: %v", p.Findings)
	}
}

func TestAnalyzerForgetsRemovedPairs(t *testing.T) {
	a := NewAnalyzer()
	p1 := steady(2, 6).pair()
	p2 := steady(2, 6).pair()
	p2.Key = "seldon-mesh/other"
	a.Apply(at(0), []Pair{p1, p2})
	if a.Len() != 2 {
		t.Fatalf("len %d", a.Len())
	}
	a.Apply(at(15), []Pair{p1})
	if a.Len() != 1 {
		t.Errorf("removed pair remembered: %d", a.Len())
	}
	a.Apply(at(30), nil)
	if a.Len() != 0 {
		t.Errorf("len %d", a.Len())
	}
}

func TestAnalyzerKeepsForeignFindingsAndLint(t *testing.T) {
	p := steady(2, 6).pair()
	p.ServerHPA.MaxReplicas = 2
	p.Findings = []Finding{{Rule: "TS001", Severity: Info, Message: "from the watch"}}
	ps := []Pair{p}
	a := NewAnalyzer()
	a.Apply(at(0), ps)
	a.Apply(at(1), ps) // applying twice does not duplicate the analyzer's own findings
	ids := ruleIDs(ps[0].Findings)
	if !slices.Equal(ids, []string{"TS001", RuleServerMaxBelowModel}) {
		t.Errorf("findings %v", ids)
	}
	if ps[0].Health != Critical {
		t.Errorf("health %v", ps[0].Health)
	}
}

func TestForecastTextBranches(t *testing.T) {
	h := testHPA(1, 3, 3, nil)
	cases := []struct {
		d    Decision
		want string
	}{
		{Decide(h, 5, 3, seeded(), t0), "→ 3 at the next sync: current number of replicas above Spec.MaxReplicas"},
		{Decide(h, 0, 3, seeded(), t0), "stays at 0: scaling is disabled while the target has 0 replicas"},
		{Decide(h, 2, nan(), seeded(), t0), "stays at 2: no metric value (neither Prometheus nor the HPA has one)"},
		{Decide(h, 2, 30, seeded(), t0), "→ 3 at the next sync: 30 rps / 3 per replica = 10; capped by maxReplicas 3"},
		{Decide(h, 3, 30, seeded(), t0), "stays at 3: 30 rps / 3 per replica = 10; capped by maxReplicas 3"},
		{DecideScale(h, Scale{2, 0}, 8.9, seeded(), t0), "→ 3 at the next sync: 8.9 rps / 3 per replica (the target reports 0 replicas)"},
	}
	cases = append(cases, struct {
		d    Decision
		want string
	}{Decision{Current: 1, Desired: 2, Rescale: true}, "→ 2 at the next sync"})
	for _, c := range cases {
		if got := ForecastText(c.d, 0); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func nan() float64 { var z float64; return z / z }

// TestAnalyzerOverJoin runs the analyzer on pairs built by Join from an inventory.
func TestAnalyzerOverJoin(t *testing.T) {
	good := goodPair()
	inv := Inventory{
		Models:  []SeldonModel{*good.Model},
		Servers: []SeldonServer{*good.Server},
		HPAs:    []HPA{*good.ModelHPA, *good.ServerHPA},
		Workloads: []Workload{{Meta: Meta{Namespace: "seldon-mesh", Name: "mlserver"}, Kind: "StatefulSet",
			Replicas: 1, ReadyReplicas: 1}},
	}
	inv.Models[0].StatusReplicas, inv.Models[0].AvailableReplicas = 1, 1
	inv.Servers[0].Replicas, inv.Servers[0].StatusReplicas = ptr(int32(1)), 1
	for i := range inv.HPAs {
		inv.HPAs[i].DesiredReplicas, inv.HPAs[i].CurrentReplicas = 1, 1
	}
	pairs := Join(inv)
	a := NewAnalyzer()
	a.Apply(at(0), pairs)
	if len(pairs) != 1 || pairs[0].Health != Healthy || len(pairs[0].Findings) != 0 {
		t.Fatalf("good inventory: %+v", pairs)
	}
	if f := pairs[0].ServerForecast; f == nil || f.Text != "stays at 1: no metric value (neither Prometheus nor the HPA has one)" {
		t.Errorf("forecast without any metric: %+v", f)
	}

	// A second Model on the same Server, a Server HPA max below the Model's and Model min/max.
	inv.Models = append(inv.Models, SeldonModel{Meta: Meta{Namespace: "seldon-mesh", Name: "irisa1"}, Server: "mlserver",
		Replicas: ptr(int32(1)), MinReplicas: ptr(int32(1)), MaxReplicas: ptr(int32(4))})
	inv.HPAs[1].MaxReplicas = 2
	pairs = Join(inv)
	a.Apply(at(15), pairs)
	if len(pairs) != 2 {
		t.Fatalf("pairs %d", len(pairs))
	}
	if ids := ruleIDs(pairs[0].Findings); !slices.Equal(ids, []string{RuleServerMaxBelowModel, RuleMultiModelServer}) {
		t.Errorf("irisa0 findings %v", ids)
	}
	if ids := ruleIDs(pairs[1].Findings); !slices.Equal(ids, []string{RuleModelMinMax, RuleNoModelHPA, RuleMultiModelServer}) {
		t.Errorf("irisa1 findings %v", ids)
	}
	if pairs[0].Health != Critical || a.Len() != 2 {
		t.Errorf("health %v, remembered %d", pairs[0].Health, a.Len())
	}
}

func TestAnalyzerHistoricalEvents(t *testing.T) {
	w := steady(3, 9)
	hpa := CrossRef{Kind: "HorizontalPodAutoscaler", Name: "irisa0-model-hpa"}
	w.events = []Event{ // newest first, as Join orders them
		{Namespace: "seldon-mesh", Object: hpa, Reason: "SuccessfulRescale", Message: "New size: 3; reason: external metric infer_rps(nil) above target", Last: at(-20)},
		{Namespace: "seldon-mesh", Object: hpa, Reason: "FailedGetObjectMetric", Message: "unable to get metric", Last: at(-40)},
		{Namespace: "seldon-mesh", Object: hpa, Reason: "SuccessfulRescale", Message: "New size: 2; reason: external metric infer_rps(nil) above target", Last: at(-95)},
	}
	a := NewAnalyzer()
	p := apply(a, at(0), w)
	c := p.Skew.ModelChanges
	if len(c) != 2 || c[0].From != 0 || c[0].To != 2 || c[1].From != 2 || c[1].To != 3 || !c[1].At.Equal(at(-20)) {
		t.Fatalf("changes from events %+v", c)
	}
	// Seen again, the same events add nothing.
	if p = apply(a, at(1), w); len(p.Skew.ModelChanges) != 2 {
		t.Errorf("events ingested twice: %+v", p.Skew.ModelChanges)
	}
	// Only the 2 -> 3 change with a known start counts as a scale event for the policies.
	if n := len(a.pairs[p.Key].model.mem.ScaleUpEvents); n != 1 {
		t.Errorf("scale-up events %d", n)
	}
}

// TestAnalyzerStaleMetric: with Prometheus gone, a pair's old RPS must not give a firm forecast nor a
// healthy row, and snapshot --fail-on warning must see it (issue 13 item 11).
func TestAnalyzerStaleMetric(t *testing.T) {
	w := steady(2, 30) // the old sample says 30 rps: far above target
	w.mhAvg, w.shAvg = 3, 3
	pp := w.pair()
	pp.Metric.Stale, pp.Metric.SampledAt = true, at(0)
	ps := []Pair{pp}
	NewAnalyzer().Apply(at(45), ps)
	p := ps[0]
	if p.Health != Warning {
		t.Errorf("health %v, want warning", p.Health)
	}
	f := hasRule(p, RuleMetricStale)
	if f == nil || f.Badge != "stale" || f.Severity != SeverityWarning ||
		f.Message != "no infer_rps from Prometheus for Model irisa0 in the last two polls (last sample: 45s ago); forecasts use the HPA's own metric" {
		t.Fatalf("finding %+v", f)
	}
	if fc := p.ModelForecast; fc.TotalFrom != "hpa" || fc.Total != 6 || fc.Desired != 2 {
		t.Errorf("forecast from stale RPS: %+v", fc)
	}
}

// TestAnalyzerForecastAtNextSync evaluates the decision at the HPA's next sync: a scale-up
// event that leaves the Pods 5/90s period between now and then no longer caps it.
func TestAnalyzerForecastAtNextSync(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6)
	w.mhBehavior, w.shBehavior = fastBehavior(), fastBehavior()
	w.modelMax, w.serverMax = 20, 20
	apply(a, at(0), w)
	seq := 0
	write := func(s float64) {
		seq++
		w.mhSeq, w.shSeq = seq, seq
		apply(a, at(s), w)
	}
	write(3)
	write(18)
	write(33)
	// At 48 s both HPAs scale 2 → 7 (the +5 the policy allows in 90 s), and 30 rps asks for 10.
	w.rps, w.mhDesired, w.shDesired = 30, 7, 7
	w.modelSpec, w.modelStatus, w.modelAvail, w.serverSpec, w.serverReady = 7, 7, 7, 7, 7
	w.mhAvg, w.shAvg = 30.0/7, 30.0/7
	for s := 48.0; s <= 123; s += 15 {
		write(s)
	}
	// 133 s is 10 s into a period: the next sync is at 138 s, when the +5 of 48 s is 90 s old.
	p := apply(a, at(133), w)
	f := p.ModelForecast
	if !f.At.Equal(at(138)) || f.Desired != 10 || !f.Decision.Rescale {
		t.Fatalf("forecast at %s: %+v", f.At.Sub(t0), f)
	}
	// Evaluated now, the event would still count and hold the HPA at 7.
	mem := HPAMemory{Seeded: true, ScaleUpEvents: []ScaleEvent{{At: at(48), Change: 5}}}
	if d := Decide(*p.ModelHPA, 7, 30, &mem, at(133)); d.Desired != 7 {
		t.Errorf("at now: %+v", d)
	}
}

// TestAnalyzerSkewDeadBand: target 1 at 10.5 rps keeps the Model at 10 (ratio 1.05) and the
// Server at 11 (ratio 0.95) for ever. Both decisions hold, so it is no alert.
func TestAnalyzerSkewDeadBand(t *testing.T) {
	a := NewAnalyzer()
	w := steady(10, 10.5)
	w.target, w.modelMax, w.serverMax = 1, 20, 20
	w.serverSpec, w.serverReady, w.shDesired, w.shAvg = 11, 11, 11, 10.5/11
	w.mhAvg = 10.5 / 10
	var p Pair
	for s := 0.0; s <= 1800; s += 15 {
		p = apply(a, at(s), w)
	}
	if p.Skew.DesiredDiff != -1 || p.Skew.Alert || !p.Skew.Resting || hasRule(p, RuleSkew) != nil {
		t.Fatalf("dead band: %+v %v", p.Skew, p.Findings)
	}
	if p.ModelForecast.Decision.Rescale || p.ServerForecast.Decision.Rescale {
		t.Errorf("forecasts move: %s / %s", p.ModelForecast.Text, p.ServerForecast.Text)
	}
}
