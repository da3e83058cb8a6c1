package model

import (
	"strings"
	"testing"
)

// TestAnalyzerOverdue drives a pair on a fake clock: both HPAs write status every 15 s until
// the load doubles at 400 s, then nothing: the controller is behind. Both forecasts say 2 → 4
// at the next sync; three sync periods later each HPA is overdue (TS215) and the header says so.
func TestAnalyzerOverdue(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 6)
	w.mhBehavior, w.shBehavior = fastBehavior(), fastBehavior()
	w.modelMax, w.serverMax = 10, 10
	var p Pair
	for i, s := 0, 0.0; s <= 390; i, s = i+1, s+15 {
		w.mhSeq, w.shSeq = i, i
		p = apply(a, at(s), w)
	}
	if p.ModelForecast.Approximate || p.ModelForecast.Overdue {
		t.Fatalf("steady: %+v", p.ModelForecast)
	}
	w.rps = 12 // asks for 4; no status write from here on
	p = apply(a, at(400), w)
	if f := p.ModelForecast; !f.Decision.Rescale || f.Desired != 4 || !f.MoveSince.Equal(at(400)) || f.Overdue {
		t.Fatalf("due move: %+v", f)
	}
	if p = apply(a, at(445), w); p.ServerForecast.Overdue || hasRule(p, RuleHPAOverdue) != nil {
		t.Fatalf("overdue at exactly 3 sync periods: %+v", p.ServerForecast)
	}
	p = apply(a, at(474), w)
	f := hasRule(p, RuleHPAOverdue)
	if !p.ServerForecast.Overdue || p.ServerForecast.OverdueFor.Seconds() != 74 || f == nil ||
		!strings.Contains(f.Message, "has owed the move 2 → 4 for 1m14s without a status update") {
		t.Fatalf("not overdue: %+v %v", p.ServerForecast, p.Findings)
	}
	if got, want := OverdueText([]Pair{p}), "controller behind: 2 HPAs overdue, oldest 1m14s"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	if p.Health != Warning {
		t.Errorf("health %v", p.Health)
	}

	// An HPA that cannot compute has a quiet status for another reason (TS207).
	w.mhConditions = []Condition{{Type: "AbleToScale", Status: "False", Reason: "FailedGetScale"}}
	if p = apply(a, at(480), w); p.ModelForecast.Overdue || !p.ServerForecast.Overdue {
		t.Errorf("AbleToScale False: model overdue %v, server %v", p.ModelForecast.Overdue, p.ServerForecast.Overdue)
	}
	w.mhConditions = nil

	// The controller catches up: both write status with 4 replicas.
	w.mhDesired, w.shDesired, w.modelSpec, w.modelStatus, w.modelAvail, w.serverSpec, w.serverReady = 4, 4, 4, 4, 4, 4, 4
	w.mhAvg, w.shAvg, w.mhSeq, w.shSeq = 3, 3, 100, 100
	if p = apply(a, at(490), w); p.ModelForecast.Overdue || p.ServerForecast.Overdue || OverdueText([]Pair{p}) != "" {
		t.Errorf("after the catch-up: %+v", p.ServerForecast)
	}
}

// TestAnalyzerNotOverdueWhileApproximate: right after start the memory is reconstructed, so a
// due move with a quiet status may be a hold the controller knows of and twinscale does not.
func TestAnalyzerNotOverdueWhileApproximate(t *testing.T) {
	a := NewAnalyzer()
	w := steady(2, 12)
	w.mhBehavior, w.shBehavior = fastBehavior(), fastBehavior()
	w.modelMax, w.serverMax = 10, 10
	apply(a, at(0), w)
	if p := apply(a, at(120), w); p.ModelForecast.Overdue || !p.ModelForecast.Approximate {
		t.Errorf("overdue while approximate: %+v", p.ModelForecast)
	}
}
