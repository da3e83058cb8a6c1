package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

// linear returns n points one step (15 s) apart, starting at from and rising perMin rps per minute.
func linear(from, perMin float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = from + perMin*float64(i)*0.25
	}
	return out
}

func i32(v int32) *int32 { return &v }

func hpaWith(current, maxR int32, up *ScalingRules) *HPA {
	h := &HPA{Meta: Meta{Namespace: "ns", Name: "h"}, MinReplicas: 1, MaxReplicas: maxR, CurrentReplicas: current}
	if up != nil {
		h.Behavior = &Behavior{ScaleUp: up}
	}
	return h
}

func pods(v, period int32) ScalingPolicy {
	return ScalingPolicy{Type: "Pods", Value: v, PeriodSeconds: period}
}
func percent(v, period int32) ScalingPolicy {
	return ScalingPolicy{Type: "Percent", Value: v, PeriodSeconds: period}
}

func TestCheckRamp(t *testing.T) {
	step := 15 * time.Second
	tests := []struct {
		name    string
		in      RampInput
		known   bool
		keepsUp bool
		text    string
		finding bool
	}{
		{
			// TS902 fired at 1.45/3 per replica while RPS fell after a spike: the 5-min slope is positive.
			name: "falling after a spike",
			in: RampInput{RPS: []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 6, 9, 12, 15, 14, 12.5, 11, 9.5, 8, 6.5, 5},
				Step: step, Target: 3, ReadyServers: 1, Readiness: 2 * time.Minute,
				ServerHPA: hpaWith(1, 10, &ScalingRules{Policies: []ScalingPolicy{pods(1, 90)}})},
			known: true, keepsUp: true,
			text: "no ramp: traffic -4.6 rps/min over the last 2m (+1.7 over 5m)",
		},
		{
			name:  "no ramp",
			in:    RampInput{RPS: linear(9, 0, 21), Step: step, Target: 3, ServerHPA: hpaWith(3, 10, nil), ReadyServers: 3},
			known: true, keepsUp: true,
			text: "no ramp: traffic 0 rps/min",
		},
		{
			name: "keeps up with the default behavior",
			in: RampInput{RPS: linear(3, 3, 21), Step: step, Target: 3, ReadyServers: 6, Readiness: 30 * time.Second,
				ServerHPA: &HPA{MaxReplicas: 10, CurrentReplicas: 3, Behavior: &Behavior{}}},
			known: true, keepsUp: true,
			text: "keeps up: traffic +3 rps/min needs +1 replicas/min; policy allows +4 per 15s",
		},
		{
			name: "policy too slow (the docs' blue-green ramp)",
			in: RampInput{RPS: linear(3, 6, 21), Step: step, Target: 3, ReadyServers: -1,
				ServerHPA: hpaWith(2, 10, &ScalingRules{Policies: []ScalingPolicy{pods(1, 90)}})},
			known: true, finding: true,
			text: "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 1m30s",
		},
		{
			name: "readiness too slow",
			in: RampInput{RPS: linear(0, 6, 7), Step: step, Target: 3, ReadyServers: 3, Readiness: 2 * time.Minute,
				ServerHPA: hpaWith(3, 10, &ScalingRules{Policies: []ScalingPolicy{pods(5, 15)}})},
			known: true, finding: true,
			text: "traffic +6 rps/min needs +2 replicas/min; Servers take 2m to become ready: +12 rps arrive before new capacity serves, headroom 0.9 rps",
		},
		{
			name: "readiness plus the stabilization window",
			in: RampInput{RPS: linear(0, 2, 21), Step: step, Target: 3, ReadyServers: 4, Readiness: 90 * time.Second,
				ServerHPA: hpaWith(4, 10, &ScalingRules{StabilizationWindowSeconds: i32(60), Policies: []ScalingPolicy{pods(5, 90)}})},
			known: true, finding: true,
			text: "traffic +2 rps/min needs +0.7 replicas/min; Servers take 2m30s to become ready: +5 rps arrive before new capacity serves, headroom 3.2 rps",
		},
		{
			name: "disabled scale-up",
			in: RampInput{RPS: linear(3, 6, 21), Step: step, Target: 3, ReadyServers: -1,
				ServerHPA: hpaWith(2, 10, &ScalingRules{SelectPolicy: "Disabled"})},
			known: true, finding: true,
			text: "traffic +6 rps/min needs +2 replicas/min; policy disables scale-up (selectPolicy Disabled)",
		},
		{
			name: "at max",
			in: RampInput{RPS: linear(3, 6, 21), Step: step, Target: 3, ReadyServers: -1,
				ServerHPA: hpaWith(5, 5, &ScalingRules{Policies: []ScalingPolicy{pods(4, 15)}})},
			known: true, finding: true,
			text: "traffic +6 rps/min needs +2 replicas/min; Server HPA is at max 5",
		},
		{
			name: "selectPolicy Max picks the faster policy at the current size",
			in: RampInput{RPS: linear(3, 9, 21), Step: step, Target: 3, ReadyServers: -1,
				ServerHPA: hpaWith(4, 20, &ScalingRules{Policies: []ScalingPolicy{percent(50, 60), pods(1, 15)}})},
			known: true, keepsUp: true,
			text: "keeps up: traffic +9 rps/min needs +3 replicas/min; policy allows +1 per 15s",
		},
		{
			name: "selectPolicy Min picks the slower one",
			in: RampInput{RPS: linear(3, 9, 21), Step: step, Target: 3, ReadyServers: -1,
				ServerHPA: hpaWith(4, 20, &ScalingRules{SelectPolicy: "Min", Policies: []ScalingPolicy{percent(50, 60), pods(1, 15)}})},
			known: true, finding: true,
			text: "traffic +9 rps/min needs +3 replicas/min; policy allows +2 per 1m",
		},
		{
			name:  "no behavior: the legacy limit",
			in:    RampInput{RPS: linear(3, 9, 21), Step: step, Target: 3, ReadyServers: -1, ServerHPA: hpaWith(3, 20, nil)},
			known: true, keepsUp: true,
			text: "keeps up: traffic +9 rps/min needs +3 replicas/min; policy allows +3 per 15s",
		},
		{
			name: "the slower twin binds",
			in: RampInput{RPS: linear(3, 6, 21), Step: step, Target: 3, ReadyServers: -1,
				ModelHPA:  hpaWith(2, 10, &ScalingRules{Policies: []ScalingPolicy{pods(5, 15)}}),
				ServerHPA: hpaWith(2, 10, &ScalingRules{Policies: []ScalingPolicy{pods(1, 90)}})},
			known: true, finding: true,
			text: "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 1m30s",
		},
		{
			name: "gaps in the history are skipped",
			in: RampInput{RPS: []float64{3, math.NaN(), 6, math.Inf(1), 9, -1, 12, 13.5, 15}, Step: 15 * time.Second, Target: 3, ReadyServers: -1,
				ServerHPA: hpaWith(2, 10, &ScalingRules{Policies: []ScalingPolicy{pods(1, 90)}})},
			known: true, finding: true,
			text: "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 1m30s",
		},
		{
			name: "NaN history",
			in:   RampInput{RPS: []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), 3}, Step: step, Target: 3, ServerHPA: hpaWith(1, 3, nil)},
			text: "ramp unknown: 1 usable RPS samples in the last 5m",
		},
		{
			name: "empty history",
			in:   RampInput{Step: step, Target: 3, ServerHPA: hpaWith(1, 3, nil)},
			text: "ramp unknown: 0 usable RPS samples in the last 5m",
		},
		{
			name: "points too close together",
			in:   RampInput{RPS: []float64{1, 2, 3}, Step: time.Second, Target: 3, ServerHPA: hpaWith(1, 3, nil)},
			text: "ramp unknown: 3 usable RPS samples in the last 5m",
		},
		{
			name: "no target",
			in:   RampInput{RPS: linear(3, 6, 21), Step: step, Target: math.NaN()},
			text: "ramp unknown: no AverageValue target",
		},
		{
			name: "no HPA",
			in:   RampInput{RPS: linear(3, 6, 21), Step: step, Target: 3},
			text: "ramp +6 rps/min: no HPA scales this pair",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckRamp(tt.in)
			if r.Known != tt.known || r.KeepsUp != tt.keepsUp {
				t.Errorf("Known/KeepsUp = %v/%v, want %v/%v", r.Known, r.KeepsUp, tt.known, tt.keepsUp)
			}
			if r.Text != tt.text {
				t.Errorf("Text\n got %q\nwant %q", r.Text, tt.text)
			}
			f := r.Finding()
			if (f != nil) != tt.finding {
				t.Fatalf("Finding = %+v, want one: %v", f, tt.finding)
			}
			if f != nil && (f.Rule != "TS902" || f.Message != r.Text || f.Badge != "ramp" || !strings.Contains(f.Hint, "HPA") && !strings.Contains(f.Hint, "spare")) {
				t.Errorf("Finding = %+v", f)
			}
		})
	}
}

func TestRampFor(t *testing.T) {
	p := Pair{
		Metric: PairMetric{Known: true, Target: 3}, ServerDesired: Known(2), ServerReady: Known(2),
		ServerHPA: &HPA{MaxReplicas: 10, Behavior: &Behavior{ScaleUp: &ScalingRules{Policies: []ScalingPolicy{pods(1, 90)}}}},
	}
	h := PairHistory{Step: 15 * time.Second, RPS: linear(3, 6, 21)}
	r := RampFor(p, h, 0)
	if r.HPA != "Server" || r.KeepsUp || r.Text != "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 1m30s" {
		t.Errorf("RampForPair = %+v", r)
	}
}
