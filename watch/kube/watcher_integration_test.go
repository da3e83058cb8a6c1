package kube

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// Integration tests against a real kube-apiserver and etcd (envtest). They run with the
// project's minimal CRDs, or the real Seldon CRDs when TWINSCALE_REAL_CRDS is set.

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

const deadline = 15 * time.Second

// startWatcher starts a Watcher on one namespace through a counting transport.
func startWatcher(t *testing.T, cfg *rest.Config, opts Options) (*Watcher, *RequestCounter) {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	counter := &RequestCounter{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return CountingTransport(rt, counter) })
	w, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w.Start(ctx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := w.WaitForSync(sctx); err != nil {
		t.Fatalf("sync: %v (state %+v)", err, w.State())
	}
	return w, counter
}

// pairs joins the watcher's current inventory.
func pairs(w *Watcher) map[string]model.Pair {
	out := map[string]model.Pair{}
	for _, p := range model.Join(w.Inventory()) {
		out[p.Key] = p
	}
	return out
}

// eventuallyPair waits until the pair with the key satisfies cond, and returns it.
func eventuallyPair(t *testing.T, w *Watcher, key, what string, cond func(p model.Pair) bool) model.Pair {
	t.Helper()
	var last model.Pair
	var found bool
	kubetest.Eventually(t, deadline, func() bool {
		last, found = pairs(w)[key]
		return found && cond(last)
	}, what, ": last seen ", key, " found=", found, " ", last.ModelDesired, last.ModelReady,
		last.ServerDesired, last.ServerReady, " shape=", last.Shape, " health=", last.Health)
	return last
}

func TestWatcherIntegration(t *testing.T) {
	began := time.Now()
	env := kubetest.Shared(t)
	t.Logf("control plane started in %v with CRDs from %s", env.Started, env.CRDDir)
	ns := env.Namespace(t)
	w, counter := startWatcher(t, env.Config, Options{Namespaces: []string{ns}, Context: "envtest"})
	if st := w.State(); !st.Connected || st.SyncedKinds != 6 || st.Access[model.ResourceModels] != model.AccessOK {
		t.Fatalf("state after sync: %+v", st)
	}
	listsAtSync := counter.Count(VerbList)

	// A pair as Seldon and the HPA controller leave it: Model and Server at 1, both HPAs.
	env.CreateServer(t, ns, "iris-server", 1)
	env.SetServerStatus(t, ns, "iris-server", 1, 1)
	env.CreateStatefulSet(t, ns, "iris-server", 1)
	env.SetStatefulSetReady(t, ns, "iris-server", 1)
	env.CreateModel(t, ns, "iris", "iris-server", 1)
	env.SetModelStatus(t, ns, "iris", kubetest.ModelStatus{Replicas: 1, Available: 1, Selector: "server=iris-server",
		State: "ModelAvailable", Ready: true})
	env.CreateHPA(t, ns, "iris-model", kubetest.HPASpec("Model", "iris", "iris", 1, 3, "3"))
	env.CreateHPA(t, ns, "iris-server", kubetest.HPASpec("Server", "iris-server", "iris", 1, 3, "3"))
	key := ns + "/iris"
	p := eventuallyPair(t, w, key, "healthy pair", func(p model.Pair) bool {
		return p.Health == model.Healthy && p.ModelHPA != nil && p.ServerHPA != nil && p.ServerReady == model.Known(1) &&
			p.ModelReady == model.Known(1) && p.ModelDesired == model.Known(1) && p.ServerDesired == model.Known(1)
	})
	if p.Workload == nil || p.Workload.Kind != "StatefulSet" || p.ModelHPA.Name != "iris-model" || p.ServerHPA.Name != "iris-server" {
		t.Errorf("pair objects: workload %+v, HPAs %v %v", p.Workload, p.ModelHPA, p.ServerHPA)
	}
	if p.Model.Selector != "server=iris-server" || p.Server.Selector != "seldon-server-name=iris-server" {
		t.Errorf("selectors: %q %q", p.Model.Selector, p.Server.Selector)
	}
	if m := p.ModelHPA.Metrics; len(m) != 1 || m[0].Name != "infer_rps" || m[0].Target != 3 || m[0].TargetType != "AverageValue" ||
		m[0].DescribedObject.Name != "iris" {
		t.Errorf("model HPA metric spec: %+v", m)
	}

	// The Model HPA scales the Model through the scale subresource: desired moves first.
	env.Scale(t, gvr.Models, ns, "iris", 3)
	eventuallyPair(t, w, key, "model desired 3 via scale", func(p model.Pair) bool {
		return p.ModelDesired == model.Known(3) && p.Health == model.Converging
	})

	// Seldon cannot place the new replicas yet: ScheduleFailed, with its text and time.
	since := time.Now().Add(-time.Minute).Truncate(time.Second).UTC()
	const text = "Failed to schedule model as no matching server had enough suitable replicas"
	env.SetModelStatus(t, ns, "iris", kubetest.ModelStatus{Replicas: 3, Available: 1, Selector: "server=iris-server",
		State: "ScheduleFailed", Reason: text, Since: since})
	p = eventuallyPair(t, w, key, "ScheduleFailed", func(p model.Pair) bool { return p.ScheduleFailed != nil })
	if p.ScheduleFailed.Reason != text || !p.ScheduleFailed.Since.Equal(since) || p.Health != model.Warning {
		t.Errorf("ScheduleFailed: %+v, health %v", p.ScheduleFailed, p.Health)
	}
	if p.Model.StatusReplicas != 3 || p.ModelReady != model.Known(1) {
		t.Errorf("model status: replicas %d, ready %+v", p.Model.StatusReplicas, p.ModelReady)
	}

	// The Server HPA follows through the scale subresource; the StatefulSet catches up.
	env.Scale(t, gvr.Servers, ns, "iris-server", 3)
	eventuallyPair(t, w, key, "server desired 3 via scale", func(p model.Pair) bool {
		return p.ServerDesired == model.Known(3) && p.ServerReady == model.Known(1)
	})
	env.SetStatefulSetReady(t, ns, "iris-server", 3)
	env.SetModelStatus(t, ns, "iris", kubetest.ModelStatus{Replicas: 3, Available: 3, Selector: "server=iris-server",
		State: "ModelAvailable", Ready: true})
	eventuallyPair(t, w, key, "healthy at 3", func(p model.Pair) bool {
		return p.Health == model.Healthy && p.ScheduleFailed == nil && p.ServerReady == model.Known(3) && p.ModelReady == model.Known(3)
	})

	// HPA status, as the controller writes it, projects with quantities in metric units.
	scaled := metav1.NewTime(time.Now().Add(-30 * time.Second).Truncate(time.Second))
	avg := resource.MustParse("8611m")
	env.SetHPAStatus(t, ns, "iris-model", autoscalingv2.HorizontalPodAutoscalerStatus{
		CurrentReplicas: 3, DesiredReplicas: 3, LastScaleTime: &scaled,
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricStatus{
			Metric:          autoscalingv2.MetricIdentifier{Name: "infer_rps"},
			DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris"},
			Current:         autoscalingv2.MetricValueStatus{AverageValue: &avg},
		}}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "ReadyForNewScale",
				Message: "recommended size matches current size", LastTransitionTime: scaled},
			{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue, Reason: "ValidMetricFound",
				Message: "the HPA was able to successfully calculate a replica count from external metric infer_rps(nil)", LastTransitionTime: scaled},
		},
	})
	p = eventuallyPair(t, w, key, "HPA status", func(p model.Pair) bool { return p.ModelHPA.DesiredReplicas == 3 })
	h := p.ModelHPA
	if h.CurrentReplicas != 3 || !h.LastScaleTime.Equal(scaled.Time) || len(h.CurrentMetrics) != 1 ||
		h.CurrentMetrics[0].AverageValue != 8.611 || !h.CurrentMetrics[0].HasAverage || h.CurrentMetrics[0].Name != "infer_rps" {
		t.Errorf("HPA status projected: %+v", h)
	}
	if c, ok := model.FindCondition(h.Conditions, "ScalingActive"); !ok || c.Reason != "ValidMetricFound" || !c.Since.Equal(scaled.Time) {
		t.Errorf("HPA conditions: %+v", h.Conditions)
	}
	if h.MinReplicas != 1 || h.MaxReplicas != 3 {
		t.Errorf("HPA min/max: %d/%d", h.MinReplicas, h.MaxReplicas)
	}

	// Events about the pair's objects attach to it; Events about other kinds are not watched.
	env.CreateEvent(t, ns, "autoscaling/v2", "HorizontalPodAutoscaler", "iris-model", "Normal", "SuccessfulRescale",
		"New size: 3; reason: external metric infer_rps(nil) above target")
	env.CreateEvent(t, ns, "mlops.seldon.io/v1alpha1", "Model", "iris", "Warning", "ModelNotReady", "ScheduleFailed")
	env.CreateEvent(t, ns, "v1", "Pod", "iris", "Normal", "Started", "not ours")
	eventuallyPair(t, w, key, "events", func(p model.Pair) bool { return len(p.Events) == 2 })
	for _, e := range w.Inventory().Events {
		if e.Object.Kind == "Pod" {
			t.Errorf("a Pod event was watched: %+v", e)
		}
	}

	// Shape problems show as flags: a second Model on the Server, an HPA whose target is missing.
	env.CreateModel(t, ns, "iris-b", "iris-server", 1)
	env.CreateHPA(t, ns, "orphan", kubetest.HPASpec("Model", "gone", "gone", 1, 3, "3"))
	p = eventuallyPair(t, w, key, "multi-model flag", func(p model.Pair) bool {
		return slices.Contains(p.Shape, model.ShapeMultiModelServer)
	})
	if !slices.Equal(p.OtherModels, []string{"iris-b"}) {
		t.Errorf("other models: %v", p.OtherModels)
	}
	orphan := eventuallyPair(t, w, ns+"/hpa:orphan", "orphan HPA row", func(p model.Pair) bool {
		return slices.Contains(p.Shape, model.ShapeHPATargetMissing)
	})
	if orphan.ModelName != "gone" || orphan.ModelHPA == nil {
		t.Errorf("orphan row: %+v", orphan)
	}

	// A Server running as a Deployment pairs with it; unlabelled workloads are not watched.
	env.CreateServer(t, ns, "triton", 2)
	env.CreateDeployment(t, ns, "triton", 2)
	env.SetDeploymentReady(t, ns, "triton", 2)
	env.CreateModel(t, ns, "tfsimple", "triton", 2)
	two := int32(2)
	if _, err := env.Clientset.AppsV1().StatefulSets(ns).Create(context.Background(), &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "unlabelled"},
		Spec: appsv1.StatefulSetSpec{Replicas: &two, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "x"}}}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p = eventuallyPair(t, w, ns+"/tfsimple", "deployment-backed pair", func(p model.Pair) bool {
		return p.ServerReady == model.Known(2) && p.Workload != nil
	})
	if p.Workload.Kind != "Deployment" {
		t.Errorf("tfsimple workload: %+v", p.Workload)
	}
	for _, wl := range w.Inventory().Workloads {
		if wl.Name == "unlabelled" {
			t.Error("an unlabelled StatefulSet was watched")
		}
	}

	// What sits in the informer caches is trimmed.
	checkTrimmed(t, w)

	// Deletions remove rows and flags.
	env.Delete(t, gvr.Models, ns, "iris-b")
	env.Delete(t, gvr.HPAs, ns, "orphan")
	eventuallyPair(t, w, key, "multi-model flag gone", func(p model.Pair) bool {
		return !slices.Contains(p.Shape, model.ShapeMultiModelServer) && len(p.OtherModels) == 0
	})
	kubetest.Eventually(t, deadline, func() bool { _, ok := pairs(w)[ns+"/hpa:orphan"]; return !ok }, "orphan row removed")
	env.Delete(t, gvr.Servers, ns, "iris-server")
	env.Delete(t, gvr.StatefulSets, ns, "iris-server")
	p = eventuallyPair(t, w, key, "server missing", func(p model.Pair) bool {
		return slices.Contains(p.Shape, model.ShapeServerMissing)
	})
	if p.ServerReady.Known || p.ServerReady.Unknown != model.UnknownNoServer || p.Workload != nil {
		t.Errorf("server side after delete: %+v %+v", p.ServerReady, p.Workload)
	}
	env.Delete(t, gvr.Models, ns, "iris")
	kubetest.Eventually(t, deadline, func() bool { _, ok := pairs(w)[key]; return !ok }, "pair removed")

	// Read-only by construction: the watcher's own clients refuse writes before sending.
	_, err := w.dyn.Resource(gvr.Models).Namespace(ns).Create(context.Background(), &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "mlops.seldon.io/v1alpha1", "kind": "Model",
		"metadata": map[string]any{"name": "written", "namespace": ns}, "spec": map[string]any{"storageUri": "s3://x"},
	}}, metav1.CreateOptions{})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("create through the watcher's client: got %v, want ErrReadOnly", err)
	}
	if err := w.cs.AppsV1().Deployments(ns).Delete(context.Background(), "triton", metav1.DeleteOptions{}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("delete through the watcher's client: got %v, want ErrReadOnly", err)
	}
	if _, err := env.Clientset.AppsV1().Deployments(ns).Get(context.Background(), "triton", metav1.GetOptions{}); err != nil {
		t.Errorf("the refused delete reached the cluster: %v", err)
	}
	c := counter.Counts()
	if c[VerbWrite] != 0 {
		t.Errorf("write requests sent: %v", c)
	}
	// Informers list once, then only watch.
	if c[VerbList] != listsAtSync {
		t.Errorf("LISTs after sync: %d at sync, %d now (%v)", listsAtSync, c[VerbList], c)
	}
	t.Logf("requests: %v; test took %v", c, time.Since(began))
}

// checkTrimmed looks into the informer caches: managedFields, annotations and pod
// templates must be gone, the identity kept.
func checkTrimmed(t *testing.T, w *Watcher) {
	t.Helper()
	w.mu.Lock()
	ris := slices.Clone(w.informers)
	w.mu.Unlock()
	n := 0
	for _, ri := range ris {
		for _, obj := range ri.informer.GetStore().List() {
			n++
			switch o := obj.(type) {
			case *projected: // what the watcher's informers keep: the projection, at a few hundred bytes
				if o.Name == "" || o.ResourceVersion == "" || o.value == nil {
					t.Errorf("%T %s lost its identity", o.value, o.Name)
				}
			case *unstructured.Unstructured:
				if o.GetManagedFields() != nil || o.GetName() == "" || o.GetResourceVersion() == "" {
					t.Errorf("%s %s not trimmed or lost identity", o.GetKind(), o.GetName())
				}
			case *appsv1.StatefulSet:
				if len(o.Spec.Template.Spec.Containers) != 0 || o.ManagedFields != nil || o.ResourceVersion == "" {
					t.Errorf("StatefulSet %s not trimmed", o.Name)
				}
			case *appsv1.Deployment:
				if len(o.Spec.Template.Spec.Containers) != 0 || o.ManagedFields != nil {
					t.Errorf("Deployment %s not trimmed", o.Name)
				}
			case *autoscalingv2.HorizontalPodAutoscaler:
				if o.ManagedFields != nil {
					t.Errorf("HPA %s not trimmed", o.Name)
				}
			}
		}
	}
	if n == 0 {
		t.Error("informer caches are empty")
	}
}

// TestWatcherIntegrationForbidden runs the watcher as a user who may read everything in
// its namespace except StatefulSets: that column says forbidden, the rest works.
func TestWatcherIntegrationForbidden(t *testing.T) {
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	rules := []rbacv1.PolicyRule{
		{APIGroups: []string{"mlops.seldon.io"}, Resources: []string{"models", "servers"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"get", "list", "watch"}},
	}
	if _, err := env.Clientset.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "viewer"}, Rules: rules},
		metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Clientset.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "viewer"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "viewer"},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: "viewer-" + ns}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.AddUser("viewer-" + ns)
	if err != nil {
		t.Fatal(err)
	}
	env.CreateServer(t, ns, "s", 1)
	env.CreateStatefulSet(t, ns, "s", 1)
	env.CreateModel(t, ns, "m", "s", 1)

	w, counter := startWatcher(t, cfg, Options{Namespaces: []string{ns}})
	st := w.State()
	if st.Access[model.ResourceStatefulSets] != model.AccessForbidden || st.Access[model.ResourceModels] != model.AccessOK ||
		st.Access[model.ResourceEvents] != model.AccessOK || !st.Connected {
		t.Fatalf("state: %+v", st)
	}
	p := eventuallyPair(t, w, ns+"/m", "pair with forbidden workloads", func(p model.Pair) bool { return p.Server != nil })
	if p.ServerReady != model.UnknownCount(model.UnknownForbidden) || p.ServerDesired != model.Known(1) {
		t.Errorf("server side: desired %+v ready %+v", p.ServerDesired, p.ServerReady)
	}
	// The refused informer was stopped, not left retrying: later changes cause no more
	// requests for it, while the allowed informers keep watching.
	before := counter.Counts()
	env.Scale(t, gvr.Models, ns, "m", 2)
	eventuallyPair(t, w, ns+"/m", "scale seen", func(p model.Pair) bool { return p.ModelDesired == model.Known(2) })
	after := counter.Counts()
	if after[VerbList] != before[VerbList] {
		t.Errorf("lists continued after 403: %v -> %v", before, after)
	}
}

// TestWatcherIntegrationCRDsLater starts without the Seldon CRDs, then installs them:
// the watcher reports them missing, then picks them up without a restart. It removes the
// CRDs of the shared API server, so it runs last and reinstalls them.
func TestWatcherIntegrationCRDsLater(t *testing.T) {
	env := kubetest.Shared(t)
	env.UninstallCRDs(t)
	installed := false
	t.Cleanup(func() {
		if !installed {
			env.InstallCRDs(t)
		}
	})
	ns := env.Namespace(t)
	w, _ := startWatcher(t, env.Config, Options{Namespaces: []string{ns}, Recheck: 100 * time.Millisecond})
	st := w.State()
	if st.Access[model.ResourceModels] != model.AccessNotInstalled || st.Access[model.ResourceServers] != model.AccessNotInstalled {
		t.Fatalf("access without CRDs: %v", st.Access)
	}
	if !st.Synced || st.SyncedKinds != 4 {
		t.Errorf("sync without CRDs: %+v", st)
	}
	env.InstallCRDs(t)
	installed = true
	env.CreateServer(t, ns, "s", 1)
	env.CreateModel(t, ns, "m", "s", 1)
	eventuallyPair(t, w, ns+"/m", "pair after CRD install", func(p model.Pair) bool { return p.Server != nil })
	kubetest.Eventually(t, deadline, func() bool {
		st := w.State()
		return st.SyncedKinds == 6 && st.Access[model.ResourceModels] == model.AccessOK
	}, "all kinds synced after install")
}
