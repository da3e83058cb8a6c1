package watch

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Cluster is what the engine reads from the cluster watch; kube.Watcher implements it.
type Cluster interface {
	// Version changes whenever the watched objects change.
	Version() uint64
	// Inventory projects the cached objects; it reads caches only, never the network.
	Inventory() model.Inventory
	// State is the watch's health for the header.
	State() model.WatchState
}

// EngineOptions tune an Engine. Zero values take the defaults.
type EngineOptions struct {
	Tracker model.TrackerOptions
	// Interval is how often the engine looks for changes (default 250 ms): snapshots are
	// coalesced to at most one per interval however many objects change.
	Interval time.Duration
	// Now is the clock (default time.Now); the demo passes its virtual clock.
	Now func() time.Time
}

// Engine builds snapshots off the UI goroutine from a Cluster and the metrics a poller
// pushes into it, and serves them as a Source. Informer handlers and the poller only
// bump counters; the work happens in Refresh, at most once per interval.
type Engine struct {
	cluster  Cluster
	now      func() time.Time
	interval time.Duration

	mu          sync.Mutex // guards everything below it
	tracker     *model.Tracker
	metricsVer  uint64
	seenCluster uint64
	seenMetrics uint64
	seenState   model.WatchState
	built       bool

	snap    atomic.Pointer[model.Snapshot]
	version atomic.Uint64
}

// NewEngine returns an Engine over c; call Run to keep it fresh.
func NewEngine(c Cluster, opts EngineOptions) *Engine {
	if opts.Interval <= 0 {
		opts.Interval = 250 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Engine{cluster: c, now: opts.Now, interval: opts.Interval, tracker: model.NewTracker(opts.Tracker)}
	e.snap.Store(&model.Snapshot{Taken: opts.Now(), Watch: c.State()})
	return e
}

// Run refreshes the snapshot every interval until ctx is done.
func (e *Engine) Run(ctx context.Context) {
	t := time.NewTicker(e.interval)
	defer t.Stop()
	for {
		e.Refresh()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh rebuilds the snapshot when the cluster, the metrics or the watch state changed
// since the last build, and reports whether it did.
func (e *Engine) Refresh() bool {
	// Read the versions before building, so a change during the build triggers another.
	cv := e.cluster.Version()
	state := e.cluster.State()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.built && cv == e.seenCluster && e.metricsVer == e.seenMetrics && reflect.DeepEqual(state, e.seenState) {
		return false
	}
	e.seenCluster, e.seenMetrics, e.seenState, e.built = cv, e.metricsVer, state, true
	var snap model.Snapshot
	if state.Synced {
		snap = e.tracker.Build(e.now(), e.cluster.Inventory(), state)
	} else {
		// A half-listed cluster would show Models without their Servers as broken pairs:
		// until the caches are complete the header says "syncing" and no pair is shown.
		snap = model.Snapshot{Taken: e.now(), Watch: state, Prom: e.tracker.PromState()}
	}
	e.snap.Store(&snap)
	e.version.Add(1)
	return true
}

// Backfill records the range-query history fetched when the poller starts.
func (e *Engine) Backfill(b model.Backfill) {
	e.mu.Lock()
	e.tracker.ApplyBackfill(b)
	e.metricsVer++
	e.mu.Unlock()
}

// Poll records one Prometheus poll for all pairs.
func (e *Engine) Poll(p model.MetricsPoll) {
	e.mu.Lock()
	e.tracker.RecordPoll(p)
	e.metricsVer++
	e.mu.Unlock()
}

// MetricsAPI records one read of the metrics pipeline the HPAs read through.
func (e *Engine) MetricsAPI(r model.MetricsAPIRead) {
	e.mu.Lock()
	e.tracker.RecordMetricsAPI(r)
	e.metricsVer++
	e.mu.Unlock()
}

// HPANamespaces lists the namespaces of the latest snapshot with an HPA on a Seldon pair,
// sorted: where the custom metrics API is worth asking.
func (e *Engine) HPANamespaces() []string {
	var out []string
	for _, p := range e.Snapshot().Pairs {
		if (p.ModelHPA != nil || p.ServerHPA != nil) && (len(out) == 0 || out[len(out)-1] != p.Namespace) {
			out = append(out, p.Namespace)
		}
	}
	return out
}

// State records the poller's health.
func (e *Engine) State(s model.PromState) {
	e.mu.Lock()
	e.tracker.SetPromState(s)
	e.metricsVer++
	e.mu.Unlock()
}

// Version changes whenever a newer snapshot is available.
func (e *Engine) Version() uint64 { return e.version.Load() }

// Info says the engine is live: its snapshots follow the cluster as it changes.
func (e *Engine) Info() SourceInfo { return SourceInfo{Live: true, Now: e.now} }

// Snapshot returns the latest snapshot; it is immutable and never nil.
func (e *Engine) Snapshot() *model.Snapshot { return e.snap.Load() }

// History returns a copy of one pair's recorded history, with the capacity line.
func (e *Engine) History(key string) model.PairHistory {
	p, _ := e.Snapshot().Pair(key)
	target := p.Metric.Target
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tracker.History(key, target)
}
