package kube

import (
	"fmt"
	"math"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/twinscale/twinscale/model"
)

// ProjectModel turns an mlops.seldon.io/v1alpha1 Model into a model.SeldonModel. It
// never panics: missing or ill-typed fields are listed in Meta.Problems.
func ProjectModel(u *unstructured.Unstructured) model.SeldonModel {
	var r reader
	var out model.SeldonModel
	if u == nil {
		r.problem("object", "missing")
		out.Problems = r.problems
		return out
	}
	out.Meta = r.meta(u.Object)
	spec := r.requiredObject(u.Object, "", "spec")
	out.Server = r.str(spec, "spec", "server")
	out.Replicas = r.int32p(spec, "spec", "replicas")
	out.MinReplicas = r.int32p(spec, "spec", "minReplicas")
	out.MaxReplicas = r.int32p(spec, "spec", "maxReplicas")
	if spec != nil {
		out.StorageURI = r.requiredStr(spec, "spec", "storageUri")
	}
	out.ArtifactVersion = r.int64p(spec, "spec", "artifactVersion", math.MinInt64, math.MaxInt64)

	status := r.object(u.Object, "", "status")
	out.StatusReplicas = r.int32v(status, "status", "replicas")
	out.AvailableReplicas = r.int32v(status, "status", "availableReplicas")
	out.ObservedGeneration = r.int64v(status, "status", "observedGeneration")
	out.Selector = r.str(status, "status", "selector")
	out.Conditions = r.conditions(status, "status", "conditions")
	out.ModelgwReady = r.str(status, "status", "modelgwReady")
	out.ReplicasWriter = replicasWriter(u.Object)
	out.Problems = r.problems
	return out
}

// ProjectServer turns an mlops.seldon.io/v1alpha1 Server into a model.SeldonServer,
// recording missing or ill-typed fields in Meta.Problems.
func ProjectServer(u *unstructured.Unstructured) model.SeldonServer {
	var r reader
	var out model.SeldonServer
	if u == nil {
		r.problem("object", "missing")
		out.Problems = r.problems
		return out
	}
	out.Meta = r.meta(u.Object)
	spec := r.requiredObject(u.Object, "", "spec")
	out.Replicas = r.int32p(spec, "spec", "replicas")
	out.MinReplicas = r.int32p(spec, "spec", "minReplicas")
	out.MaxReplicas = r.int32p(spec, "spec", "maxReplicas")
	if spec != nil {
		out.ServerConfig = r.requiredStr(spec, "spec", "serverConfig")
	}

	status := r.object(u.Object, "", "status")
	out.StatusReplicas = r.int32v(status, "status", "replicas")
	out.LoadedModels = r.int32v(status, "status", "loadedModels")
	out.ObservedGeneration = r.int64v(status, "status", "observedGeneration")
	out.Selector = r.str(status, "status", "selector")
	out.Conditions = r.conditions(status, "status", "conditions")
	out.ReplicasWriter = replicasWriter(u.Object)
	out.Problems = r.problems
	return out
}

// replicasWriter is the newest managedFields entry owning spec.replicas (Transform keeps
// only those), or nil. It never reports a problem: managedFields are optional.
func replicasWriter(obj map[string]any) *model.FieldWriter {
	md, _ := obj["metadata"].(map[string]any)
	var best *model.FieldWriter
	for _, e := range replicasOwners(md["managedFields"]) {
		m := e.(map[string]any)
		w := model.FieldWriter{}
		w.Manager, _ = m["manager"].(string)
		w.Operation, _ = m["operation"].(string)
		w.Subresource, _ = m["subresource"].(string)
		if ts, _ := m["time"].(string); ts != "" {
			if t, err := time.Parse(time.RFC3339, ts); err == nil {
				w.Time = t.UTC()
			}
		}
		if best == nil || w.Time.After(best.Time) {
			best = &w
		}
	}
	return best
}

// meta reads metadata from an unstructured object.
func (r *reader) meta(obj map[string]any) model.Meta {
	md := r.object(obj, "", "metadata")
	if md == nil {
		r.problem("metadata", "missing")
		return model.Meta{}
	}
	return model.Meta{
		Namespace:       r.str(md, "metadata", "namespace"),
		Name:            r.requiredStr(md, "metadata", "name"),
		UID:             r.str(md, "metadata", "uid"),
		ResourceVersion: r.str(md, "metadata", "resourceVersion"),
		Generation:      r.int64v(md, "metadata", "generation"),
		Labels:          r.stringMap(md, "metadata", "labels"),
		Created:         r.timestamp(md, "metadata", "creationTimestamp"),
	}
}

// typedMeta projects the metadata of a typed object.
func typedMeta(m *metav1.ObjectMeta) model.Meta {
	return model.Meta{
		Namespace:       m.Namespace,
		Name:            m.Name,
		UID:             string(m.UID),
		ResourceVersion: m.ResourceVersion,
		Generation:      m.Generation,
		Labels:          m.Labels,
		Created:         utc(m.CreationTimestamp.Time),
	}
}

// utc normalises API times (metav1.Time decodes into the local zone) so snapshots are
// identical on every machine.
func utc(t time.Time) time.Time { return t.UTC() }

// quantity converts a Quantity to a float64 in the metric's own units (8611m -> 8.611).
func quantity(q *resource.Quantity) float64 {
	if q == nil {
		return 0
	}
	return q.AsApproximateFloat64()
}

// ProjectHPA turns an autoscaling/v2 HorizontalPodAutoscaler into a model.HPA: quantities
// become float64 in metric units and a nil minReplicas becomes 1, as the API server
// defaults it.
func ProjectHPA(h *autoscalingv2.HorizontalPodAutoscaler) model.HPA {
	if h == nil {
		return model.HPA{Meta: model.Meta{Problems: []string{"object: missing"}}}
	}
	var r reader
	out := model.HPA{
		Meta: typedMeta(&h.ObjectMeta),
		Target: model.CrossRef{
			APIVersion: h.Spec.ScaleTargetRef.APIVersion,
			Kind:       h.Spec.ScaleTargetRef.Kind,
			Name:       h.Spec.ScaleTargetRef.Name,
		},
		MinReplicas:        1,
		MaxReplicas:        h.Spec.MaxReplicas,
		CurrentReplicas:    h.Status.CurrentReplicas,
		DesiredReplicas:    h.Status.DesiredReplicas,
		ObservedGeneration: derefInt64(h.Status.ObservedGeneration),
	}
	if h.Spec.MinReplicas != nil {
		out.MinReplicas = *h.Spec.MinReplicas
	}
	for _, o := range h.OwnerReferences {
		if o.Controller != nil && *o.Controller || out.Owner.Kind == "" {
			out.Owner = model.CrossRef{APIVersion: o.APIVersion, Kind: o.Kind, Name: o.Name}
		}
	}
	if v, ok := h.Annotations[model.KEDAPausedReplicas]; ok {
		out.Paused = model.KEDAPausedReplicas + "=" + v
	} else if v, ok := h.Annotations[model.KEDAPaused]; ok {
		out.Paused = model.KEDAPaused + "=" + v
	}
	if out.Target.Kind == "" {
		r.problem("spec.scaleTargetRef.kind", "missing")
	}
	if out.Target.Name == "" {
		r.problem("spec.scaleTargetRef.name", "missing")
	}
	if h.Status.LastScaleTime != nil {
		out.LastScaleTime = utc(h.Status.LastScaleTime.Time)
	}
	for i, m := range h.Spec.Metrics {
		if t, ok := projectMetricSpec(&r, fmt.Sprintf("spec.metrics[%d]", i), m); ok {
			out.Metrics = append(out.Metrics, t)
		}
	}
	for i, m := range h.Status.CurrentMetrics {
		if v, ok := projectMetricStatus(&r, fmt.Sprintf("status.currentMetrics[%d]", i), m); ok {
			out.CurrentMetrics = append(out.CurrentMetrics, v)
		}
	}
	for _, c := range h.Status.Conditions {
		out.Conditions = append(out.Conditions, model.Condition{
			Type:    string(c.Type),
			Status:  string(c.Status),
			Reason:  c.Reason,
			Message: c.Message,
			Since:   utc(c.LastTransitionTime.Time),
		})
	}
	if b := h.Spec.Behavior; b != nil {
		out.Behavior = &model.Behavior{
			ScaleUp:   projectRules(b.ScaleUp),
			ScaleDown: projectRules(b.ScaleDown),
		}
	}
	out.Problems = r.problems
	return out
}

func derefInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func projectRules(s *autoscalingv2.HPAScalingRules) *model.ScalingRules {
	if s == nil {
		return nil
	}
	out := &model.ScalingRules{}
	if s.StabilizationWindowSeconds != nil {
		v := *s.StabilizationWindowSeconds
		out.StabilizationWindowSeconds = &v
	}
	if s.SelectPolicy != nil {
		out.SelectPolicy = string(*s.SelectPolicy)
	}
	for _, p := range s.Policies {
		out.Policies = append(out.Policies, model.ScalingPolicy{
			Type: string(p.Type), Value: p.Value, PeriodSeconds: p.PeriodSeconds,
		})
	}
	if s.Tolerance != nil {
		v := s.Tolerance.AsApproximateFloat64()
		out.Tolerance = &v
	}
	return out
}

// targetValue reads a MetricTarget's value in metric units for its type.
func targetValue(t autoscalingv2.MetricTarget) float64 {
	switch t.Type {
	case autoscalingv2.AverageValueMetricType:
		return quantity(t.AverageValue)
	case autoscalingv2.ValueMetricType:
		return quantity(t.Value)
	case autoscalingv2.UtilizationMetricType:
		if t.AverageUtilization != nil {
			return float64(*t.AverageUtilization)
		}
	}
	return 0
}

func projectMetricSpec(r *reader, path string, m autoscalingv2.MetricSpec) (model.MetricTarget, bool) {
	out := model.MetricTarget{Type: string(m.Type)}
	var target autoscalingv2.MetricTarget
	switch m.Type {
	case autoscalingv2.ObjectMetricSourceType:
		if m.Object == nil {
			r.problem(path+".object", "missing")
			return out, false
		}
		out.Name = m.Object.Metric.Name
		out.DescribedObject = model.CrossRef{
			APIVersion: m.Object.DescribedObject.APIVersion,
			Kind:       m.Object.DescribedObject.Kind,
			Name:       m.Object.DescribedObject.Name,
		}
		target = m.Object.Target
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods == nil {
			r.problem(path+".pods", "missing")
			return out, false
		}
		out.Name = m.Pods.Metric.Name
		target = m.Pods.Target
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource == nil {
			r.problem(path+".resource", "missing")
			return out, false
		}
		out.Name = string(m.Resource.Name)
		target = m.Resource.Target
	case autoscalingv2.ContainerResourceMetricSourceType:
		if m.ContainerResource == nil {
			r.problem(path+".containerResource", "missing")
			return out, false
		}
		out.Name = string(m.ContainerResource.Name)
		target = m.ContainerResource.Target
	case autoscalingv2.ExternalMetricSourceType:
		if m.External == nil {
			r.problem(path+".external", "missing")
			return out, false
		}
		out.Name = m.External.Metric.Name
		target = m.External.Target
	default:
		r.problem(path+".type", "unknown metric source type %q", m.Type)
		return out, false
	}
	out.TargetType = string(target.Type)
	out.Target = targetValue(target)
	return out, true
}

func projectMetricStatus(r *reader, path string, m autoscalingv2.MetricStatus) (model.MetricValue, bool) {
	out := model.MetricValue{Type: string(m.Type)}
	var cur autoscalingv2.MetricValueStatus
	switch m.Type {
	case autoscalingv2.ObjectMetricSourceType:
		if m.Object == nil {
			r.problem(path+".object", "missing")
			return out, false
		}
		out.Name, cur = m.Object.Metric.Name, m.Object.Current
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods == nil {
			r.problem(path+".pods", "missing")
			return out, false
		}
		out.Name, cur = m.Pods.Metric.Name, m.Pods.Current
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource == nil {
			r.problem(path+".resource", "missing")
			return out, false
		}
		out.Name, cur = string(m.Resource.Name), m.Resource.Current
	case autoscalingv2.ContainerResourceMetricSourceType:
		if m.ContainerResource == nil {
			r.problem(path+".containerResource", "missing")
			return out, false
		}
		out.Name, cur = string(m.ContainerResource.Name), m.ContainerResource.Current
	case autoscalingv2.ExternalMetricSourceType:
		if m.External == nil {
			r.problem(path+".external", "missing")
			return out, false
		}
		out.Name, cur = m.External.Metric.Name, m.External.Current
	default:
		r.problem(path+".type", "unknown metric source type %q", m.Type)
		return out, false
	}
	if cur.AverageValue != nil {
		out.AverageValue, out.HasAverage = quantity(cur.AverageValue), true
	}
	if cur.Value != nil {
		out.Value, out.HasValue = quantity(cur.Value), true
	}
	return out, true
}

// ProjectStatefulSet turns a Server's StatefulSet into a model.Workload.
func ProjectStatefulSet(s *appsv1.StatefulSet) model.Workload {
	if s == nil {
		return model.Workload{Kind: "StatefulSet", Meta: model.Meta{Problems: []string{"object: missing"}}}
	}
	return model.Workload{
		Meta:               typedMeta(&s.ObjectMeta),
		Kind:               "StatefulSet",
		Replicas:           replicasOrOne(s.Spec.Replicas),
		ReadyReplicas:      s.Status.ReadyReplicas,
		UpdatedReplicas:    s.Status.UpdatedReplicas,
		AvailableReplicas:  s.Status.AvailableReplicas,
		ObservedGeneration: s.Status.ObservedGeneration,
	}
}

// ProjectDeployment turns a Server's Deployment into a model.Workload.
func ProjectDeployment(d *appsv1.Deployment) model.Workload {
	if d == nil {
		return model.Workload{Kind: "Deployment", Meta: model.Meta{Problems: []string{"object: missing"}}}
	}
	return model.Workload{
		Meta:               typedMeta(&d.ObjectMeta),
		Kind:               "Deployment",
		Replicas:           replicasOrOne(d.Spec.Replicas),
		ReadyReplicas:      d.Status.ReadyReplicas,
		UpdatedReplicas:    d.Status.UpdatedReplicas,
		AvailableReplicas:  d.Status.AvailableReplicas,
		ObservedGeneration: d.Status.ObservedGeneration,
	}
}

// replicasOrOne applies the API server's default of 1 for a nil spec.replicas.
func replicasOrOne(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// ProjectEvent turns a core/v1 Event into a model.Event. Events written through the
// events.k8s.io API carry eventTime and series instead of the legacy timestamps and
// count, so both are read.
func ProjectEvent(e *corev1.Event) model.Event {
	if e == nil {
		return model.Event{}
	}
	out := model.Event{
		Namespace: e.Namespace,
		Object: model.CrossRef{
			APIVersion: e.InvolvedObject.APIVersion,
			Kind:       e.InvolvedObject.Kind,
			Name:       e.InvolvedObject.Name,
		},
		Type:    e.Type,
		Reason:  e.Reason,
		Message: e.Message,
		Count:   e.Count,
		First:   utc(e.FirstTimestamp.Time),
		Last:    utc(e.LastTimestamp.Time),
		Source:  e.Source.Component,
	}
	if out.Namespace == "" {
		out.Namespace = e.InvolvedObject.Namespace
	}
	if out.Source == "" {
		out.Source = e.ReportingController
	}
	if e.Series != nil {
		if e.Series.Count > out.Count {
			out.Count = e.Series.Count
		}
		if t := utc(e.Series.LastObservedTime.Time); t.After(out.Last) {
			out.Last = t
		}
	}
	if out.First.IsZero() {
		out.First = utc(e.EventTime.Time)
	}
	if out.Last.IsZero() {
		out.Last = utc(e.EventTime.Time)
	}
	if out.First.IsZero() {
		out.First = utc(e.CreationTimestamp.Time)
	}
	if out.Last.IsZero() {
		out.Last = out.First
	}
	if out.Count < 1 {
		out.Count = 1
	}
	return out
}
