package watch

import (
	"sync"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// fakeCluster is a Cluster whose inventory the test sets.
type fakeCluster struct {
	mu    sync.Mutex
	ver   uint64
	inv   model.Inventory
	state model.WatchState
}

func (c *fakeCluster) Version() uint64 { c.mu.Lock(); defer c.mu.Unlock(); return c.ver }
func (c *fakeCluster) Inventory() model.Inventory {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inv
}
func (c *fakeCluster) State() model.WatchState { c.mu.Lock(); defer c.mu.Unlock(); return c.state }
func (c *fakeCluster) set(inv model.Inventory) {
	c.mu.Lock()
	c.inv = inv
	c.ver++
	c.mu.Unlock()
}

func i32(v int32) *int32 { return &v }

func pairInventory(modelReplicas int32) model.Inventory {
	hpa := func(name, kind, target string) model.HPA {
		return model.HPA{
			Meta:        model.Meta{Namespace: "ns", Name: name},
			Target:      model.CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: kind, Name: target},
			MinReplicas: 1, MaxReplicas: 3,
			Metrics: []model.MetricTarget{{Type: "Object", Name: "infer_rps", TargetType: "AverageValue", Target: 3,
				DescribedObject: model.CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris"}}},
			CurrentReplicas: modelReplicas, DesiredReplicas: modelReplicas,
		}
	}
	return model.Inventory{
		Models:    []model.SeldonModel{{Meta: model.Meta{Namespace: "ns", Name: "iris"}, Server: "mlserver", Replicas: i32(modelReplicas), StatusReplicas: modelReplicas, AvailableReplicas: modelReplicas}},
		Servers:   []model.SeldonServer{{Meta: model.Meta{Namespace: "ns", Name: "mlserver"}, Replicas: i32(modelReplicas), StatusReplicas: modelReplicas}},
		Workloads: []model.Workload{{Meta: model.Meta{Namespace: "ns", Name: "mlserver"}, Kind: "StatefulSet", Replicas: modelReplicas, ReadyReplicas: modelReplicas}},
		HPAs:      []model.HPA{hpa("iris-model-hpa", "Model", "iris"), hpa("mlserver-server-hpa", "Server", "mlserver")},
	}
}

func TestEngineRebuildsOnlyOnChange(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	now := t0
	c := &fakeCluster{state: model.WatchState{Synced: true, Connected: true}}
	c.set(pairInventory(1))
	e := NewEngine(c, EngineOptions{Now: func() time.Time { return now }, Tracker: model.TrackerOptions{Metrics: true}})

	if !e.Refresh() {
		t.Fatal("first refresh did not build")
	}
	v := e.Version()
	if e.Refresh() {
		t.Fatal("refresh without a change rebuilt the snapshot")
	}
	if e.Version() != v {
		t.Fatal("version moved without a change")
	}
	if got := e.Snapshot().Pairs; len(got) != 1 || got[0].ModelDesired.Value != 1 {
		t.Fatalf("pairs = %+v", got)
	}

	// A cluster change rebuilds, and the new snapshot shows it.
	now = now.Add(15 * time.Second)
	c.set(pairInventory(2))
	if !e.Refresh() || e.Snapshot().Pairs[0].ModelDesired.Value != 2 {
		t.Fatalf("cluster change not reflected: %+v", e.Snapshot().Pairs[0].ModelDesired)
	}

	// A poll rebuilds and fills the live metric and the sparkline.
	now = now.Add(15 * time.Second)
	e.Poll(model.MetricsPoll{At: now, Samples: map[string]model.MetricSample{"ns/iris": {RPS: 5.5}}})
	if !e.Refresh() {
		t.Fatal("poll did not rebuild")
	}
	p := e.Snapshot().Pairs[0]
	if !p.Metric.Known || p.Metric.RPS != 5.5 || p.Metric.Target != 3 {
		t.Fatalf("metric = %+v", p.Metric)
	}
	if n := len(p.Spark); n == 0 || p.Spark[n-1] != 5.5 {
		t.Fatalf("spark = %v", p.Spark)
	}

	// A watch state change alone reaches the header.
	c.mu.Lock()
	c.state = model.WatchState{Synced: true, Connected: false, DisconnectedSince: now}
	c.mu.Unlock()
	if !e.Refresh() || e.Snapshot().Watch.Connected {
		t.Fatal("watch state change not reflected")
	}

	h := e.History("ns/iris")
	if len(h.RPS) == 0 || len(h.Capacity) != len(h.RPS) {
		t.Fatalf("history = %+v", h)
	}
	if last := h.Capacity[len(h.Capacity)-1]; last != 6 {
		t.Fatalf("capacity = %v, want target 3 × 2 ready", last)
	}
}

func TestEngineShowsNoPairsUntilSynced(t *testing.T) {
	c := &fakeCluster{state: model.WatchState{Synced: false, SyncedKinds: 2, TotalKinds: 6}}
	// Half listed: the Model is there, its Server and HPAs not yet.
	c.set(model.Inventory{Models: []model.SeldonModel{{Meta: model.Meta{Namespace: "ns", Name: "iris"}, Server: "mlserver"}}})
	e := NewEngine(c, EngineOptions{})
	e.Refresh()
	if s := e.Snapshot(); len(s.Pairs) != 0 || s.Watch.SyncedKinds != 2 {
		t.Fatalf("before sync: %d pairs, watch %+v", len(s.Pairs), s.Watch)
	}
	c.mu.Lock()
	c.state = model.WatchState{Synced: true, SyncedKinds: 6, TotalKinds: 6}
	c.mu.Unlock()
	c.set(pairInventory(1))
	if !e.Refresh() || len(e.Snapshot().Pairs) != 1 {
		t.Fatalf("after sync: %+v", e.Snapshot().Pairs)
	}
}
