package ui

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/static"
)

// countingWriter counts the bytes a program writes to its terminal.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }

// quiet waits until nothing has been written for a while, and returns the count.
func (w *countingWriter) quiet(d time.Duration) int64 {
	last, since := w.n.Load(), time.Now()
	for time.Since(since) < d {
		time.Sleep(5 * time.Millisecond)
		if n := w.n.Load(); n != last {
			last, since = n, time.Now()
		}
	}
	return last
}

// BenchmarkProgramBytesPerUpdate runs the dashboard in a real Bubble Tea program at
// 200x60 (no terminal: input nil, output counted) over modeltest's n pairs, and
// measures what its renderer writes when one pair on the screen changes, and over
// idle ticks when nothing changes (which must be nothing).
func BenchmarkProgramBytesPerUpdate(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			inv := modeltest.Inventory(n)
			tr := model.NewTracker(model.TrackerOptions{Metrics: true})
			w := model.WatchState{Synced: true, Connected: true, SyncedKinds: 6, TotalKinds: 6}
			var snap model.Snapshot
			for k := range 4 {
				p := modeltest.Poll(n, k, 15*time.Second)
				tr.RecordPoll(p)
				snap = tr.Build(p.At, inv, w)
			}
			src := static.New(&snap, nil)
			th, _ := themes.Builtin(themes.Dark)
			now := snap.Taken
			app := New(Options{Source: src, Theme: th, Tick: 5 * time.Millisecond, Location: time.UTC,
				Now: func() time.Time { return now }})
			out := &countingWriter{}
			p := tea.NewProgram(app, tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(200, 60),
				tea.WithColorProfile(colorprofile.TrueColor), tea.WithFPS(DefaultFPS), tea.WithoutSignalHandler())
			done := make(chan struct{})
			go func() { _, _ = p.Run(); close(done) }()
			defer func() { p.Quit(); <-done }()
			if out.quiet(300*time.Millisecond) == 0 {
				b.Fatal("the program drew no first frame")
			}

			// Change pairs the screen shows: the alerts sort first, so take the first rows.
			visible := make([]int, 0, 20)
			for i := 0; i < n && len(visible) < 20; i++ {
				if modeltest.KindOf(i) != modeltest.Steady {
					visible = append(visible, i)
				}
			}
			rv := 1_000_000
			b.ResetTimer()
			var total int64
			for i := range b.N {
				b.StopTimer()
				rv++
				// The Model HPA's desired replicas move by one: the row's HPA column changes.
				pair := visible[i%len(visible)]
				inv = modeltest.ChangeHPA(inv, pair, rv)
				h := &inv.HPAs[2*pair]
				h.DesiredReplicas = modeltest.HPA(pair, false).DesiredReplicas + int32(1-(i/len(visible))%2)
				next := tr.Build(snap.Taken.Add(time.Duration(i+1)*time.Millisecond), inv, w)
				before := out.n.Load()
				b.StartTimer()
				src.Set(&next)
				deadline := time.Now().Add(5 * time.Second)
				for out.n.Load() == before {
					if time.Now().After(deadline) {
						b.Fatalf("nothing written after pair %d changed", pair)
					}
					time.Sleep(time.Millisecond)
				}
				b.StopTimer()
				total += out.quiet(100*time.Millisecond) - before
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(total)/float64(b.N), "bytes/update")
			before := out.n.Load()
			time.Sleep(300 * time.Millisecond) // 60 idle ticks
			b.ReportMetric(float64(out.n.Load()-before), "bytes/idle-300ms")
		})
	}
}
