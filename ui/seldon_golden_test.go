package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/static"
)

// seldonViews are today's Seldon states as the demo's seldon story shows them (testdata/
// seldon.json is `twinscale --demo --demo-scenario seldon --demo-advance 5m snapshot -o
// json`): the table, and the detail of a scheduler/HPA fight, a partial Model, a Model
// scaled to 0, a terminal scaling-spec error and a KEDA HPA paused at 2.
var seldonViews = []struct{ name, filter string }{
	{"main", ""}, {"fight", "fight"}, {"partial", "partial"}, {"scaled-to-0", "idle"},
	{"spec-invalid", "capped"}, {"keda-paused", "paused"},
}

// TestGoldenSeldon pins those views at three sizes in the dark and light themes.
func TestGoldenSeldon(t *testing.T) {
	for _, v := range seldonViews {
		t.Run(v.name, func(t *testing.T) {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
					for _, theme := range []string{"dark", "light"} {
						t.Run(theme, func(t *testing.T) {
							a := newSeldonApp(t, theme, sz[0], sz[1])
							if v.filter != "" {
								press(a, "/")
								press(a, strings.Split(v.filter, "")...)
								press(a, "enter", "enter")
							}
							out := screen(a)
							checkFits(t, out, sz[0], sz[1])
							golden.RequireEqual(t, out)
						})
					}
				})
			}
		})
	}
}

// TestSeldonKEDAPausedDetail: the detail view of the paused KEDA pair says it is paused and
// why, and does not forecast a move.
func TestSeldonKEDAPausedDetail(t *testing.T) {
	a := newSeldonApp(t, "dark", 200, 60)
	press(a, "/", "p", "a", "u", "s", "e", "d", "enter", "enter")
	out := screen(a)
	for _, want := range []string{"KEDA", "Model HPA keda-hpa-iris-keda-paused: paused by KEDA (autoscaling.keda.sh/paused-replicas: 2): held at 2 replicas"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "TS2") && strings.Contains(out, "at max") {
		t.Errorf("a paused HPA reported at max:\n%s", out)
	}
}

// newSeldonApp is newTestApp over testdata/seldon.json, its clock 2 s after the snapshot.
func newSeldonApp(t *testing.T, theme string, w, h int) *App {
	t.Helper()
	return newFileApp(t, "testdata/seldon.json", theme, w, h)
}

// newFileApp is newTestApp over a saved snapshot file, its clock 2 s after the snapshot.
func newFileApp(t *testing.T, path, theme string, w, h int) *App {
	t.Helper()
	src, err := static.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	th, ok := themes.Builtin(theme)
	if !ok {
		t.Fatalf("no theme %q", theme)
	}
	taken := src.Snapshot().Taken
	a := New(Options{Source: src, Theme: th, Now: func() time.Time { return taken.Add(2 * time.Second) }, Location: time.UTC})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: w, Height: h})
	return a
}
