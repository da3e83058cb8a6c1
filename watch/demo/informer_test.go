package demo

import (
	"context"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic/dynamicinformer"
	autoscalinginformers "k8s.io/client-go/informers/autoscaling/v2"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// client-go informers over the demo's clients list, then follow every change while the
// simulation runs concurrently, and apply the same field selectors a server would.
func TestInformersFollowTheSimulation(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	dyn, cs := c.Clients()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	models := dynamicinformer.NewFilteredDynamicInformer(dyn, gvr.Models, "", 0, cache.Indexers{}, nil).Informer()
	hpas := autoscalinginformers.NewHorizontalPodAutoscalerInformer(cs, "", 0, cache.Indexers{})
	modelEvents := coreinformers.NewFilteredEventInformer(cs, "", 0, cache.Indexers{},
		func(o *metav1.ListOptions) { o.FieldSelector = "involvedObject.kind=Model" })
	for _, inf := range []cache.SharedIndexInformer{models, hpas, modelEvents} {
		go inf.Run(ctx.Done())
	}
	if !cache.WaitForCacheSync(ctx.Done(), models.HasSynced, hpas.HasSynced, modelEvents.HasSynced) {
		t.Fatal("caches did not sync")
	}
	if n := len(models.GetStore().List()); n != deployed(c) {
		t.Fatalf("%d models in the informer, want %d", n, deployed(c))
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	c.opts.Speed, c.opts.Tick = 100, 5*time.Millisecond
	go func() { done <- c.Run(runCtx) }()
	deadline := time.Now().Add(60 * time.Second)
	for c.Now().Sub(c.Start()) < 3*time.Minute {
		if time.Now().After(deadline) {
			t.Fatal("simulation did not advance 3 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Once the informers have caught up, their caches equal the cluster, object by
	// object and resourceVersion by resourceVersion.
	want := func() map[string]string {
		out := map[string]string{}
		l, err := dyn.Resource(gvr.Models).Namespace("").List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range l.Items {
			out["model/"+m.GetNamespace()+"/"+m.GetName()] = m.GetResourceVersion()
		}
		hl, err := cs.AutoscalingV2().HorizontalPodAutoscalers("").List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hl.Items {
			out["hpa/"+h.Namespace+"/"+h.Name] = h.ResourceVersion
		}
		return out
	}()
	caught := func() bool {
		for _, o := range models.GetStore().List() {
			m := o.(*unstructured.Unstructured)
			if want["model/"+m.GetNamespace()+"/"+m.GetName()] != m.GetResourceVersion() {
				return false
			}
		}
		for _, o := range hpas.GetStore().List() {
			h := o.(*autoscalingv2.HorizontalPodAutoscaler)
			if want["hpa/"+h.Namespace+"/"+h.Name] != h.ResourceVersion {
				return false
			}
		}
		return true
	}
	end := time.Now().Add(30 * time.Second)
	for !caught() {
		if time.Now().After(end) {
			t.Fatal("informer caches did not catch up with the simulated cluster")
		}
		time.Sleep(10 * time.Millisecond)
	}
	evs := modelEvents.GetStore().List()
	if len(evs) == 0 {
		t.Fatal("no Model events (ModelNotReady/ModelReady) reached the informer")
	}
	for _, o := range evs {
		if e := o.(*corev1.Event); e.InvolvedObject.Kind != "Model" {
			t.Fatalf("event about a %s passed the involvedObject.kind=Model selector", e.InvolvedObject.Kind)
		}
	}
}
