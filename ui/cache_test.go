package ui

import (
	"math"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
)

// cloneSnapshot copies a snapshot deeply enough to change one pair.
func cloneSnapshot(s *model.Snapshot) *model.Snapshot {
	c := *s
	c.Pairs = append([]model.Pair(nil), s.Pairs...)
	return &c
}

func TestUnchangedSnapshotRendersNothingNew(t *testing.T) {
	src := loadFixture(t)
	a := newTestApp(t, src, "dark", 120, 40)
	first := a.View().Content
	frames, rows, loads := a.frame.built, a.table.lines.renders, a.stats.loads
	for range 5 {
		send(a, tickMsg{})
		if a.View().Content != first {
			t.Fatal("frame changed without a change")
		}
	}
	if a.frame.built != frames || a.table.lines.renders != rows || a.stats.loads != loads {
		t.Fatalf("idle ticks did work: frames %d→%d rows %d→%d loads %d→%d",
			frames, a.frame.built, rows, a.table.lines.renders, loads, a.stats.loads)
	}
}

func TestSingleChangedPairRerendersOneRow(t *testing.T) {
	src := loadFixture(t)
	a := newTestApp(t, src, "dark", 200, 60)
	a.View()
	frames, rows := a.frame.built, a.table.lines.renders

	next := cloneSnapshot(src.Snapshot())
	var changed string
	for i := range next.Pairs {
		if next.Pairs[i].Key == "seldon-mesh/iris" {
			next.Pairs[i].Metric.RPS = 7.7
			changed = next.Pairs[i].Key
		}
	}
	src.Set(next)
	send(a, tickMsg{})
	out := screen(a)
	if a.frame.built != frames+1 {
		t.Fatalf("a new snapshot builds one frame: %d → %d", frames, a.frame.built)
	}
	if got := a.table.lines.renders - rows; got != 1 {
		t.Fatalf("one changed pair re-rendered %d rows", got)
	}
	if !strings.Contains(out, "  7.7 ") || changed == "" {
		t.Fatalf("the changed value is not shown:\n%s", out)
	}

	// A new snapshot whose pairs are all unchanged builds a frame (the
	// version moved) but renders no row again.
	rows = a.table.lines.renders
	src.Set(cloneSnapshot(next))
	send(a, tickMsg{})
	a.View()
	if a.table.lines.renders != rows {
		t.Fatalf("identical pairs re-rendered %d rows", a.table.lines.renders-rows)
	}

	// Moving the cursor re-renders exactly the two rows whose selection changed.
	rows = a.table.lines.renders
	press(a, "j")
	a.View()
	if got := a.table.lines.renders - rows; got != 2 {
		t.Fatalf("cursor move re-rendered %d rows, want 2", got)
	}
}

func TestOnlyVisibleRowsRender(t *testing.T) {
	src := bigSource(t, 5000)
	a := newTestApp(t, src, "dark", 200, 60)
	a.View()
	if a.table.lines.renders > a.table.height() {
		t.Fatalf("rendered %d rows for a %d-row table of 5000 pairs", a.table.lines.renders, a.table.height())
	}
}

func TestTinyTerminals(t *testing.T) {
	for _, sz := range [][2]int{{1, 1}, {2, 1}, {1, 3}, {5, 2}, {39, 7}, {40, 8}, {41, 9}, {60, 10}, {300, 8}} {
		for _, keys := range [][]string{nil, {"enter"}, {"?"}, {"n"}, {"e"}, {"/", "x"}} {
			a := newTestApp(t, loadFixture(t), "dark", sz[0], sz[1])
			press(a, keys...)
			out := screen(a)
			checkFits(t, out, sz[0], sz[1])
			if sz[0] < minWidth || sz[1] < minHeight {
				if sz[0] >= 18 && !strings.Contains(out, "terminal too small") {
					t.Fatalf("%dx%d: no too-small message:\n%s", sz[0], sz[1], out)
				}
			}
		}
	}
	a := newTestApp(t, loadFixture(t), "dark", 80, 24)
	send(a, tea.WindowSizeMsg{Width: 0, Height: 0})
	if a.View().Content != "" {
		t.Fatal("a zero-sized terminal gets an empty frame")
	}
	send(a, tea.WindowSizeMsg{Width: 100, Height: 30})
	checkFits(t, screen(a), 100, 30) // resize reflows at once
}

func TestNoRowsYetAndEmptySnapshot(t *testing.T) {
	a := New(Options{})
	send(a, tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(screen(a), "loading") {
		t.Fatal("before the first snapshot the header says loading")
	}
	src := loadFixture(t)
	src.Set(&model.Snapshot{})
	a = newTestApp(t, src, "dark", 80, 24)
	if !strings.Contains(screen(a), "no Seldon Models or Servers found") {
		t.Fatalf("an empty snapshot says so:\n%s", screen(a))
	}
	press(a, "enter", "n", "enter", "a")
	checkFits(t, screen(a), 80, 24)
}

func TestBadNumbersNeverReachTheScreen(t *testing.T) {
	src := loadFixture(t)
	next := cloneSnapshot(src.Snapshot())
	for i := range next.Pairs {
		p := &next.Pairs[i]
		switch i % 3 {
		case 0:
			p.Metric.Known, p.Metric.RPS = true, math.NaN()
		case 1:
			p.Metric.RPS, p.Metric.Target = math.Inf(1), math.NaN()
		case 2:
			p.Metric.Target = 0
		}
		p.Metric.LatencySec, p.Metric.ErrorRate = math.NaN(), math.Inf(-1)
		p.Spark = []float64{math.NaN(), math.Inf(1), 1, math.Inf(-1)}
	}
	src.Set(next)
	src.SetHistory("ml-prod/sentiment", model.PairHistory{Key: "ml-prod/sentiment", RPS: []float64{math.NaN(), math.NaN()},
		Capacity: []float64{math.Inf(1)}, ModelDesired: []float64{3}})
	for _, keys := range [][]string{nil, {"enter"}, {"enter", "G"}} {
		a := newTestApp(t, src, "dark", 200, 60)
		press(a, keys...)
		out := screen(a)
		for _, bad := range []string{"NaN", "Inf", "9223372036854775808", "e+"} {
			if strings.Contains(out, bad) {
				t.Fatalf("%q on screen after %v:\n%s", bad, keys, out)
			}
		}
	}
}

func TestOverflowingHPAMetricIsExplained(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 200, 60)
	press(a, "s") // name order
	for a.table.selected().key != "seldon-mesh/cold-start" {
		press(a, "j")
	}
	row := screen(a)
	if !strings.Contains(row, "0 ready") {
		t.Fatal("per replica with no ready server must read 0 ready")
	}
	press(a, "enter")
	if out := screen(a); !strings.Contains(out, "n/a: overflow (0 replicas)") {
		t.Fatalf("the Model HPA's overflow is not explained:\n%s", out)
	}
}
