package kube

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// TestCompactKeepsIdentityAndProjection: every kind the watcher caches becomes its
// projection with the key and version the informer needs; tombstones keep their key and
// carry the projection; objects of other kinds pass unchanged.
func TestCompactKeepsIdentityAndProjection(t *testing.T) {
	o := kubetest.Pair(0)
	o.Model.SetUID("u-model")
	o.Model.SetResourceVersion("7")
	tests := []struct {
		obj  any
		want any
	}{
		{o.Model, ProjectModel(o.Model)},
		{o.Server, ProjectServer(o.Server)},
		{o.ModelHPA, ProjectHPA(o.ModelHPA)},
		{o.StatefulSet, ProjectStatefulSet(o.StatefulSet)},
		{&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "d"}}, ProjectDeployment(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "d"}})},
		{o.Event, ProjectEvent(o.Event)},
	}
	for _, tt := range tests {
		key, _ := cache.MetaNamespaceKeyFunc(tt.obj)
		got, ok := compact(tt.obj).(*projected)
		if !ok {
			t.Fatalf("%T not compacted", tt.obj)
		}
		if k, _ := cache.MetaNamespaceKeyFunc(got); k != key {
			t.Errorf("%T key %q, want %q", tt.obj, k, key)
		}
		if !reflect.DeepEqual(got.value, tt.want) {
			t.Errorf("%T projection %+v, want %+v", tt.obj, got.value, tt.want)
		}
		if c := got.DeepCopyObject().(*projected); !reflect.DeepEqual(c, got) || c == got {
			t.Errorf("%T deep copy differs or is the same object", tt.obj)
		}
	}
	if p := compact(o.Model).(*projected); p.UID != "u-model" || p.ResourceVersion != "7" {
		t.Errorf("identity lost: %q %q", p.UID, p.ResourceVersion)
	}
	tomb := compact(cache.DeletedFinalStateUnknown{Key: "ns/x", Obj: o.ModelHPA}).(cache.DeletedFinalStateUnknown)
	if _, ok := tomb.Obj.(*projected); !ok || tomb.Key != "ns/x" {
		t.Errorf("tombstone: %+v", tomb)
	}
	other := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "c"}}
	if compact(other) != any(other) {
		t.Error("an unknown kind was changed")
	}
	foreign := &unstructured.Unstructured{Object: map[string]any{"kind": "Pipeline", "metadata": map[string]any{"name": "p"}}}
	if compact(foreign) != any(foreign) {
		t.Error("an unstructured object of another kind was changed")
	}
	var nilHPA *autoscalingv2.HorizontalPodAutoscaler
	if compact(nilHPA) != any(nilHPA) {
		t.Error("a nil object was changed")
	}
}
