package model

import (
	"testing"
	"time"
)

func modelWith(gen, observed int64, conds ...Condition) *SeldonModel {
	return &SeldonModel{Meta: Meta{Namespace: "ns", Name: "m", Generation: gen}, Server: "s",
		ObservedGeneration: observed, Conditions: conds}
}

func readyCond(status, message, reason string) Condition {
	return Condition{Type: "ModelReady", Status: status, Message: message, Reason: reason,
		Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func sts(desired, updated, ready int32, gen, observed int64) *Workload {
	return &Workload{Meta: Meta{Namespace: "ns", Name: "s", Generation: gen}, Kind: "StatefulSet",
		Replicas: desired, UpdatedReplicas: updated, ReadyReplicas: ready, ObservedGeneration: observed}
}

func TestRollout(t *testing.T) {
	server := &SeldonServer{Meta: Meta{Namespace: "ns", Name: "s", Generation: 2}, ObservedGeneration: 2}
	tests := []struct {
		name     string
		pair     Pair
		phase    RolloutPhase
		state    ModelState
		reason   string
		rolling  bool
		updating bool
		text     string
		health   Health
		badge    string
		findings int
	}{
		{
			name:  "available and settled",
			pair:  Pair{Model: modelWith(3, 3, readyCond("True", "ModelAvailable", "")), Server: server, Workload: sts(3, 3, 3, 1, 1)},
			phase: RolloutStable, state: ModelStateAvailable,
			text:   "ModelAvailable; StatefulSet 3/3 updated and ready",
			health: Healthy,
		},
		{
			name: "generation ahead of observed",
			pair: Pair{Model: modelWith(5, 4, readyCond("False", "ModelProgressing", "Loading model on 1 of 2 replicas")),
				Server: server, Workload: sts(2, 2, 2, 1, 1)},
			phase: RolloutProgressing, state: ModelStateProgressing, reason: "Loading model on 1 of 2 replicas", rolling: true,
			text:   "rolling out: generation 5, observed 4; ModelProgressing: Loading model on 1 of 2 replicas; StatefulSet 2/2 updated and ready",
			health: Converging, badge: "rollout", findings: 1,
		},
		{
			name: "schedule failed keeps Seldon's text from the reason field",
			pair: Pair{Model: modelWith(1, 1, readyCond("False", "ScheduleFailed", "Failed to schedule model as no matching server had enough suitable replicas")),
				Server: server, Workload: sts(3, 3, 2, 1, 1)},
			phase: RolloutProgressing, state: ModelStateScheduleFailed,
			reason: "Failed to schedule model as no matching server had enough suitable replicas",
			text:   "ScheduleFailed: Failed to schedule model as no matching server had enough suitable replicas; StatefulSet scaling: 2/3 ready",
			health: Converging,
		},
		{
			name:  "documented order (state in reason) still reads",
			pair:  Pair{Model: modelWith(1, 1, readyCond("False", "model load failed: 404", "ModelFailed"))},
			phase: RolloutFailed, state: ModelStateFailed, reason: "model load failed: 404",
			text:   "ModelFailed: model load failed: 404",
			health: Critical, badge: "failed", findings: 1,
		},
		{
			name:  "statefulset rolling a new template",
			pair:  Pair{Model: modelWith(1, 1, readyCond("True", "ModelAvailable", "")), Server: server, Workload: sts(3, 1, 2, 7, 7)},
			phase: RolloutProgressing, state: ModelStateAvailable, updating: true,
			text:   "ModelAvailable; StatefulSet updating: 1/3 updated, 2 ready",
			health: Converging, badge: "rollout", findings: 1,
		},
		{
			name:  "statefulset generation not yet observed",
			pair:  Pair{Model: modelWith(1, 1, readyCond("True", "ModelAvailable", "")), Server: server, Workload: sts(3, 3, 3, 8, 7)},
			phase: RolloutProgressing, state: ModelStateAvailable, updating: true,
			text:   "ModelAvailable; StatefulSet rolling out: generation 8, observed 7; 3/3 updated, 3 ready",
			health: Converging, badge: "rollout", findings: 1,
		},
		{
			name:  "terminating",
			pair:  Pair{Model: modelWith(2, 2, readyCond("False", "ModelTerminating", ""))},
			phase: RolloutTerminating, state: ModelStateTerminating,
			text:   "ModelTerminating",
			health: Converging, badge: "term",
		},
		{
			name:  "no condition yet and observedGeneration not reported",
			pair:  Pair{Model: modelWith(4, 0), Server: server},
			phase: RolloutUnknown,
			text:  "no ModelReady condition yet; no StatefulSet for the server yet",
		},
		{
			name:  "unknown state name from a newer Seldon is shown as is",
			pair:  Pair{Model: modelWith(1, 1, readyCond("False", "ModelDraining", "draining"))},
			phase: RolloutUnknown, state: "ModelDraining", reason: "draining",
			text: "ModelDraining: draining",
		},
		{
			name:  "server without model",
			pair:  Pair{Server: server, Workload: sts(1, 1, 1, 1, 1)},
			phase: RolloutStable,
			text:  "StatefulSet 1/1 updated and ready",
		},
		{
			name:  "server CR generation ahead",
			pair:  Pair{Model: modelWith(1, 1, readyCond("True", "ModelAvailable", "")), Server: &SeldonServer{Meta: Meta{Name: "s", Generation: 3}, ObservedGeneration: 2}, Workload: sts(1, 1, 1, 1, 1)},
			phase: RolloutProgressing, state: ModelStateAvailable,
			text:   "ModelAvailable; server s rolling out: generation 3, observed 2; StatefulSet 1/1 updated and ready",
			health: Converging, badge: "rollout", findings: 1,
		},
		{
			name:  "nothing at all",
			pair:  Pair{},
			phase: RolloutUnknown,
			text:  "no Model or Server to report on",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rollout(tt.pair)
			if r.Phase != tt.phase || r.State != tt.state || r.Reason != tt.reason || r.RollingOut != tt.rolling ||
				r.Workload.Updating != tt.updating {
				t.Errorf("Rollout = phase %q state %q reason %q rolling %v updating %v; want %q %q %q %v %v",
					r.Phase, r.State, r.Reason, r.RollingOut, r.Workload.Updating, tt.phase, tt.state, tt.reason, tt.rolling, tt.updating)
			}
			if r.Text != tt.text {
				t.Errorf("Text\n got %q\nwant %q", r.Text, tt.text)
			}
			if r.Health() != tt.health || r.Badge() != tt.badge {
				t.Errorf("Health/Badge = %v/%q, want %v/%q", r.Health(), r.Badge(), tt.health, tt.badge)
			}
			if got := len(RolloutFindings(r)); got != tt.findings {
				t.Errorf("findings = %d, want %d", got, tt.findings)
			}
		})
	}
}

// TestRolloutSequence walks a Model through the states Seldon writes while a Server scales toward it
// (facts.md §6: ScheduleFailed → ModelProgressing → ModelAvailable).
func TestRolloutSequence(t *testing.T) {
	steps := []struct {
		model *SeldonModel
		sts   *Workload
		phase RolloutPhase
	}{
		{modelWith(2, 2, readyCond("True", "ModelAvailable", "")), sts(2, 2, 2, 1, 1), RolloutStable},
		{modelWith(3, 2, readyCond("True", "ModelAvailable", "")), sts(2, 2, 2, 1, 1), RolloutProgressing},
		{modelWith(3, 3, readyCond("False", "ScheduleFailed", "Failed to schedule model as no matching server had enough suitable replicas")), sts(3, 3, 2, 2, 2), RolloutProgressing},
		{modelWith(3, 3, readyCond("False", "ModelProgressing", "")), sts(3, 3, 3, 2, 2), RolloutProgressing},
		{modelWith(3, 3, readyCond("True", "ModelAvailable", "")), sts(3, 3, 3, 2, 2), RolloutStable},
	}
	for i, s := range steps {
		if got := Rollout(Pair{Model: s.model, Workload: s.sts}).Phase; got != s.phase {
			t.Errorf("step %d: phase %q, want %q", i, got, s.phase)
		}
	}
}
