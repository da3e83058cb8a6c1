package kube

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// Unit tests of the watcher over client-go's fake clientsets (the demo's path). The
// real API server is exercised in watcher_integration_test.go.

func fakeDynamic(objs ...runtime.Object) *dynamicfake.FakeDynamicClient {
	return dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), ListKinds, objs...)
}

func fakeSeldon(kind, ns, name string, spec map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "mlops.seldon.io/v1alpha1", "kind": kind,
		"metadata": map[string]any{"namespace": ns, "name": name},
		"spec":     spec,
	}}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWatcherFakeClients(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dyn := fakeDynamic(
		fakeSeldon("Model", "ns", "iris", map[string]any{"server": "iris-server", "replicas": int64(2), "storageUri": "s3://m"}),
		fakeSeldon("Server", "ns", "iris-server", map[string]any{"serverConfig": "mlserver", "replicas": int64(2),
			"podSpec": map[string]any{"containers": []any{}}}),
	)
	two := int32(2)
	cs := fake.NewClientset(
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "iris-server",
			Labels: map[string]string{"app.kubernetes.io/name": "seldon-server"}},
			Spec: appsv1.StatefulSetSpec{Replicas: &two}, Status: appsv1.StatefulSetStatus{ReadyReplicas: 1}},
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "unrelated"}},
		&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "iris-hpa"},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 3, ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
				APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris"}}},
		&corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "e1"},
			InvolvedObject: corev1.ObjectReference{Kind: "Model", Name: "iris"}, Reason: "ModelReady"},
	)
	w := NewForClients(dyn, cs, nil, Options{Namespaces: []string{"ns"}})
	v0 := w.Version()
	w.Start(ctx)
	if err := w.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Version() == v0 {
		t.Error("version did not change after sync")
	}
	st := w.State()
	if !st.Synced || st.SyncedKinds != st.TotalKinds || st.TotalKinds != 6 || !st.Connected {
		t.Errorf("state after sync: %+v", st)
	}
	for r, a := range st.Access {
		if a != model.AccessOK {
			t.Errorf("access %s = %s", r, a)
		}
	}
	inv := w.Inventory()
	if len(inv.Models) != 1 || len(inv.Servers) != 1 || len(inv.HPAs) != 1 {
		t.Fatalf("inventory: %+v", inv)
	}
	// Only the labelled StatefulSet; the Event once although the fake ignores the
	// per-kind field selectors.
	if len(inv.Workloads) != 1 || len(inv.Events) != 1 {
		t.Fatalf("workloads/events: %+v %+v", inv.Workloads, inv.Events)
	}
	pairs := model.Join(inv)
	if pairs[0].Key != "ns/iris" || pairs[0].ServerReady != model.Known(1) || pairs[0].ModelHPA == nil {
		t.Errorf("pair: %+v", pairs[0])
	}

	// A change bumps the version and shows in the next Inventory.
	v1 := w.Version()
	m := fakeSeldon("Model", "ns", "iris", map[string]any{"server": "iris-server", "replicas": int64(3), "storageUri": "s3://m"})
	if _, err := dyn.Resource(gvr.Models).Namespace("ns").Update(ctx, m, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "model update", func() bool {
		inv := w.Inventory()
		return w.Version() > v1 && len(inv.Models) == 1 && inv.Models[0].Replicas != nil && *inv.Models[0].Replicas == 3
	})
}

// stubDiscovery answers only the Seldon group lookup, installed or not.
type stubDiscovery struct {
	discovery.DiscoveryInterface
	mu        sync.Mutex
	installed bool
	calls     atomic.Int64
}

func (s *stubDiscovery) ServerResourcesForGroupVersion(gv string) (*metav1.APIResourceList, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.installed || gv != gvr.SeldonGroupVersion.String() {
		return nil, apierrors.NewNotFound(schema.GroupResource{Group: model.SeldonGroup}, gv)
	}
	return &metav1.APIResourceList{GroupVersion: gv, APIResources: []metav1.APIResource{{Name: "models"}, {Name: "servers"}}}, nil
}

func TestWatcherCRDsInstalledLater(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	disco := &stubDiscovery{}
	dyn := fakeDynamic(fakeSeldon("Model", "ns", "iris", map[string]any{"server": "s", "storageUri": "s3://m"}))
	w := NewForClients(dyn, fake.NewClientset(), disco, Options{Recheck: 10 * time.Millisecond})
	w.Start(ctx)
	if err := w.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	st := w.State()
	if st.Access[model.ResourceModels] != model.AccessNotInstalled || st.Access[model.ResourceServers] != model.AccessNotInstalled {
		t.Fatalf("access before install: %v", st.Access)
	}
	if st.SyncedKinds != 4 || !st.Synced {
		t.Errorf("synced kinds before install: %+v", st)
	}
	if inv := w.Inventory(); len(inv.Models) != 0 || inv.Access[model.ResourceModels] != model.AccessNotInstalled {
		t.Errorf("inventory before install: %+v", inv)
	}
	disco.mu.Lock()
	disco.installed = true
	disco.mu.Unlock()
	waitFor(t, "models after install", func() bool { return len(w.Inventory().Models) == 1 })
	waitFor(t, "synced after install", func() bool { return w.State().SyncedKinds == 6 })
	// Once installed, discovery is not asked again.
	n := disco.calls.Load()
	w.checkCRDs(ctx)
	if got := disco.calls.Load(); got != n {
		t.Errorf("discovery asked again after install: %d -> %d calls", n, got)
	}
}

func TestWatcherForbiddenStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs := fake.NewClientset()
	var lists atomic.Int64
	cs.PrependReactor("list", "statefulsets", func(k8stesting.Action) (bool, runtime.Object, error) {
		lists.Add(1)
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "statefulsets"}, "", nil)
	})
	w := NewForClients(fakeDynamic(), cs, nil, Options{Namespaces: []string{"a", "b"}, Recheck: time.Hour})
	w.Start(ctx)
	if err := w.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	st := w.State()
	if st.Access[model.ResourceStatefulSets] != model.AccessForbidden || st.Access[model.ResourceHPAs] != model.AccessOK {
		t.Fatalf("access: %v", st.Access)
	}
	if st.SyncedKinds != 5 || st.LastError == "" {
		t.Errorf("state: %+v", st)
	}
	// One refused list per namespace, then the informers are stopped: no retry storm.
	if n := lists.Load(); n != 2 {
		t.Errorf("forbidden lists: %d, want one per namespace", n)
	}
	w.retryStopped() // within ForbiddenRetry: nothing restarts
	if n := lists.Load(); n != 2 {
		t.Errorf("retried before ForbiddenRetry: %d lists", n)
	}
	w.mu.Lock()
	w.opts.ForbiddenRetry = time.Nanosecond
	w.mu.Unlock()
	w.retryStopped() // after it: each namespace is tried once more, and stopped again
	waitFor(t, "retry after ForbiddenRetry", func() bool {
		return lists.Load() == 4 && w.State().Access[model.ResourceStatefulSets] == model.AccessForbidden
	})
	inv := w.Inventory()
	if inv.Access[model.ResourceStatefulSets] != model.AccessForbidden {
		t.Errorf("inventory access: %v", inv.Access)
	}
}
