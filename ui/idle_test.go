package ui

import (
	"regexp"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/static"
)

// liveSource is a static source that says it follows the cluster, as the engine does.
type liveSource struct{ *static.Source }

func (s liveSource) Info() watch.SourceInfo {
	info := s.Source.Info()
	info.Live = true
	return info
}

// TestQuietLiveClusterRendersNothing: while a live watch is connected and synced, time
// passing without a change renders no new frame (an old snapshot only means a quiet
// cluster); a disconnected watch, or a source that is not live, shows the data's age.
func TestQuietLiveClusterRendersNothing(t *testing.T) {
	for _, tt := range []struct {
		name      string
		live      bool
		connected bool
		wantAge   bool
	}{
		{"live and connected", true, true, false},
		{"live and disconnected", true, false, true},
		{"saved snapshot", false, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			snap := cloneSnapshot(loadFixture(t).Snapshot())
			snap.Watch.Connected, snap.Watch.Synced = tt.connected, true
			st := static.New(snap, nil)
			now := fixtureTime
			th, _ := themes.Builtin("dark")
			opts := Options{Source: st, Theme: th, Now: func() time.Time { return now }, Location: time.UTC}
			if tt.live {
				opts.Source = liveSource{st}
			}
			a := New(opts)
			a.ticker = func() tea.Cmd { return nil }
			settle(a, a.Init())
			send(a, tea.WindowSizeMsg{Width: 200, Height: 60})
			a.View()
			frames := a.frame.built
			for range 10 {
				now = now.Add(time.Minute)
				send(a, tickMsg{})
				a.View()
			}
			aged := regexp.MustCompile(`data \S+ old`).MatchString(screen(a))
			if aged != tt.wantAge {
				t.Errorf("data age shown: %v, want %v", aged, tt.wantAge)
			}
			if !tt.wantAge && a.frame.built != frames {
				t.Errorf("%d frames rendered while nothing changed", a.frame.built-frames)
			}
		})
	}
}
