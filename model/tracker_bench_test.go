package model_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
)

var benchSizes = []int{50, 500, 5000}

var synced = model.WatchState{Synced: true, Connected: true, SyncedKinds: 6, TotalKinds: 6}

// warmTracker returns a tracker that has seen polls polls of inv and built after each.
func warmTracker(inv model.Inventory, n, polls int) (*model.Tracker, time.Time) {
	tr := model.NewTracker(model.TrackerOptions{Metrics: true})
	now := modeltest.T0
	for k := range polls {
		now = modeltest.T0.Add(time.Duration(k) * 15 * time.Second)
		tr.RecordPoll(modeltest.Poll(n, k, 15*time.Second))
		tr.Build(now, inv, synced)
	}
	return tr, now
}

// BenchmarkTrackerBuildOneChange is the common rebuild: one HPA reported a new status
// since the last snapshot, nothing else changed.
func BenchmarkTrackerBuildOneChange(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			inv := modeltest.Inventory(n)
			tr, now := warmTracker(inv, n, 3)
			invs := make([]model.Inventory, 64)
			for i := range invs {
				inv = modeltest.ChangeHPA(inv, (i*7919)%n, 100000+i)
				invs[i] = inv
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				now = now.Add(time.Millisecond)
				tr.Build(now, invs[i%len(invs)], synced)
			}
		})
	}
}

// BenchmarkTrackerBuildPoll is the rebuild after a Prometheus poll: every pair's
// metric moved, so every pair is analysed again.
func BenchmarkTrackerBuildPoll(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			inv := modeltest.Inventory(n)
			tr, _ := warmTracker(inv, n, 3)
			polls := make([]model.MetricsPoll, 16)
			for k := range polls {
				polls[k] = modeltest.Poll(n, 3+k, 15*time.Second)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				p := polls[i%len(polls)]
				p.At = modeltest.T0.Add(time.Duration(3+i) * 15 * time.Second)
				tr.RecordPoll(p)
				tr.Build(p.At, inv, synced)
			}
		})
	}
}

// BenchmarkTrackerMemory reports the heap one pair costs in steady state: its objects,
// 2 h of history at 15 s (480 polls), the analysis and the last snapshot.
func BenchmarkTrackerMemory(b *testing.B) {
	const n = 1000
	var per float64
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		inv := modeltest.Inventory(n)
		tr := model.NewTracker(model.TrackerOptions{Metrics: true})
		var snap model.Snapshot
		for k := range 480 {
			p := modeltest.Poll(n, k, 15*time.Second)
			tr.RecordPoll(p)
			if k%8 == 0 || k == 479 { // a snapshot every 2 min is enough to fill the analysis
				snap = tr.Build(p.At, inv, synced)
			}
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		per = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(tr)
		runtime.KeepAlive(snap)
		runtime.KeepAlive(inv)
	}
	b.ReportMetric(per, "bytes/pair")
}
