package kube

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// fresh projects the watcher's stores from scratch, as Inventory did before it kept
// projections: the reference the incremental Inventory must always come back to.
func fresh(w *Watcher) model.Inventory {
	w.mu.Lock()
	var sources []source
	for _, ri := range w.informers {
		if !ri.stopped {
			sources = append(sources, source{ri.resource, ri.part, ri.informer.GetStore()})
		}
	}
	access, _ := w.accessLocked()
	w.mu.Unlock()
	inv := model.Inventory{Access: access}
	newProjector().inventory(&inv, sources)
	return inv
}

// TestInventoryFollowsChanges changes, adds and deletes objects of every kind at random
// and checks that Inventory, which projects only what changed, always catches up with a
// projection from scratch, and hands out the same slices for kinds that did not change.
func TestInventoryFollowsChanges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 30
	seldon, typed := fakePairs(n)
	dyn, cs := fakeDynamic(seldon...), fake.NewClientset(typed...)
	w := NewForClients(dyn, cs, nil, Options{})
	w.Start(ctx)
	if err := w.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	rv := 1000
	next := func() string { rv++; return strconv.Itoa(rv) }
	added := n
	for step := range 120 {
		before := w.Inventory()
		v := w.Version()
		i := r.IntN(n)
		o := kubetest.Pair(i)
		ns := o.Namespace
		what := ""
		switch k := r.IntN(8); k {
		case 0: // a Model's status changes
			u, err := dyn.Resource(gvr.Models).Namespace(ns).Get(ctx, o.Model.GetName(), metav1.GetOptions{})
			if err != nil {
				continue // deleted earlier
			}
			u.SetResourceVersion(next())
			_ = unstructured.SetNestedField(u.Object, int64(r.IntN(5)), "status", "availableReplicas")
			_, err = dyn.Resource(gvr.Models).Namespace(ns).UpdateStatus(ctx, u, metav1.UpdateOptions{})
			what = fmt.Sprint("model status ", err)
		case 1: // an HPA's status changes
			h, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, o.ServerHPA.Name, metav1.GetOptions{})
			if err != nil {
				continue
			}
			h.ResourceVersion = next()
			h.Status.DesiredReplicas = int32(1 + r.IntN(6))
			_, err = cs.AutoscalingV2().HorizontalPodAutoscalers(ns).UpdateStatus(ctx, h, metav1.UpdateOptions{})
			what = fmt.Sprint("hpa status ", err)
		case 2: // a StatefulSet gets ready
			s, err := cs.AppsV1().StatefulSets(ns).Get(ctx, o.StatefulSet.Name, metav1.GetOptions{})
			if err != nil {
				continue
			}
			s.ResourceVersion = next()
			s.Status.ReadyReplicas = int32(r.IntN(5))
			_, err = cs.AppsV1().StatefulSets(ns).UpdateStatus(ctx, s, metav1.UpdateOptions{})
			what = fmt.Sprint("statefulset ", err)
		case 3: // a Server is deleted
			err := dyn.Resource(gvr.Servers).Namespace(ns).Delete(ctx, o.Server.GetName(), metav1.DeleteOptions{})
			what = fmt.Sprint("delete server ", err)
		case 4: // a new pair's HPA appears
			h := kubetest.Pair(added).ModelHPA
			h.Namespace = ns
			h.ResourceVersion = next()
			added++
			_, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, h, metav1.CreateOptions{})
			what = fmt.Sprint("create hpa ", err)
		case 5: // an HPA is deleted
			err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Delete(ctx, o.ModelHPA.Name, metav1.DeleteOptions{})
			what = fmt.Sprint("delete hpa ", err)
		case 6: // an Event
			at := metav1.NewTime(time.Unix(int64(1e9+step), 0))
			_, err := cs.CoreV1().Events(ns).Create(ctx, &corev1.Event{
				ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("e%d", step), ResourceVersion: next()},
				InvolvedObject: corev1.ObjectReference{Kind: "HorizontalPodAutoscaler", Name: o.ModelHPA.Name, Namespace: ns},
				Reason:         "SuccessfulRescale", Message: "New size: 2", FirstTimestamp: at, LastTimestamp: at,
			}, metav1.CreateOptions{})
			what = fmt.Sprint("event ", err)
		case 7: // a Server's spec changes
			u, err := dyn.Resource(gvr.Servers).Namespace(ns).Get(ctx, o.Server.GetName(), metav1.GetOptions{})
			if err != nil {
				continue
			}
			u.SetResourceVersion(next())
			_ = unstructured.SetNestedField(u.Object, int64(1+r.IntN(5)), "spec", "replicas")
			_, err = dyn.Resource(gvr.Servers).Namespace(ns).Update(ctx, u, metav1.UpdateOptions{})
			what = fmt.Sprint("server spec ", err)
		}
		var got, want model.Inventory
		deadline := time.Now().Add(10 * time.Second)
		for strings.HasSuffix(what, "<nil>") && w.Version() == v { // the informer has not seen it yet
			if time.Now().After(deadline) {
				t.Fatalf("step %d (%s): no informer saw the change", step, what)
			}
			time.Sleep(time.Millisecond)
		}
		for {
			got, want = w.Inventory(), fresh(w)
			if reflect.DeepEqual(got, want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("step %d (%s): Inventory did not catch up with the stores:\n got %d models %d servers %d hpas %d workloads %d events\nwant %d %d %d %d %d",
					step, what, len(got.Models), len(got.Servers), len(got.HPAs), len(got.Workloads), len(got.Events),
					len(want.Models), len(want.Servers), len(want.HPAs), len(want.Workloads), len(want.Events))
			}
			time.Sleep(2 * time.Millisecond)
		}
		// Kinds nobody touched come back as the same slice.
		if what[:5] == "model" && !sameSlice(got.HPAs, before.HPAs) {
			t.Fatalf("step %d: a Model changed and the HPA slice was copied", step)
		}
		if what[:3] == "hpa" && (!sameSlice(got.Models, before.Models) || !sameSlice(got.Workloads, before.Workloads)) {
			t.Fatalf("step %d (%s): an HPA changed and other kinds were copied: models %v workloads %v", step, what,
				sameSlice(got.Models, before.Models), sameSlice(got.Workloads, before.Workloads))
		}
	}
}
