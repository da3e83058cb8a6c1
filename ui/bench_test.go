package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
	"github.com/twinscale/twinscale/watch/static"
)

// bigSnapshot is the snapshot of modeltest's n pairs after a few polls: the same pairs
// the model and watch benchmarks use, analysed by the real tracker.
func bigSnapshot(tb testing.TB, n int) *model.Snapshot {
	tb.Helper()
	inv := modeltest.Inventory(n)
	tr := model.NewTracker(model.TrackerOptions{Metrics: true})
	var snap model.Snapshot
	for k := range 4 {
		p := modeltest.Poll(n, k, 15*time.Second)
		tr.RecordPoll(p)
		snap = tr.Build(p.At, inv, model.WatchState{Synced: true, Connected: true, SyncedKinds: 6, TotalKinds: 6})
	}
	return &snap
}

// bigSource serves bigSnapshot.
func bigSource(tb testing.TB, n int) *static.Source { return static.New(bigSnapshot(tb, n), nil) }

// BenchmarkViewMain200x60 measures a full main-view frame (caches cleared)
// at 200x60: its cost must not grow with the number of pairs.
func BenchmarkViewMain200x60(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			a := newTestApp(b, bigSource(b, n), "dark", 200, 60)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				a.frame.ok = false
				a.lines = lineCache{}
				a.View()
			}
		})
	}
}

// BenchmarkViewMainCursorMove200x60 measures the common frame: the cursor
// moved, so two rows render and the rest come from the row cache.
func BenchmarkViewMainCursorMove200x60(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			a := newTestApp(b, bigSource(b, n), "dark", 200, 60)
			a.View()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i%2 == 0 {
					a.move(1)
				} else {
					a.move(-1)
				}
				a.View()
			}
		})
	}
}

// BenchmarkBuildRows measures formatting every pair of a snapshot, the work
// done once per snapshot off the UI goroutine.
func BenchmarkBuildRows(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			snap := bigSource(b, n).Snapshot()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				buildRows(snap, 1)
			}
		})
	}
}
