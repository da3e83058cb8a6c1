package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// APIService names of the metrics APIs the HPA controller reads.
const (
	CustomMetricsV1beta1   = "v1beta1.custom.metrics.k8s.io"
	CustomMetricsV1beta2   = "v1beta2.custom.metrics.k8s.io"
	ExternalMetricsV1beta1 = "v1beta1.external.metrics.k8s.io"
)

// MetricsAPIServices are the APIServices twinscale reads, in the order the header names them.
var MetricsAPIServices = []string{CustomMetricsV1beta2, CustomMetricsV1beta1, ExternalMetricsV1beta1}

// TotalFromMetricsAPI is Forecast.TotalFrom when the total came from the custom metrics API.
const TotalFromMetricsAPI = "custom metrics API"

// ResourceAPIServices is the key of Inventory.Access and MetricsAPIState.Access for APIServices.
const ResourceAPIServices = "apiservices"

// APIServiceState is one metrics APIService: who serves it and whether it is Available.
type APIServiceState struct {
	Name string `json:"name"`
	// Found is false when the APIService does not exist (nothing serves that API).
	Found bool `json:"found"`
	// Service is "namespace/name" of the Service behind it; empty for one served locally.
	Service string `json:"service,omitempty"`
	// Available is the status of its Available condition: True, False or Unknown.
	Available string `json:"available,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`
}

// Broken reports an APIService that exists but is not Available.
func (a APIServiceState) Broken() bool { return a.Found && a.Available != "True" }

// Provider names who serves the API: "monitoring/prometheus-adapter" or the APIService name.
func (a APIServiceState) Provider() string {
	if a.Service != "" {
		return a.Service
	}
	return a.Name
}

// Text is one line about the APIService: "v1beta2.custom.metrics.k8s.io → monitoring/prometheus-adapter:
// not Available (ServiceNotFound: ...)".
func (a APIServiceState) Text() string {
	if !a.Found {
		return a.Name + ": not registered (no custom metrics provider)"
	}
	s := a.Name + " → " + a.Provider()
	if a.Available == "True" {
		return s + ": Available"
	}
	s += ": not Available"
	if a.Reason != "" || a.Message != "" {
		s += " (" + strings.Trim(a.Reason+": "+a.Message, ": ") + ")"
	}
	return s
}

// MetricsAPIState is the health of the metrics pipeline the HPAs read through, for the header.
type MetricsAPIState struct {
	// Access says whether the APIServices could be read (forbidden without a ClusterRole).
	Access   Access            `json:"access,omitempty"`
	Services []APIServiceState `json:"services,omitempty"`
	// ValuesAccess is whether the custom metrics values could be read: ok, forbidden, or an error.
	ValuesAccess string    `json:"valuesAccess,omitempty"`
	ReadAt       time.Time `json:"readAt,omitzero"`
}

// Custom is the APIService of the custom metrics API the HPAs use (v1beta2, else v1beta1).
func (s MetricsAPIState) Custom() (APIServiceState, bool) {
	for _, name := range []string{CustomMetricsV1beta2, CustomMetricsV1beta1} {
		if i := slices.IndexFunc(s.Services, func(a APIServiceState) bool { return a.Name == name && a.Found }); i >= 0 {
			return s.Services[i], true
		}
	}
	return APIServiceState{}, false
}

// Warning is the header's line about the pipeline, empty when it is healthy or unknown.
func (s MetricsAPIState) Warning() string {
	var bad []string
	for _, a := range s.Services {
		if a.Broken() {
			bad = append(bad, a.Text())
		}
	}
	if len(bad) > 0 {
		return "metrics API " + strings.Join(bad, "; ")
	}
	if s.Access == AccessOK && len(s.Services) > 0 {
		if _, ok := s.Custom(); !ok {
			return "no custom metrics API registered: the HPAs cannot read infer_rps"
		}
	}
	return ""
}

// Short is Warning in a few words for the dashboard's header: "! external metrics API down
// (keda/keda-operator-metrics-apiserver)".
func (s MetricsAPIState) Short() string {
	for _, a := range s.Services {
		if a.Broken() {
			return a.kind() + " metrics API down (" + a.Provider() + ")"
		}
	}
	return s.Warning()
}

// Brief is Short without the provider, for a narrow header: "external metrics API down",
// "no custom metrics API".
func (s MetricsAPIState) Brief() string {
	for _, a := range s.Services {
		if a.Broken() {
			return a.kind() + " metrics API down"
		}
	}
	if s.Warning() != "" {
		return "no custom metrics API"
	}
	return ""
}

// kind is "custom" or "external", the metrics API the APIService serves.
func (a APIServiceState) kind() string {
	if strings.Contains(a.Name, "external") {
		return "external"
	}
	return "custom"
}

// MetricsAPIRead is one read of the metrics pipeline: the APIServices and the infer_rps
// values the HPA controller sees, keyed by "namespace/model".
type MetricsAPIRead struct {
	At     time.Time          `json:"at"`
	State  MetricsAPIState    `json:"state"`
	Values map[string]float64 `json:"values,omitempty"`
	// Problems are per namespace: why its values could not be read ("forbidden", an error).
	Problems map[string]string `json:"problems,omitempty"`
}

// pipelineCause explains a FailedGetObjectMetric by the state of the custom metrics API,
// naming its provider; empty when the API looks fine or is unknown.
func pipelineCause(s MetricsAPIState) string {
	if a, ok := s.Custom(); ok {
		if a.Broken() {
			return fmt.Sprintf("the custom metrics API is down: %s", a.Text())
		}
		return ""
	}
	if s.Access == AccessOK && len(s.Services) > 0 {
		return "no custom metrics API is registered (install prometheus-adapter)"
	}
	return ""
}
