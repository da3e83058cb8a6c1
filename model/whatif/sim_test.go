package whatif

import (
	"math"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

var t0 = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// rampInput is a step of load from 2.4 to 8.4 rps at +2m on the Seldon docs' pair (target 3,
// max 3), Server pods ready after 20 s, the Server HPA syncing 7 s after the Model's.
func rampInput(serverPolicy model.ScalingPolicy) Input {
	m, s := seldonHPA("Model"), seldonHPA("Server")
	m.Behavior.ScaleUp.StabilizationWindowSeconds = i32(0)
	m.Behavior.ScaleUp.Policies = []model.ScalingPolicy{{Type: "Pods", Value: 4, PeriodSeconds: 15}}
	s.Behavior.ScaleUp.StabilizationWindowSeconds = i32(0)
	s.Behavior.ScaleUp.Policies = []model.ScalingPolicy{serverPolicy}
	var metric []Sample
	for at := t0.Add(-6 * time.Minute); at.Before(t0.Add(10 * time.Minute)); at = at.Add(15 * time.Second) {
		v := 2.4
		if !at.Before(t0.Add(2 * time.Minute)) {
			v = 8.4
		}
		metric = append(metric, Sample{At: at, V: v})
	}
	return Input{Key: "seldon-mesh/irisa0", ModelHPA: m, ServerHPA: s, Metric: metric,
		Start: t0, End: t0.Add(10 * time.Minute), ModelPhase: 2 * time.Second, ServerPhase: 9 * time.Second,
		ServerReady: 20 * time.Second, Init: State{ModelReplicas: 1, ServerReplicas: 1, ServerReady: 1, ModelAvailable: 1}}
}

// TestSimulateRamp follows the ramp sync by sync: the Model HPA jumps at its first sync after
// the step, the Server HPA is limited by its policy, and ScheduleFailed lasts until enough
// Server pods are ready.
func TestSimulateRamp(t *testing.T) {
	in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 1, PeriodSeconds: 90})
	res := Simulate(in)
	// Each HPA syncs at its phase every 15 s.
	for _, s := range res.Syncs {
		want := 2 * time.Second
		if s.Side == SideServer {
			want = 9 * time.Second
		}
		if got := time.Duration(s.At.UnixNano() % int64(model.SyncPeriod)); got != want {
			t.Fatalf("%s sync at %s: phase %s, want %s", s.Side, s.At.Format(time.TimeOnly), got, want)
		}
	}
	first := func(side Side, desired int32) time.Time {
		for _, s := range res.Syncs {
			if s.Side == side && s.Desired == desired {
				return s.At
			}
		}
		t.Fatalf("%s never reached %d", side, desired)
		return time.Time{}
	}
	// 8.4/3 = 2.8: three replicas, Model at once (max 3), Server one per 90 s.
	if got, want := first(SideModel, 3), t0.Add(2*time.Minute+2*time.Second); !got.Equal(want) {
		t.Errorf("Model reaches 3 at %s, want %s", got.Format(time.TimeOnly), want.Format(time.TimeOnly))
	}
	s2, s3 := first(SideServer, 2), first(SideServer, 3)
	if !s2.Equal(t0.Add(2*time.Minute+9*time.Second)) || s3.Sub(s2) != 90*time.Second {
		t.Errorf("Server reaches 2 at %s and 3 at %s, want 12:02:09 and 90 s later", s2.Format(time.TimeOnly), s3.Format(time.TimeOnly))
	}
	// ScheduleFailed from the Model's rescale until the third Server pod is ready.
	sum := res.Summary
	wantSF := s3.Add(in.ServerReady).Sub(t0.Add(2*time.Minute + 2*time.Second))
	if sum.ScheduleFailed != wantSF || sum.ScheduleFailedEpisodes != 1 {
		t.Errorf("ScheduleFailed %s in %d episodes, want %s in 1", sum.ScheduleFailed, sum.ScheduleFailedEpisodes, wantSF)
	}
	if sum.ModelScaleEvents != 1 || sum.ServerScaleEvents != 2 || sum.PeakModel != 3 || sum.PeakServer != 3 || sum.WorstSkew != 2 {
		t.Errorf("summary %+v", sum)
	}
	// Over capacity (8.4 rps > 3 × serving replicas) from the step until all three serve: the
	// Model's 2 s phase before it rescaled, then ScheduleFailed with the one replica it kept.
	if want := wantSF + 2*time.Second; sum.OverCapacity != want {
		t.Errorf("over capacity %s, want %s", sum.OverCapacity, want)
	}

	// A faster Server policy (Pods 2/30s) shortens ScheduleFailed to the readiness delay plus the phase lag.
	fast := Simulate(rampInput(model.ScalingPolicy{Type: "Pods", Value: 2, PeriodSeconds: 30})).Summary
	if want := 7*time.Second + in.ServerReady; fast.ScheduleFailed != want {
		t.Errorf("fast policy: ScheduleFailed %s, want %s", fast.ScheduleFailed, want)
	}
	if v := Verdict(sum, fast); v == "" || fast.ServerReplicaMinutes <= sum.ServerReplicaMinutes {
		t.Errorf("verdict %q; replica-minutes %v → %v", v, sum.ServerReplicaMinutes, fast.ServerReplicaMinutes)
	}
}

// TestSimulateGap: syncs that find no metric keep their replicas (the controller's
// FailedGetObjectMetric), and the gap is reported.
func TestSimulateGap(t *testing.T) {
	in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 4, PeriodSeconds: 15})
	var kept []Sample
	for _, s := range in.Metric {
		if s.At.Before(t0.Add(90*time.Second)) || !s.At.Before(t0.Add(4*time.Minute)) {
			kept = append(kept, s)
		}
	}
	in.Metric = kept
	res := Simulate(in)
	sum := res.Summary
	// The last sample before the gap (12:01:15) answers for one step.
	if len(sum.Gaps) != 1 || !sum.Gaps[0].From.Equal(t0.Add(90*time.Second)) || !sum.Gaps[0].To.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("gaps %+v, want one from 12:01:30 to 12:04:00", sum.Gaps)
	}
	// 150 s of gap: ten syncs of each HPA.
	if sum.MetricMissing != 150*time.Second || sum.MissingSyncs != 20 {
		t.Errorf("metric missing %s over %d syncs, want 2m30s and 20 syncs", sum.MetricMissing, sum.MissingSyncs)
	}
	for _, s := range res.Syncs {
		if math.IsNaN(s.Metric) && (s.Desired != s.From || s.Err == "") {
			t.Fatalf("sync without metric at %s rescaled %d → %d", s.At.Format(time.TimeOnly), s.From, s.Desired)
		}
	}
	// The step is seen at 12:04 at the first sync after the gap.
	if sum.PeakModel != 3 {
		t.Errorf("peak Model %d, want 3 after the gap", sum.PeakModel)
	}
}

// TestSeedFromHistory: history before Start fills the scale-down stabilization window, so a
// drop in load right at Start does not scale down for five minutes, as the controller would not.
func TestSeedFromHistory(t *testing.T) {
	in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 4, PeriodSeconds: 15})
	for i := range in.Metric {
		in.Metric[i].V = 8.4
		if !in.Metric[i].At.Before(t0) {
			in.Metric[i].V = 2.4
		}
	}
	in.Init = State{ModelReplicas: 3, ServerReplicas: 3, ServerReady: 3, ModelAvailable: 3}
	in.ModelHPA.Behavior.ScaleDown = &model.ScalingRules{StabilizationWindowSeconds: i32(300)}
	res := Simulate(in)
	for _, s := range res.Syncs {
		if s.Side == SideModel && s.Desired < 3 {
			// The last recommendation of 3 was at 11:59:47; the window forgets it 300 s later.
			if want := t0.Add(4*time.Minute + 47*time.Second); !s.At.Equal(want) {
				t.Fatalf("Model scaled down at %s, want %s", s.At.Format(time.TimeOnly), want.Format(time.TimeOnly))
			}
			return
		}
	}
	t.Fatal("Model never scaled down")
}

// TestMatch counts a sync as matched when the recorded desired count after it is the
// simulated one, and explains a mismatch.
func TestMatch(t *testing.T) {
	in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 1, PeriodSeconds: 90})
	res := Simulate(in)
	var obs []Observation
	last := int32(-1)
	for _, s := range res.Syncs {
		if s.Side == SideModel && s.Desired != last {
			obs = append(obs, Observation{At: s.At.Add(300 * time.Millisecond), Desired: s.Desired})
			last = s.Desired
		}
	}
	in.RecordedModel = obs
	m := Match(in, res)
	if m.Compared == 0 || m.Rate() != 1 || m.ServerCompared != 0 {
		t.Fatalf("self-match: %s (%+v)", m, m)
	}
	// The real HPA stayed at 1 until 12:02:17: the sync at 12:02:02 mismatches, and the
	// next one is explained by the divergence.
	in.RecordedModel = []Observation{{At: t0, Desired: 1}, {At: t0.Add(2*time.Minute + 17*time.Second + 300*time.Millisecond), Desired: 3}}
	m = Match(in, res)
	if len(m.Mismatches) != 1 || !m.Mismatches[0].Sync.At.Equal(t0.Add(2*time.Minute+2*time.Second)) || m.Mismatches[0].Real != 1 {
		t.Fatalf("mismatches %+v", m.Mismatches)
	}
}
