package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/multi"
	"github.com/twinscale/twinscale/watch/static"
)

// clustersSource shows three clusters from the fixture: prod-eu and prod-us share some
// pairs (the same namespace/model in two clusters), prod-us lost its API server a minute
// before the fixture's time, and staging may not read StatefulSets.
func clustersSource(t testing.TB) *multi.Source {
	t.Helper()
	f, err := os.Open("testdata/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	snap, hist, err := static.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	part := func(from, to int, edit func(*model.WatchState)) *static.Source {
		s := *snap
		s.Pairs = snap.Pairs[from:to]
		s.Watch.Access = map[string]model.Access{}
		for k, v := range snap.Watch.Access {
			s.Watch.Access[k] = v
		}
		if edit != nil {
			edit(&s.Watch)
		}
		return static.New(&s, hist)
	}
	return multi.New([]multi.Member{
		{Name: "prod-eu", Source: part(0, 8, nil)},
		{Name: "prod-us", Source: part(4, 10, func(w *model.WatchState) {
			w.Connected, w.DisconnectedSince, w.LastError = false, fixtureTime.Add(-time.Minute), "connection refused"
		})},
		{Name: "staging", Source: part(11, 15, func(w *model.WatchState) {
			w.Access[model.ResourceStatefulSets] = model.AccessForbidden
		})},
	})
}

// newClustersApp is newTestApp over the three clusters.
func newClustersApp(t testing.TB, theme string, w, h int) *App {
	t.Helper()
	th, ok := themes.Builtin(theme)
	if !ok {
		t.Fatalf("no theme %q", theme)
	}
	a := New(Options{Source: clustersSource(t), Theme: th, Now: func() time.Time { return fixtureTime.Add(2 * time.Second) }, Location: time.UTC})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: w, Height: h})
	return a
}

// TestGoldenClusters pins the main view and the picker with three clusters.
func TestGoldenClusters(t *testing.T) {
	for _, v := range []struct {
		name string
		keys []string
	}{{"main", nil}, {"picker", []string{"n"}}} {
		t.Run(v.name, func(t *testing.T) {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
					for _, theme := range []string{"dark", "light"} {
						t.Run(theme, func(t *testing.T) {
							a := newClustersApp(t, theme, sz[0], sz[1])
							press(a, v.keys...)
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

// TestClustersHeaderAndPicker: the header gives each cluster its own state; the picker
// offers each cluster and each of its namespaces, and picking narrows the table to it.
func TestClustersHeaderAndPicker(t *testing.T) {
	a := newClustersApp(t, "dark", 200, 60)
	s := screen(a)
	for _, want := range []string{"✓ prod-eu synced", "✗ prod-us disconnected since 09:25:40", "! staging forbidden: statefulsets"} {
		if !strings.Contains(s, want) {
			t.Errorf("header lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "data ") && strings.Contains(s, " old") {
		t.Errorf("one cluster's outage calls every cluster's data old:\n%s", s)
	}
	rows := func() map[string]int {
		n := map[string]int{}
		for _, i := range a.table.visible {
			n[a.c.rows.rows[i].pair.Cluster]++
		}
		return n
	}
	if got := rows(); got["prod-eu"] != 8 || got["prod-us"] != 6 || got["staging"] != 4 {
		t.Fatalf("rows per cluster %v", got)
	}
	press(a, "n")
	if s := screen(a); !strings.Contains(s, "Cluster or namespace") || !strings.Contains(s, "cluster prod-us") {
		t.Fatalf("picker:\n%s", s)
	}
	// Entries: all clusters, then per cluster the cluster and its namespaces.
	for i := 0; i < 20 && a.picker.name(a.picker.st.cursor) != "prod-us/"; i++ {
		press(a, "j")
	}
	press(a, "enter")
	if got := rows(); len(got) != 1 || got["prod-us"] != 6 {
		t.Errorf("after picking cluster prod-us: rows per cluster %v", got)
	}
	if s := screen(a); !strings.Contains(s, "view cluster prod-us") {
		t.Errorf("header does not say the view is one cluster:\n%s", s)
	}
	press(a, "esc")
	if got := rows(); len(got) != 3 {
		t.Errorf("esc did not show every cluster again: %v", got)
	}
	// The filter matches the cluster's name too.
	press(a, "/", "s", "t", "a", "g", "i", "n", "g", "enter")
	if got := rows(); len(got) != 1 || got["staging"] != 4 {
		t.Errorf("filter staging: rows per cluster %v", got)
	}
}
