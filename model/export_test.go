package model

import "time"

// FullTracker derives every pair on every build and trusts no memory of object versions:
// the reference the incremental builds are tested against.
type FullTracker struct{ *Tracker }

// NewFullTracker returns a FullTracker with empty history.
func NewFullTracker(opts TrackerOptions) FullTracker { return FullTracker{NewTracker(opts)} }

// Build is Tracker.Build on the full path only.
func (f FullTracker) Build(now time.Time, inv Inventory, w WatchState) Snapshot {
	f.rollouts.setBaseline(!w.Synced)
	return f.buildFull(now, inv, w, false)
}

// BuildCounted is Tracker.Build, also saying whether the build took the incremental path.
func (t *Tracker) BuildCounted(now time.Time, inv Inventory, w WatchState) (Snapshot, bool) {
	return t.build(now, inv, w)
}
