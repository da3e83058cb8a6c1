package ui

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/static"
)

// bigSource repeats the fixture's pairs (and their objects) to n pairs with
// unique keys, spread over namespaces.
func bigSource(tb testing.TB, n int) *static.Source {
	tb.Helper()
	base := loadFixture(tb).Snapshot()
	snap := *base
	snap.Pairs = make([]model.Pair, 0, n)
	for i := 0; len(snap.Pairs) < n; i++ {
		p := base.Pairs[i%len(base.Pairs)]
		p.Namespace = "ns-" + strconv.Itoa(i%37)
		p.ModelName = p.ModelName + "-" + strconv.Itoa(i)
		p.Key = p.Namespace + "/" + p.ModelName
		snap.Pairs = append(snap.Pairs, p)
	}
	return static.New(&snap, nil)
}

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
	for _, n := range []int{50, 5000} {
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
	for _, n := range []int{500, 5000} {
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
