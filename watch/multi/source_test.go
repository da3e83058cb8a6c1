package multi

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

// fixed is a Source whose snapshot a test replaces.
type fixed struct {
	v    atomic.Uint64
	snap atomic.Pointer[model.Snapshot]
	hist map[string]model.PairHistory
}

func (f *fixed) set(s *model.Snapshot)                { f.snap.Store(s); f.v.Add(1) }
func (f *fixed) Version() uint64                      { return f.v.Load() }
func (f *fixed) Snapshot() *model.Snapshot            { return f.snap.Load() }
func (f *fixed) History(key string) model.PairHistory { return f.hist[key] }
func (f *fixed) Info() watch.SourceInfo               { return watch.SourceInfo{Live: true, Now: time.Now} }

func synced(ctx string) model.WatchState {
	return model.WatchState{Context: ctx, Synced: true, Connected: true, SyncedKinds: 9, TotalKinds: 9,
		Access: map[string]model.Access{model.ResourceModels: model.AccessOK}}
}

func TestMergeKeysPairsByCluster(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a, b := &fixed{hist: map[string]model.PairHistory{"seldon/iris": {Key: "seldon/iris", RPS: []float64{6}}}}, &fixed{
		hist: map[string]model.PairHistory{"seldon/iris": {Key: "seldon/iris", RPS: []float64{20}}}}
	a.set(&model.Snapshot{Taken: t0, Watch: synced("a"), Pairs: []model.Pair{{Key: "seldon/iris", Namespace: "seldon", Metric: model.PairMetric{RPS: 6}}},
		Events:  []model.Event{{Reason: "old", Last: t0.Add(-time.Minute)}},
		Changes: []model.Change{{At: t0, Pairs: []string{"seldon/iris"}}}})
	b.set(&model.Snapshot{Taken: t0.Add(time.Second), Watch: synced("b"), Pairs: []model.Pair{{Key: "seldon/iris", Namespace: "seldon", Metric: model.PairMetric{RPS: 20}}},
		Events: []model.Event{{Reason: "new", Last: t0}}})
	s := New([]Member{{"a", a}, {"arn:aws:eks:eu-west-1:1:cluster/b", b}})
	snap := s.Snapshot()
	if len(snap.Pairs) != 2 || snap.Pairs[0].Key != "a/seldon/iris" || snap.Pairs[1].Key != "arn:aws:eks:eu-west-1:1:cluster/b/seldon/iris" {
		t.Fatalf("pairs = %+v", snap.Pairs)
	}
	if snap.Pairs[1].Cluster != "arn:aws:eks:eu-west-1:1:cluster/b" || snap.Pairs[1].Metric.RPS != 20 {
		t.Errorf("pair b = %+v", snap.Pairs[1])
	}
	if h := s.History(snap.Pairs[1].Key); len(h.RPS) != 1 || h.RPS[0] != 20 || h.Key != snap.Pairs[1].Key {
		t.Errorf("history of b = %+v", h)
	}
	if snap.Events[0].Reason != "new" || snap.Events[0].Cluster != "arn:aws:eks:eu-west-1:1:cluster/b" || snap.Events[1].Cluster != "a" {
		t.Errorf("events = %+v", snap.Events)
	}
	if snap.Changes[0].Pairs[0] != "a/seldon/iris" {
		t.Errorf("changes = %+v", snap.Changes)
	}
	if !snap.Watch.Synced || !snap.Watch.Connected || len(snap.Clusters) != 2 || snap.Clusters[0].Pairs != 1 {
		t.Errorf("watch = %+v, clusters = %+v", snap.Watch, snap.Clusters)
	}
	if !snap.Taken.Equal(t0.Add(time.Second)) {
		t.Errorf("taken = %v", snap.Taken)
	}
	if s.Snapshot() != snap {
		t.Error("an unchanged member merged again")
	}

	// One cluster disconnects and loses access: only its state says so, and the summary
	// cannot read as all good.
	v := s.Version()
	down := synced("b")
	down.Connected, down.DisconnectedSince, down.LastError = false, t0, "connection refused"
	down.Access[model.ResourceModels] = model.AccessForbidden
	b.set(&model.Snapshot{Taken: t0, Watch: down, Pairs: b.Snapshot().Pairs})
	if s.Version() == v {
		t.Fatal("version did not change")
	}
	snap = s.Snapshot()
	if snap.Clusters[0].Watch.Connected != true || snap.Clusters[1].Watch.Connected != false {
		t.Errorf("clusters = %+v", snap.Clusters)
	}
	if snap.Watch.Connected || !snap.Watch.DisconnectedSince.Equal(t0) || snap.Watch.LastError != "arn:aws:eks:eu-west-1:1:cluster/b: connection refused" {
		t.Errorf("summary watch = %+v", snap.Watch)
	}
	if snap.Watch.Blind() == "" {
		t.Error("a cluster that cannot list Models left the summary not blind")
	}
}

func TestMergePromPicksTheFailingCluster(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ok := model.PromState{Configured: true, LastSuccess: t0, Target: "http://thanos"}
	bad := model.PromState{Configured: true, LastSuccess: t0.Add(-time.Minute), Failures: 2, LastError: "timeout", Target: "http://thanos"}
	got := Merge([]string{"a", "b", "c"}, []*model.Snapshot{{Prom: ok}, {Prom: bad}, {Prom: ok}}).Prom
	if got.Failures != 2 || got.LastError != "b: timeout" || got.Target != "http://thanos" {
		t.Errorf("merged prom = %+v", got)
	}
}
