package kubetest

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/retry"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// ServerLabels are the labels Seldon puts on a Server's StatefulSet or Deployment.
func ServerLabels(server string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "seldon-server", "seldon-server-name": server}
}

func ctx() context.Context { return context.Background() }

// CreateModel creates a Seldon Model naming its Server, with spec.replicas set.
func (e *Env) CreateModel(t testing.TB, ns, name, server string, replicas int32) *unstructured.Unstructured {
	t.Helper()
	spec := map[string]any{"storageUri": "gs://seldon-models/" + name, "replicas": int64(replicas)}
	if server != "" {
		spec["server"] = server
	}
	return e.create(t, gvr.Models, ns, "Model", name, spec)
}

// CreateServer creates a Seldon Server with spec.replicas set.
func (e *Env) CreateServer(t testing.TB, ns, name string, replicas int32) *unstructured.Unstructured {
	t.Helper()
	return e.create(t, gvr.Servers, ns, "Server", name, map[string]any{"serverConfig": "mlserver", "replicas": int64(replicas)})
}

func (e *Env) create(t testing.TB, gvr schema.GroupVersionResource, ns, kind, name string, spec map[string]any) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "mlops.seldon.io/v1alpha1", "kind": kind,
		"metadata": map[string]any{"namespace": ns, "name": name},
		"spec":     spec,
	}}
	out, err := e.Dynamic.Resource(gvr).Namespace(ns).Create(ctx(), u, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create %s %s/%s: %v", kind, ns, name, err)
	}
	return out
}

// ModelStatus is the status Seldon's operator writes on a Model.
type ModelStatus struct {
	Replicas, Available int32
	Selector            string
	// Conditions are ModelReady and Ready; empty State leaves them out.
	State, Reason string // state name (message) and human text (reason), as Seldon writes them
	Ready         bool
	Since         time.Time
}

// SetModelStatus writes a Model's status through the status subresource, encoding the
// ModelReady condition as Seldon does (state name in message, text in reason).
func (e *Env) SetModelStatus(t testing.TB, ns, name string, s ModelStatus) {
	t.Helper()
	status := map[string]any{
		"replicas": int64(s.Replicas), "availableReplicas": int64(s.Available), "selector": s.Selector,
	}
	if s.State != "" {
		st := "False"
		if s.Ready {
			st = "True"
		}
		since := s.Since
		if since.IsZero() {
			since = time.Now()
		}
		cond := func(typ string) map[string]any {
			return map[string]any{"type": typ, "status": st, "message": s.State, "reason": s.Reason,
				"lastTransitionTime": since.UTC().Format(time.RFC3339)}
		}
		status["conditions"] = []any{cond("ModelReady"), cond("Ready")}
	}
	e.SetStatus(t, gvr.Models, ns, name, status)
}

// SetServerStatus writes a Server's status as Seldon's operator does: replicas mirrors
// spec.replicas, and the selector names the StatefulSet's pods.
func (e *Env) SetServerStatus(t testing.TB, ns, name string, replicas, loadedModels int32) {
	t.Helper()
	e.SetStatus(t, gvr.Servers, ns, name, map[string]any{
		"replicas": int64(replicas), "loadedModels": int64(loadedModels), "selector": "seldon-server-name=" + name,
	})
}

// SetStatus replaces the status of a Seldon object through its status subresource,
// retrying on conflict.
func (e *Env) SetStatus(t testing.TB, gvr schema.GroupVersionResource, ns, name string, status map[string]any) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		u, err := e.Dynamic.Resource(gvr).Namespace(ns).Get(ctx(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		u.Object["status"] = status
		_, err = e.Dynamic.Resource(gvr).Namespace(ns).UpdateStatus(ctx(), u, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("update status of %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
}

// Scale sets spec.replicas through the scale subresource, as the HPA controller does.
func (e *Env) Scale(t testing.TB, gvr schema.GroupVersionResource, ns, name string, replicas int32) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		sc, err := e.Dynamic.Resource(gvr).Namespace(ns).Get(ctx(), name, metav1.GetOptions{}, "scale")
		if err != nil {
			return err
		}
		if err := unstructured.SetNestedField(sc.Object, int64(replicas), "spec", "replicas"); err != nil {
			return err
		}
		_, err = e.Dynamic.Resource(gvr).Namespace(ns).Update(ctx(), sc, metav1.UpdateOptions{}, "scale")
		return err
	})
	if err != nil {
		t.Fatalf("scale %s %s/%s to %d: %v", gvr.Resource, ns, name, replicas, err)
	}
}

// Delete deletes an object of any resource.
func (e *Env) Delete(t testing.TB, gvr schema.GroupVersionResource, ns, name string) {
	t.Helper()
	if err := e.Dynamic.Resource(gvr).Namespace(ns).Delete(ctx(), name, metav1.DeleteOptions{}); err != nil {
		t.Fatalf("delete %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
}

// HPASpec builds the spec Seldon's docs give both twins: an Object metric infer_rps
// described by the Model, with an AverageValue target.
func HPASpec(kind, target, model string, minReplicas, maxReplicas int32, targetAverage string) autoscalingv2.HorizontalPodAutoscalerSpec {
	avg := resource.MustParse(targetAverage)
	return autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "mlops.seldon.io/v1alpha1", Kind: kind, Name: target},
		MinReplicas:    &minReplicas,
		MaxReplicas:    maxReplicas,
		Metrics: []autoscalingv2.MetricSpec{{
			Type: autoscalingv2.ObjectMetricSourceType,
			Object: &autoscalingv2.ObjectMetricSource{
				Metric:          autoscalingv2.MetricIdentifier{Name: "infer_rps"},
				DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: model},
				Target:          autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: &avg},
			},
		}},
	}
}

// CreateHPA creates an HPA with the given spec.
func (e *Env) CreateHPA(t testing.TB, ns, name string, spec autoscalingv2.HorizontalPodAutoscalerSpec) *autoscalingv2.HorizontalPodAutoscaler {
	t.Helper()
	h, err := e.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx(),
		&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec},
		metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create HPA %s/%s: %v", ns, name, err)
	}
	return h
}

// SetHPAStatus writes an HPA's status through the status subresource, as the HPA
// controller does.
func (e *Env) SetHPAStatus(t testing.TB, ns, name string, status autoscalingv2.HorizontalPodAutoscalerStatus) {
	t.Helper()
	hpas := e.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		h, err := hpas.Get(ctx(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		h.Status = status
		_, err = hpas.UpdateStatus(ctx(), h, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("update HPA status %s/%s: %v", ns, name, err)
	}
}

// podTemplate is the smallest template the API server accepts for a Server's workload.
func podTemplate(server string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: ServerLabels(server)},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "agent", Image: "seldonio/seldon-agent:2.9.0"}}},
	}
}

// CreateStatefulSet creates the StatefulSet Seldon would run a Server in, with its labels.
func (e *Env) CreateStatefulSet(t testing.TB, ns, server string, replicas int32) *appsv1.StatefulSet {
	t.Helper()
	s, err := e.Clientset.AppsV1().StatefulSets(ns).Create(ctx(), &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: server, Labels: ServerLabels(server)},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &replicas, ServiceName: server,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"seldon-server-name": server}},
			Template: podTemplate(server),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create StatefulSet %s/%s: %v", ns, server, err)
	}
	return s
}

// SetStatefulSetReady writes a StatefulSet's status with ready of its pods ready, as
// the StatefulSet controller would.
func (e *Env) SetStatefulSetReady(t testing.TB, ns, name string, ready int32) {
	t.Helper()
	sets := e.Clientset.AppsV1().StatefulSets(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := sets.Get(ctx(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		s.Status = appsv1.StatefulSetStatus{ObservedGeneration: s.Generation, Replicas: ready, ReadyReplicas: ready,
			CurrentReplicas: ready, UpdatedReplicas: ready, AvailableReplicas: ready}
		_, err = sets.UpdateStatus(ctx(), s, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("update StatefulSet status %s/%s: %v", ns, name, err)
	}
}

// CreateDeployment creates the Deployment Seldon would run a Server in (when the
// operator uses Deployments), with its labels.
func (e *Env) CreateDeployment(t testing.TB, ns, server string, replicas int32) *appsv1.Deployment {
	t.Helper()
	d, err := e.Clientset.AppsV1().Deployments(ns).Create(ctx(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: server, Labels: ServerLabels(server)},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"seldon-server-name": server}},
			Template: podTemplate(server),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create Deployment %s/%s: %v", ns, server, err)
	}
	return d
}

// SetDeploymentReady writes a Deployment's status with ready of its pods ready.
func (e *Env) SetDeploymentReady(t testing.TB, ns, name string, ready int32) {
	t.Helper()
	deps := e.Clientset.AppsV1().Deployments(ns)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d, err := deps.Get(ctx(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		d.Status = appsv1.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: ready, ReadyReplicas: ready,
			UpdatedReplicas: ready, AvailableReplicas: ready}
		_, err = deps.UpdateStatus(ctx(), d, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("update Deployment status %s/%s: %v", ns, name, err)
	}
}

// CreateEvent records an Event about an object, as a controller would.
func (e *Env) CreateEvent(t testing.TB, ns, apiVersion, kind, name, typ, reason, message string) *corev1.Event {
	t.Helper()
	now := metav1.Now()
	ev, err := e.Clientset.CoreV1().Events(ns).Create(ctx(), &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, GenerateName: name + "."},
		InvolvedObject: corev1.ObjectReference{APIVersion: apiVersion, Kind: kind, Name: name, Namespace: ns},
		Type:           typ, Reason: reason, Message: message, Count: 1,
		FirstTimestamp: now, LastTimestamp: now,
		Source: corev1.EventSource{Component: "kubetest"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create Event about %s %s/%s: %v", kind, ns, name, err)
	}
	return ev
}

// CreateReadyPair creates Model name and its StatefulSet-backed Server name-server, both
// ready at replicas, with a Model HPA and a Server HPA (1..5, target 3) and the Model HPA's
// SuccessfulRescale Event: the healthy pair most integration tests start from.
func (e *Env) CreateReadyPair(t testing.TB, ns, name string, replicas int32) {
	t.Helper()
	server := name + "-server"
	e.CreateServer(t, ns, server, replicas)
	e.SetServerStatus(t, ns, server, replicas, 1)
	e.CreateStatefulSet(t, ns, server, replicas)
	e.SetStatefulSetReady(t, ns, server, replicas)
	e.CreateModel(t, ns, name, server, replicas)
	e.SetModelStatus(t, ns, name, ModelStatus{Replicas: replicas, Available: replicas,
		Selector: "server=" + server, State: "ModelAvailable", Ready: true})
	e.CreateHPA(t, ns, name+"-model", HPASpec("Model", name, name, 1, 5, "3"))
	e.CreateHPA(t, ns, name+"-server", HPASpec("Server", server, name, 1, 5, "3"))
	e.CreateEvent(t, ns, "autoscaling/v2", "HorizontalPodAutoscaler", name+"-model", "Normal", "SuccessfulRescale",
		"New size: 1; reason: All metrics below target")
}
