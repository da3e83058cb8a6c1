package whatif

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// rampHistory is a dashboard history of the ramp: 15 s points, a gap at +1m, the step to 8.4
// rps at +2m, the recorded replicas flat at 1.
func rampHistory() (model.Pair, model.PairHistory) {
	in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 1, PeriodSeconds: 90})
	p := model.Pair{Key: in.Key, ModelHPA: in.ModelHPA, ServerHPA: in.ServerHPA,
		Skew:      model.Skew{ModelPhase: 2 * time.Second, ServerPhase: 9 * time.Second, PhaseKnown: true, ModelPhaseKnown: true, ServerPhaseKnown: true},
		Readiness: model.Readiness{Median: 20 * time.Second, Samples: 3}}
	h := model.PairHistory{Key: in.Key, Start: t0, Step: 15 * time.Second}
	for at := t0; !at.After(t0.Add(10 * time.Minute)); at = at.Add(15 * time.Second) {
		v := 2.4
		if !at.Before(t0.Add(2 * time.Minute)) {
			v = 8.4
		}
		if at.Equal(t0.Add(time.Minute)) {
			v = math.NaN()
		}
		h.RPS = append(h.RPS, v)
		for _, s := range []*[]float64{&h.ModelDesired, &h.ModelReady, &h.ServerDesired, &h.ServerReady} {
			*s = append(*s, 1)
		}
	}
	return p, h
}

// TestFromHistory: the dashboard's history becomes an input with the pair's measured phases
// and readiness, the gap kept as a missing metric, and the recorded replicas to match.
func TestFromHistory(t *testing.T) {
	p, h := rampHistory()
	in, notes, err := FromHistory(p, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 0 || in.ServerReady != 20*time.Second || in.ServerPhase != 9*time.Second || in.Init.ServerReady != 1 ||
		!in.Start.Equal(t0) || !in.End.Equal(t0.Add(10*time.Minute)) || len(in.Metric) != len(h.RPS) || len(in.RecordedServer) != 1 {
		t.Fatalf("input %+v, notes %v", in, notes)
	}
	res := Simulate(in)
	if res.Summary.MissingSyncs == 0 {
		t.Error("the gap at +1m did not make a sync miss its metric")
	}
	p.Readiness, p.Skew = model.Readiness{}, model.Skew{}
	if _, notes, _ = FromHistory(p, h); len(notes) != 3 {
		t.Errorf("unmeasured phases and readiness: notes %v", notes)
	}
	if _, _, err := FromHistory(model.Pair{Key: "a/b", ModelHPA: p.ModelHPA}, model.PairHistory{}); err == nil || !strings.Contains(err.Error(), "no traffic history") {
		t.Errorf("empty history: %v", err)
	}
	if _, _, err := FromHistory(model.Pair{Key: "a/b"}, h); err == nil || !strings.Contains(err.Error(), "no HPA") {
		t.Errorf("no HPA: %v", err)
	}
}

// TestPresets: each preset applies to the pair, and the faster Server scale-up shortens the
// ramp's ScheduleFailed.
func TestPresets(t *testing.T) {
	p, h := rampHistory()
	in, _, err := FromHistory(p, h)
	if err != nil {
		t.Fatal(err)
	}
	ps := Presets(in)
	var names []string
	for _, pr := range ps {
		names = append(names, pr.Name)
	}
	if got := strings.Join(names, "; "); got != "Server scale-up Pods 2/30s; target 2 (−1); target 4 (+1); maxReplicas +2" {
		t.Fatalf("presets %q", got)
	}
	r, err := RunPreset(in, ps[0])
	if err != nil {
		t.Fatal(err)
	}
	if r.Edited.Summary.ScheduleFailed >= r.Baseline.Summary.ScheduleFailed || !strings.HasPrefix(r.Verdict, "ScheduleFailed ") {
		t.Errorf("faster Server: baseline %s, edited %s, verdict %q", r.Baseline.Summary.ScheduleFailed, r.Edited.Summary.ScheduleFailed, r.Verdict)
	}
	// A Model-only pair gets no Server preset and edits only its Model.
	in.ServerHPA = nil
	for _, pr := range Presets(in) {
		if strings.HasPrefix(pr.Name, "Server") || strings.Contains(pr.Edits[0].Raw, "both.") {
			t.Errorf("Model-only pair offered %q (%s)", pr.Name, pr.Edits[0].Raw)
		}
	}
}

// TestFromHistoryStartsWithTheReplicas: a history whose traffic reaches back further than its
// replica counts (Prometheus backfilled, the watch just started) starts the replay at the
// first point with both counts, and seeds the controllers' memory with the traffic before it.
func TestFromHistoryStartsWithTheReplicas(t *testing.T) {
	p, h := rampHistory()
	for i := 0; i < 8; i++ {
		h.ModelDesired[i], h.ServerDesired[i] = math.NaN(), math.NaN()
	}
	in, _, err := FromHistory(p, h)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Start.Equal(t0.Add(2*time.Minute)) || in.Init.ModelReplicas != 1 || in.Init.ServerReplicas != 1 || !in.Metric[0].At.Equal(t0) {
		t.Fatalf("start %s, init %+v, first sample %s", in.Start.Format(time.TimeOnly), in.Init, in.Metric[0].At.Format(time.TimeOnly))
	}
}

// TestFromHistoryJustStarted: a dashboard that has just started holds the backfilled traffic
// but one replica point; the replay takes all the traffic from the replicas it saw, and says so.
func TestFromHistoryJustStarted(t *testing.T) {
	p, h := rampHistory()
	n := len(h.RPS)
	for i := 0; i < n-1; i++ {
		h.ModelDesired[i], h.ServerDesired[i], h.ModelReady[i], h.ServerReady[i] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	}
	h.ModelDesired[n-1], h.ServerDesired[n-1] = 3, 2
	in, notes, err := FromHistory(p, h)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Start.Equal(t0) || in.Init.ModelReplicas != 3 || in.Init.ServerReplicas != 2 || len(notes) != 1 || !strings.Contains(notes[0], "not seen by the dashboard") {
		t.Fatalf("start %s, init %+v, notes %v", in.Start.Format(time.TimeOnly), in.Init, notes)
	}
}
