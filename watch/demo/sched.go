package demo

import (
	"container/heap"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// task is one thing the simulation does at one virtual instant.
type task struct {
	at  time.Time
	seq uint64 // insertion order breaks ties, so runs are reproducible
	fn  func()
}

type taskHeap []task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(task)) }
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = task{}
	*h = old[:len(old)-1]
	return t
}

// scheduler is a discrete-event loop on a virtual clock: every controller in the
// simulated cluster schedules its next action at an exact virtual time, so the
// story does not depend on how coarsely the clock is advanced.
type scheduler struct {
	now   time.Time
	seq   uint64
	tasks taskHeap
}

// at schedules fn at virtual time t (never before now).
func (s *scheduler) at(t time.Time, fn func()) {
	if t.Before(s.now) {
		t = s.now
	}
	s.seq++
	heap.Push(&s.tasks, task{at: t, seq: s.seq, fn: fn})
}

// after schedules fn d after now.
func (s *scheduler) after(d time.Duration, fn func()) { s.at(s.now.Add(d), fn) }

// every runs fn at first, first+period, ... for as long as the simulation runs.
func (s *scheduler) every(first time.Time, period time.Duration, fn func()) {
	var tick func()
	next := first
	tick = func() {
		fn()
		next = next.Add(period)
		s.at(next, tick)
	}
	s.at(first, tick)
}

// advance runs every task due up to and including until, then sets the clock there.
func (s *scheduler) advance(until time.Time) {
	for len(s.tasks) > 0 && !s.tasks[0].at.After(until) {
		t := heap.Pop(&s.tasks).(task)
		s.now = t.at
		t.fn()
	}
	if until.After(s.now) {
		s.now = until
	}
}

// stream returns a random source for one purpose of one object, derived from the
// seed, so that adding a pair never changes the noise of the others.
func stream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// jitter returns base ± spread, uniformly.
func jitter(r *rand.Rand, base, spread time.Duration) time.Duration {
	if spread <= 0 {
		return base
	}
	return base - spread + time.Duration(r.Int64N(int64(2*spread)+1))
}
