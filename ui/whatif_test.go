package ui

import (
	"strings"
	"testing"
)

// whatifKeys open the what-if of ml-prod/sentiment, the fixture's ramp into ScheduleFailed.
var whatifKeys = []string{"/", "s", "e", "n", "t", "i", "m", "e", "n", "t", "enter", "enter", "w"}

// TestWhatifView: `w` in the detail view replays the pair's history through its HPAs with a
// preset edit; tab and shift+tab cycle the presets, each with its verdict; esc goes back to
// the detail view; `?` lists the keys.
func TestWhatifView(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	press(a, whatifKeys...)
	out := screen(a)
	for _, want := range []string{"What-if  ml-prod/sentiment", "edit 1/4: Server scale-up Pods 2/30s",
		"--set server.behavior.scaleUp.policies[0]=Pods 2/30s", "verdict: ScheduleFailed 5m22s → 5m22s",
		"ScheduleFailed   5m22s (1×)", "baseline matches", "Server, edited", "tab next edit"} {
		if !strings.Contains(out, want) {
			t.Errorf("what-if lacks %q:\n%s", want, out)
		}
	}
	press(a, "tab")
	if out := screen(a); !strings.Contains(out, "edit 2/4: target 2 (−1)") || !strings.Contains(out, "verdict: ScheduleFailed 5m22s → 7m7s") {
		t.Errorf("after tab:\n%s", out)
	}
	press(a, "shift+tab", "shift+tab")
	if out := screen(a); !strings.Contains(out, "edit 4/4: maxReplicas +2") {
		t.Errorf("after shift+tab twice:\n%s", out)
	}
	// Render changes nothing.
	st := a.whatif.st
	first := strings.Join(a.whatif.Render(120, 40), "\n")
	if again := strings.Join(a.whatif.Render(120, 40), "\n"); again != first || a.whatif.st != st {
		t.Error("Render mutated the view")
	}
	press(a, "esc")
	if out := screen(a); a.mode != modeDetail || !strings.Contains(out, "w what-if") {
		t.Errorf("esc: mode %d, footer:\n%s", a.mode, out)
	}
	press(a, "?")
	if out := screen(a); !strings.Contains(out, "what-if") || !strings.Contains(out, "next edit") {
		t.Errorf("help lacks the what-if keys:\n%s", out)
	}
}

// TestWhatifWithoutHistory: a pair the dashboard holds no history of says so, in one line.
func TestWhatifWithoutHistory(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 80, 24)
	press(a, "/", "t", "r", "a", "n", "s", "l", "a", "t", "o", "r", "enter", "enter", "w")
	if out := screen(a); !strings.Contains(out, "ml-prod/translator has no traffic history yet") {
		t.Errorf("no history:\n%s", out)
	}
}
