package model

import (
	"runtime"
	"testing"
	"time"
)

// The minimised repros of issue 12: sequences where an earlier version of this maths and the
// v1.37.2 controller (horizontal.go, replica_calculator.go) parted ways. Each drives the maths
// sync by sync, every 15 s, with exact memory, as the demo's simulated controller does.

// syncScript is one HPA driven from replicas at t=0: the spec and the metric as functions of
// the time since t0, and the replica count the controller sets at chosen syncs.
type syncScript struct {
	name     string
	replicas int32
	hpa      func(t time.Duration) HPA
	rps      func(t time.Duration) float64
	want     map[time.Duration]int32
}

func (s syncScript) run(t *testing.T) {
	t.Helper()
	mem := &HPAMemory{}
	replicas := s.replicas
	var last time.Duration
	for at := range s.want {
		last = max(last, at)
	}
	for at := time.Duration(0); at <= last; at += SyncPeriod {
		now := t0.Add(at)
		d := Decide(s.hpa(at), replicas, s.rps(at), mem, now)
		mem.Record(now, d, replicas)
		if want, ok := s.want[at]; ok && d.Desired != want {
			t.Errorf("t=%s: %d -> %d, the controller sets %d (%s)", at, replicas, d.Desired, want, d.Limit)
		}
		replicas = d.Desired
	}
}

func TestDecideUpstreamRepros(t *testing.T) {
	s := time.Second
	docs := testHPA(1, 20, 3, seldonBehavior())
	scaleDownDisabled := testHPA(1, 20, 1, &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0)), SelectPolicy: SelectDisabled}})
	legacy := testHPA(1, 20, 1, nil)
	fastDown := &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0))}}
	tests := []syncScript{{
		// Scale events are never pruned and both limits read both lists: the scale-down of 5
		// at t=300 s raises the start of the Pods 5/90s period to 6, so 1 -> 11, not 1 -> 6.
		name: "a recent scale-down still limits the next scale-up", replicas: 6,
		hpa: func(time.Duration) HPA { return docs },
		rps: func(at time.Duration) float64 {
			if at >= 315*s {
				return 60
			}
			return 3
		},
		want: map[time.Duration]int32{285 * s: 6, 300 * s: 1, 345 * s: 1, 360 * s: 11},
	}, {
		// Recommendations outlive a spec edit: the legacy path's 300 s window still sees the
		// 10 recorded before the behavior was removed.
		name: "recommendations are kept across a behavior edit", replicas: 10,
		hpa: func(at time.Duration) HPA {
			if at >= 30*s {
				return legacy
			}
			return scaleDownDisabled
		},
		rps: func(at time.Duration) float64 {
			if at >= 15*s {
				return 2
			}
			return 10
		},
		want: map[time.Duration]int32{15 * s: 10, 30 * s: 10, 45 * s: 10},
	}, {
		// prometheus-adapter serves int64(1.001*1000) = 1000m: one replica, not two.
		name: "the metric is truncated to milli-units as prometheus-adapter does", replicas: 4,
		hpa:  func(time.Duration) HPA { return testHPA(1, 20, 1, fastDown) },
		rps:  func(time.Duration) float64 { return 1.001 },
		want: map[time.Duration]int32{0: 1},
	}, {
		// AverageValue 1500u is 2m to the controller (MilliValue rounds up): 6m needs 3, not 6.
		name: "a target of 1500u is 2m", replicas: 1,
		hpa:  func(time.Duration) HPA { return testHPA(1, 20, 0.0015, nil) },
		rps:  func(time.Duration) float64 { return 0.006 },
		want: map[time.Duration]int32{0: 3},
	}, {
		// AverageValue 100u is 1m to the controller, not a failed metric.
		name: "a target of 100u is 1m", replicas: 1,
		hpa:  func(time.Duration) HPA { return testHPA(1, 20, 0.0001, nil) },
		rps:  func(time.Duration) float64 { return 0.003 },
		want: map[time.Duration]int32{0: 3},
	}}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// TestDecideProposalAboveInt32 mirrors the controller's int32() of a proposal beyond 2^31: on
// amd64 it is the smallest int32, so the controller takes 0 and scales down to minReplicas.
func TestDecideProposalAboveInt32(t *testing.T) {
	h := testHPA(2, 50, 0.001, fastScaleDown())
	d := Decide(h, 10, 3e6, seeded(), t0) // 3e9 milli-units over 1m
	if !d.Overflow || len(d.Notes) == 0 {
		t.Fatalf("not flagged: %+v", d)
	}
	if runtime.GOARCH == "amd64" && (d.Raw != 0 || d.Desired != 2) {
		t.Errorf("amd64: raw %d desired %d, the controller takes 0 and sets minReplicas 2", d.Raw, d.Desired)
	}
	if d = Decide(h, 10, 2e6, seeded(), t0); d.Overflow || d.Desired != 20 {
		t.Errorf("2e9 fits an int32: %+v", d)
	}
}

// TestRecordScaleEventSlots follows storeScaleEvent: an event older than its direction's
// longest period is marked outdated at the next rescale that way and its slot reused, while
// until then it still counts for a period that reaches it.
func TestRecordScaleEventSlots(t *testing.T) {
	h := testHPA(1, 50, 1, &Behavior{ScaleUp: &ScalingRules{Policies: []ScalingPolicy{{Type: PolicyPods, Value: 1, PeriodSeconds: 30}}}})
	mem := &HPAMemory{}
	replicas := int32(1)
	step := func(at time.Duration, rps float64) Decision {
		now := t0.Add(at)
		d := Decide(h, replicas, rps, mem, now)
		mem.Record(now, d, replicas)
		replicas = d.Desired
		return d
	}
	step(0, 10)              // 1 -> 2
	step(15*time.Second, 10) // the event at 0 is in the 30 s period: holds
	step(30*time.Second, 10) // 2 -> 3; the event at 0 is exactly 30 s old: kept, a second slot
	step(75*time.Second, 10) // 3 -> 4; both older than 30 s: marked, the last one reused
	if len(mem.ScaleUpEvents) != 2 || !mem.ScaleUpEvents[0].Outdated || mem.ScaleUpEvents[1].Outdated ||
		!mem.ScaleUpEvents[1].At.Equal(t0.Add(75*time.Second)) {
		t.Errorf("scale-up slots %+v", mem.ScaleUpEvents)
	}
	if replicas != 4 {
		t.Errorf("replicas %d, want 4", replicas)
	}
}

func fastScaleDown() *Behavior {
	return &Behavior{ScaleDown: &ScalingRules{StabilizationWindowSeconds: ptr(int32(0))}}
}
