package kubetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// PairObjects are the Kubernetes objects of modeltest's pair i, with the statuses their
// controllers would write: what twinscale watches for one Model/Server pair.
type PairObjects struct {
	Namespace           string
	Model, Server       *unstructured.Unstructured
	ModelHPA, ServerHPA *autoscalingv2.HorizontalPodAutoscaler
	StatefulSet         *appsv1.StatefulSet
	// Event is the Model HPA's SuccessfulRescale, for every fifth pair; nil otherwise.
	Event *corev1.Event
}

// Pair returns the objects of modeltest's pair i, so a load test in the API server and
// the benchmarks over modeltest.Inventory see the same pairs.
func Pair(i int) PairObjects {
	m, s, w := modeltest.Model(i), modeltest.Server(i), modeltest.StatefulSet(i)
	o := PairObjects{
		Namespace:   m.Namespace,
		Model:       seldonModel(m),
		Server:      seldonServer(s),
		ModelHPA:    hpa(modeltest.HPA(i, false)),
		ServerHPA:   hpa(modeltest.HPA(i, true)),
		StatefulSet: statefulSet(w),
	}
	if i%5 == 0 {
		e := modeltest.RescaleEvent(i)
		o.Event = &corev1.Event{
			ObjectMeta: metav1.ObjectMeta{Namespace: e.Namespace, Name: fmt.Sprintf("%s.%x", e.Object.Name, i)},
			InvolvedObject: corev1.ObjectReference{APIVersion: e.Object.APIVersion, Kind: e.Object.Kind,
				Name: e.Object.Name, Namespace: e.Namespace},
			Type: e.Type, Reason: e.Reason, Message: e.Message, Count: e.Count,
			FirstTimestamp: metav1.NewTime(e.First), LastTimestamp: metav1.NewTime(e.Last),
			Source: corev1.EventSource{Component: e.Source},
		}
	}
	return o
}

func conditions(cs []model.Condition) []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{"type": c.Type, "status": c.Status, "reason": c.Reason, "message": c.Message,
			"lastTransitionTime": c.Since.UTC().Format(time.RFC3339)}
	}
	return out
}

func seldonObject(kind string, m model.Meta, spec, status map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": model.SeldonGroup + "/v1alpha1", "kind": kind,
		"metadata": map[string]any{"namespace": m.Namespace, "name": m.Name},
		"spec":     spec, "status": status,
	}}
}

func seldonModel(m model.SeldonModel) *unstructured.Unstructured {
	spec := map[string]any{
		"storageUri": m.StorageURI, "server": m.Server, "replicas": int64(*m.Replicas),
		"requirements": []any{"sklearn"}, "memory": "100Ki",
	}
	status := map[string]any{
		"replicas": int64(m.StatusReplicas), "availableReplicas": int64(m.AvailableReplicas),
		"selector": m.Selector, "observedGeneration": int64(1), "conditions": conditions(m.Conditions),
	}
	return seldonObject("Model", m.Meta, spec, status)
}

// seldonServer carries a pod spec like a real Server's: the informer trims it at ingest.
func seldonServer(s model.SeldonServer) *unstructured.Unstructured {
	spec := map[string]any{
		"serverConfig": s.ServerConfig, "replicas": int64(*s.Replicas),
		"podSpec": map[string]any{"containers": []any{map[string]any{
			"name": "mlserver", "image": "seldonio/mlserver:1.6.1",
			"resources": map[string]any{"requests": map[string]any{"cpu": "500m", "memory": "1Gi"}},
			"env":       []any{map[string]any{"name": "MLSERVER_PARALLEL_WORKERS", "value": "1"}},
		}}},
	}
	status := map[string]any{
		"replicas": int64(s.StatusReplicas), "loadedModels": int64(s.LoadedModels), "selector": s.Selector,
		"observedGeneration": int64(1), "conditions": conditions(s.Conditions),
	}
	return seldonObject("Server", s.Meta, spec, status)
}

func milli(v float64) *resource.Quantity {
	return resource.NewMilliQuantity(int64(v*1000), resource.DecimalSI)
}

func hpa(h model.HPA) *autoscalingv2.HorizontalPodAutoscaler {
	mt := h.Metrics[0]
	spec := HPASpec(h.Target.Kind, h.Target.Name, mt.DescribedObject.Name, h.MinReplicas, h.MaxReplicas,
		milli(mt.Target).String())
	if b := h.Behavior; b != nil && b.ScaleUp != nil {
		up := b.ScaleUp
		sp := autoscalingv2.ScalingPolicySelect(up.SelectPolicy)
		rules := &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: up.StabilizationWindowSeconds, SelectPolicy: &sp}
		for _, p := range up.Policies {
			rules.Policies = append(rules.Policies, autoscalingv2.HPAScalingPolicy{
				Type: autoscalingv2.HPAScalingPolicyType(p.Type), Value: p.Value, PeriodSeconds: p.PeriodSeconds})
		}
		spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: rules}
	}
	last := metav1.NewTime(h.LastScaleTime)
	st := autoscalingv2.HorizontalPodAutoscalerStatus{
		ObservedGeneration: &h.ObservedGeneration, LastScaleTime: &last,
		CurrentReplicas: h.CurrentReplicas, DesiredReplicas: h.DesiredReplicas,
	}
	for _, c := range h.CurrentMetrics {
		st.CurrentMetrics = append(st.CurrentMetrics, autoscalingv2.MetricStatus{Type: autoscalingv2.ObjectMetricSourceType,
			Object: &autoscalingv2.ObjectMetricStatus{
				Metric:          autoscalingv2.MetricIdentifier{Name: c.Name},
				DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: mt.DescribedObject.APIVersion, Kind: "Model", Name: mt.DescribedObject.Name},
				Current:         autoscalingv2.MetricValueStatus{AverageValue: milli(c.AverageValue)},
			}})
	}
	for _, c := range h.Conditions {
		st.Conditions = append(st.Conditions, autoscalingv2.HorizontalPodAutoscalerCondition{
			Type: autoscalingv2.HorizontalPodAutoscalerConditionType(c.Type), Status: corev1.ConditionStatus(c.Status),
			Reason: c.Reason, Message: c.Message, LastTransitionTime: metav1.NewTime(c.Since)})
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.Namespace, Name: h.Name}, Spec: spec, Status: st,
	}
}

func statefulSet(w model.Workload) *appsv1.StatefulSet {
	tmpl := podTemplate(w.Name)
	tmpl.Spec.Containers = append(tmpl.Spec.Containers, corev1.Container{Name: "mlserver", Image: "seldonio/mlserver:1.6.1",
		Env: []corev1.EnvVar{{Name: "MLSERVER_HTTP_PORT", Value: "9000"}, {Name: "MLSERVER_GRPC_PORT", Value: "9500"}}})
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: w.Namespace, Name: w.Name, Labels: w.Labels},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &w.Replicas, ServiceName: w.Name,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"seldon-server-name": w.Name}},
			Template: tmpl,
		},
		Status: appsv1.StatefulSetStatus{ObservedGeneration: 1, Replicas: w.Replicas, ReadyReplicas: w.ReadyReplicas,
			CurrentReplicas: w.Replicas, UpdatedReplicas: w.UpdatedReplicas, AvailableReplicas: w.AvailableReplicas},
	}
}

// Fill creates modeltest's pairs from to to-1 (their namespaces first) with workers
// goroutines, statuses through the status subresource, as the controllers would.
func Fill(ctx context.Context, dyn dynamic.Interface, cs kubernetes.Interface, from, to, workers int) error {
	seen := map[string]bool{}
	for i := from; i < to; i++ {
		ns, _, _ := modeltest.Names(i)
		if seen[ns] {
			continue
		}
		seen[ns] = true
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace %s: %w", ns, err)
		}
	}
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := createPair(ctx, dyn, cs, Pair(i)); err != nil {
					errs <- fmt.Errorf("pair %d: %w", i, err)
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := from; i < to; i++ {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err != nil {
		return err
	}
	return <-errs // nil when the channel is empty
}

func createPair(ctx context.Context, dyn dynamic.Interface, cs kubernetes.Interface, o PairObjects) error {
	for _, u := range []*unstructured.Unstructured{o.Model, o.Server} {
		res := gvr.Models
		if u.GetKind() == "Server" {
			res = gvr.Servers
		}
		status := u.Object["status"]
		created, err := dyn.Resource(res).Namespace(o.Namespace).Create(ctx, u, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("create %s: %w", strings.ToLower(u.GetKind()), err)
		}
		created.Object["status"] = status
		if _, err := dyn.Resource(res).Namespace(o.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("%s status: %w", strings.ToLower(u.GetKind()), err)
		}
	}
	hpas := cs.AutoscalingV2().HorizontalPodAutoscalers(o.Namespace)
	for _, h := range []*autoscalingv2.HorizontalPodAutoscaler{o.ModelHPA, o.ServerHPA} {
		created, err := hpas.Create(ctx, h, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("create hpa: %w", err)
		}
		created.Status = h.Status
		if _, err := hpas.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("hpa status: %w", err)
		}
	}
	sets := cs.AppsV1().StatefulSets(o.Namespace)
	created, err := sets.Create(ctx, o.StatefulSet, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create statefulset: %w", err)
	}
	created.Status = o.StatefulSet.Status
	created.Status.ObservedGeneration = created.Generation
	if _, err := sets.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("statefulset status: %w", err)
	}
	if o.Event != nil {
		if _, err := cs.CoreV1().Events(o.Namespace).Create(ctx, o.Event, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create event: %w", err)
		}
	}
	return nil
}
