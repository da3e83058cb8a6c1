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
				*a.table.lines = lineCache{}
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
					a.table.move(1)
				} else {
					a.table.move(-1)
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
				buildRows(snap, 1, nil)
			}
		})
	}
}

// twoSnapshots returns modeltest's n pairs before and after one HPA reported a new
// status 100 ms later, built by one tracker as the engine would.
func twoSnapshots(tb testing.TB, n int) (*model.Snapshot, *model.Snapshot) {
	tb.Helper()
	inv := modeltest.Inventory(n)
	tr := model.NewTracker(model.TrackerOptions{Metrics: true})
	var a model.Snapshot
	for k := range 4 {
		p := modeltest.Poll(n, k, 15*time.Second)
		tr.RecordPoll(p)
		a = tr.Build(p.At, inv, model.WatchState{Synced: true, Connected: true, SyncedKinds: 6, TotalKinds: 6})
	}
	b := tr.Build(a.Taken.Add(100*time.Millisecond), modeltest.ChangeHPA(inv, n/2, 99999), a.Watch)
	return &a, &b
}

// BenchmarkBuildRowsOneChange measures formatting a snapshot in which one pair changed,
// reusing the rows of the one before: the common load.
func BenchmarkBuildRowsOneChange(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			before, after := twoSnapshots(b, n)
			prev := buildRows(before, 1, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				buildRows(after, 2, prev)
			}
		})
	}
}

// BenchmarkUpdateSnapshot measures the UI goroutine's share of a new snapshot: taking
// the formatted rows, filtering and sorting them, and the next frame.
func BenchmarkUpdateSnapshot(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			before, after := twoSnapshots(b, n)
			a := newTestApp(b, static.New(before, nil), "dark", 200, 60)
			sets := []*rowSet{buildRows(after, 2, a.c.rows), buildRows(before, 3, a.c.rows)}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				rs := *sets[i%2]
				rs.version = uint64(10 + i)
				a.Update(snapshotMsg{&rs})
				a.View()
			}
		})
	}
}
