package demo

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/prom"
)

// usage is the heap after a full GC and the number of goroutines.
type usage struct {
	heap       uint64
	goroutines int
}

func measure() usage {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return usage{heap: m.HeapAlloc, goroutines: runtime.NumGoroutine()}
}

// TestNoLeaksOverHours runs the whole live pipeline (the simulated cluster, the real
// informers and watcher, the real poller on the simulated Prometheus, the engine
// building snapshots) through hours of virtual time. After a warm-up that fills every
// history ring, the heap and the goroutines must stay flat while the story goes on:
// Events expire, the change log is capped, pairs come and go.
func TestNoLeaksOverHours(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates hours of virtual time")
	}
	c := newCluster(t, ScenarioMixed, 11, func(o *Options) { o.History = 10 * time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dyn, cs := c.Clients()
	w := kube.NewForClients(dyn, cs, c.Discovery(), kube.Options{})
	const step = 30 * time.Second
	engine := watch.NewEngine(w, watch.EngineOptions{Now: c.Now, Interval: 2 * time.Millisecond,
		Tracker: model.TrackerOptions{Step: step, Capacity: 60, Metrics: true}})
	w.Start(ctx)
	po := prom.DefaultOptions()
	po.URL, po.PollInterval, po.History = "demo://simulated", step, 30*time.Minute
	poller := prom.NewPoller(c.Querier(), po, nil, engine)
	// The poller and the test take turns: it polls, then waits on the virtual clock,
	// then the test advances the clock by one poll interval.
	waiting := make(chan struct{}, 1)
	poller.Now = c.Now
	poller.After = func(d time.Duration) <-chan time.Time {
		ch := c.After(d)
		waiting <- struct{}{}
		return ch
	}
	done := make(chan struct{}, 2)
	go func() { engine.Run(ctx); done <- struct{}{} }()
	go func() { poller.Run(ctx); done <- struct{}{} }()
	defer func() { cancel(); <-done; <-done }()

	polls := 0
	run := func(d time.Duration) {
		t.Helper()
		for end := c.Now().Add(d); c.Now().Before(end); {
			select {
			case <-waiting:
			case <-time.After(30 * time.Second):
				t.Fatalf("the poller stopped waiting for its next poll after %d polls", polls)
			}
			polls++
			c.Step(step)
		}
		// Let the engine catch up with the last poll and the informers with the cluster.
		at := c.Now()
		deadline := time.Now().Add(30 * time.Second)
		for {
			snap := engine.Snapshot()
			if !snap.Prom.LastSuccess.Before(at) && snap.Taken.Equal(at) && len(snap.Pairs) > 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the engine did not catch up with %v: last poll %v, snapshot %v", at, snap.Prom.LastSuccess, snap.Taken)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	run(time.Hour) // warm-up: every ring is full, every loop has run
	early := measure()
	snapEarly := engine.Snapshot()
	for range 3 {
		run(time.Hour)
	}
	late := measure()
	snap := engine.Snapshot()
	t.Logf("after %d polls over %v: heap %d KiB → %d KiB, goroutines %d → %d; pairs %d → %d, events %d, changes %d",
		polls, c.Now().Sub(c.Start()), early.heap>>10, late.heap>>10, early.goroutines, late.goroutines,
		len(snapEarly.Pairs), len(snap.Pairs), len(snap.Events), len(snap.Changes))
	if limit := early.heap + max(early.heap/2, 16<<20); late.heap > limit {
		t.Errorf("heap grew from %d to %d KiB over three simulated hours (limit %d KiB)", early.heap>>10, late.heap>>10, limit>>10)
	}
	if late.goroutines > early.goroutines+5 {
		t.Errorf("goroutines grew from %d to %d", early.goroutines, late.goroutines)
	}
	if snap.Prom.Failures != 0 || !snap.Watch.Connected || !snap.Watch.Synced {
		t.Errorf("pipeline unhealthy at the end: prom %+v, watch %+v", snap.Prom, snap.Watch)
	}
}
