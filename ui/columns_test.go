package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/static"
)

// cellAt is the text of the cells [from, from+w) of a plain line.
func cellAt(line string, from, w int) string {
	return ansi.Cut(line, from, from+w)
}

// columnStarts is where each shown column starts on screen under lay.
func columnStarts(lay layout) map[int]int {
	starts, x := map[int]int{}, 0
	for c := range numCols {
		if !lay.shown[c] {
			continue
		}
		starts[c] = x
		x += lay.widths[c] + lay.sep
	}
	return starts
}

// TestColumnsDoNotMoveAsValuesChange feeds the table successive snapshots of the same two
// pairs whose values change shape (no skew, then 4m51s, then 495ms, then none; RPS 9.5,
// then 120) and asserts that no column starts elsewhere and each value is in its column.
func TestColumnsDoNotMoveAsValuesChange(t *testing.T) {
	base := loadFixture(t).Snapshot()
	keep := func() *model.Snapshot {
		s := *base
		s.Pairs = nil
		for _, p := range base.Pairs {
			if p.Key == "seldon-mesh/iris" || p.Key == "seldon-mesh/churn" {
				s.Pairs = append(s.Pairs, p)
			}
		}
		return &s
	}
	steps := []struct {
		skewDiff int32
		since    time.Duration // before the snapshot; 0 = equal twins
		rps      float64
		skew     string
		rpsCell  string
	}{
		// The first frame has the narrowest values: only fixed widths keep the columns put.
		{0, 0, 9.5, "=", "9.5"},
		{1, 4*time.Minute + 51*time.Second, 9.5, "~+1 4m51s", "9.5"},
		{1, 495 * time.Millisecond, 120, "~+1 0s", "120"},
		{0, 0, 120, "=", "120"},
		{-2, 12 * time.Second, 1234.5, "~-2 12s", "1.23k"},
	}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			src := static.New(keep(), nil)
			a := newTestApp(t, src, "dark", sz[0], sz[1])
			var title string
			var starts map[int]int
			for i, st := range steps {
				s := keep()
				for j := range s.Pairs {
					if p := &s.Pairs[j]; p.Key == "seldon-mesh/iris" {
						p.Skew.DesiredDiff, p.Skew.DifferentSince, p.Skew.Alert = st.skewDiff, time.Time{}, false
						if st.since > 0 {
							p.Skew.DifferentSince = s.Taken.Add(-st.since)
						}
						p.Metric.RPS, p.Metric.Known, p.Metric.Stale, p.Metric.Problem = st.rps, true, false, ""
					}
				}
				src.Set(s)
				send(a, tickMsg{})
				lines := splitLines(screen(a))
				ti := -1
				for k, l := range lines {
					if strings.Contains(l, "STATUS") {
						ti = k
						break
					}
				}
				if ti < 0 {
					t.Fatalf("step %d: no title line:\n%s", i, screen(a))
				}
				lay := tableLayout(a.c.rows, sz[0], false)
				if i == 0 {
					title, starts = lines[ti], columnStarts(lay)
				} else if lines[ti] != title {
					t.Fatalf("step %d: the title line moved:\n%q\n%q", i, title, lines[ti])
				}
				if got := columnStarts(lay); fmt.Sprint(got) != fmt.Sprint(starts) {
					t.Fatalf("step %d: column starts moved: %v, then %v", i, starts, got)
				}
				var row string
				for _, l := range lines[ti+1:] {
					if strings.Contains(l, " iris ") {
						row = l
					}
				}
				if row == "" {
					t.Fatalf("step %d: no iris row:\n%s", i, screen(a))
				}
				for c, want := range map[int]string{colSkew: st.skew, colRPS: st.rpsCell, colModelName: "iris"} {
					x, ok := starts[c]
					if !ok {
						continue
					}
					if got := strings.TrimSpace(cellAt(row, x, lay.widths[c])); got != want {
						t.Errorf("step %d: %s column at %d reads %q, want %q\n%s\n%s", i, columns[c].title, x, got, want, title, row)
					}
				}
			}
		})
	}
}

// TestSelectedRowMarkedWithoutColour: with no colour (NO_COLOR, TERM=dumb) the selection
// still shows, by the ▶ marker on the selected row and on no other.
func TestSelectedRowMarkedWithoutColour(t *testing.T) {
	th, _ := themes.Builtin("dark")
	a := New(Options{Source: loadFixture(t), Themes: themes.NewSet(nil, true), Theme: th,
		Now: func() time.Time { return fixtureTime.Add(2 * time.Second) }, Location: time.UTC})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: 80, Height: 24})
	if !a.c.styles().NoColor {
		t.Fatal("the styles are coloured")
	}
	for _, moves := range []int{0, 1, 3} {
		for range moves {
			press(a, "j")
		}
		out := a.View().Content
		for _, sgr := range []string{"38;", "48;"} {
			if strings.Contains(out, sgr) {
				t.Fatalf("colour in a no-colour frame: %q", sgr)
			}
		}
		sel := a.c.rows.rows[a.table.visible[a.table.st.cursor]].model
		marked := 0
		for _, l := range splitLines(ansi.Strip(out)) {
			if !strings.Contains(l, cursorMark) {
				continue
			}
			marked++
			if !strings.HasPrefix(l, cursorMark) || !strings.Contains(l, " "+sel+" ") {
				t.Errorf("the marker is on %q, not on the selected %s", l, sel)
			}
		}
		if marked != 1 {
			t.Errorf("after %d moves the marker shows on %d rows, want 1:\n%s", moves, marked, ansi.Strip(out))
		}
	}
}

// TestHelpNamesEveryColumnTitle: every column title a terminal of any width shows, full or
// short, is a name the help screen explains.
func TestHelpNamesEveryColumnTitle(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 200, 60)
	// The names the help gives: each line's label, and the "(short when narrow)" after it.
	named := map[string]bool{}
	short := regexp.MustCompile(`^\((.+?) when narrow\)`)
	inColumns := false
	for _, l := range helpBody(&a.c, 200) {
		l = ansi.Strip(l)
		if l == "Columns" {
			inColumns = true
			continue
		}
		if !inColumns || !strings.HasPrefix(l, "  ") || len(l) < 15 {
			continue
		}
		named[strings.TrimSpace(ansi.Cut(l, 2, 14))] = true
		if m := short.FindStringSubmatch(ansi.Cut(l, 15, 200)); m != nil {
			named[m[1]] = true
		}
	}
	for c := range numCols {
		for _, name := range []string{columns[c].title, columns[c].short} {
			if name != "" && !named[name] {
				t.Errorf("help does not name column %q: it names %v", name, named)
			}
		}
	}
	colW := a.c.rows.colW
	colW[colCluster] = 12
	for w := minWidth; w <= 260; w++ {
		lay := computeLayout(colW, w)
		title := ansi.Strip(titleLine(a.c.styles(), &lay, sortAlerts))
		for c := range numCols {
			if !lay.shown[c] || c == colSym {
				continue
			}
			name := columnTitle(c, lay.widths[c])
			if titleWidth(c, name) > lay.widths[c] && w < 60 {
				continue // a terminal this narrow cuts titles; from 60 columns all are whole
			}
			if !strings.Contains(title, name) {
				t.Fatalf("width %d: the title line %q lacks %q", w, title, name)
			}
			if !named[name] {
				t.Fatalf("width %d: title %q is not in the help", w, name)
			}
		}
	}
}

// TestInfoFindingsBadgeNoRow: an info finding (TS213 unbounded) is advice, not a state: the
// row shows no badge for it, the detail view still does.
func TestInfoFindingsBadgeNoRow(t *testing.T) {
	a := newSeldonApp(t, "dark", 200, 60)
	for _, l := range splitLines(screen(a)) {
		if strings.Contains(l, "churn-xgb") && (strings.Contains(l, "unbounded") || !strings.Contains(l, "✓ok")) {
			t.Errorf("an info finding badges the row: %q", l)
		}
	}
	press(a, "/", "c", "h", "u", "r", "n", "enter", "enter")
	if out := screen(a); !strings.Contains(out, "TS213") {
		t.Errorf("the detail view lacks the info finding TS213:\n%s", out)
	}
}

// newTwoClustersApp is newTestApp over testdata/two-clusters.json: the demo's mixed story in
// prod-eu-west-1 and its blue-green story in prod-us-east-2 (the same recsys-ranker-blue and
// -green in both), merged as --context a,b merges them.
func newTwoClustersApp(t *testing.T, theme string, w, h int) *App {
	t.Helper()
	return newFileApp(t, "testdata/two-clusters.json", theme, w, h)
}

// TestGoldenTwoClusters pins the main view over two clusters: a CLUSTER column, and the same
// pair in both clusters on two rows that read differently.
func TestGoldenTwoClusters(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			for _, theme := range []string{"dark", "light"} {
				t.Run(theme, func(t *testing.T) {
					a := newTwoClustersApp(t, theme, sz[0], sz[1])
					out := screen(a)
					checkFits(t, out, sz[0], sz[1])
					lines := splitLines(out)
					if sz[0] >= 120 && !strings.Contains(lines[2], "CLUSTER") {
						t.Errorf("no CLUSTER column:\n%s", out)
					}
					assertRowsDistinct(t, lines[3:])
					golden.RequireEqual(t, out)
				})
			}
		})
	}
}

// assertRowsDistinct fails when two table rows read the same: two pairs that look alike.
func assertRowsDistinct(t *testing.T, rows []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, l := range rows {
		l = strings.TrimSpace(strings.TrimPrefix(l, cursorMark))
		if l == "" || strings.ContainsAny(l[:1], "?↑↓") {
			continue
		}
		if seen[l] {
			t.Errorf("two rows read the same: %q", l)
		}
		seen[l] = true
	}
}

// TestLookAlikePairsReadDifferently: pairs whose names differ only at the end (blue/green,
// many-classifier-0041/-0042) stay distinct at every common size, in the table, pinned, and
// in the compare view.
func TestLookAlikePairsReadDifferently(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			a := newTwoClustersApp(t, "dark", sz[0], sz[1])
			assertRowsDistinct(t, splitLines(screen(a))[3:])
			// Mark blue and green of one cluster, pin them, then compare them.
			press(a, "/", "r", "e", "c", "s", "y", "s", "enter")
			if n := len(a.table.visible); n != 4 {
				t.Fatalf("filter recsys shows %d rows, want 4", n)
			}
			press(a, " ", "j", " ", "P")
			out := screen(a)
			for _, want := range []string{"recsys-ranker-blue", "recsys-ranker-green"} {
				if !strings.Contains(out, want) {
					t.Errorf("pinned rows lack %q:\n%s", want, out)
				}
			}
			assertRowsDistinct(t, splitLines(out)[3:])
			press(a, "c")
			out = screen(a)
			if !strings.Contains(out, "-blue") || !strings.Contains(out, "-green") {
				t.Errorf("compare view does not tell blue from green:\n%s", out)
			}
		})
	}
}
