package demo

import (
	"fmt"
	"math"
	"reflect"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// SyncPeriod is the HPA controller's --horizontal-pod-autoscaler-sync-period default.
const SyncPeriod = 15 * time.Second

// hpaSpec is one HPA manifest of a scenario.
type hpaSpec struct {
	name       string
	min, max   int32
	metric     string
	describes  string // the Model the metric's describedObject names
	targetType string // AverageValue (what Seldon supports) or Value
	target     float64
	behavior   *model.Behavior // as written; the API server's defaults are applied on render
	// created is when the HPA was created relative to its pair's HPA creation time;
	// it sets the HPA's own sync phase.
	created time.Duration
}

// hpa is one simulated HPA and its controller loop: a fixed 15 s timer whose phase
// is set by when the HPA was created.
type hpa struct {
	p       *pair
	server  bool
	spec    hpaSpec
	created time.Time

	current, desired int32
	lastSync         time.Time
	lastScale        time.Time
	hasMetric        bool
	metricMilli      int64
	conds            []cond
	mem              model.HPAMemory

	last *autoscalingv2.HorizontalPodAutoscaler
}

// modelHPA is the HPA as model's maths sees it, with the target's current scale.
func (h *hpa) modelHPA(current int32) model.HPA {
	s := h.spec
	kind := "Model"
	if h.server {
		kind = "Server"
	}
	return model.HPA{
		Meta:        model.Meta{Namespace: h.p.spec.namespace, Name: s.name},
		Target:      model.CrossRef{APIVersion: seldonAPIVersion, Kind: kind, Name: h.targetName()},
		MinReplicas: s.min,
		MaxReplicas: s.max,
		Metrics: []model.MetricTarget{{
			Type: "Object", Name: s.metric,
			DescribedObject: model.CrossRef{APIVersion: seldonAPIVersion, Kind: "Model", Name: s.describes},
			TargetType:      s.targetType, Target: s.target,
		}},
		Behavior:        defaultBehavior(s.behavior),
		CurrentReplicas: current,
		DesiredReplicas: h.desired,
		LastScaleTime:   h.lastScale,
		Conditions:      modelConditions(h.conds),
	}
}

func modelConditions(cs []cond) []model.Condition {
	out := make([]model.Condition, len(cs))
	for i, c := range cs {
		out[i] = model.Condition{Type: c.typ, Status: c.status, Reason: c.reason, Message: c.message, Since: c.since}
	}
	return out
}

func (h *hpa) targetName() string {
	if h.server {
		return h.p.spec.server
	}
	return h.p.spec.model
}

// scale reads the target's scale subresource: spec replicas, status replicas, selector.
func (h *hpa) scale() (spec, status int32, selector string) {
	p := h.p
	if h.server {
		sel := ""
		if p.sv.observed > 0 {
			sel = serverNameLabel + "=" + p.spec.server
		}
		return p.sv.spec, p.sv.statusReplicas, sel
	}
	sel := p.modelSelector()
	spec = p.m.spec
	if !p.m.specSet {
		spec = 0 // a Model without spec.replicas: the scale reads 0
	}
	return spec, p.m.statusReplicas, sel
}

func (h *hpa) ref() objRef {
	return objRef{apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", ns: h.p.spec.namespace, name: h.spec.name,
		uid: uid(h.p.c.opts.Seed, "HorizontalPodAutoscaler", h.p.spec.namespace, h.spec.name)}
}

// sync is one reconcileAutoscaler pass of the HPA controller for this HPA.
func (h *hpa) sync() {
	c := h.p.c
	now := c.sched.now
	h.lastSync = now
	spec, statusReplicas, selector := h.scale()
	h.conds = setHPACondition(h.conds, cond{typ: "AbleToScale", status: "True", reason: "SucceededGetScale",
		message: "the HPA controller was able to get the target's current scale"}, now)
	if selector == "" {
		c.event(h.ref(), "Warning", "SelectorRequired", "selector is required", hpaComponent)
		h.conds = setHPACondition(h.conds, cond{typ: "ScalingActive", status: "False", reason: "InvalidSelector",
			message: "the HPA target's scale is missing a selector"}, now)
		h.current = spec
		h.write()
		return
	}
	// The controller asks the custom metrics API only when the current count is in range.
	total := math.NaN()
	if spec != 0 && spec >= h.spec.min && spec <= h.spec.max {
		v, err := c.adapter(h.p.spec.namespace, h.spec.describes, now)
		if err != nil {
			h.failedMetric(err, spec)
			return
		}
		total = v
	}
	d := decide(h.modelHPA(spec), model.Scale{Spec: spec, Status: statusReplicas}, total, &h.mem, now)
	switch d.ScalingActive {
	case model.ReasonValidMetricFound:
		h.conds = setHPACondition(h.conds, cond{typ: "ScalingActive", status: "True", reason: d.ScalingActive,
			message: "the HPA was able to successfully calculate a replica count from " + d.MetricName}, now)
	case model.ReasonScalingDisabled:
		h.conds = setHPACondition(h.conds, cond{typ: "ScalingActive", status: "False", reason: d.ScalingActive,
			message: "scaling is disabled since the replica count of the target is zero"}, now)
	case "":
	default:
		h.conds = setHPACondition(h.conds, cond{typ: "ScalingActive", status: "False", reason: d.ScalingActive,
			message: "the HPA was unable to compute the replica count: " + d.Err}, now)
	}
	if d.Computed {
		h.hasMetric = true
		h.metricMilli = int64(math.Round(d.Reported * 1000))
		if d.ReportedOverflow {
			h.metricMilli = math.MinInt64
		}
	}
	if r := d.ScalingLimitedReason; r != "" {
		status := "False"
		if d.ScalingLimited {
			status = "True"
		}
		h.conds = setHPACondition(h.conds, cond{typ: "ScalingLimited", status: status, reason: r, message: limitedMessages[r]}, now)
	}
	if d.Computed {
		h.conds = setHPACondition(h.conds, cond{typ: "ScaledToZero", status: "False", reason: "NotScaledToZero",
			message: "the HPA controller did not scale the workload to zero"}, now)
	}
	desired := d.Desired
	if d.Rescale {
		if h.server {
			h.p.scaleServer(desired)
		} else {
			h.p.scaleModel(desired)
		}
		h.lastScale = now
		h.conds = setHPACondition(h.conds, cond{typ: "AbleToScale", status: "True", reason: model.ReasonSucceededRescale,
			message: fmt.Sprintf("the HPA controller was able to update the target scale to %d", desired)}, now)
		c.event(h.ref(), "Normal", "SuccessfulRescale", d.Event(), hpaComponent)
	} else if msg, ok := ableMessages[d.AbleToScale]; ok {
		h.conds = setHPACondition(h.conds, cond{typ: "AbleToScale", status: "True", reason: d.AbleToScale, message: msg}, now)
	}
	h.current, h.desired = spec, desired
	h.write()
}

// failedMetric is the controller's path when the custom metrics API has no value:
// warning events, ScalingActive False, and a status that keeps the last desired count.
func (h *hpa) failedMetric(err error, current int32) {
	c := h.p.c
	now := c.sched.now
	c.event(h.ref(), "Warning", "FailedGetObjectMetric", err.Error(), hpaComponent)
	h.conds = setHPACondition(h.conds, cond{typ: "ScalingActive", status: "False", reason: "FailedGetObjectMetric",
		message: "the HPA was unable to compute the replica count: " + err.Error()}, now)
	c.event(h.ref(), "Warning", "FailedComputeMetricsReplicas",
		"invalid metrics (1 invalid out of 1), first error is: failed to get object metric value: "+err.Error(), hpaComponent)
	h.current = current
	h.write()
}

// perReplicaMilli is status.currentMetrics' averageValue: ceil(total / status replicas)
// in milli-units. With 0 status replicas the controller's float division gives +Inf,
// whose conversion to int64 shows as the minimum int64: the "overflow" display artefact.
func perReplicaMilli(total float64, statusReplicas int32) int64 {
	milli := math.Round(total * 1000)
	if statusReplicas == 0 {
		return math.MinInt64
	}
	return int64(math.Ceil(milli / float64(statusReplicas)))
}

// write stores the HPA's status if it changed (the controller's updateStatusIfNeeded).
func (h *hpa) write() {
	obj := h.object()
	if h.last != nil && reflect.DeepEqual(obj, h.last) {
		return
	}
	h.last = obj.DeepCopy()
	h.p.c.put(h.p.c.kubeStore, gvr.HPAs, obj)
}
