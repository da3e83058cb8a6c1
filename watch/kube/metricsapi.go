package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// MetricsAPIReader reads the metrics pipeline the HPAs depend on: the APIServices of the
// custom and external metrics APIs, and the value of a metric for every Model of a
// namespace as the HPA controller gets it (one request per namespace).
type MetricsAPIReader struct {
	dyn  dynamic.Interface
	rest rest.Interface
	// Metric is the metric name the HPAs use (default infer_rps).
	Metric string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewMetricsAPIReader builds a reader over the watcher's read-only clients; raw may be nil
// (fake clients), and then values are never read.
func NewMetricsAPIReader(dyn dynamic.Interface, raw rest.Interface) *MetricsAPIReader {
	return &MetricsAPIReader{dyn: dyn, rest: raw, Metric: "infer_rps", Now: time.Now}
}

// MetricsAPIReader returns a reader over the watcher's clients.
func (w *Watcher) MetricsAPIReader() *MetricsAPIReader {
	var raw rest.Interface
	if w.cs != nil {
		if d := w.cs.Discovery(); d != nil {
			raw = d.RESTClient()
		}
	}
	return NewMetricsAPIReader(w.dyn, raw)
}

// Read reads the APIServices and, for each namespace, the metric of every Model.
func (r *MetricsAPIReader) Read(ctx context.Context, namespaces []string) model.MetricsAPIRead {
	out := model.MetricsAPIRead{At: r.Now().UTC()}
	out.State = r.apiServices(ctx)
	out.State.ReadAt = out.At
	if r.rest == nil {
		out.State.ValuesAccess = "not readable with this client"
		return out
	}
	version := "v1beta2"
	if a, ok := out.State.Custom(); ok && a.Name == model.CustomMetricsV1beta1 {
		version = "v1beta1"
	}
	ns := append([]string(nil), namespaces...)
	sort.Strings(ns)
	access := string(model.AccessOK)
	for _, n := range ns {
		vals, err := r.values(ctx, version, n)
		if err != nil {
			if out.Problems == nil {
				out.Problems = map[string]string{}
			}
			out.Problems[n] = valueProblem(err)
			access = out.Problems[n]
			continue
		}
		for m, v := range vals {
			if out.Values == nil {
				out.Values = map[string]float64{}
			}
			out.Values[n+"/"+m] = v
		}
	}
	out.State.ValuesAccess = access
	return out
}

// valueProblem says in a cell's words why the values could not be read.
func valueProblem(err error) string {
	switch {
	case apierrors.IsForbidden(err):
		return "forbidden: may not get the custom metrics API (using Prometheus)"
	case apierrors.IsNotFound(err):
		return "no value from the custom metrics API"
	case apierrors.IsServiceUnavailable(err):
		return "custom metrics API unavailable"
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120] + "…"
	}
	return "custom metrics API: " + msg
}

// apiServices reads the metrics APIServices by name.
func (r *MetricsAPIReader) apiServices(ctx context.Context) model.MetricsAPIState {
	st := model.MetricsAPIState{Access: model.AccessOK}
	if r.dyn == nil {
		st.Access = model.AccessUnknown
		return st
	}
	for _, name := range model.MetricsAPIServices {
		u, err := r.dyn.Resource(gvr.APIServices).Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			st.Services = append(st.Services, model.APIServiceState{Name: name})
			continue
		case apierrors.IsForbidden(err):
			return model.MetricsAPIState{Access: model.AccessForbidden}
		case err != nil:
			return model.MetricsAPIState{Access: model.AccessUnknown}
		}
		st.Services = append(st.Services, ProjectAPIService(u))
	}
	return st
}

// ProjectAPIService reads an APIService's Service and Available condition.
func ProjectAPIService(u *unstructured.Unstructured) model.APIServiceState {
	a := model.APIServiceState{Name: u.GetName(), Found: true, Available: "Unknown"}
	if ns, ok, _ := unstructured.NestedString(u.Object, "spec", "service", "namespace"); ok {
		name, _, _ := unstructured.NestedString(u.Object, "spec", "service", "name")
		a.Service = ns + "/" + name
	}
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != "Available" {
			continue
		}
		a.Available, _ = m["status"].(string)
		a.Reason, _ = m["reason"].(string)
		a.Message, _ = m["message"].(string)
	}
	return a
}

// metricValueList is the part of custom.metrics.k8s.io's MetricValueList twinscale reads.
type metricValueList struct {
	Items []struct {
		DescribedObject struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"describedObject"`
		Value string `json:"value"`
	} `json:"items"`
}

// values asks the custom metrics API for the metric of every Model of a namespace, as the
// HPA controller does for one: /apis/custom.metrics.k8s.io/VERSION/namespaces/NS/models.mlops.seldon.io/*/METRIC.
func (r *MetricsAPIReader) values(ctx context.Context, version, ns string) (map[string]float64, error) {
	path := strings.Join([]string{"/apis/custom.metrics.k8s.io", version, "namespaces", ns,
		model.ResourceModels + "." + model.SeldonGroup, "*", r.Metric}, "/")
	raw, err := r.rest.Get().AbsPath(path).DoRaw(ctx)
	if err != nil {
		return nil, err
	}
	var l metricValueList
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	out := map[string]float64{}
	for _, it := range l.Items {
		q, err := resource.ParseQuantity(it.Value)
		if err != nil || it.DescribedObject.Name == "" {
			continue
		}
		out[it.DescribedObject.Name] = q.AsApproximateFloat64()
	}
	return out, nil
}
