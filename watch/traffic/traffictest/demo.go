// Package traffictest makes recordings of the demo for tests and examples: the demo
// cluster on its virtual clock, read the way the watch projects objects, through the
// dashboard's engine (tracker, history) and the real Prometheus poller, written by the
// real recorder. It steps the clock one second at a time in lockstep, so a recording is
// the same every run and sees every HPA status write within a second of the sync.
package traffictest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/demo"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/prom"
	"github.com/twinscale/twinscale/watch/record"
)

// Start is the story's start in recordings made here, so they compare across runs.
var Start = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

// RecordDemo runs the demo scenario with the seed for d of virtual time and records it to path.
func RecordDemo(path, scenario string, seed uint64, d time.Duration) error {
	o := demo.DefaultOptions()
	o.Scenario, o.Seed, o.Start = scenario, seed, Start
	c, err := demo.New(o)
	if err != nil {
		return err
	}
	cl := &cluster{c: c}
	if err := cl.refresh(); err != nil {
		return err
	}
	engine := watch.NewEngine(cl, watch.EngineOptions{Now: c.Now, Tracker: model.TrackerOptions{
		Step: prom.DefaultPollInterval, Capacity: int(2 * time.Hour / prom.DefaultPollInterval), Metrics: true,
	}})
	w, err := record.NewWriter(path, record.WriterOptions{})
	if err != nil {
		return err
	}
	rec := record.NewRecorder(engine, w)

	// The poller waits on the virtual clock; the loop steps only while it waits.
	po := prom.DefaultOptions()
	po.URL = "demo://simulated"
	poller := prom.NewPoller(c.Querier(), po, nil, engine)
	waiting := make(chan time.Time, 1)
	poller.Now = c.Now
	poller.After = func(d time.Duration) <-chan time.Time {
		ch := c.After(d)
		waiting <- c.Now().Add(d)
		return ch
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { poller.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	next := <-waiting
	end := c.Now().Add(d)
	for c.Now().Before(end) {
		c.Step(time.Second)
		if !c.Now().Before(next) {
			select {
			case next = <-waiting:
			case <-time.After(time.Minute):
				return fmt.Errorf("traffictest: the poller did not poll at %s", next)
			}
		}
		if err := cl.refresh(); err != nil {
			return err
		}
		engine.Refresh()
		if _, err := rec.Capture(c.Now()); err != nil {
			return err
		}
	}
	return w.Close()
}

// cluster is the demo's objects as the watch projects them, listed after every step.
type cluster struct {
	c       *demo.Cluster
	version uint64
	print   string
	inv     model.Inventory
}

func (cl *cluster) Version() uint64            { return cl.version }
func (cl *cluster) Inventory() model.Inventory { return cl.inv }
func (cl *cluster) State() model.WatchState {
	return model.WatchState{Context: "demo", Synced: true, Connected: true, SyncedKinds: 5, TotalKinds: 5}
}

// refresh lists every object; the version changes when any resourceVersion did.
func (cl *cluster) refresh() error {
	ctx := context.Background()
	dyn, cs := cl.c.Clients()
	var inv model.Inventory
	var rv []string
	models, err := dyn.Resource(gvr.Models).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range models.Items {
		inv.Models = append(inv.Models, kube.ProjectModel(&models.Items[i]))
		rv = append(rv, models.Items[i].GetResourceVersion())
	}
	servers, err := dyn.Resource(gvr.Servers).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range servers.Items {
		inv.Servers = append(inv.Servers, kube.ProjectServer(&servers.Items[i]))
		rv = append(rv, servers.Items[i].GetResourceVersion())
	}
	sts, err := cs.AppsV1().StatefulSets("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range sts.Items {
		inv.Workloads = append(inv.Workloads, kube.ProjectStatefulSet(&sts.Items[i]))
		rv = append(rv, sts.Items[i].ResourceVersion)
	}
	deps, err := cs.AppsV1().Deployments("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range deps.Items {
		inv.Workloads = append(inv.Workloads, kube.ProjectDeployment(&deps.Items[i]))
		rv = append(rv, deps.Items[i].ResourceVersion)
	}
	hpas, err := cs.AutoscalingV2().HorizontalPodAutoscalers("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range hpas.Items {
		inv.HPAs = append(inv.HPAs, kube.ProjectHPA(&hpas.Items[i]))
		rv = append(rv, hpas.Items[i].ResourceVersion)
	}
	inv.Access = map[string]model.Access{}
	for _, r := range []string{model.ResourceModels, model.ResourceServers, "statefulsets", "deployments", "horizontalpodautoscalers"} {
		inv.Access[r] = model.AccessOK
	}
	slices.Sort(rv)
	if p := strings.Join(rv, ","); p != cl.print {
		cl.print, cl.inv = p, inv
		cl.version++
	}
	return nil
}
