package demo

import (
	"context"
	"encoding/json"
	"sort"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// testStart is the story's start in tests, so snapshots are comparable across runs.
var testStart = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

func newCluster(t testing.TB, scenario string, seed uint64, mod ...func(*Options)) *Cluster {
	t.Helper()
	o := DefaultOptions()
	o.Scenario = scenario
	o.Seed = seed
	o.Start = testStart
	for _, f := range mod {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// stepUntil advances the virtual clock a second at a time until cond holds, failing
// once the virtual deadline passes.
func stepUntil(t testing.TB, c *Cluster, deadline time.Duration, what string, cond func() bool) time.Time {
	t.Helper()
	end := c.Now().Add(deadline)
	for {
		if cond() {
			return c.Now()
		}
		if !c.Now().Before(end) {
			t.Fatalf("%s: not within %v of virtual time (now %v after start)", what, deadline, c.Now().Sub(c.Start()))
		}
		c.Step(time.Second)
	}
}

// inventory lists everything through the fake clients, as a client would, and projects
// it with watch/kube's projection.
func inventory(t testing.TB, c *Cluster) model.Inventory {
	t.Helper()
	ctx := context.Background()
	dyn, cs := c.Clients()
	var inv model.Inventory
	models, err := dyn.Resource(gvr.Models).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list models: %v", err)
	}
	for i := range models.Items {
		inv.Models = append(inv.Models, kube.ProjectModel(&models.Items[i]))
	}
	servers, err := dyn.Resource(gvr.Servers).Namespace("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list servers: %v", err)
	}
	for i := range servers.Items {
		inv.Servers = append(inv.Servers, kube.ProjectServer(&servers.Items[i]))
	}
	sel := metav1.ListOptions{LabelSelector: serverLabel + "=" + serverLabelValue}
	sts, err := cs.AppsV1().StatefulSets("").List(ctx, sel)
	if err != nil {
		t.Fatalf("list statefulsets: %v", err)
	}
	for i := range sts.Items {
		inv.Workloads = append(inv.Workloads, kube.ProjectStatefulSet(&sts.Items[i]))
	}
	deps, err := cs.AppsV1().Deployments("").List(ctx, sel)
	if err != nil {
		t.Fatalf("list deployments: %v", err)
	}
	for i := range deps.Items {
		inv.Workloads = append(inv.Workloads, kube.ProjectDeployment(&deps.Items[i]))
	}
	hpas, err := cs.AutoscalingV2().HorizontalPodAutoscalers("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list hpas: %v", err)
	}
	for i := range hpas.Items {
		inv.HPAs = append(inv.HPAs, kube.ProjectHPA(&hpas.Items[i]))
	}
	evs, err := cs.CoreV1().Events("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list events: %v", err)
	}
	for i := range evs.Items {
		inv.Events = append(inv.Events, kube.ProjectEvent(&evs.Items[i]))
	}
	sortInventory(&inv)
	return inv
}

func sortInventory(inv *model.Inventory) {
	sort.Slice(inv.Models, func(i, j int) bool { return inv.Models[i].Key() < inv.Models[j].Key() })
	sort.Slice(inv.Servers, func(i, j int) bool { return inv.Servers[i].Key() < inv.Servers[j].Key() })
	sort.Slice(inv.Workloads, func(i, j int) bool { return inv.Workloads[i].Key() < inv.Workloads[j].Key() })
	sort.Slice(inv.HPAs, func(i, j int) bool { return inv.HPAs[i].Key() < inv.HPAs[j].Key() })
	sort.Slice(inv.Events, func(i, j int) bool {
		a, b := inv.Events[i], inv.Events[j]
		if !a.First.Equal(b.First) {
			return a.First.Before(b.First)
		}
		if a.Object.Name != b.Object.Name {
			return a.Object.Name < b.Object.Name
		}
		return a.Reason+a.Message < b.Reason+b.Message
	})
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func pairOf(t testing.TB, c *Cluster, ns, name string) *pair {
	t.Helper()
	p, ok := c.byKey[ns+"/"+name]
	if !ok {
		t.Fatalf("no pair %s/%s", ns, name)
	}
	return p
}

func kubeModel(u *unstructured.Unstructured) model.SeldonModel { return kube.ProjectModel(u) }

// deployed counts the pairs whose objects exist now.
func deployed(c *Cluster) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.pairs {
		if p.deployed {
			n++
		}
	}
	return n
}
