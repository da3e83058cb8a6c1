package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/record"
	"github.com/twinscale/twinscale/watch/static"
)

// The replay source drives the dashboard through Player.
var _ watch.Player = (*record.Replay)(nil)

func loadCompareFixture(t testing.TB) *static.Source {
	t.Helper()
	src, err := static.Load("testdata/compare.json")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// markPairs moves the cursor to each named pair (sort by name) and marks it with space.
func markPairs(t *testing.T, a *App, keys ...string) {
	t.Helper()
	for _, k := range keys {
		i, ok := a.c.rows.byKey[k]
		if !ok {
			t.Fatalf("no pair %s", k)
		}
		for pos, idx := range a.table.visible {
			if idx == i {
				a.table.st.cursor = pos
				a.table.syncSelection()
			}
		}
		press(a, " ")
	}
}

// TestCompareView pins the compare view of a blue-green shift at the standard sizes and themes.
func TestCompareView(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, theme := range []string{"dark", "light"} {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], theme), func(t *testing.T) {
				a := newTestApp(t, loadCompareFixture(t), theme, size[0], size[1])
				markPairs(t, a, "shop/blue", "shop/green")
				press(a, "c")
				if a.mode != modeCompare {
					t.Fatalf("mode %v after c", a.mode)
				}
				out := screen(a)
				for _, want := range []string{"Compare", "blue", "green", "Σ total", "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 90 s"} {
					if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
						t.Errorf("compare view lacks %q", want)
					}
				}
				if got := len(strings.Split(out, "\n")); got != size[1] {
					t.Errorf("%d lines, want %d", got, size[1])
				}
				golden.RequireEqual(t, out)
			})
		}
	}
}
