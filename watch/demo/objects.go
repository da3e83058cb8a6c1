package demo

import (
	"fmt"
	"math"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/twinscale/twinscale/model"
)

const (
	seldonAPIVersion = "mlops.seldon.io/v1alpha1"
	// serverLabel and serverLabelValue mark the workloads of Seldon Servers.
	serverLabel      = "app.kubernetes.io/name"
	serverLabelValue = "seldon-server"
	// serverNameLabel is the pod label the Server's selector uses.
	serverNameLabel = "seldon-server-name"

	hpaComponent    = "horizontal-pod-autoscaler"
	seldonComponent = "seldon-v2-controller-manager"
)

// Seldon state names (written into ModelReady's message) and the scheduler's reason text.
const (
	stateAvailable   = "ModelAvailable"
	stateProgressing = "ModelProgressing"
	stateFailed      = "ScheduleFailed"
	stateScaledDown  = "ModelScaledDown"
	// ReasonNotEnoughReplicas is the scheduler's text when the Server has too few replicas.
	ReasonNotEnoughReplicas = "Failed to schedule model as no matching server had enough suitable replicas"
	// ReasonNoServers is the scheduler's text when no replica of the Server is connected.
	ReasonNoServers = "Failed to schedule model as no matching servers are available"
)

// cond is one status condition with the time it last transitioned.
type cond struct {
	typ, status, reason, message string
	since                        time.Time
}

// setKnative sets a condition the way Knative's condition set does for Seldon: any
// change of status, reason or message replaces it with a new transition time.
func setKnative(cs []cond, c cond, now time.Time) []cond {
	for i := range cs {
		if cs[i].typ == c.typ {
			if cs[i].status != c.status || cs[i].reason != c.reason || cs[i].message != c.message {
				c.since = now
				cs[i] = c
			}
			return cs
		}
	}
	c.since = now
	return append(cs, c)
}

// setHPACondition sets a condition the way the HPA controller does: the transition
// time moves only when the status changes.
func setHPACondition(cs []cond, c cond, now time.Time) []cond {
	for i := range cs {
		if cs[i].typ == c.typ {
			if cs[i].status != c.status {
				cs[i].since = now
			}
			cs[i].status, cs[i].reason, cs[i].message = c.status, c.reason, c.message
			return cs
		}
	}
	c.since = now
	return append(cs, c)
}

func knativeConditions(cs []cond) []any {
	out := make([]any, 0, len(cs))
	for _, c := range cs {
		m := map[string]any{
			"type":               c.typ,
			"status":             c.status,
			"lastTransitionTime": c.since.UTC().Format(time.RFC3339),
		}
		if c.reason != "" {
			m["reason"] = c.reason
		}
		if c.message != "" {
			m["message"] = c.message
		}
		out = append(out, m)
	}
	return out
}

// uid derives a stable UID for an object from the seed.
func uid(seed uint64, kind, ns, name string) types.UID {
	r := stream(seed, "uid/"+kind+"/"+ns+"/"+name)
	a, b := r.Uint64(), r.Uint64()
	return types.UID(fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff))
}

func objectMeta(name, ns string, u types.UID, created time.Time, gen int64, labels map[string]string) map[string]any {
	m := map[string]any{
		"name":              name,
		"namespace":         ns,
		"uid":               string(u),
		"creationTimestamp": created.UTC().Format(time.RFC3339),
		"generation":        gen,
	}
	if len(labels) > 0 {
		l := map[string]any{}
		for k, v := range labels {
			l[k] = v
		}
		m["labels"] = l
	}
	return m
}

// modelObject renders a pair's Model as the API server would return it.
func (p *pair) modelObject() *unstructured.Unstructured {
	s := p.spec
	spec := map[string]any{
		"storageUri":   s.storageURI,
		"requirements": toAnySlice(s.requirements),
	}
	if !s.noServerRef {
		spec["server"] = s.server
	}
	if p.m.specSet {
		spec["replicas"] = int64(p.m.spec)
	}
	if s.modelMin != nil {
		spec["minReplicas"] = int64(*s.modelMin)
	}
	if s.modelMax != nil {
		spec["maxReplicas"] = int64(*s.modelMax)
	}
	status := map[string]any{
		"replicas":           int64(p.m.statusReplicas),
		"availableReplicas":  int64(p.loaded),
		"observedGeneration": p.m.observed,
	}
	if len(p.m.conds) > 0 {
		status["conditions"] = knativeConditions(p.m.conds)
	}
	if p.m.selector {
		status["selector"] = p.modelSelector()
	}
	if s.seldon210 && p.m.state != "" {
		status["modelgwReady"] = p.m.state
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": seldonAPIVersion,
		"kind":       "Model",
		"metadata":   objectMeta(s.model, s.namespace, p.modelUID, p.created, p.m.generation, nil),
		"spec":       spec,
		"status":     status,
	}}
}

// serverObject renders a pair's Server; its .status.replicas mirrors spec, as Seldon's does.
func (p *pair) serverObject() *unstructured.Unstructured {
	s := p.spec
	spec := map[string]any{
		"serverConfig": s.serverConfig,
		"replicas":     int64(p.sv.spec),
	}
	if s.serverMin != nil {
		spec["minReplicas"] = int64(*s.serverMin)
	}
	if s.serverMax != nil {
		spec["maxReplicas"] = int64(*s.serverMax)
	}
	status := map[string]any{
		"replicas":           int64(p.sv.statusReplicas),
		"selector":           "",
		"loadedModels":       int64(p.loaded),
		"observedGeneration": p.sv.observed,
	}
	if p.sv.observed > 0 { // the operator has reconciled it
		status["selector"] = serverNameLabel + "=" + s.server
	}
	if len(p.sv.conds) > 0 {
		status["conditions"] = knativeConditions(p.sv.conds)
	}
	md := objectMeta(s.server, s.namespace, p.serverUID, p.created, p.sv.generation, nil)
	if !p.sv.writtenAt.IsZero() {
		// Only Seldon's writes move the entry: the HPA's /scale writes leave managedFields
		// alone on custom resources (kubernetes#131892).
		md["managedFields"] = []any{map[string]any{"manager": "manager", "operation": "Update", "apiVersion": seldonAPIVersion,
			"time": p.sv.writtenAt.UTC().Format(time.RFC3339), "fieldsType": "FieldsV1",
			"fieldsV1": map[string]any{"f:spec": map[string]any{"f:replicas": map[string]any{}}}}}
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": seldonAPIVersion,
		"kind":       "Server",
		"metadata":   md,
		"spec":       spec,
		"status":     status,
	}}
}

func toAnySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (p *pair) workloadMeta() metav1.ObjectMeta {
	s := p.spec
	kind := "StatefulSet"
	if s.deployment {
		kind = "Deployment"
	}
	return metav1.ObjectMeta{
		Name:              s.server,
		Namespace:         s.namespace,
		UID:               uid(p.c.opts.Seed, kind, s.namespace, s.server),
		CreationTimestamp: metav1.NewTime(p.created),
		Generation:        p.wl.generation,
		Labels: map[string]string{
			serverLabel:                    serverLabelValue,
			"app.kubernetes.io/managed-by": "seldon-core",
			serverNameLabel:                s.server,
		},
		OwnerReferences: []metav1.OwnerReference{{
			APIVersion: seldonAPIVersion, Kind: "Server", Name: s.server, UID: p.serverUID,
			Controller: ptr(true), BlockOwnerDeletion: ptr(true),
		}},
	}
}

func (p *pair) podTemplate() corev1.PodTemplateSpec {
	s := p.spec
	image := "seldonio/mlserver:1.6.1"
	if s.serverConfig == "triton" {
		image = "nvcr.io/nvidia/tritonserver:23.03-py3"
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{serverLabel: serverLabelValue, serverNameLabel: s.server}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "rclone", Image: "seldonio/seldon-rclone:2.9.0"},
			{Name: "agent", Image: "seldonio/seldon-agent:2.9.0"},
			{Name: s.serverConfig, Image: image},
		}},
	}
}

// statefulSet renders the Server's StatefulSet (Seldon's default workload).
func (p *pair) statefulSet() *appsv1.StatefulSet {
	w := p.wl
	return &appsv1.StatefulSet{
		ObjectMeta: p.workloadMeta(),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            ptr(w.spec),
			ServiceName:         p.spec.server,
			Selector:            &metav1.LabelSelector{MatchLabels: map[string]string{serverNameLabel: p.spec.server}},
			Template:            p.podTemplate(),
			PodManagementPolicy: appsv1.ParallelPodManagement,
		},
		Status: appsv1.StatefulSetStatus{
			ObservedGeneration: w.observed,
			Replicas:           w.replicas,
			ReadyReplicas:      w.ready,
			CurrentReplicas:    w.replicas,
			UpdatedReplicas:    w.replicas,
			AvailableReplicas:  w.ready,
			CurrentRevision:    p.spec.server + "-7d9c5b6f48",
			UpdateRevision:     p.spec.server + "-7d9c5b6f48",
		},
	}
}

// deployment renders the Server's Deployment (operator run with UseDeploymentsForServers).
func (p *pair) deploymentObject() *appsv1.Deployment {
	w := p.wl
	avail := corev1.ConditionTrue
	if w.ready < w.spec {
		avail = corev1.ConditionFalse
	}
	return &appsv1.Deployment{
		ObjectMeta: p.workloadMeta(),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(w.spec),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{serverNameLabel: p.spec.server}},
			Template: p.podTemplate(),
		},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration:  w.observed,
			Replicas:            w.replicas,
			UpdatedReplicas:     w.replicas,
			ReadyReplicas:       w.ready,
			AvailableReplicas:   w.ready,
			UnavailableReplicas: max(0, w.spec-w.ready),
			Conditions: []appsv1.DeploymentCondition{{
				Type: appsv1.DeploymentAvailable, Status: avail,
				Reason: map[bool]string{true: "MinimumReplicasAvailable", false: "MinimumReplicasUnavailable"}[avail == corev1.ConditionTrue],
				Message: map[bool]string{
					true:  "Deployment has minimum availability.",
					false: "Deployment does not have minimum availability.",
				}[avail == corev1.ConditionTrue],
				LastUpdateTime:     metav1.NewTime(w.availSince),
				LastTransitionTime: metav1.NewTime(w.availSince),
			}},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// milliQuantity renders a value in milli-units, the way the HPA controller stores metrics.
func milliQuantity(milli int64) resource.Quantity {
	return *resource.NewMilliQuantity(milli, resource.DecimalSI)
}

// quantityOf converts a metric value to the Quantity a manifest would carry.
func quantityOf(v float64) resource.Quantity {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return *resource.NewQuantity(int64(v), resource.DecimalSI)
	}
	return milliQuantity(int64(math.Round(v * 1000)))
}

// hpaObject renders one simulated HPA with its spec (defaulted as the API server
// would) and the status its controller last wrote.
func (h *hpa) object() *autoscalingv2.HorizontalPodAutoscaler {
	s := h.spec
	p := h.p
	targetKind, targetName := "Model", p.spec.model
	if h.server {
		targetKind, targetName = "Server", p.spec.server
	}
	metric := autoscalingv2.MetricSpec{
		Type: autoscalingv2.ObjectMetricSourceType,
		Object: &autoscalingv2.ObjectMetricSource{
			DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: seldonAPIVersion, Kind: "Model", Name: s.describes},
			Metric:          autoscalingv2.MetricIdentifier{Name: s.metric},
			Target:          autoscalingv2.MetricTarget{Type: autoscalingv2.MetricTargetType(s.targetType)},
		},
	}
	q := quantityOf(s.target)
	if s.targetType == string(autoscalingv2.ValueMetricType) {
		metric.Object.Target.Value = &q
	} else {
		metric.Object.Target.AverageValue = &q
	}
	obj := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{
			Name:              s.name,
			Namespace:         p.spec.namespace,
			UID:               uid(p.c.opts.Seed, "HorizontalPodAutoscaler", p.spec.namespace, s.name),
			CreationTimestamp: metav1.NewTime(h.created),
			Generation:        1,
		},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: seldonAPIVersion, Kind: targetKind, Name: targetName},
			MinReplicas:    ptr(s.min),
			MaxReplicas:    s.max,
			Metrics:        []autoscalingv2.MetricSpec{metric},
			Behavior:       behaviorObject(s.behavior),
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			CurrentReplicas: h.current,
			DesiredReplicas: h.desired,
		},
	}
	if p.spec.keda && !h.server {
		obj.OwnerReferences = []metav1.OwnerReference{{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject", Name: p.spec.model,
			UID: uid(p.c.opts.Seed, "ScaledObject", p.spec.namespace, p.spec.model), Controller: ptr(true)}}
		if n := p.spec.kedaPaused; n != nil {
			obj.Annotations = map[string]string{model.KEDAPausedReplicas: strconv.Itoa(int(*n))}
		}
	}
	if !h.lastSync.IsZero() {
		obj.Status.ObservedGeneration = ptr(int64(1))
	}
	if !h.lastScale.IsZero() {
		obj.Status.LastScaleTime = ptr(metav1.NewTime(h.lastScale))
	}
	if h.hasMetric {
		obj.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{
			Type: autoscalingv2.ObjectMetricSourceType,
			Object: &autoscalingv2.ObjectMetricStatus{
				DescribedObject: metric.Object.DescribedObject,
				Metric:          autoscalingv2.MetricIdentifier{Name: s.metric},
				Current:         autoscalingv2.MetricValueStatus{AverageValue: ptr(milliQuantity(h.metricMilli))},
			},
		}}
	}
	for _, c := range h.conds {
		obj.Status.Conditions = append(obj.Status.Conditions, autoscalingv2.HorizontalPodAutoscalerCondition{
			Type:               autoscalingv2.HorizontalPodAutoscalerConditionType(c.typ),
			Status:             corev1.ConditionStatus(c.status),
			LastTransitionTime: metav1.NewTime(c.since),
			Reason:             c.reason,
			Message:            c.message,
		})
	}
	return obj
}

// Controller defaults for spec.behavior (pkg/apis/autoscaling/v2/defaults.go).
var (
	defaultScaleUp = model.ScalingRules{
		StabilizationWindowSeconds: ptr(int32(0)),
		SelectPolicy:               "Max",
		Policies: []model.ScalingPolicy{
			{Type: "Pods", Value: 4, PeriodSeconds: 15},
			{Type: "Percent", Value: 100, PeriodSeconds: 15},
		},
	}
	defaultScaleDown = model.ScalingRules{
		SelectPolicy: "Max",
		Policies:     []model.ScalingPolicy{{Type: "Percent", Value: 100, PeriodSeconds: 15}},
	}
)

// defaultBehavior completes a partly set behavior as the API server's defaulting
// does; a nil behavior stays nil (the controller then uses its legacy path).
func defaultBehavior(b *model.Behavior) *model.Behavior {
	if b == nil {
		return nil
	}
	out := &model.Behavior{
		ScaleUp:   defaultRules(b.ScaleUp, defaultScaleUp),
		ScaleDown: defaultRules(b.ScaleDown, defaultScaleDown),
	}
	return out
}

func defaultRules(r *model.ScalingRules, d model.ScalingRules) *model.ScalingRules {
	out := d
	out.Policies = append([]model.ScalingPolicy(nil), d.Policies...)
	if r == nil {
		return &out
	}
	if r.StabilizationWindowSeconds != nil {
		out.StabilizationWindowSeconds = ptr(*r.StabilizationWindowSeconds)
	}
	if r.SelectPolicy != "" {
		out.SelectPolicy = r.SelectPolicy
	}
	if r.Policies != nil {
		out.Policies = append([]model.ScalingPolicy(nil), r.Policies...)
	}
	if r.Tolerance != nil {
		out.Tolerance = ptr(*r.Tolerance)
	}
	return &out
}

func behaviorObject(b *model.Behavior) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	if b == nil {
		return nil
	}
	return &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp:   rulesObject(b.ScaleUp),
		ScaleDown: rulesObject(b.ScaleDown),
	}
}

func rulesObject(r *model.ScalingRules) *autoscalingv2.HPAScalingRules {
	if r == nil {
		return nil
	}
	out := &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: r.StabilizationWindowSeconds}
	if r.SelectPolicy != "" {
		out.SelectPolicy = ptr(autoscalingv2.ScalingPolicySelect(r.SelectPolicy))
	}
	for _, p := range r.Policies {
		out.Policies = append(out.Policies, autoscalingv2.HPAScalingPolicy{
			Type: autoscalingv2.HPAScalingPolicyType(p.Type), Value: p.Value, PeriodSeconds: p.PeriodSeconds,
		})
	}
	if r.Tolerance != nil {
		q := quantityOf(*r.Tolerance)
		out.Tolerance = &q
	}
	return out
}
