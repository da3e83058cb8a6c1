package model

import (
	"strings"
	"testing"
	"time"
)

func blueGreen(greenURI string, greenState string) Inventory {
	seldon := "mlops.seldon.io/v1alpha1"
	two := int32(2)
	slow := &Behavior{ScaleUp: &ScalingRules{Policies: []ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 90}}}}
	model := func(name, uri, state string) SeldonModel {
		return SeldonModel{Meta: Meta{Namespace: "ns", Name: name, Generation: 1}, Server: name + "-srv", Replicas: &two,
			StorageURI: uri, AvailableReplicas: 2, ObservedGeneration: 1,
			Conditions: []Condition{{Type: "ModelReady", Status: "True", Message: state}}}
	}
	hpa := func(name, kind, target string, b *Behavior) HPA {
		return HPA{Meta: Meta{Namespace: "ns", Name: name}, Target: CrossRef{APIVersion: seldon, Kind: kind, Name: target},
			MinReplicas: 1, MaxReplicas: 10, CurrentReplicas: 2, DesiredReplicas: 2, Behavior: b,
			Metrics: []MetricTarget{{Type: "Object", Name: "infer_rps", DescribedObject: CrossRef{Kind: "Model", Name: target}, TargetType: "AverageValue", Target: 3}}}
	}
	return Inventory{
		Models: []SeldonModel{model("blue", "gs://m/v1", "ModelAvailable"), model("green", greenURI, greenState)},
		Servers: []SeldonServer{
			{Meta: Meta{Namespace: "ns", Name: "blue-srv"}, Replicas: &two},
			{Meta: Meta{Namespace: "ns", Name: "green-srv"}, Replicas: &two},
		},
		Workloads: []Workload{
			{Meta: Meta{Namespace: "ns", Name: "blue-srv"}, Kind: "StatefulSet", Replicas: 2, ReadyReplicas: 2, UpdatedReplicas: 2},
			{Meta: Meta{Namespace: "ns", Name: "green-srv"}, Kind: "StatefulSet", Replicas: 2, ReadyReplicas: 2, UpdatedReplicas: 2},
		},
		HPAs: []HPA{
			hpa("blue-model", "Model", "blue", nil), hpa("blue-server", "Server", "blue-srv", nil),
			hpa("green-model", "Model", "green", slow), hpa("green-server", "Server", "green-srv", slow),
		},
	}
}

// TestRolloutsApply runs the rollout step on a blue-green shift: green ramps faster than its policy
// allows, then gets a new storageUri, then fails.
func TestRolloutsApply(t *testing.T) {
	r := NewRollouts(RolloutOptions{})
	step := 15 * time.Second
	history := func(key string) PairHistory {
		switch key {
		case "ns/green":
			return PairHistory{Key: key, Step: step, RPS: linear(0, 6, 21)}
		case "ns/blue":
			return PairHistory{Key: key, Step: step, RPS: linear(30, -6, 21)}
		}
		return PairHistory{Key: key}
	}
	build := func(now time.Time, inv Inventory) Snapshot {
		s := BuildSnapshot(now, inv, WatchState{})
		for i := range s.Pairs {
			s.Pairs[i].Metric = PairMetric{Known: true, RPS: 6, Target: 3}
		}
		r.Apply(now, inv, &s, history)
		return s
	}
	byKey := func(s Snapshot, key string) Pair {
		for _, p := range s.Pairs {
			if p.Key == key {
				return p
			}
		}
		t.Fatalf("no pair %s", key)
		return Pair{}
	}

	s := build(base, blueGreen("gs://m/v1", "ModelAvailable"))
	green, blue := byKey(s, "ns/green"), byKey(s, "ns/blue")
	if green.Rollout == nil || green.Rollout.Phase != RolloutStable || green.Rollout.State != ModelStateAvailable {
		t.Fatalf("green rollout = %+v", green.Rollout)
	}
	if green.Ramp == nil || green.Ramp.KeepsUp || green.Ramp.Text != "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 1m30s" {
		t.Fatalf("green ramp = %+v", green.Ramp)
	}
	if !hasFinding(green.Findings, RuleRampOutruns) || green.Health < Warning {
		t.Errorf("green findings %+v health %v", green.Findings, green.Health)
	}
	if blue.Ramp == nil || !blue.Ramp.KeepsUp || hasFinding(blue.Findings, RuleRampOutruns) {
		t.Errorf("blue ramp = %+v findings %+v", blue.Ramp, blue.Findings)
	}

	s = build(base.Add(time.Minute), blueGreen("gs://m/v2", "ModelAvailable"))
	green = byKey(s, "ns/green")
	if len(green.Changes) != 1 || green.Changes[0].Field != "storageUri" || len(s.Changes) != 1 {
		t.Fatalf("changes = %+v / %+v", green.Changes, s.Changes)
	}
	if len(green.Events) == 0 || green.Events[0].Source != "twinscale" || !strings.Contains(green.Events[0].Message, "gs://m/v2") {
		t.Errorf("pair events = %+v", green.Events)
	}
	if len(s.Events) == 0 || s.Events[0].Reason != "SpecChanged" {
		t.Errorf("snapshot events = %+v", s.Events)
	}
	if len(byKey(s, "ns/blue").Changes) != 0 {
		t.Error("blue got green's change")
	}

	s = build(base.Add(2*time.Minute), blueGreen("gs://m/v2", "ModelFailed"))
	green = byKey(s, "ns/green")
	if !hasFinding(green.Findings, RuleModelFailed) || green.Health != Critical || green.Findings[0].Rule != RuleModelFailed {
		t.Errorf("failed green: findings %+v health %v", green.Findings, green.Health)
	}
	// Applying twice does not duplicate the step's findings.
	before := len(green.Findings)
	r.Apply(base.Add(2*time.Minute), blueGreen("gs://m/v2", "ModelFailed"), &s, history)
	if got := len(byKey(s, "ns/green").Findings); got != before {
		t.Errorf("findings %d after a second Apply, want %d", got, before)
	}
}

func hasFinding(fs []Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
