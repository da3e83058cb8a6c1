package demo

import (
	"context"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube"
)

// startWatcher runs the real watch/kube watcher over the demo's clients.
func startWatcher(t *testing.T, c *Cluster) *kube.Watcher {
	t.Helper()
	dyn, cs := c.Clients()
	w := kube.NewForClients(dyn, cs, c.Discovery(), kube.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w.Start(ctx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := w.WaitForSync(sctx); err != nil {
		t.Fatalf("watcher over the demo clients: %v (state %+v)", err, w.State())
	}
	return w
}

// watched returns the watcher's inventory once it has caught up with the cluster.
func watched(t *testing.T, c *Cluster, w *kube.Watcher) model.Inventory {
	t.Helper()
	want := mustJSON(t, inventory(t, c))
	deadline := time.Now().Add(30 * time.Second)
	for {
		inv := w.Inventory()
		inv.Access = nil
		sortInventory(&inv)
		if mustJSON(t, inv) == want {
			return inv
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watcher's inventory did not converge to the cluster's within 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHeadlessWatcherSeesTheExpectedPairs(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	w := startWatcher(t, c)
	if st := w.State(); !st.Synced || !st.Connected || st.Access[model.ResourceModels] != model.AccessOK {
		t.Fatalf("watch state %+v", st)
	}
	pairs := model.Join(watched(t, c, w))
	byModel := map[string]model.Pair{}
	for _, p := range pairs {
		byModel[p.Namespace+"/"+p.ModelName] = p
	}
	want := []string{
		"seldon-mesh/irisa0", "seldon-mesh/fraud-detector", "seldon-mesh/churn-xgb", "seldon-mesh/sentiment-bert",
		"seldon-mesh/recsys-ranker-blue", "seldon-mesh/recsys-ranker-green", "seldon-mesh/image-classifier",
		"seldon-mesh/llm-summarizer", "payments/risk-scorer", "payments/kyc-ocr",
	}
	if len(pairs) != len(want) {
		t.Errorf("%d pairs, want %d", len(pairs), len(want))
	}
	for _, k := range want {
		p, ok := byModel[k]
		switch {
		case !ok:
			t.Errorf("no pair for %s", k)
		case p.Model == nil || p.Server == nil || p.Workload == nil || p.ModelHPA == nil:
			t.Errorf("%s: incomplete pair (model %v server %v workload %v model HPA %v)", k, p.Model != nil, p.Server != nil, p.Workload != nil, p.ModelHPA != nil)
		case k == "seldon-mesh/llm-summarizer":
			if p.ServerHPA != nil || !hasShape(p, model.ShapeNoServerHPA) {
				t.Errorf("%s: want no Server HPA and the %s flag, got %v", k, model.ShapeNoServerHPA, p.Shape)
			}
		case p.ServerHPA == nil || len(p.Shape) > 0:
			t.Errorf("%s: server HPA %v, shape %v", k, p.ServerHPA != nil, p.Shape)
		}
	}
	// As in the Seldon docs, irisa0 and llm-summarizer have no spec.server: the scheduler
	// placed them and the pair comes from their .status.selector.
	for k, p := range byModel {
		want := model.LinkSpecServer
		if k == "seldon-mesh/irisa0" || k == "seldon-mesh/llm-summarizer" {
			want = model.LinkScheduled
			if p.Model.Server != "" || p.Model.Selector != "server="+p.ServerName {
				t.Errorf("%s: spec.server %q, selector %q", k, p.Model.Server, p.Model.Selector)
			}
		}
		if p.Link != want {
			t.Errorf("%s: paired by %q, want %q", k, p.Link, want)
		}
	}
	if p := byModel["seldon-mesh/sentiment-bert"]; p.Workload == nil || p.Workload.Kind != "Deployment" {
		t.Errorf("sentiment-bert's Server should run as a Deployment")
	}
	p := byModel["seldon-mesh/irisa0"]
	if p.ModelDesired != model.Known(1) || p.ServerReady != model.Known(1) || p.ScheduleFailed != nil {
		t.Errorf("irisa0 at start: model desired %+v, server ready %+v, ScheduleFailed %+v", p.ModelDesired, p.ServerReady, p.ScheduleFailed)
	}
}

// Through the real watcher, the ramp shows as the dashboard will show it: the Model
// ahead of its Server with ScheduleFailed, then caught up and healthy.
func TestHeadlessWatcherFollowsTheRamp(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	w := startWatcher(t, c)
	irisa0 := func() model.Pair {
		for _, p := range model.Join(watched(t, c, w)) {
			if p.ModelName == "irisa0" {
				return p
			}
		}
		t.Fatal("no irisa0 pair")
		return model.Pair{}
	}
	stepUntil(t, c, 2*time.Minute, "irisa0 ScheduleFailed through the watcher", func() bool {
		return irisa0().ScheduleFailed != nil
	})
	p := irisa0()
	if p.ModelDesired.Value <= p.ServerReady.Value || p.ScheduleFailed.Reason != ReasonNotEnoughReplicas {
		t.Fatalf("ScheduleFailed pair: model desired %d, server ready %d, reason %q", p.ModelDesired.Value, p.ServerReady.Value, p.ScheduleFailed.Reason)
	}
	stepUntil(t, c, 2*time.Minute, "ScheduleFailed clears through the watcher", func() bool {
		p := irisa0()
		return p.ScheduleFailed == nil && p.ModelReady == p.ModelDesired && p.ServerReady == p.ModelDesired
	})
}

// Same seed, same story, as the real watcher projects it.
func TestHeadlessSameSeedSameInventory(t *testing.T) {
	a, b := newCluster(t, ScenarioMixed, 11), newCluster(t, ScenarioMixed, 11)
	wa, wb := startWatcher(t, a), startWatcher(t, b)
	for i := 0; i < 5; i++ {
		a.Step(40 * time.Second)
		b.Step(40 * time.Second)
		if mustJSON(t, watched(t, a, wa)) != mustJSON(t, watched(t, b, wb)) {
			t.Fatalf("step %d: the watchers' inventories differ", i)
		}
	}
}

func hasShape(p model.Pair, f model.ShapeFlag) bool {
	for _, s := range p.Shape {
		if s == f {
			return true
		}
	}
	return false
}
