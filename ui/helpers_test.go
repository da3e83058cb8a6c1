package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/static"
)

// fixtureTime is when the fixture snapshot was taken.
var fixtureTime = time.Date(2026, 3, 14, 9, 26, 40, 0, time.UTC)

// loadFixture returns a static source over ui/testdata/fixture.json.
func loadFixture(t testing.TB) *static.Source {
	t.Helper()
	src, err := static.Load("testdata/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// newTestApp builds an App over src at a fixed clock, in UTC, with the named
// theme, sized w×h, with the first snapshot loaded. Ticks never fire: tests
// poll by sending tickMsg.
func newTestApp(t testing.TB, src *static.Source, theme string, w, h int) *App {
	t.Helper()
	th, ok := themes.Builtin(theme)
	if !ok {
		t.Fatalf("no theme %q", theme)
	}
	a := New(Options{Source: src, Theme: th, Now: func() time.Time { return fixtureTime.Add(2 * time.Second) }, Location: time.UTC})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: w, Height: h})
	return a
}

// settle runs cmd and feeds its messages back into Update until nothing is left.
func settle(a *App, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			settle(a, c)
		}
	default:
		_, next := a.Update(msg)
		settle(a, next)
	}
}

// send delivers one message and settles what it starts.
func send(a *App, msg tea.Msg) {
	_, cmd := a.Update(msg)
	settle(a, cmd)
}

// press sends key presses: "j", "enter", "esc", "ctrl+c", ...
func press(a *App, keys ...string) {
	for _, k := range keys {
		send(a, keyMsg(k))
	}
}

// keyMsg builds the key press message a terminal would send.
func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "G":
		return tea.KeyPressMsg{Code: 'g', Text: "G", Mod: tea.ModShift}
	}
	r := []rune(k)
	return tea.KeyPressMsg{Code: r[0], Text: k}
}

// screen returns the current frame without ANSI sequences.
func screen(a *App) string { return ansi.Strip(a.View().Content) }

// checkText reports each of want that out lacks and each of not that it has, naming out as what.
func checkText(t *testing.T, what, out string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, out)
		}
	}
	for _, n := range not {
		if strings.Contains(out, n) {
			t.Errorf("%s has %q:\n%s", what, n, out)
		}
	}
}
