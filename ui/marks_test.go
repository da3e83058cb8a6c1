package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/static"
)

func TestMarkAndPin(t *testing.T) {
	a := newTestApp(t, loadCompareFixture(t), "dark", 120, 30)
	press(a, "s") // sort by name: shop/blue, shop/green, shop/search
	if got := strings.Join(visibleKeys(a), " "); got != "shop/blue shop/green shop/search" {
		t.Fatalf("order %q", got)
	}
	markPairs(t, a, "shop/search", "shop/green")
	if got := strings.Join(a.c.marks.keys, " "); got != "shop/search shop/green" {
		t.Fatalf("marks %q", got)
	}
	out := screen(a)
	if !strings.Contains(out, "◆ search") || !strings.Contains(out, "◆ green") || strings.Contains(out, "◆ blue") {
		t.Errorf("marks not shown:\n%s", out)
	}
	press(a, "P")
	if got := strings.Join(visibleKeys(a), " "); got != "shop/search shop/green shop/blue" {
		t.Errorf("pinned order %q, want the pinned pairs first in the order they were marked", got)
	}
	if out := screen(a); !strings.Contains(out, "▲ search") || !strings.Contains(out, "▲ green") {
		t.Errorf("pins not shown:\n%s", out)
	}
	// Unmarking a pinned pair unpins it; P again unpins the rest.
	markPairs(t, a, "shop/search")
	if got := strings.Join(visibleKeys(a), " "); got != "shop/green shop/blue shop/search" {
		t.Errorf("order after unmark %q", got)
	}
	press(a, "P")
	if got := strings.Join(visibleKeys(a), " "); got != "shop/blue shop/green shop/search" {
		t.Errorf("order after unpin %q", got)
	}
}

func TestPinnedOption(t *testing.T) {
	th, _ := themes.Builtin("dark")
	a := New(Options{Source: loadCompareFixture(t), Theme: th, Now: func() time.Time { return fixtureTime }, Location: time.UTC,
		Pinned: []string{"shop/search", " ", "shop/missing"}})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: 120, Height: 30})
	if got := visibleKeys(a)[0]; got != "shop/search" {
		t.Errorf("first row %q, want the pinned pair", got)
	}
	// c compares the marked pairs that exist; a missing one is ignored.
	press(a, "c")
	if keys := a.compareKeys(); len(keys) != 1 || keys[0] != "shop/search" {
		t.Errorf("compare keys %v", keys)
	}
	press(a, "esc")
	if a.mode != modeMain {
		t.Errorf("esc left mode %v", a.mode)
	}
}

func TestCompareWithoutMarksUsesSelection(t *testing.T) {
	a := newTestApp(t, loadCompareFixture(t), "dark", 100, 30)
	press(a, "c")
	if a.mode != modeCompare || len(a.compareKeys()) != 1 || !strings.Contains(screen(a), "mark pairs with space") {
		t.Errorf("mode %v keys %v\n%s", a.mode, a.compareKeys(), screen(a))
	}
	press(a, "c")
	if a.mode != modeMain {
		t.Errorf("c did not close the compare view")
	}
}

func TestRolloutSectionInDetail(t *testing.T) {
	a := newTestApp(t, loadCompareFixture(t), "dark", 120, 200)
	press(a, "s")
	markPairs(t, a, "shop/green")
	press(a, "enter")
	out := strings.Join(strings.Fields(screen(a)), " ")
	for _, want := range []string{
		"Rollout", "~ progressing · ModelAvailable; StatefulSet scaling: 3/4 ready",
		"! traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 90 s",
		"09:18:10 HPA green-server: maxReplicas 2 → 6",
		"09:17:00 Model green: storageUri gs://shop/model/v1 → gs://shop/model/v2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
}

// fakePlayer records the replay keys the dashboard sends.
type fakePlayer struct {
	*static.Source
	calls  []string
	paused bool
}

func (p *fakePlayer) Info() watch.SourceInfo {
	info := p.Source.Info()
	info.Player = p
	return info
}

func TestReplayKeys(t *testing.T) {
	p := &fakePlayer{Source: loadCompareFixture(t)}
	th, _ := themes.Builtin("dark")
	a := New(Options{Source: p, Theme: th, Now: func() time.Time { return fixtureTime }, Location: time.UTC})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: 140, Height: 30})
	before := a.state().replay
	press(a, " ")
	if a.state().replay == before {
		t.Error("a replay key left the frame's state as it was")
	}
	press(a, "p", "right", "left", "]", "[", "+", "=", "-", "m")
	want := "pause pause step+1 step-1 seek+1m0s seek-1m0s faster faster slower"
	if got := strings.Join(p.calls, " "); got != want {
		t.Errorf("calls %q\nwant  %q", got, want)
	}
	if a.c.paused {
		t.Error("p paused the display instead of the replay")
	}
	if len(a.c.marks.keys) != 1 {
		t.Errorf("m did not mark during a replay: %v", a.c.marks.keys)
	}
	out := screen(a)
	if !strings.Contains(out, "replay 3/7 09:26:40 ×2") || !strings.Contains(out, "! cut short at record 7") {
		t.Errorf("header lacks the replay state:\n%s", out)
	}
	if !strings.Contains(out, "space play/pause") {
		t.Errorf("footer lacks the replay keys:\n%s", out)
	}
}

// TestReplayDamageFits: the replay's position and its damage stay whole in the header at 80 and 120
// columns (the damage notice was cut at 120).
func TestReplayDamageFits(t *testing.T) {
	for _, w := range []int{80, 120} {
		p := &fakePlayer{Source: loadCompareFixture(t)}
		th, _ := themes.Builtin("dark")
		a := New(Options{Source: p, Theme: th, Now: func() time.Time { return fixtureTime }, Location: time.UTC})
		a.ticker = func() tea.Cmd { return nil }
		settle(a, a.Init())
		send(a, tea.WindowSizeMsg{Width: w, Height: 24})
		lines := strings.Split(screen(a), "\n")
		if len(lines) < 2 || !strings.Contains(lines[1], "replay 3/7 09:26:40 ×2 · ! cut short at record 7") {
			t.Errorf("%d columns: header line 2 %q", w, lines[1])
		}
	}
}

func (p *fakePlayer) TogglePause() bool {
	p.calls = append(p.calls, "pause")
	p.paused = !p.paused
	return p.paused
}
func (p *fakePlayer) Step(n int) { p.calls = append(p.calls, "step"+signed(int32(n))) }
func (p *fakePlayer) SeekBy(d time.Duration) {
	p.calls = append(p.calls, "seek"+sign(d)+d.Abs().String())
}
func (p *fakePlayer) Faster()            { p.calls = append(p.calls, "faster") }
func (p *fakePlayer) Slower()            { p.calls = append(p.calls, "slower") }
func (p *fakePlayer) StatusText() string { return "replay 3/7 09:26:40 ×2" }
func (p *fakePlayer) Paused() bool       { return p.paused }
func (p *fakePlayer) Damage() string     { return "cut short at record 7" }

func sign(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return "+"
}
