package model

import (
	"slices"
	"time"
)

type pendingStep struct {
	target int32
	since  time.Time
}

type readinessTrack struct {
	known   bool
	desired int32
	pending []pendingStep
	samples []time.Duration
}

// observe tracks Server scale-ups until the new replicas are ready.
func (r *readinessTrack) observe(now time.Time, desired, ready Count, changedAt time.Time) {
	if !desired.Known || !ready.Known {
		return
	}
	if !r.known {
		r.known, r.desired = true, desired.Value
		return
	}
	if changedAt.After(now) {
		changedAt = now
	}
	switch {
	case desired.Value > r.desired:
		r.pending = append(r.pending, pendingStep{target: desired.Value, since: changedAt})
		if len(r.pending) > maxPending {
			r.pending = slices.Clone(r.pending[len(r.pending)-maxPending:])
		}
	case desired.Value < r.desired:
		r.pending = slices.DeleteFunc(r.pending, func(s pendingStep) bool { return s.target > desired.Value })
	}
	r.desired = desired.Value
	r.pending = slices.DeleteFunc(r.pending, func(s pendingStep) bool {
		if ready.Value >= s.target {
			r.samples = appendBounded(r.samples, now.Sub(s.since), maxReadySamples)
			return true
		}
		return false
	})
}

func (r *readinessTrack) readiness() Readiness {
	if len(r.samples) == 0 {
		return Readiness{}
	}
	s := slices.Clone(r.samples)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Readiness{Median: med, Samples: len(s)}
}

// oldestPending is when the oldest Server scale-up still waiting for readiness started.
func (r *readinessTrack) oldestPending() (time.Time, bool) {
	if len(r.pending) == 0 {
		return time.Time{}, false
	}
	return r.pending[0].since, true
}
