// Package modeltest generates realistic inventories of many Model/Server pairs, so the
// benchmarks of model, watch and ui (and the load tool in hack/loadbench) measure the
// same data. It is pure: the standard library and package model only.
//
// Pair i is Model NAME in namespace NS served by Server NAME-srv, with its StatefulSet,
// a Model HPA and a Server HPA scaling on infer_rps, full statuses and conditions, and
// a SuccessfulRescale Event for some pairs. Most pairs are steady; every 10th is
// converging (Server ready below desired), every 50th has twin HPAs that disagree and
// every 100th is in ScheduleFailed, so every code path that depends on state is walked.
package modeltest

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/twinscale/twinscale/model"
)

// T0 is the time every generated object is created relative to.
var T0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// PairsPerNamespace is how many pairs share a namespace.
const PairsPerNamespace = 100

// seldonAPIVersion is the apiVersion of Seldon Models and Servers.
const seldonAPIVersion = model.SeldonGroup + "/v1alpha1"

// Names returns the namespace, Model and Server names of pair i.
func Names(i int) (ns, modelName, server string) {
	ns = fmt.Sprintf("team-%03d", i/PairsPerNamespace)
	modelName = fmt.Sprintf("model-%05d", i)
	return ns, modelName, modelName + "-srv"
}

// Key is the pair key of pair i ("namespace/model").
func Key(i int) string {
	ns, m, _ := Names(i)
	return ns + "/" + m
}

// Kind of pair i: what state the generator puts it in.
type Kind int

// Kinds of pairs.
const (
	Steady Kind = iota
	Converging
	Skewed
	ScheduleFailed
)

// KindOf says which state pair i is generated in.
func KindOf(i int) Kind {
	switch {
	case i%100 == 99:
		return ScheduleFailed
	case i%50 == 49:
		return Skewed
	case i%10 == 9:
		return Converging
	}
	return Steady
}

// Replicas is the replica count pair i settles at (1 to 4).
func Replicas(i int) int32 { return int32(1 + i%4) }

// Target is the infer_rps AverageValue target of pair i's HPAs.
const Target = 5.0

// RPS is pair i's infer_rps at poll number n: close to Target × replicas, with a slow wave.
func RPS(i, n int) float64 {
	base := Target * float64(Replicas(i)) * 0.9
	return base + math.Sin(float64(n+i)/8)*base*0.08
}

// Inventory returns n pairs, sorted as kube.Watcher sorts them (namespace, then name;
// Events newest first). Every object has a UID and a resourceVersion.
func Inventory(n int) model.Inventory {
	inv := model.Inventory{
		Models:    make([]model.SeldonModel, 0, n),
		Servers:   make([]model.SeldonServer, 0, n),
		Workloads: make([]model.Workload, 0, n),
		HPAs:      make([]model.HPA, 0, 2*n),
		Access: map[string]model.Access{
			model.ResourceModels: model.AccessOK, model.ResourceServers: model.AccessOK,
			model.ResourceStatefulSets: model.AccessOK, model.ResourceDeployments: model.AccessOK,
			model.ResourceHPAs: model.AccessOK, model.ResourceEvents: model.AccessOK,
		},
	}
	for i := range n {
		inv.Models = append(inv.Models, Model(i))
		inv.Servers = append(inv.Servers, Server(i))
		inv.Workloads = append(inv.Workloads, StatefulSet(i))
		// "NAME-model-hpa" sorts before "NAME-srv-server-hpa": the watcher's order.
		inv.HPAs = append(inv.HPAs, HPA(i, false), HPA(i, true))
	}
	for i := n - 1; i >= 0; i-- {
		if i%5 == 0 {
			inv.Events = append(inv.Events, RescaleEvent(i))
		}
	}
	model.SortEventsNewestFirst(inv.Events)
	return inv
}

func meta(kind string, i int, ns, name string) model.Meta {
	return model.Meta{
		Namespace: ns, Name: name,
		UID:             fmt.Sprintf("%08x-0000-4000-8000-%012d", kindCode(kind), i),
		ResourceVersion: strconv.Itoa(1000 + i),
		Generation:      1,
		Labels:          map[string]string{"app.kubernetes.io/part-of": "fraud-platform"},
		Created:         T0.Add(-24 * time.Hour),
	}
}

func kindCode(kind string) int {
	n := 0
	for _, c := range kind {
		n = n*31 + int(c)
	}
	return n & 0xffffff
}

func i32(v int32) *int32 { return &v }

// Model is pair i's Model, as Seldon's operator reports it.
func Model(i int) model.SeldonModel {
	ns, name, server := Names(i)
	r := Replicas(i)
	m := model.SeldonModel{
		Meta: meta("Model", i, ns, name), Server: server,
		Replicas:       i32(r),
		StorageURI:     "gs://seldon-models/fraud/" + name,
		StatusReplicas: r, AvailableReplicas: r, ObservedGeneration: 1,
		Selector: "server=" + server,
	}
	m.Meta.Labels = nil
	since := T0.Add(-time.Hour)
	ready := model.Condition{Type: "ModelReady", Status: "True", Message: "ModelAvailable", Since: since}
	switch KindOf(i) {
	case ScheduleFailed:
		m.Replicas = i32(r + 2)
		ready = model.Condition{Type: "ModelReady", Status: "False", Message: "ScheduleFailed",
			Reason: "Failed to schedule model as no matching server had enough suitable replicas", Since: T0.Add(-2 * time.Minute)}
	case Converging:
		m.Replicas = i32(r + 1)
		ready.Status, ready.Message = "False", "ModelProgressing"
		ready.Since = T0.Add(-30 * time.Second)
	}
	m.Conditions = []model.Condition{ready, {Type: "Ready", Status: ready.Status, Since: ready.Since}}
	return m
}

// Server is pair i's Server.
func Server(i int) model.SeldonServer {
	ns, _, server := Names(i)
	r := Replicas(i)
	s := model.SeldonServer{
		Meta: meta("Server", i, ns, server), Replicas: i32(r),
		ServerConfig: "mlserver", StatusReplicas: r, LoadedModels: 1, ObservedGeneration: 1,
		Selector: "seldon-server-name=" + server,
	}
	if KindOf(i) == Converging {
		s.Replicas = i32(r + 1)
		s.StatusReplicas = r + 1
	}
	s.Conditions = []model.Condition{
		{Type: "StatefulSetReady", Status: "True", Since: T0.Add(-time.Hour)},
		{Type: "Ready", Status: "True", Since: T0.Add(-time.Hour)},
	}
	return s
}

// StatefulSet is the workload behind pair i's Server.
func StatefulSet(i int) model.Workload {
	ns, _, server := Names(i)
	r := Replicas(i)
	w := model.Workload{Meta: meta("StatefulSet", i, ns, server), Kind: "StatefulSet",
		Replicas: r, ReadyReplicas: r, UpdatedReplicas: r, AvailableReplicas: r, ObservedGeneration: 1}
	w.Labels = map[string]string{"app.kubernetes.io/name": "seldon-server", "seldon-server-name": server}
	if KindOf(i) == Converging {
		w.Replicas = r + 1
		w.UpdatedReplicas = r + 1
	}
	return w
}

// Behavior is Seldon's recommended HPA behavior: scale up 60 s window, Pods 5/90s.
func Behavior() *model.Behavior {
	w := int32(60)
	return &model.Behavior{ScaleUp: &model.ScalingRules{StabilizationWindowSeconds: &w, SelectPolicy: "Max",
		Policies: []model.ScalingPolicy{{Type: "Pods", Value: 5, PeriodSeconds: 90}}}}
}

// HPA is pair i's Model HPA, or its Server HPA when server is true.
func HPA(i int, server bool) model.HPA {
	ns, name, srv := Names(i)
	kind, target, hname := model.KindModel, name, name+"-model-hpa"
	if server {
		kind, target, hname = model.KindServer, srv, srv+"-server-hpa"
	}
	k := "ModelHPA"
	if server {
		k = "ServerHPA"
	}
	r := Replicas(i)
	desired := r
	switch KindOf(i) {
	case Converging:
		desired = r + 1
	case Skewed:
		if !server {
			desired = r + 1
		}
	case ScheduleFailed:
		if !server {
			desired = r + 2
		}
	}
	avg := RPS(i, 0) / float64(r)
	h := model.HPA{
		Meta:        meta(k, i, ns, hname),
		Target:      model.CrossRef{APIVersion: seldonAPIVersion, Kind: kind, Name: target},
		MinReplicas: 1, MaxReplicas: 8,
		Metrics: []model.MetricTarget{{Type: "Object", Name: "infer_rps",
			DescribedObject: model.CrossRef{APIVersion: seldonAPIVersion, Kind: model.KindModel, Name: name},
			TargetType:      "AverageValue", Target: Target}},
		Behavior:        Behavior(),
		CurrentReplicas: r, DesiredReplicas: desired,
		LastScaleTime:  T0.Add(-time.Duration(10+i%50) * time.Minute),
		CurrentMetrics: []model.MetricValue{{Type: "Object", Name: "infer_rps", AverageValue: avg, HasAverage: true}},
		Conditions: []model.Condition{
			{Type: "AbleToScale", Status: "True", Reason: "ReadyForNewScale",
				Message: "recommended size matches current size", Since: T0.Add(-time.Hour)},
			{Type: "ScalingActive", Status: "True", Reason: "ValidMetricFound",
				Message: "the HPA was able to successfully calculate a replica count from Model metric infer_rps", Since: T0.Add(-time.Hour)},
			{Type: "ScalingLimited", Status: "False", Reason: "DesiredWithinRange",
				Message: "the desired count is within the acceptable range", Since: T0.Add(-time.Hour)},
		},
		ObservedGeneration: 1,
	}
	h.Meta.Labels = nil
	return h
}

// RescaleEvent is the SuccessfulRescale Event of pair i's Model HPA.
func RescaleEvent(i int) model.Event {
	ns, name, _ := Names(i)
	at := T0.Add(-time.Duration(10+i%50) * time.Minute)
	return model.Event{Namespace: ns, Object: model.CrossRef{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: name + "-model-hpa"},
		Type: "Normal", Reason: "SuccessfulRescale", Message: fmt.Sprintf("New size: %d; reason: Model metric infer_rps above target", Replicas(i)),
		Count: 1, First: at, Last: at, Source: "horizontal-pod-autoscaler"}
}

// Poll is the Prometheus poll number k of n pairs, taken at T0 + k × step.
func Poll(n, k int, step time.Duration) model.MetricsPoll {
	p := model.MetricsPoll{At: T0.Add(time.Duration(k) * step), Samples: make(map[string]model.MetricSample, n)}
	for i := range n {
		p.Samples[Key(i)] = model.MetricSample{RPS: RPS(i, k), Latency: 0.012 + float64(i%7)/1000, HasLatency: true,
			Errors: float64(i%3) / 10, HasErrors: true}
	}
	return p
}

// ChangeHPA returns a copy of inv in which pair i's Model HPA reported a new status (its
// current metric moved and resourceVersion rv), the way one watch event changes one
// object. inv is not modified: only the HPA slice is copied, the rest is shared.
func ChangeHPA(inv model.Inventory, i int, rv int) model.Inventory {
	out := inv
	out.HPAs = append([]model.HPA(nil), inv.HPAs...)
	h := &out.HPAs[2*i]
	h.ResourceVersion = strconv.Itoa(rv)
	cm := append([]model.MetricValue(nil), h.CurrentMetrics...)
	cm[0].AverageValue = Target * (0.5 + float64(rv%10)/10)
	h.CurrentMetrics = cm
	return out
}
