package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// fightInv is a Server whose spec.replicas the Server HPA (max 2) and Seldon's operator
// keep setting: the HPA through /scale with its SuccessfulRescale event, Seldon by a
// managedFields entry of its manager.
func fightInv(at time.Time, replicas int32, seldonAt time.Time, rescales ...Event) Inventory {
	one := int32(3)
	seldon := "mlops.seldon.io/v1alpha1"
	metric := []MetricTarget{{Type: "Object", Name: "infer_rps", DescribedObject: CrossRef{Kind: "Model", Name: "m"}, TargetType: "AverageValue", Target: 3}}
	return Inventory{
		Models: []SeldonModel{{Meta: Meta{Namespace: "ns", Name: "m"}, Server: "s", Replicas: &one, AvailableReplicas: 2,
			Conditions: []Condition{{Type: "ModelReady", Status: "False", Message: "ScheduleFailed", Reason: "Failed to schedule model as no matching server had enough suitable replicas"}}}},
		Servers: []SeldonServer{{Meta: Meta{Namespace: "ns", Name: "s"}, Replicas: &replicas,
			ReplicasWriter: &FieldWriter{Manager: "manager", Operation: "Update", Time: seldonAt}}},
		HPAs: []HPA{
			{Meta: Meta{Namespace: "ns", Name: "m-hpa"}, Target: CrossRef{APIVersion: seldon, Kind: "Model", Name: "m"}, MinReplicas: 1, MaxReplicas: 3, DesiredReplicas: 3, Metrics: metric},
			{Meta: Meta{Namespace: "ns", Name: "s-hpa"}, Target: CrossRef{APIVersion: seldon, Kind: "Server", Name: "s"}, MinReplicas: 1, MaxReplicas: 2, DesiredReplicas: 2, Metrics: metric},
		},
		Events: rescales,
	}
}

func rescale(at time.Time, n string) Event {
	return Event{Namespace: "ns", Object: CrossRef{Kind: "HorizontalPodAutoscaler", Name: "s-hpa"}, Type: "Normal",
		Reason: "SuccessfulRescale", Message: "New size: " + n + "; reason: Current number of replicas above Spec.MaxReplicas", First: at, Last: at}
}

// TestReplicaFight: writes alternate between the Server HPA and Seldon; each change names
// its writer and the fourth write raises TS212 with the sizes and the fix.
func TestReplicaFight(t *testing.T) {
	r := NewRollouts(RolloutOptions{})
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		at       time.Duration
		replicas int32
		seldonAt time.Duration
		events   []time.Duration
	}{
		{0, 2, -time.Hour, nil},
		{time.Minute, 3, time.Minute, nil},                                                     // Seldon up
		{2 * time.Minute, 2, time.Minute, []time.Duration{2 * time.Minute}},                    // HPA down
		{3 * time.Minute, 3, 3 * time.Minute, []time.Duration{2 * time.Minute}},                // Seldon up
		{4*time.Minute + 10*time.Second, 2, 3 * time.Minute, []time.Duration{4 * time.Minute}}, // HPA down
	}
	var s Snapshot
	for _, st := range steps {
		var evs []Event
		for _, e := range st.events {
			evs = append(evs, rescale(t0.Add(e), "2"))
		}
		now := t0.Add(st.at)
		inv := fightInv(now, st.replicas, t0.Add(st.seldonAt), evs...)
		s = BuildSnapshot(now, inv, WatchState{Synced: true})
		NewAnalyzer().Apply(now, s.Pairs)
		r.Apply(now, inv, &s, nil)
	}
	p := s.Pairs[0]
	var lines []string
	for _, c := range p.Changes {
		if c.Field == FieldReplicas {
			lines = append(lines, c.Text()+" ["+string(c.WriterKind)+"]")
		}
	}
	want := []string{
		"Server s: replicas 3 → 2 (by Server HPA s-hpa) [hpa]",
		"Server s: replicas 2 → 3 (by Seldon) [seldon]",
		"Server s: replicas 3 → 2 (by Server HPA s-hpa) [hpa]",
		"Server s: replicas 2 → 3 (by Seldon) [seldon]",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("changes:\n got %q\nwant %q", lines, want)
	}
	i := slices.IndexFunc(p.Findings, func(f Finding) bool { return f.Rule == RuleReplicaFight })
	if i < 0 {
		t.Fatalf("no fight finding: %+v", p.Findings)
	}
	f := p.Findings[i]
	if f.Message != "Seldon and Server HPA s-hpa fought over Server s: 2→3→2→3→2 in 3m10s" || !strings.Contains(f.Hint, "raise the Server HPA's maxReplicas (now 2)") {
		t.Errorf("finding %q hint %q", f.Message, f.Hint)
	}
	if p.Health < Warning {
		t.Errorf("health %s, want at least warning", p.Health)
	}
	// Two writes of one writer are no fight.
	if fs := DetectFights(t0.Add(5*time.Minute), p.Changes[2:]); len(fs) != 0 {
		t.Errorf("two changes made a fight: %+v", fs)
	}
}
