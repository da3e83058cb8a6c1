// Package watch connects twinscale to the outside world. Its subpackages own the
// cluster (kube: client-go informers), the metrics (prom: the Prometheus HTTP API) and
// the simulated cluster (demo). This package holds only the surface the UI sees, so the
// UI never imports client-go or the Prometheus client.
package watch

import "github.com/twinscale/twinscale/model"

// Source is everything the dashboard reads. Implementations build snapshots off the UI
// goroutine; every method is cheap and never blocks on the network.
type Source interface {
	// Version changes whenever a newer snapshot is available.
	Version() uint64
	// Snapshot returns the latest snapshot; it is immutable and never nil.
	Snapshot() *model.Snapshot
	// History returns a copy of one pair's recorded history for the detail view.
	History(key string) model.PairHistory
}
