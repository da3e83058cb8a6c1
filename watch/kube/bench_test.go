package kube

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// fakePairs builds client-go fake clientsets holding modeltest's first n pairs, each
// object with a UID and a resourceVersion as the API server would give them.
func fakePairs(n int) ([]runtime.Object, []runtime.Object) {
	var seldon, typed []runtime.Object
	for i := range n {
		o := kubetest.Pair(i)
		for _, m := range []metav1.Object{o.Model, o.Server, o.ModelHPA, o.ServerHPA, o.StatefulSet} {
			m.SetUID(types.UID(fmt.Sprintf("uid-%T-%d", m, i)))
			m.SetResourceVersion(strconv.Itoa(10 + i))
		}
		seldon = append(seldon, o.Model, o.Server)
		typed = append(typed, o.ModelHPA, o.ServerHPA, o.StatefulSet)
		if o.Event != nil {
			o.Event.SetUID(types.UID(fmt.Sprintf("uid-event-%d", i)))
			o.Event.SetResourceVersion(strconv.Itoa(10 + i))
			typed = append(typed, o.Event)
		}
	}
	return seldon, typed
}

// BenchmarkWatcherInventory measures Inventory over synced informers holding n pairs:
// unchanged, and after one HPA's status changed (the common watch event).
func BenchmarkWatcherInventory(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		seldon, typed := fakePairs(n)
		cs := fake.NewClientset(typed...)
		w := NewForClients(fakeDynamic(seldon...), cs, nil, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		w.Start(ctx)
		sctx, scancel := context.WithTimeout(ctx, time.Minute)
		if err := w.WaitForSync(sctx); err != nil {
			b.Fatal(err)
		}
		scancel()
		if got := len(w.Inventory().HPAs); got != 2*n {
			b.Fatalf("%d HPAs, want %d", got, 2*n)
		}
		b.Run(fmt.Sprintf("unchanged/pairs=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				w.Inventory()
			}
		})
		b.Run(fmt.Sprintf("one-change/pairs=%d", n), func(b *testing.B) {
			hpas := cs.AutoscalingV2().HorizontalPodAutoscalers(kubetest.Pair(0).Namespace)
			h, err := hpas.Get(ctx, kubetest.Pair(0).ModelHPA.Name, metav1.GetOptions{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := range b.N {
				b.StopTimer()
				v := w.Version()
				h.ResourceVersion = strconv.Itoa(1_000_000 + i)
				h.Status.DesiredReplicas = int32(1 + i%5)
				if _, err := hpas.UpdateStatus(ctx, h, metav1.UpdateOptions{}); err != nil {
					b.Fatal(err)
				}
				for w.Version() == v {
					time.Sleep(50 * time.Microsecond)
				}
				b.StartTimer()
				inv := w.Inventory()
				if inv.HPAs[0].DesiredReplicas != h.Status.DesiredReplicas {
					b.Fatalf("inventory missed the change: %d", inv.HPAs[0].DesiredReplicas)
				}
			}
		})
		cancel()
	}
}

// BenchmarkEngineRefresh measures what the dashboard waits for after a watch event: the
// engine's refresh (Inventory, then model.Tracker.Build) over n pairs after one HPA's
// status changed. "tick=1ms" keeps the clock inside one history step and younger than
// the refresh age, so only the changed pair is derived; "tick=250ms" is the engine's own
// cadence under constant churn: each refresh also re-analyses up to 256 pairs older than
// 1 s, and every 15 s the history head moves and every pair is analysed again (amortised).
func BenchmarkEngineRefresh(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		seldon, typed := fakePairs(n)
		cs := fake.NewClientset(typed...)
		w := NewForClients(fakeDynamic(seldon...), cs, nil, Options{})
		ctx, cancel := context.WithCancel(context.Background())
		w.Start(ctx)
		if err := w.WaitForSync(ctx); err != nil {
			b.Fatal(err)
		}
		ns, name := kubetest.Pair(0).Namespace, kubetest.Pair(0).ModelHPA.Name
		hpas := cs.AutoscalingV2().HorizontalPodAutoscalers(ns)
		for _, tick := range []time.Duration{time.Millisecond, 250 * time.Millisecond} {
			b.Run(fmt.Sprintf("tick=%s/pairs=%d", tick, n), func(b *testing.B) {
				now := modeltest.T0
				e := watch.NewEngine(w, watch.EngineOptions{Now: func() time.Time { return now },
					Tracker: model.TrackerOptions{Metrics: true}})
				for k := range 3 {
					now = modeltest.T0.Add(time.Duration(k) * 15 * time.Second)
					e.Poll(modeltest.Poll(n, k, 15*time.Second))
					e.Refresh()
				}
				h, err := hpas.Get(ctx, name, metav1.GetOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					b.StopTimer()
					v := w.Version()
					h.ResourceVersion = strconv.Itoa(2_000_000 + i)
					h.Status.DesiredReplicas = int32(1 + i%5)
					if h, err = hpas.UpdateStatus(ctx, h, metav1.UpdateOptions{}); err != nil {
						b.Fatal(err)
					}
					for w.Version() == v {
						time.Sleep(50 * time.Microsecond)
					}
					now = now.Add(tick)
					b.StartTimer()
					if !e.Refresh() {
						b.Fatal("no rebuild after a change")
					}
				}
			})
		}
		cancel()
	}
}
