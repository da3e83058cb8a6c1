// Package watch connects twinscale to the outside world. Its subpackages own the
// cluster (kube: client-go informers), the metrics (prom: the Prometheus HTTP API) and
// the simulated cluster (demo). This package holds only the surface the UI sees, so the
// UI never imports client-go or the Prometheus client.
package watch

import (
	"time"

	"github.com/twinscale/twinscale/model"
)

// Source is everything the dashboard reads. Implementations build snapshots off the UI
// goroutine; every method is cheap and never blocks on the network.
type Source interface {
	// Version changes whenever a newer snapshot is available.
	Version() uint64
	// Snapshot returns the latest snapshot; it is immutable and never nil.
	Snapshot() *model.Snapshot
	// History returns a copy of one pair's recorded history for the detail view.
	History(key string) model.PairHistory
	// Info says what kind of source this is; it does not change while the source runs.
	Info() SourceInfo
}

// SourceInfo is what a Source says about itself, so its readers never guess by type.
type SourceInfo struct {
	// Live: snapshots follow the cluster as it changes, so while the watch is connected
	// and synced an old snapshot means nothing changed (not stale data).
	Live bool
	// Now is the source's clock: the demo's runs ahead of the wall clock when sped up, a
	// replay's is the recorded time. Never nil.
	Now func() time.Time
	// Player drives playback when the source plays a recording; nil otherwise.
	Player Player
}

// Player plays a recording (watch/record.Replay): the dashboard's replay keys drive it.
type Player interface {
	// TogglePause pauses or resumes playback and reports whether it is paused now.
	TogglePause() bool
	// Step moves n records (negative: back).
	Step(n int)
	// SeekBy moves the playback clock by d of recorded time.
	SeekBy(d time.Duration)
	// Faster and Slower double and halve the speed.
	Faster()
	Slower()
	// StatusText is the playback position on one line ("replay 12/340 12:03:04 ×2 paused").
	StatusText() string
	// Paused reports whether playback is paused.
	Paused() bool
	// Damage says where the recording stops being readable ("" when whole).
	Damage() string
}
