package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// TestBuildRowsReusesUnchangedPairs: rows carried over from the previous snapshot are the
// rows formatting the new snapshot from scratch gives (skew cells count from the new
// snapshot's time), and only changed pairs are formatted.
func TestBuildRowsReusesUnchangedPairs(t *testing.T) {
	before, after := twoSnapshots(t, 120)
	later := *after
	later.Taken = after.Taken.Add(5 * time.Minute)
	prev := buildRows(before, 1, nil)
	for _, s := range []struct {
		name string
		snap *model.Snapshot
	}{{"one change", after}, {"five minutes later", &later}} {
		got, want := buildRows(s.snap, 2, prev), buildRows(s.snap, 2, nil)
		if !reflect.DeepEqual(got.cellW, want.cellW) || got.critical != want.critical || got.warning != want.warning ||
			!reflect.DeepEqual(got.namespaces, want.namespaces) || !reflect.DeepEqual(got.byKey, want.byKey) {
			t.Fatalf("%s: row set differs: %+v / %+v", s.name, got.cellW, want.cellW)
		}
		reused, skews := 0, 0
		for i := range want.rows {
			g, w := got.rows[i], want.rows[i]
			if g.pair != &s.snap.Pairs[i] {
				t.Fatalf("%s: row %d points to another snapshot's pair", s.name, i)
			}
			if &g.badges[0] == &prev.rows[i].badges[0] {
				reused++
				if g.cells[colSkew] != prev.rows[i].cells[colSkew] {
					skews++
				}
			}
			g.pair, w.pair = nil, nil
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s: row %d (%s):\n got %+v\nwant %+v", s.name, i, w.key, g, w)
			}
		}
		if reused < len(want.rows)-1 {
			t.Errorf("%s: %d of %d rows reused; want all but the changed pair", s.name, reused, len(want.rows))
		}
		if s.snap == &later && skews == 0 {
			t.Errorf("%s: no reused skew cell was brought to the snapshot's time", s.name)
		}
	}
}
