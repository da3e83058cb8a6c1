package model

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

const step = 15 * time.Second

// histT0 is aligned to the 15 s step.
var histT0 = time.Unix(1_699_999_995, 0)

var histNaN = math.NaN()

func slotAt(i int) time.Time { return histT0.Add(time.Duration(i) * step) }

func poll(i int, samples map[string]float64) MetricsPoll {
	p := MetricsPoll{At: slotAt(i), Samples: map[string]MetricSample{}}
	for k, v := range samples {
		p.Samples[k] = MetricSample{RPS: v}
	}
	return p
}

func sameSeries(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) || (!math.IsNaN(a[i]) && a[i] != b[i]) {
			return false
		}
	}
	return true
}

func TestHistorySpark(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		ops      func(h *History)
		key      string
		n        int
		want     []float64
	}{
		{
			name: "sequential polls", capacity: 8, key: "ns/a", n: 3,
			ops: func(h *History) {
				for i := range 3 {
					h.RecordPoll(poll(i, map[string]float64{"ns/a": float64(i + 1)}))
				}
			},
			want: []float64{1, 2, 3},
		},
		{
			name: "padded with NaN when younger than n", capacity: 8, key: "ns/a", n: 4,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 5}))
				h.RecordPoll(poll(1, map[string]float64{"ns/a": 6}))
			},
			want: []float64{histNaN, histNaN, 5, 6},
		},
		{
			name: "a skipped poll is a gap", capacity: 8, key: "ns/a", n: 3,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
				h.RecordPoll(poll(2, map[string]float64{"ns/a": 3}))
			},
			want: []float64{1, histNaN, 3},
		},
		{
			name: "a key missing from a poll is a gap", capacity: 8, key: "ns/a", n: 3,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1, "ns/b": 1}))
				h.RecordPoll(poll(1, map[string]float64{"ns/b": 2}))
				h.RecordPoll(poll(2, map[string]float64{"ns/a": 3, "ns/b": 3}))
			},
			want: []float64{1, histNaN, 3},
		},
		{
			name: "a late poll fills its slot", capacity: 8, key: "ns/a", n: 3,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
				h.RecordPoll(poll(2, map[string]float64{"ns/a": 3}))
				h.RecordPoll(poll(1, map[string]float64{"ns/a": 2}))
			},
			want: []float64{1, 2, 3},
		},
		{
			name: "a poll older than the window is dropped", capacity: 3, key: "ns/a", n: 3,
			ops: func(h *History) {
				h.RecordPoll(poll(5, map[string]float64{"ns/a": 5}))
				h.RecordPoll(poll(1, map[string]float64{"ns/a": 99}))
			},
			want: []float64{histNaN, histNaN, 5},
		},
		{
			name: "unaligned times land in the slot containing them", capacity: 8, key: "ns/a", n: 2,
			ops: func(h *History) {
				h.RecordPoll(MetricsPoll{At: slotAt(0).Add(14 * time.Second), Samples: map[string]MetricSample{"ns/a": {RPS: 1}}})
				h.RecordPoll(MetricsPoll{At: slotAt(1).Add(time.Millisecond), Samples: map[string]MetricSample{"ns/a": {RPS: 2}}})
			},
			want: []float64{1, 2},
		},
		{
			name: "wraparound keeps the newest capacity points", capacity: 4, key: "ns/a", n: 10,
			ops: func(h *History) {
				for i := range 10 {
					h.RecordPoll(poll(i, map[string]float64{"ns/a": float64(i)}))
				}
			},
			want: []float64{6, 7, 8, 9},
		},
		{
			name: "a jump longer than the capacity clears everything", capacity: 4, key: "ns/a", n: 4,
			ops: func(h *History) {
				for i := range 4 {
					h.RecordPoll(poll(i, map[string]float64{"ns/a": 1}))
				}
				h.RecordPoll(poll(100, map[string]float64{"ns/a": 2}))
			},
			want: []float64{histNaN, histNaN, histNaN, 2},
		},
		{
			name: "non-finite, negative and huge values are gaps", capacity: 8, key: "ns/a", n: 6,
			ops: func(h *History) {
				for i, v := range []float64{1, math.NaN(), math.Inf(1), math.Inf(-1), -3, 1e300} {
					h.RecordPoll(poll(i, map[string]float64{"ns/a": v}))
				}
			},
			want: []float64{1, histNaN, histNaN, histNaN, histNaN, histNaN},
		},
		{
			name: "zero and far-future times are dropped", capacity: 4, key: "ns/a", n: 2,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
				h.RecordPoll(MetricsPoll{Samples: map[string]MetricSample{"ns/a": {RPS: 7}}})
				h.RecordPoll(MetricsPoll{At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), Samples: map[string]MetricSample{"ns/a": {RPS: 7}}})
				h.RecordPoll(poll(1, map[string]float64{"ns/a": 2}))
			},
			want: []float64{1, 2},
		},
		{
			name: "backfill fills history and never erases a polled value", capacity: 8, key: "ns/a", n: 5,
			ops: func(h *History) {
				h.RecordPoll(poll(4, map[string]float64{"ns/a": 40}))
				h.ApplyBackfill(Backfill{Start: slotAt(0), Step: step, Series: map[string][]float64{
					"ns/a": {10, math.NaN(), 30, 31, math.NaN()},
				}})
			},
			want: []float64{10, histNaN, 30, 31, 40},
		},
		{
			name: "backfill at a finer step lands in the containing slots", capacity: 8, key: "ns/a", n: 3,
			ops: func(h *History) {
				h.ApplyBackfill(Backfill{Start: slotAt(0), Step: 5 * time.Second, Series: map[string][]float64{
					"ns/a": {1, 1, 2, 3, 3, 4, 5, 5, 6},
				}})
			},
			want: []float64{2, 4, 6},
		},
		{
			name: "backfill with a bad step is ignored", capacity: 4, key: "ns/a", n: 2,
			ops: func(h *History) {
				h.ApplyBackfill(Backfill{Start: slotAt(0), Series: map[string][]float64{"ns/a": {1, 2}}})
			},
			want: nil,
		},
		{
			name: "n is capped at the capacity", capacity: 2, key: "ns/a", n: 50,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
			},
			want: []float64{histNaN, 1},
		},
		{
			name: "unknown key", capacity: 2, key: "ns/zz", n: 5,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
			},
			want: nil,
		},
		{
			name: "n below one", capacity: 2, key: "ns/a", n: 0,
			ops: func(h *History) {
				h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
			},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory(tt.capacity, step)
			tt.ops(h)
			got := h.Spark(tt.key, tt.n)
			if !sameSeries(got, tt.want) {
				t.Fatalf("Spark(%q, %d) = %v, want %v", tt.key, tt.n, got, tt.want)
			}
		})
	}
}

func TestHistoryUnusableValuesAreReported(t *testing.T) {
	tests := []struct {
		name        string
		sample      MetricSample
		wantProblem string
		wantCount   int
	}{
		{"fine", MetricSample{RPS: 2, Latency: 0.1, HasLatency: true}, "", 0},
		{"NaN rps", MetricSample{RPS: math.NaN()}, "rps is NaN", 1},
		{"+Inf latency", MetricSample{RPS: 1, Latency: math.Inf(1), HasLatency: true}, "latency is +Inf", 1},
		{"negative errors", MetricSample{RPS: 1, Errors: -2, HasErrors: true}, "errors is negative (-2)", 1},
		{"huge rps and -Inf errors", MetricSample{RPS: 1e20, Errors: math.Inf(-1), HasErrors: true}, "rps is implausibly large (1e+20); errors is -Inf", 2},
		{"missing latency is no problem even when NaN", MetricSample{RPS: 1, Latency: math.NaN()}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory(4, step)
			h.RecordPoll(MetricsPoll{At: slotAt(0), Samples: map[string]MetricSample{"ns/a": tt.sample}})
			got, when, ok := h.Latest("ns/a")
			if !ok || !when.Equal(slotAt(0)) {
				t.Fatalf("Latest = %v, %v, %v", got, when, ok)
			}
			if got.Problem != tt.wantProblem {
				t.Errorf("Problem = %q, want %q", got.Problem, tt.wantProblem)
			}
			ph := h.Pair("ns/a")
			if ph.Unusable != tt.wantCount || ph.Problem != tt.wantProblem {
				t.Errorf("Pair Unusable, Problem = %d, %q; want %d, %q", ph.Unusable, ph.Problem, tt.wantCount, tt.wantProblem)
			}
			for _, s := range [][]float64{ph.RPS, ph.Latency, ph.Errors} {
				for _, v := range s {
					if math.IsInf(v, 0) || v < 0 || v > MaxUsableValue {
						t.Errorf("stored unusable value %v", v)
					}
				}
			}
			if !got.HasLatency && got.Latency != 0 {
				t.Errorf("missing latency = %v, want 0 so the sample encodes as JSON", got.Latency)
			}
		})
	}
}

func TestHistoryLatestAndStale(t *testing.T) {
	h := NewHistory(8, step)
	if _, _, ok := h.Latest("ns/a"); ok {
		t.Fatal("Latest of an unknown pair is ok")
	}
	h.RecordPoll(poll(0, map[string]float64{"ns/a": 1, "ns/b": 1}))
	h.RecordPoll(poll(1, map[string]float64{"ns/a": 2}))
	if h.Stale("ns/a") || h.Stale("ns/b") {
		t.Fatal("stale after one missed poll")
	}
	h.RecordPoll(poll(2, map[string]float64{"ns/a": 3}))
	if !h.Stale("ns/b") {
		t.Error("ns/b not stale after two missed polls")
	}
	if h.Stale("ns/a") || h.Stale("ns/unknown") {
		t.Error("fresh or unknown pair reported stale")
	}
	s, when, ok := h.Latest("ns/b")
	if !ok || s.RPS != 1 || !when.Equal(slotAt(0)) {
		t.Errorf("Latest(ns/b) = %+v, %v, %v; want the value of the last poll that had it", s, when, ok)
	}
	// A late poll does not replace the newest sample.
	h.RecordPoll(poll(1, map[string]float64{"ns/a": 20}))
	if s, when, _ := h.Latest("ns/a"); s.RPS != 3 || !when.Equal(slotAt(2)) {
		t.Errorf("Latest after a late poll = %v at %v, want 3 at slot 2", s.RPS, when)
	}
	// Replicas alone make a pair known but without a sample, hence stale.
	h.RecordReplicas(slotAt(2), "ns/c", Known(1), Known(1), Known(1), Known(1))
	if !h.Stale("ns/c") {
		t.Error("a pair with no sample yet is not stale")
	}
}

func TestHistoryReplicas(t *testing.T) {
	h := NewHistory(8, step)
	h.RecordReplicas(slotAt(0), "ns/a", Known(1), Known(1), Known(1), Known(0))
	h.RecordPoll(poll(1, map[string]float64{"ns/a": 1}))
	h.RecordReplicas(slotAt(2).Add(3*time.Second), "ns/a", Known(3), Known(1), Known(3), UnknownCount("no StatefulSet"))
	h.RecordPoll(poll(3, map[string]float64{"ns/a": 1}))
	ph := h.Pair("ns/a")
	want := map[string][]float64{
		"ModelDesired":  {1, 1, 3, 3},
		"ModelReady":    {1, 1, 1, 1},
		"ServerDesired": {1, 1, 3, 3},
		"ServerReady":   {0, 0, histNaN, histNaN},
		"RPS":           {histNaN, 1, histNaN, 1},
	}
	got := map[string][]float64{
		"ModelDesired": ph.ModelDesired, "ModelReady": ph.ModelReady,
		"ServerDesired": ph.ServerDesired, "ServerReady": ph.ServerReady, "RPS": ph.RPS,
	}
	for name, w := range want {
		if !sameSeries(got[name], w) {
			t.Errorf("%s = %v, want %v", name, got[name], w)
		}
	}
	if !ph.Start.Equal(slotAt(0)) || ph.Step != step {
		t.Errorf("Start, Step = %v, %v; want %v, %v", ph.Start, ph.Step, slotAt(0), step)
	}
	ph.SetCapacity(2.5)
	if !sameSeries(ph.Capacity, []float64{0, 0, histNaN, histNaN}) {
		t.Errorf("Capacity = %v", ph.Capacity)
	}
	ph.SetCapacity(math.Inf(1))
	if !sameSeries(ph.Capacity, []float64{histNaN, histNaN, histNaN, histNaN}) {
		t.Errorf("Capacity with an unusable target = %v", ph.Capacity)
	}
}

func TestHistoryPairIsADeepCopy(t *testing.T) {
	h := NewHistory(4, step)
	for i := range 6 {
		h.RecordPoll(poll(i, map[string]float64{"ns/a": float64(i)}))
	}
	ph := h.Pair("ns/a")
	if len(ph.RPS) != 4 || len(ph.Capacity) != 4 || len(ph.ServerReady) != 4 || !ph.Start.Equal(slotAt(2)) {
		t.Fatalf("Pair = %+v, want 4 points from slot 2", ph)
	}
	ph.RPS[3] = 1000
	sp := h.Spark("ns/a", 4)
	sp[0] = 1000
	if again := h.Spark("ns/a", 4); !sameSeries(again, []float64{2, 3, 4, 5}) {
		t.Errorf("history changed through a returned slice: %v", again)
	}
	if empty := h.Pair("ns/none"); empty.Key != "ns/none" || len(empty.RPS) != 0 {
		t.Errorf("Pair of an unknown key = %+v", empty)
	}
}

func TestHistoryForgetAndRetain(t *testing.T) {
	h := NewHistory(4, step)
	h.RecordPoll(poll(0, map[string]float64{"a/1": 1, "a/2": 1, "b/1": 1, "b/2": 1}))
	h.Forget("a/1", "nope")
	h.Retain(func(k string) bool { return strings.HasPrefix(k, "b/") })
	if got := fmt.Sprint(h.Keys()); got != "[b/1 b/2]" {
		t.Errorf("Keys = %s, want [b/1 b/2]", got)
	}
	// A forgotten pair that comes back starts from scratch.
	h.RecordPoll(poll(1, map[string]float64{"a/1": 5}))
	if got := h.Spark("a/1", 2); !sameSeries(got, []float64{histNaN, 5}) {
		t.Errorf("Spark of a returning pair = %v", got)
	}
}

func TestNewHistoryGuardsBadArguments(t *testing.T) {
	h := NewHistory(0, 0)
	if h.Capacity() != 1 || h.Step() != 15*time.Second {
		t.Fatalf("NewHistory(0, 0) = capacity %d, step %v", h.Capacity(), h.Step())
	}
	h.RecordPoll(poll(0, map[string]float64{"ns/a": 1}))
	h.RecordPoll(poll(1, map[string]float64{"ns/a": 2}))
	if got := h.Spark("ns/a", 3); !sameSeries(got, []float64{2}) {
		t.Errorf("Spark = %v", got)
	}
}

// TestHistoryMemoryPerPair keeps the 480-point (2 h at 15 s) footprint under 16 KiB.
func TestHistoryMemoryPerPair(t *testing.T) {
	const pairs = 1000
	if per := bytesPerPair(pairs); per > 16*1024 {
		t.Errorf("%.0f bytes per pair, want at most 16 KiB", per)
	}
}

// bytesPerPair measures the allocation of a 480-point History filled for n pairs.
func bytesPerPair(n int) float64 {
	keys := pairKeys(n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := NewHistory(480, step)
	p := MetricsPoll{At: slotAt(0), Samples: make(map[string]MetricSample, n)}
	for _, k := range keys {
		p.Samples[k] = MetricSample{RPS: 1}
	}
	runtime.ReadMemStats(&after)
	pollBytes := after.TotalAlloc - before.TotalAlloc
	h.RecordPoll(p)
	for _, k := range keys {
		h.RecordReplicas(slotAt(0), k, Known(1), Known(1), Known(1), Known(1))
	}
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(h)
	return float64(after.TotalAlloc-before.TotalAlloc-pollBytes) / float64(n)
}

func pairKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("namespace-%d/model-%d", i%7, i)
	}
	return keys
}

func BenchmarkHistoryRecord(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			keys := pairKeys(n)
			h := NewHistory(480, step)
			p := MetricsPoll{Samples: make(map[string]MetricSample, n)}
			for i, k := range keys {
				p.Samples[k] = MetricSample{RPS: float64(i), Latency: 0.01, HasLatency: true, Errors: 0.1, HasErrors: true}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p.At = slotAt(i)
				h.RecordPoll(p)
				i++
			}
		})
	}
}

func BenchmarkHistorySpark(b *testing.B) {
	h := NewHistory(480, step)
	keys := pairKeys(500)
	for i := range 480 {
		p := MetricsPoll{At: slotAt(i), Samples: map[string]MetricSample{}}
		for _, k := range keys {
			p.Samples[k] = MetricSample{RPS: float64(i)}
		}
		h.RecordPoll(p)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys[:50] { // one screen of rows
			_ = h.Spark(k, 20)
		}
	}
}

// BenchmarkHistoryMemory reports the heap bytes one pair costs at 480 points.
func BenchmarkHistoryMemory(b *testing.B) {
	var per float64
	for b.Loop() {
		per = bytesPerPair(1000)
	}
	b.ReportMetric(per, "bytes/pair")
}

// FuzzHistory feeds arbitrary times and values: the ring must never panic, and never
// hold anything a chart cannot draw.
func FuzzHistory(f *testing.F) {
	f.Add(uint8(4), int64(0), 1.0, int64(15), -1.0, uint8(3))
	f.Add(uint8(1), int64(-1<<62), math.Inf(1), int64(1<<62), math.NaN(), uint8(0))
	f.Add(uint8(200), int64(1_000_000_000), 1e300, int64(-30), 5.0, uint8(255))
	f.Fuzz(func(t *testing.T, capacity uint8, sec1 int64, v1 float64, delta int64, v2 float64, n uint8) {
		h := NewHistory(int(capacity), step)
		first := time.Unix(sec1, 0)
		h.RecordPoll(MetricsPoll{At: first, Samples: map[string]MetricSample{"ns/a": {RPS: v1, Latency: v2, HasLatency: true}}})
		h.ApplyBackfill(Backfill{Start: first.Add(-time.Minute), Step: step, Series: map[string][]float64{"ns/a": {v2, v1}, "ns/b": {v1}}})
		h.RecordReplicas(first.Add(time.Duration(delta)*time.Second), "ns/a", Known(int32(n)), UnknownCount("x"), Known(-1), Known(2))
		h.RecordPoll(MetricsPoll{At: first.Add(time.Duration(delta) * time.Second), Samples: map[string]MetricSample{"ns/b": {RPS: v2, Errors: v1, HasErrors: true}}})
		for _, key := range []string{"ns/a", "ns/b"} {
			sp := h.Spark(key, int(n))
			if n > 0 && sp != nil && len(sp) != min(int(n), h.Capacity()) {
				t.Fatalf("Spark length %d for n=%d capacity=%d", len(sp), n, h.Capacity())
			}
			ph := h.Pair(key)
			for _, s := range [][]float64{sp, ph.RPS, ph.Latency, ph.Errors, ph.ModelDesired, ph.ServerDesired} {
				for _, v := range s {
					if math.IsInf(v, 0) || v < 0 || v > MaxUsableValue {
						t.Fatalf("stored %v", v)
					}
				}
			}
		}
	})
}
