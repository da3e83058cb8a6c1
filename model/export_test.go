package model

// NewFullTracker returns a Tracker that derives every pair on every build: the reference
// the incremental builds are tested against.
func NewFullTracker(opts TrackerOptions) *Tracker {
	t := NewTracker(opts)
	t.fullOnly = true
	t.analyzer.fresh = true
	t.rollouts.log.fresh = true
	return t
}

// IncrementalBuilds counts the builds that took the incremental path.
func (t *Tracker) IncrementalBuilds() int { return t.incremental }
