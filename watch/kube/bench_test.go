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
