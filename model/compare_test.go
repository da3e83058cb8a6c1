package model

import (
	"math"
	"testing"
	"time"
)

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFloat(a[i], b[i]) {
			return false
		}
	}
	return true
}

var nanV = math.NaN()

func TestShares(t *testing.T) {
	tests := []struct {
		name   string
		in     []float64
		total  float64
		shares []float64
	}{
		{"blue-green halfway", []float64{6, 6}, 12, []float64{0.5, 0.5}},
		{"shift done", []float64{0, 9}, 9, []float64{0, 1}},
		{"one unknown adds nothing", []float64{3, nanV, 1}, 4, []float64{0.75, nanV, 0.25}},
		{"inf and negative are unknown", []float64{math.Inf(1), -2, 2}, 2, []float64{nanV, nanV, 1}},
		{"no traffic has no split", []float64{0, 0}, 0, []float64{nanV, nanV}},
		{"all unknown", []float64{nanV, nanV}, 0, []float64{nanV, nanV}},
		{"empty", nil, 0, []float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, shares := Shares(tt.in)
			if !sameFloat(total, tt.total) || !sameFloats(shares, tt.shares) {
				t.Errorf("Shares(%v) = %v, %v; want %v, %v", tt.in, total, shares, tt.total, tt.shares)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	pairs := []Pair{
		{Key: "ns/blue", Metric: PairMetric{Known: true, RPS: 3}, ServerReady: Known(1), ModelReady: Known(1)},
		{Key: "ns/green", Metric: PairMetric{Known: true, RPS: 9}, ServerReady: Known(3), ServerDesired: Known(4)},
		{Key: "ns/stale", Metric: PairMetric{Known: true, RPS: nanV, Problem: "NaN from Prometheus"}, ServerReady: UnknownCount("no StatefulSet")},
		{Key: "ns/none"},
	}
	c := Compare(pairs)
	if c.Total != 12 || c.Known != 2 || c.ServerReady != 4 || len(c.Rows) != 4 {
		t.Fatalf("Compare = total %v known %d ready %d rows %d", c.Total, c.Known, c.ServerReady, len(c.Rows))
	}
	want := []float64{0.25, 0.75, nanV, nanV}
	for i, r := range c.Rows {
		if r.Key != pairs[i].Key || !sameFloat(r.Share, want[i]) {
			t.Errorf("row %d = %s share %v, want %s %v", i, r.Key, r.Share, pairs[i].Key, want[i])
		}
	}
	if c.Rows[2].Known || !math.IsNaN(c.Rows[2].RPS) || c.Rows[1].ServerDesired != Known(4) {
		t.Errorf("rows carry the wrong values: %+v", c.Rows)
	}
}

func TestCompareHistories(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	blue := PairHistory{Key: "ns/blue", Start: t0, Step: 15 * time.Second, RPS: []float64{10, 8, 6, 4}}
	// green starts one step later and has a gap
	green := PairHistory{Key: "ns/green", Start: t0.Add(15 * time.Second), Step: 15 * time.Second, RPS: []float64{2, nanV, 6, 8}}
	empty := PairHistory{Key: "ns/empty"}
	s := CompareHistories([]PairHistory{blue, green, empty}, 0)
	if s.Step != 15*time.Second || !s.Start.Equal(t0) || len(s.Total) != 5 {
		t.Fatalf("grid = %v %v %d", s.Start, s.Step, len(s.Total))
	}
	if !sameFloats(s.RPS[0], []float64{10, 8, 6, 4, nanV}) || !sameFloats(s.RPS[1], []float64{nanV, 2, nanV, 6, 8}) {
		t.Errorf("resampled = %v / %v", s.RPS[0], s.RPS[1])
	}
	// green's gap at step 2 makes that step unknown; before green's range blue has it all.
	if !sameFloats(s.Total, []float64{10, 10, nanV, 10, 8}) {
		t.Errorf("total = %v", s.Total)
	}
	if !sameFloats(s.Share[0], []float64{1, 0.8, nanV, 0.4, nanV}) || !sameFloats(s.Share[1], []float64{nanV, 0.2, nanV, 0.6, 1}) ||
		!sameFloats(s.Share[2], []float64{nanV, nanV, nanV, nanV, nanV}) {
		t.Errorf("shares = %v / %v / %v", s.Share[0], s.Share[1], s.Share[2])
	}
	// maxPoints keeps the newest steps
	s = CompareHistories([]PairHistory{blue, green}, 2)
	if len(s.Total) != 2 || !s.Start.Equal(t0.Add(45*time.Second)) || !sameFloats(s.Total, []float64{10, 8}) {
		t.Errorf("bounded = %v %v", s.Start, s.Total)
	}
	// a finer step wins; the coarse series repeats within its step
	fine := PairHistory{Key: "ns/fine", Start: t0, Step: 5 * time.Second, RPS: []float64{1, 1, 1, 1, 1, 1}}
	s = CompareHistories([]PairHistory{blue, fine}, 0)
	if s.Step != 5*time.Second || !sameFloats(s.RPS[0][:6], []float64{10, 10, 10, 8, 8, 8}) {
		t.Errorf("fine grid = %v %v", s.Step, s.RPS[0])
	}
	// nothing at all
	s = CompareHistories([]PairHistory{empty}, 10)
	if s.Step != 0 || len(s.Total) != 0 || len(s.RPS) != 1 {
		t.Errorf("empty = %+v", s)
	}
}
