package model

import (
	"strconv"
	"testing"
	"time"
)

func BenchmarkDecide(b *testing.B) {
	h := testHPA(1, 20, 3, seldonBehavior())
	mem := &HPAMemory{}
	replicas := int32(1)
	b.ReportAllocs()
	for i := range b.N {
		now := t0.Add(time.Duration(i) * SyncPeriod)
		d := Decide(h, replicas, float64(i%60), mem, now)
		mem.Record(now, d, replicas)
		replicas = d.Desired
	}
}

// BenchmarkAnalyzerApply measures one snapshot of 500 pairs through the analyzer.
func BenchmarkAnalyzerApply(b *testing.B) {
	base := make([]Pair, 500)
	for i := range base {
		w := steady(2, 6+float64(i%5))
		w.mhSeq, w.shSeq = i, i
		base[i] = w.pair()
		base[i].Key = "seldon-mesh/m" + strconv.Itoa(i)
	}
	a := NewAnalyzer()
	pairs := make([]Pair, len(base))
	b.ReportAllocs()
	for i := range b.N {
		copy(pairs, base)
		a.Apply(t0.Add(time.Duration(i)*time.Second), pairs)
	}
}
