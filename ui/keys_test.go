package ui

import (
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
)

// selectedKey returns the pair key under the cursor.
func selectedKey(t *testing.T, a *App) string {
	t.Helper()
	r := a.table.selected()
	if r == nil {
		t.Fatal("nothing selected")
	}
	return r.key
}

// visibleKeys lists the keys of the visible rows in order.
func visibleKeys(a *App) []string {
	var out []string
	for _, i := range a.table.visible {
		out = append(out, a.c.rows.rows[i].key)
	}
	return out
}

func TestNavigationKeys(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	n := len(a.table.visible)
	if n != 15 || a.table.st.cursor != 0 {
		t.Fatalf("start: %d rows, cursor %d", n, a.table.st.cursor)
	}
	first := selectedKey(t, a)
	if first != "ml-prod/sentiment" {
		t.Fatalf("alerts sort must put the critical structural ScheduleFailed first, got %s", first)
	}
	press(a, "j", "j")
	if a.table.st.cursor != 2 {
		t.Fatalf("j j: cursor %d", a.table.st.cursor)
	}
	press(a, "k")
	if a.table.st.cursor != 1 {
		t.Fatalf("k: cursor %d", a.table.st.cursor)
	}
	press(a, "down", "up", "up", "up")
	if a.table.st.cursor != 0 {
		t.Fatalf("arrows must clamp at the top: cursor %d", a.table.st.cursor)
	}
	press(a, "G")
	if a.table.st.cursor != n-1 {
		t.Fatalf("G: cursor %d", a.table.st.cursor)
	}
	press(a, "g")
	if a.table.st.cursor != 0 {
		t.Fatalf("g: cursor %d", a.table.st.cursor)
	}
	press(a, "pgdown")
	if a.table.st.cursor != n-1 {
		t.Fatalf("pgdown with every row on screen goes to the last: %d", a.table.st.cursor)
	}
	press(a, "pgup")
	if a.table.st.cursor != 0 {
		t.Fatalf("pgup: %d", a.table.st.cursor)
	}
}

func TestPagingScrollsOnlyVisibleRows(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 80, 10) // 6 table rows
	h := a.table.height()
	if h != 6 {
		t.Fatalf("table height %d", h)
	}
	press(a, "pgdown")
	if a.table.st.cursor != h-1 || a.table.st.offset != 0 {
		t.Fatalf("pgdown: cursor %d offset %d", a.table.st.cursor, a.table.st.offset)
	}
	press(a, "pgdown")
	if a.table.st.cursor != 2*(h-1) || a.table.st.offset != a.table.st.cursor-h+1 {
		t.Fatalf("second pgdown: cursor %d offset %d", a.table.st.cursor, a.table.st.offset)
	}
	out := screen(a)
	sel := a.c.rows.rows[a.table.visible[a.table.st.cursor]]
	if !strings.Contains(out, sel.model) {
		t.Fatalf("the selected row %s is not on screen:\n%s", sel.key, out)
	}
}

func TestEnterOpensDetailAndEscReturns(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	press(a, "j", "j", "j", "j") // churn: the drift pair
	want := selectedKey(t, a)
	press(a, "enter")
	if a.mode != modeDetail || a.detail.st.key != want {
		t.Fatalf("mode %v key %q, want detail of %s", a.mode, a.detail.st.key, want)
	}
	if a.detail.hist.Key != want || len(a.detail.hist.RPS) == 0 {
		t.Fatalf("history of %s not loaded: %+v", want, a.detail.hist.Key)
	}
	out := screen(a)
	for _, s := range []string{"HPA specs", "≠ min", "≠   target", "≠ scale down", "RPS over the last"} {
		if !strings.Contains(out, s) {
			t.Errorf("detail of %s lacks %q:\n%s", want, s, out)
		}
	}
	press(a, "j", "j")
	if a.detail.st.scroll != 2 {
		t.Fatalf("j in detail scrolls: %d", a.detail.st.scroll)
	}
	press(a, "esc")
	if a.mode != modeMain || selectedKey(t, a) != want {
		t.Fatalf("esc: mode %v, selected %s", a.mode, selectedKey(t, a))
	}
}

func TestFilterIsLive(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	press(a, "/", "s", "h", "a")
	if !a.table.st.filtering || a.table.st.filter != "sha" {
		t.Fatalf("filtering %v filter %q", a.table.st.filtering, a.table.st.filter)
	}
	if got := visibleKeys(a); len(got) != 2 || !strings.Contains(got[0], "shared") {
		t.Fatalf("filter sha: %v", got)
	}
	if !strings.Contains(screen(a), "/sha") {
		t.Fatal("the footer shows the filter being typed")
	}
	press(a, "backspace", "backspace", "backspace", "q")
	// q is text while filtering, not quit.
	if a.table.st.filter != "q" || len(a.table.visible) != 0 {
		t.Fatalf("filter %q visible %d", a.table.st.filter, len(a.table.visible))
	}
	if !strings.Contains(screen(a), "no pair matches") {
		t.Fatal("an empty filter result must say so")
	}
	press(a, "esc")
	if a.table.st.filtering || a.table.st.filter != "" || len(a.table.visible) != 15 {
		t.Fatalf("esc clears: filtering %v filter %q visible %d", a.table.st.filtering, a.table.st.filter, len(a.table.visible))
	}
	// Labels match too, and enter keeps the filter.
	press(a, "/", "t", "e", "a", "m", "=", "m", "l", "enter")
	if a.table.st.filtering || len(a.table.visible) != 3 {
		t.Fatalf("label filter team=ml: filtering %v, %v", a.table.st.filtering, visibleKeys(a))
	}
	press(a, "esc")
	if a.table.st.filter != "" {
		t.Fatal("esc in the main view clears the kept filter")
	}
}

func TestSortCycles(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	want := []struct {
		sort  sortBy
		first string
	}{
		{sortName, "ml-prod/ocr"},
		{sortRPS, "team-recommendations-production-eu-west/customer-lifetime-value-gradient-boosted-ensemble-v2"},
		{sortSkew, "ml-prod/sentiment"},
		{sortAlerts, "ml-prod/sentiment"},
	}
	for _, w := range want {
		press(a, "s")
		if a.table.st.sort != w.sort {
			t.Fatalf("sort %v, want %v", a.table.st.sort, w.sort)
		}
		if got := a.c.rows.rows[a.table.visible[0]].key; got != w.first {
			t.Fatalf("sort %v: first %s, want %s", w.sort, got, w.first)
		}
		if !strings.Contains(screen(a), "sort "+w.sort.String()) {
			t.Fatalf("header does not name sort %v", w.sort)
		}
	}
	// The selection follows its pair through re-sorting.
	press(a, "j", "j")
	sel := selectedKey(t, a)
	press(a, "s")
	if selectedKey(t, a) != sel {
		t.Fatalf("selection moved from %s to %s on re-sort", sel, selectedKey(t, a))
	}
}

func TestAlertsOnly(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	press(a, "a")
	if len(a.table.visible) != 10 {
		t.Fatalf("alerts only: %d rows", len(a.table.visible))
	}
	for _, i := range a.table.visible {
		if a.c.rows.rows[i].health < model.Warning {
			t.Fatalf("%s is not an alert", a.c.rows.rows[i].key)
		}
	}
	press(a, "a")
	if len(a.table.visible) != 15 {
		t.Fatalf("a again shows all: %d", len(a.table.visible))
	}
}

func TestNamespacePicker(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	press(a, "n")
	if a.mode != modePicker || !strings.Contains(screen(a), "all namespaces") {
		t.Fatalf("n opens the picker: mode %v", a.mode)
	}
	press(a, "j", "enter") // ml-prod
	if a.mode != modeMain || a.table.st.namespace != "ml-prod" || len(a.table.visible) != 3 {
		t.Fatalf("picked %q, %d rows", a.table.st.namespace, len(a.table.visible))
	}
	press(a, "n", "esc")
	if a.table.st.namespace != "ml-prod" || a.mode != modeMain {
		t.Fatal("esc cancels the picker without changing the namespace")
	}
	press(a, "n", "g", "enter")
	if a.table.st.namespace != "" || len(a.table.visible) != 15 {
		t.Fatalf("all namespaces: %q %d", a.table.st.namespace, len(a.table.visible))
	}
}

func TestEventsThemeHelpToggles(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	before := a.table.height()
	press(a, "e")
	if !a.table.st.events || a.table.height() >= before || !strings.Contains(screen(a), "FailedGetObjectMetric") {
		t.Fatalf("e shows the events pane: %v, table %d→%d", a.table.st.events, before, a.table.height())
	}
	press(a, "e")
	if a.table.st.events {
		t.Fatal("e hides the events pane")
	}
	theme := a.c.theme
	press(a, "t")
	if a.c.theme == theme || a.c.styles().Theme != "light" {
		t.Fatalf("t cycles the theme: %d → %d (%s)", theme, a.c.theme, a.c.styles().Theme)
	}
	for range a.c.set.Len() - 1 {
		press(a, "t")
	}
	if a.c.theme != theme {
		t.Fatal("t wraps around")
	}
	press(a, "?")
	if a.mode != modeHelp || !strings.Contains(screen(a), "Symbols") {
		t.Fatal("? opens help")
	}
	press(a, "?")
	if a.mode != modeMain {
		t.Fatal("? closes help")
	}
	press(a, "enter", "?", "esc")
	if a.mode != modeDetail {
		t.Fatalf("help returns to the mode it came from, got %v", a.mode)
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		a := newTestApp(t, loadFixture(t), "dark", 80, 24)
		_, cmd := a.Update(keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Fatalf("%s does not quit", k)
		}
	}
	// ctrl+c quits even while typing a filter.
	a := newTestApp(t, loadFixture(t), "dark", 80, 24)
	press(a, "/")
	_, cmd := a.Update(keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c while filtering: no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c while filtering does not quit")
	}
}

func TestPauseFreezesDisplayButNotData(t *testing.T) {
	src := loadFixture(t)
	a := newTestApp(t, src, "dark", 120, 40)
	press(a, "p")
	frozen := screen(a)
	next := *src.Snapshot()
	next.Pairs = next.Pairs[:3]
	src.Set(&next)
	send(a, tickMsg{})
	if len(a.c.rows.rows) != 15 {
		t.Fatal("paused display must not take the new snapshot")
	}
	if !a.c.behind || !strings.Contains(screen(a), "PAUSED (new data waiting)") {
		t.Fatal("header must say new data is waiting")
	}
	if screen(a) == frozen {
		t.Fatal("the header changes when new data waits")
	}
	press(a, "p")
	if len(a.c.rows.rows) != 3 || a.c.behind {
		t.Fatalf("unpause loads the latest snapshot: %d rows", len(a.c.rows.rows))
	}
}

func TestMouse(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 120, 40)
	send(a, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if a.table.st.cursor != 3 {
		t.Fatalf("wheel down: cursor %d", a.table.st.cursor)
	}
	send(a, tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if a.table.st.cursor != 0 {
		t.Fatalf("wheel up: cursor %d", a.table.st.cursor)
	}
	send(a, tea.MouseClickMsg{Button: tea.MouseLeft, X: 10, Y: tableTop + 5})
	if a.table.st.cursor != 5 || a.mode != modeMain {
		t.Fatalf("click selects row 5: cursor %d", a.table.st.cursor)
	}
	send(a, tea.MouseClickMsg{Button: tea.MouseLeft, X: 10, Y: tableTop + 5})
	if a.mode != modeDetail {
		t.Fatal("a click on the selected row opens it")
	}
	send(a, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if a.detail.st.scroll != 3 {
		t.Fatalf("wheel scrolls the detail: %d", a.detail.st.scroll)
	}
	press(a, "esc")
	send(a, tea.MouseClickMsg{Button: tea.MouseLeft, X: 10, Y: 0})
	if a.table.st.cursor != 5 {
		t.Fatal("a click on the header selects nothing")
	}
}

func TestBackgroundPicksLightOrDark(t *testing.T) {
	a := New(Options{Source: loadFixture(t)})
	if !a.auto || a.c.styles().Theme != "dark" {
		t.Fatalf("auto starts dark: %v %s", a.auto, a.c.styles().Theme)
	}
	send(a, tea.BackgroundColorMsg{Color: color.White})
	if a.c.styles().Theme != "light" {
		t.Fatalf("white background: %s", a.c.styles().Theme)
	}
	send(a, tea.BackgroundColorMsg{Color: color.Black})
	if a.c.styles().Theme != "dark" {
		t.Fatalf("black background: %s", a.c.styles().Theme)
	}
	press(a, "t") // an explicit choice wins over later reports
	send(a, tea.BackgroundColorMsg{Color: color.Black})
	if a.c.styles().Theme != "light" {
		t.Fatalf("after t: %s", a.c.styles().Theme)
	}
}
