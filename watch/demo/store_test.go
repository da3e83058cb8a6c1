package demo

import (
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	kubescheme "k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

func newTestStore() *store {
	return newStore(k8stesting.NewObjectTracker(kubescheme.Scheme, kubescheme.Codecs.UniversalDecoder()), &revision{},
		map[schema.GroupVersionResource]schema.GroupVersionKind{gvr.StatefulSets: gvr.StatefulSets.GroupVersion().WithKind("StatefulSet")})
}

func sts(name string, labels map[string]string, replicas int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels},
		Spec:       appsv1.StatefulSetSpec{Replicas: &replicas},
	}
}

func nextEvent(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		if !ok {
			t.Fatal("watch closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
	}
	return watch.Event{}
}

func TestStoreStampsResourceVersionsAndResumesWatches(t *testing.T) {
	s := newTestStore()
	if err := s.Create(gvr.StatefulSets, sts("a", nil, 1), "ns"); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(gvr.StatefulSets, gvr.StatefulSets.GroupVersion().WithKind("StatefulSet"), "ns")
	if err != nil {
		t.Fatal(err)
	}
	listRV := list.(*appsv1.StatefulSetList).ResourceVersion
	if item := list.(*appsv1.StatefulSetList).Items[0]; item.ResourceVersion != "1" || listRV != "1" {
		t.Fatalf("object RV %q, list RV %q; want 1 and 1", item.ResourceVersion, listRV)
	}
	// A change between the List and the Watch must not be lost.
	if err := s.Update(gvr.StatefulSets, sts("a", nil, 2), "ns"); err != nil {
		t.Fatal(err)
	}
	w, err := s.Watch(gvr.StatefulSets, "ns", metav1.ListOptions{ResourceVersion: listRV})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ev := nextEvent(t, w)
	got := ev.Object.(*appsv1.StatefulSet)
	if ev.Type != watch.Modified || *got.Spec.Replicas != 2 || got.ResourceVersion != "2" {
		t.Fatalf("got %s replicas=%d rv=%s; want MODIFIED 2 rv=2", ev.Type, *got.Spec.Replicas, got.ResourceVersion)
	}
	if err := s.Delete(gvr.StatefulSets, "ns", "a"); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, w); ev.Type != watch.Deleted {
		t.Fatalf("got %s, want DELETED", ev.Type)
	}
}

func TestStoreWatchNeverBlocksTheWriter(t *testing.T) {
	s := newTestStore()
	w, err := s.Watch(gvr.StatefulSets, "", metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// client-go's plain fake watcher panics past 100 unread events.
	const n = 1000
	for i := 0; i < n; i++ {
		if err := s.Create(gvr.StatefulSets, sts(fmt.Sprint("s", i), nil, 1), "ns"); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		ev := nextEvent(t, w)
		if name := ev.Object.(*appsv1.StatefulSet).Name; name != fmt.Sprint("s", i) {
			t.Fatalf("event %d is %s, want s%d (order kept)", i, name, i)
		}
	}
}

func TestStoreWatchFiltersByLabelSelector(t *testing.T) {
	s := newTestStore()
	w, err := s.Watch(gvr.StatefulSets, "", metav1.ListOptions{LabelSelector: serverLabel + "=" + serverLabelValue})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	_ = s.Create(gvr.StatefulSets, sts("other", map[string]string{"app": "db"}, 1), "ns")
	_ = s.Create(gvr.StatefulSets, sts("mlserver", map[string]string{serverLabel: serverLabelValue}, 1), "ns")
	if ev := nextEvent(t, w); ev.Object.(*appsv1.StatefulSet).Name != "mlserver" {
		t.Fatalf("got %s, want only the labelled StatefulSet", ev.Object.(*appsv1.StatefulSet).Name)
	}
}

func TestStoreWatchFromTrimmedHistoryIsGone(t *testing.T) {
	s := newTestStore()
	_ = s.Create(gvr.StatefulSets, sts("a", nil, 1), "ns")
	for i := 0; i < logCap+10; i++ {
		_ = s.Update(gvr.StatefulSets, sts("a", nil, int32(i)), "ns")
	}
	_, err := s.Watch(gvr.StatefulSets, "", metav1.ListOptions{ResourceVersion: "1"})
	if !apierrors.IsResourceExpired(err) && !apierrors.IsGone(err) {
		t.Fatalf("watch from a trimmed resourceVersion: %v; want 410 Gone so the reflector relists", err)
	}
}

func TestStoreStopClosesTheChannel(t *testing.T) {
	s := newTestStore()
	w, err := s.Watch(gvr.StatefulSets, "", metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Create(gvr.StatefulSets, sts("a", nil, 1), "ns")
	w.Stop()
	w.Stop() // idempotent
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-w.ResultChan():
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("result channel not closed after Stop")
		}
	}
}

func TestStoreListAppliesFieldSelectors(t *testing.T) {
	s := newStore(k8stesting.NewObjectTracker(kubescheme.Scheme, kubescheme.Codecs.UniversalDecoder()), &revision{},
		map[schema.GroupVersionResource]schema.GroupVersionKind{gvr.Events: gvr.Events.GroupVersion().WithKind("Event")})
	for i, kind := range []string{"HorizontalPodAutoscaler", "Model", "Server", "Model"} {
		ev := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("e", i), Namespace: "ns"},
			InvolvedObject: corev1.ObjectReference{Kind: kind, Name: "x"}}
		if err := s.Create(gvr.Events, ev, "ns"); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.List(gvr.Events, gvr.Events.GroupVersion().WithKind("Event"), "", metav1.ListOptions{FieldSelector: "involvedObject.kind=Model"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(list.(*corev1.EventList).Items); n != 2 {
		t.Fatalf("%d events for involvedObject.kind=Model, want 2", n)
	}
	if _, err := s.List(gvr.Events, gvr.Events.GroupVersion().WithKind("Event"), "", metav1.ListOptions{FieldSelector: "a=b=c"}); err == nil {
		t.Fatal("a malformed field selector must be refused")
	}
}
