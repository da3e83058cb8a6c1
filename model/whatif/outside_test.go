package whatif

import (
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// TestOutsideWritesAreReplayed: writes of spec.replicas that did not come from the twin HPAs
// land at their time, and the HPAs' next syncs start from them, as the controller's would.
func TestOutsideWritesAreReplayed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []ReplicaWrite
		check  func(t *testing.T, res Result)
	}{
		{
			// Seldon's scheduler adds a Server replica at +1m: from then on the Server HPA
			// syncs from 2, and the pod becomes ready 20 s later.
			name:   "scheduler scales the Server up",
			writes: []ReplicaWrite{{At: t0.Add(time.Minute), Side: SideServer, Replicas: 2, Writer: "Seldon's scheduler"}},
			check: func(t *testing.T, res Result) {
				s := syncAfter(t, res, SideServer, t0.Add(time.Minute))
				if s.From != 2 {
					t.Errorf("first Server sync after the write starts from %d, want 2", s.From)
				}
				// Before that sync the new pod is starting; the sync itself scales back to 1 at
				// once, since every recommendation in its window was 1 (the fight of issue 14).
				p := pointAt(t, res, t0.Add(time.Minute+5*time.Second))
				if p.ServerReplicas != 2 || p.ServerReady != 1 {
					t.Errorf("5 s after the write: Server %d, ready %d; want 2 and 1", p.ServerReplicas, p.ServerReady)
				}
				if s.Desired != 1 {
					t.Errorf("the Server HPA keeps %d, want 1", s.Desired)
				}
			},
		},
		{
			// A person scales the Model to 2 by hand at +30s: the Model HPA's next sync
			// starts from 2 (and, with the load of 2.4 rps, scales it back to 1 later).
			name:   "kubectl scales the Model",
			writes: []ReplicaWrite{{At: t0.Add(30 * time.Second), Side: SideModel, Replicas: 2, Writer: "kubectl"}},
			check: func(t *testing.T, res Result) {
				if s := syncAfter(t, res, SideModel, t0.Add(30*time.Second)); s.From != 2 {
					t.Errorf("first Model sync after the write starts from %d, want 2", s.From)
				}
				if p := pointAt(t, res, t0.Add(31*time.Second)); p.ModelReplicas != 2 || !p.ScheduleFailed {
					t.Errorf("after the write: Model %d, ScheduleFailed %v; want 2 and true (one Server replica)", p.ModelReplicas, p.ScheduleFailed)
				}
			},
		},
		{
			// The Server is created at +45s with one replica (it did not exist at Start):
			// until then its HPA sees 0 replicas and does nothing (ScalingDisabled).
			name:   "Server created mid-span",
			writes: []ReplicaWrite{{At: t0.Add(45 * time.Second), Side: SideServer, Replicas: 1, Writer: "created"}},
			check: func(t *testing.T, res Result) {
				if s := syncAfter(t, res, SideServer, t0); s.From != 0 || s.Desired != 0 {
					t.Errorf("first Server sync from %d to %d, want 0 → 0", s.From, s.Desired)
				}
				if s := syncAfter(t, res, SideServer, t0.Add(45*time.Second)); s.From != 1 {
					t.Errorf("first Server sync after creation starts from %d, want 1", s.From)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 1, PeriodSeconds: 90})
			if tc.name == "Server created mid-span" {
				in.Init = State{ModelReplicas: 1}
			}
			in.Writes = tc.writes
			tc.check(t, Simulate(in))
		})
	}
}

// TestSpecChangesAreFollowed: an HPA edited during the span decides with each spec from its
// time on; one created mid-span starts syncing then.
func TestSpecChangesAreFollowed(t *testing.T) {
	in := rampInput(model.ScalingPolicy{Type: "Pods", Value: 1, PeriodSeconds: 90})
	low := *in.ModelHPA
	low.MaxReplicas = 2
	// Max 2 until +3m, then the spec as it is (max 3).
	in.ModelSpecs = []SpecChange{{At: t0.Add(-time.Hour), HPA: &low}, {At: t0.Add(3 * time.Minute), HPA: in.ModelHPA}}
	// The Server HPA does not exist until +1m.
	in.ServerSpecs = []SpecChange{{At: t0.Add(time.Minute), HPA: in.ServerHPA}}
	res := Simulate(in)
	if s := syncAfter(t, res, SideModel, t0.Add(2*time.Minute)); s.Desired != 2 {
		t.Errorf("Model at +2m under max 2: desired %d", s.Desired)
	}
	if s := syncAfter(t, res, SideModel, t0.Add(3*time.Minute)); s.Desired != 3 {
		t.Errorf("Model after the edit to max 3: desired %d", s.Desired)
	}
	if s := syncAfter(t, res, SideServer, t0); s.At.Before(t0.Add(time.Minute)) {
		t.Errorf("Server HPA synced at %s, before it existed", s.At.Format(time.TimeOnly))
	}
}

func syncAfter(t *testing.T, res Result, side Side, at time.Time) Sync {
	t.Helper()
	for _, s := range res.Syncs {
		if s.Side == side && !s.At.Before(at) {
			return s
		}
	}
	t.Fatalf("no %s sync after %s", side, at.Format(time.TimeOnly))
	return Sync{}
}

func pointAt(t *testing.T, res Result, at time.Time) Point {
	t.Helper()
	var last Point
	for _, p := range res.Points {
		if p.At.After(at) {
			break
		}
		last = p
	}
	if last.At.IsZero() {
		t.Fatalf("no point at %s", at.Format(time.TimeOnly))
	}
	return last
}
