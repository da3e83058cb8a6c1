package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// MaxUsableValue is the largest metric value History stores; anything above it is
// treated as unusable (a broken exporter or query), stored as a gap and reported.
const MaxUsableValue = 1e15

// Series of one pair: the metric series sit in a ring's backing array in this order;
// the replica series (from seriesModelDesired on) are levels.
const (
	seriesRPS = iota
	seriesLatency
	seriesErrors
	seriesModelDesired
	seriesModelReady
	seriesServerDesired
	seriesServerReady
	numSeries
	numMetrics = seriesModelDesired
	numLevels  = numSeries - numMetrics
)

// noSlot marks a ring that has never received a metric sample.
const noSlot = math.MinInt64

// Times outside this range cannot be turned into a slot without overflow; they are dropped.
var (
	minHistoryTime = time.Unix(0, 0)
	maxHistoryTime = time.Unix(1<<33, 0) // year 2242
)

// History is a fixed-capacity record of every pair's metrics and replica counts,
// aligned to the poll step: slot i holds the values for [i*step, (i+1)*step) since
// the Unix epoch, so polls evaluated at step boundaries land in one slot each.
// NaN marks a gap. Values are stored as float32.
//
// Metric series (RPS, latency, errors) are samples: a slot without a sample is a gap.
// They are rings of capacity slots: pairs × capacity × 3 × 4 bytes (480 points: 5.6 KiB
// per pair), allocated with a pair's first metric. Replica series are levels: a slot with no RecordReplicas call repeats the
// previous slot's value, because a count holds until it changes. They are kept as the
// list of their changes inside the window, 24 bytes a change: a few hundred bytes for a
// pair that scales now and then, at most capacity changes.
//
// History is not safe for concurrent use; its owner serialises calls.
type History struct {
	capacity int
	step     time.Duration
	head     int64 // absolute slot of the newest slot; meaningful once started
	started  bool
	pairs    map[string]*pairRing
}

// pairRing holds one pair's series; every ring is materialised up to History.head.
type pairRing struct {
	vals     []float32 // capacity × numMetrics, slot-major so a poll touches one cache line
	levels   []level   // replica levels by slot, oldest first; NaN before the first
	first    int64     // oldest slot ever written for this pair
	sampled  int64     // newest slot holding a metric sample, noSlot if none
	latest   MetricSample
	unusable int // values dropped as unusable since the pair was first seen
}

// level is the replica counts from slot on, until the next level.
type level struct {
	slot int64
	v    [numLevels]float32
}

// NewHistory returns an empty History of capacity slots per series, step apart.
// A capacity below 1 is raised to 1 and a non-positive step becomes 15 s.
func NewHistory(capacity int, step time.Duration) *History {
	if capacity < 1 {
		capacity = 1
	}
	if step <= 0 {
		step = 15 * time.Second
	}
	return &History{capacity: capacity, step: step, pairs: map[string]*pairRing{}}
}

// Capacity is the number of slots kept per series.
func (h *History) Capacity() int { return h.capacity }

// Step is the time between two slots.
func (h *History) Step() time.Duration { return h.step }

// Len is the number of pairs recorded.
func (h *History) Len() int { return len(h.pairs) }

// Keys returns the recorded pair keys, sorted.
func (h *History) Keys() []string {
	keys := make([]string, 0, len(h.pairs))
	for k := range h.pairs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// headAt reports whether now falls in the head slot, so recording replicas at now would
// not move the head (and every pair's sparkline and staleness stay as they are).
func (h *History) headAt(now time.Time) bool {
	idx, ok := h.slot(now)
	return ok && h.started && idx == h.head
}

// Head is the start time of the newest slot; zero before anything was recorded.
func (h *History) Head() time.Time {
	if !h.started {
		return time.Time{}
	}
	return h.slotTime(h.head)
}

// ApplyBackfill writes a range-query history of RPS. NaN points are skipped so a
// backfill never erases a value a poll already wrote; unusable points are counted.
func (h *History) ApplyBackfill(b Backfill) {
	if b.Step <= 0 || len(b.Series) == 0 {
		return
	}
	longest := 0
	for _, vals := range b.Series {
		longest = max(longest, len(vals))
	}
	if longest == 0 {
		return
	}
	if last, ok := h.slot(b.Start.Add(time.Duration(longest-1) * b.Step)); ok {
		h.advanceTo(last)
	}
	for key, vals := range b.Series {
		for i, v := range vals {
			if math.IsNaN(v) {
				continue
			}
			idx, ok := h.slot(b.Start.Add(time.Duration(i) * b.Step))
			if !ok || !h.inWindow(idx) {
				continue
			}
			r := h.ring(key, idx)
			f, problem := usable(v)
			r.set(seriesRPS, idx, h.capacity, f)
			if problem != "" {
				r.unusable++
			}
			if idx >= r.sampled {
				r.sampled = idx
				r.latest = MetricSample{RPS: float64(f)}
				if problem != "" {
					r.latest.Problem = "rps " + problem
				}
			}
		}
	}
}

// RecordPoll writes one instant poll for all pairs. A poll newer than the head
// advances every known pair, leaving a gap where a pair has no sample; an older poll
// still inside the window fills its slot; a poll older than the window is dropped.
func (h *History) RecordPoll(p MetricsPoll) {
	idx, ok := h.slot(p.At)
	if !ok {
		return
	}
	h.advanceTo(idx)
	if !h.inWindow(idx) {
		return
	}
	for key, s := range p.Samples {
		r := h.ring(key, idx)
		clean, n := sanitizeSample(s)
		r.unusable += n
		r.set(seriesRPS, idx, h.capacity, float32(clean.RPS))
		r.set(seriesLatency, idx, h.capacity, gapUnless(clean.HasLatency, clean.Latency))
		r.set(seriesErrors, idx, h.capacity, gapUnless(clean.HasErrors, clean.Errors))
		if idx >= r.sampled {
			r.sampled = idx
			r.latest = clean
		}
	}
}

// RecordReplicas writes one pair's replica counts at a time; unknown counts are gaps.
func (h *History) RecordReplicas(at time.Time, key string, modelDesired, modelReady, serverDesired, serverReady Count) {
	idx, ok := h.slot(at)
	if !ok {
		return
	}
	h.advanceTo(idx)
	if !h.inWindow(idx) {
		return
	}
	r := h.ring(key, idx)
	r.setLevel(idx, h.head, [numLevels]float32{
		countValue(modelDesired), countValue(modelReady), countValue(serverDesired), countValue(serverReady)})
}

// Spark returns the last n RPS points of a pair, oldest first, in a fresh slice.
// It is NaN-padded at the start when the pair is younger than n slots; n is capped at
// the capacity. An unknown key or n < 1 gives nil.
func (h *History) Spark(key string, n int) []float64 {
	r := h.pairs[key]
	if r == nil || n < 1 {
		return nil
	}
	n = min(n, h.capacity)
	out := make([]float64, n)
	from := h.head - int64(n) + 1
	for i := range out {
		out[i] = float64(r.get(seriesRPS, from+int64(i), h.capacity))
	}
	return out
}

// Pair returns a deep copy of one pair's history from its first recorded slot to the
// head (at most the capacity). Capacity is all NaN; fill it with SetCapacity.
func (h *History) Pair(key string) PairHistory {
	r := h.pairs[key]
	if r == nil {
		return PairHistory{Key: key, Step: h.step}
	}
	from := max(r.first, h.head-int64(h.capacity)+1)
	n := int(h.head - from + 1)
	series := func(s int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(r.get(s, from+int64(i), h.capacity))
		}
		return out
	}
	var levels [numLevels][]float64
	for s := range levels {
		levels[s] = make([]float64, n)
	}
	for i := range n {
		v := r.levelAt(from + int64(i))
		for s := range levels {
			levels[s][i] = float64(v[s])
		}
	}
	capacity := make([]float64, n)
	for i := range capacity {
		capacity[i] = math.NaN()
	}
	return PairHistory{
		Key:           key,
		Start:         h.slotTime(from),
		Step:          h.step,
		Window:        time.Duration(h.capacity) * h.step,
		RPS:           series(seriesRPS),
		Capacity:      capacity,
		Latency:       series(seriesLatency),
		Errors:        series(seriesErrors),
		ModelDesired:  levels[seriesModelDesired-numMetrics],
		ModelReady:    levels[seriesModelReady-numMetrics],
		ServerDesired: levels[seriesServerDesired-numMetrics],
		ServerReady:   levels[seriesServerReady-numMetrics],
		Unusable:      r.unusable,
		Problem:       r.latest.Problem,
	}
}

// Latest returns a pair's newest metric sample and the start of its slot; values that
// were unusable are NaN with Problem saying why. ok is false before any sample.
func (h *History) Latest(key string) (MetricSample, time.Time, bool) {
	r := h.pairs[key]
	if r == nil || r.sampled == noSlot {
		return MetricSample{}, time.Time{}, false
	}
	return r.latest, h.slotTime(r.sampled), true
}

// Stale reports whether a known pair missed the last two polls (or never had a sample).
func (h *History) Stale(key string) bool {
	r := h.pairs[key]
	if r == nil {
		return false
	}
	return r.sampled == noSlot || h.head-r.sampled >= 2
}

// Forget drops the history of the given pairs.
func (h *History) Forget(keys ...string) {
	for _, k := range keys {
		delete(h.pairs, k)
	}
}

// Retain keeps only the pairs for which keep returns true.
func (h *History) Retain(keep func(key string) bool) {
	for k := range h.pairs {
		if !keep(k) {
			delete(h.pairs, k)
		}
	}
}

// SetCapacity fills Capacity with target × ready Server replicas, NaN where either is
// unknown or the target is unusable.
func (ph *PairHistory) SetCapacity(target float64) {
	ph.Capacity = make([]float64, len(ph.ServerReady))
	ok := target > 0 && target <= MaxUsableValue
	for i, ready := range ph.ServerReady {
		if !ok || math.IsNaN(ready) {
			ph.Capacity[i] = math.NaN()
			continue
		}
		ph.Capacity[i] = target * ready
	}
}

// slot maps a time to its absolute slot; times that would overflow are rejected.
func (h *History) slot(at time.Time) (int64, bool) {
	if at.Before(minHistoryTime) || at.After(maxHistoryTime) {
		return 0, false
	}
	return at.UnixNano() / int64(h.step), true
}

func (h *History) slotTime(idx int64) time.Time { return time.Unix(0, idx*int64(h.step)) }

// inWindow reports whether a slot is still held by the rings.
func (h *History) inWindow(idx int64) bool {
	return idx <= h.head && idx > h.head-int64(h.capacity)
}

// advanceTo moves the head forward to idx: metric slots in between become gaps and
// replica levels carry forward. Moving backward is a no-op.
func (h *History) advanceTo(idx int64) {
	if !h.started {
		h.head, h.started = idx, true
		return
	}
	if idx <= h.head {
		return
	}
	c := h.capacity
	from := max(h.head+1, idx-int64(c)+1) // older slots in between are overwritten anyway
	nan := float32(math.NaN())
	row := [numMetrics]float32{nan, nan, nan}
	for _, r := range h.pairs {
		for i := from; r.vals != nil && i <= idx; i++ {
			p := r.pos(0, i, c)
			copy(r.vals[p:p+numMetrics], row[:])
		}
		r.prune(idx - int64(c) + 1)
	}
	h.head = idx
}

// ring returns the ring of key, creating an empty one first written at idx.
func (h *History) ring(key string, idx int64) *pairRing {
	r := h.pairs[key]
	if r == nil {
		r = &pairRing{first: idx, sampled: noSlot}
		h.pairs[key] = r
	}
	r.first = min(r.first, idx)
	return r
}

func (r *pairRing) pos(s int, idx int64, c int) int {
	p := idx % int64(c)
	if p < 0 {
		p += int64(c)
	}
	return int(p)*numMetrics + s
}

// get reads one slot of a metric series: NaN before the ring's first metric.
func (r *pairRing) get(s int, idx int64, c int) float32 {
	if r.vals == nil {
		return float32(math.NaN())
	}
	return r.vals[r.pos(s, idx, c)]
}

// set writes one slot of a metric series. The metric ring is allocated at the first
// write, so a pair without metrics (no Prometheus) costs no ring.
func (r *pairRing) set(s int, idx int64, c int, v float32) {
	if r.vals == nil {
		r.vals = make([]float32, numMetrics*c)
		nan := float32(math.NaN())
		for i := range r.vals {
			r.vals[i] = nan
		}
	}
	r.vals[r.pos(s, idx, c)] = v
}

// levelIndex is the index of the level in force at slot idx, or -1 before the first.
func (r *pairRing) levelIndex(idx int64) int {
	return sort.Search(len(r.levels), func(i int) bool { return r.levels[i].slot > idx }) - 1
}

// levelAt returns the replica counts at slot idx, NaN before the first level.
func (r *pairRing) levelAt(idx int64) [numLevels]float32 {
	if i := r.levelIndex(idx); i >= 0 {
		return r.levels[i].v
	}
	nan := float32(math.NaN())
	return [numLevels]float32{nan, nan, nan, nan}
}

// setLevel writes the replica counts of slot idx only, as a dense ring would: slots
// after it up to the head keep their values.
func (r *pairRing) setLevel(idx, head int64, v [numLevels]float32) {
	if sameLevel(r.levelAt(idx), v) {
		return
	}
	if idx < head && !r.hasLevel(idx+1) {
		r.insertLevel(level{slot: idx + 1, v: r.levelAt(idx + 1)})
	}
	if i := r.levelIndex(idx); i >= 0 && r.levels[i].slot == idx {
		r.levels[i].v = v
	} else {
		r.insertLevel(level{slot: idx, v: v})
	}
	// Drop levels that repeat the one before them, so a count that comes back costs nothing.
	r.levels = slices.CompactFunc(r.levels, func(a, b level) bool { return sameLevel(a.v, b.v) })
}

func (r *pairRing) hasLevel(idx int64) bool {
	i := r.levelIndex(idx)
	return i >= 0 && r.levels[i].slot == idx
}

func (r *pairRing) insertLevel(l level) {
	r.levels = slices.Insert(r.levels, r.levelIndex(l.slot)+1, l)
}

// prune forgets the levels that ended before slot start, the window's oldest slot.
func (r *pairRing) prune(start int64) {
	if i := r.levelIndex(start); i > 0 {
		r.levels = append(r.levels[:0:0], r.levels[i:]...)
	}
}

// sameLevel compares counts bit by bit, so NaN equals NaN.
func sameLevel(a, b [numLevels]float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// usable converts a metric value for storage, or returns NaN and why it is unusable.
func usable(v float64) (float32, string) {
	switch {
	case math.IsNaN(v):
		return float32(math.NaN()), "is NaN"
	case math.IsInf(v, 1):
		return float32(math.NaN()), "is +Inf"
	case math.IsInf(v, -1):
		return float32(math.NaN()), "is -Inf"
	case v < 0:
		return float32(math.NaN()), "is negative (" + strconv.FormatFloat(v, 'g', 4, 64) + ")"
	case v > MaxUsableValue:
		return float32(math.NaN()), "is implausibly large (" + strconv.FormatFloat(v, 'g', 4, 64) + ")"
	}
	return float32(v), ""
}

// sanitizeSample replaces unusable values with NaN, describes them in Problem and
// returns how many there were. A missing latency or error rate is not a problem and
// stays zero, so the usual sample is safe to encode as JSON.
func sanitizeSample(s MetricSample) (MetricSample, int) {
	var problems []string
	check := func(name string, v float64) float64 {
		f, p := usable(v)
		if p != "" {
			problems = append(problems, name+" "+p)
			return math.NaN()
		}
		return float64(f)
	}
	out := MetricSample{HasLatency: s.HasLatency, HasErrors: s.HasErrors}
	out.RPS = check("rps", s.RPS)
	if s.HasLatency {
		out.Latency = check("latency", s.Latency)
	}
	if s.HasErrors {
		out.Errors = check("errors", s.Errors)
	}
	if len(problems) > 0 {
		out.Problem = strings.Join(problems, "; ")
	}
	return out, len(problems)
}

func gapUnless(has bool, v float64) float32 {
	if !has {
		return float32(math.NaN())
	}
	return float32(v)
}

func countValue(c Count) float32 {
	if !c.Known || c.Value < 0 {
		return float32(math.NaN())
	}
	return float32(c.Value)
}

// String summarises the history for logs.
func (h *History) String() string {
	return fmt.Sprintf("history{pairs: %d, capacity: %d, step: %s}", len(h.pairs), h.capacity, h.step)
}
