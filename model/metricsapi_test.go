package model

import (
	"strings"
	"testing"
	"time"
)

// TestForecastUsesMetricsAPIValue: with the custom metrics API's value known, the forecast
// divides that (what the controller reads), not Prometheus'; without it, Prometheus'.
func TestForecastUsesMetricsAPIValue(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	two := int32(2)
	seldon := "mlops.seldon.io/v1alpha1"
	metric := []MetricTarget{{Type: "Object", Name: "infer_rps", DescribedObject: CrossRef{Kind: "Model", Name: "m"}, TargetType: "AverageValue", Target: 3}}
	behavior := &Behavior{ScaleUp: &ScalingRules{Policies: []ScalingPolicy{{Type: "Pods", Value: 5, PeriodSeconds: 15}}}}
	inv := Inventory{
		Models:  []SeldonModel{{Meta: Meta{Namespace: "ns", Name: "m"}, Server: "s", Replicas: &two, StatusReplicas: 2, AvailableReplicas: 2}},
		Servers: []SeldonServer{{Meta: Meta{Namespace: "ns", Name: "s"}, Replicas: &two, StatusReplicas: 2}},
		HPAs: []HPA{{Meta: Meta{Namespace: "ns", Name: "m-hpa"}, Target: CrossRef{APIVersion: seldon, Kind: "Model", Name: "m"},
			MinReplicas: 1, MaxReplicas: 10, CurrentReplicas: 2, DesiredReplicas: 2, Metrics: metric, Behavior: behavior}},
	}
	for _, tc := range []struct {
		name    string
		metric  PairMetric
		desired int32
		from    string
		total   float64
	}{
		{"api value", PairMetric{Known: true, RPS: 6, SampledAt: now, APIValue: 12, HasAPIValue: true}, 4, TotalFromMetricsAPI, 12},
		{"prometheus only", PairMetric{Known: true, RPS: 6, SampledAt: now, APIProblem: "forbidden: may not get the custom metrics API (using Prometheus)"}, 2, "prometheus", 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := BuildSnapshot(now, inv, WatchState{Synced: true})
			s.Pairs[0].Metric = tc.metric
			NewAnalyzer().Apply(now, s.Pairs)
			f := s.Pairs[0].ModelForecast
			if f == nil || f.Desired != tc.desired || f.TotalFrom != tc.from || f.Total != tc.total {
				t.Fatalf("forecast %+v", f)
			}
		})
	}
}

// TestMetricsAPIWarningAndCause: a registered custom metrics APIService that is not
// Available makes the header warning and the per-pair cause, naming the provider.
func TestMetricsAPIWarningAndCause(t *testing.T) {
	st := MetricsAPIState{Access: AccessOK, Services: []APIServiceState{
		{Name: CustomMetricsV1beta2, Found: true, Service: "monitoring/prometheus-adapter", Available: "False",
			Reason: "ServiceNotFound", Message: `service/prometheus-adapter in "monitoring" is not present`},
		{Name: CustomMetricsV1beta1},
		{Name: ExternalMetricsV1beta1},
	}}
	w := st.Warning()
	if !strings.Contains(w, "v1beta2.custom.metrics.k8s.io → monitoring/prometheus-adapter: not Available (ServiceNotFound") {
		t.Errorf("warning %q", w)
	}
	if s := st.Short(); s != "custom metrics API down (monitoring/prometheus-adapter)" {
		t.Errorf("short %q", s)
	}
	if c := pipelineCause(st); !strings.Contains(c, "monitoring/prometheus-adapter") {
		t.Errorf("cause %q", c)
	}
	st.Services[0].Available, st.Services[0].Reason, st.Services[0].Message = "True", "Passed", ""
	if w := st.Warning(); w != "" || pipelineCause(st) != "" {
		t.Errorf("healthy pipeline: warning %q", w)
	}
	none := MetricsAPIState{Access: AccessOK, Services: []APIServiceState{{Name: CustomMetricsV1beta2}, {Name: CustomMetricsV1beta1}}}
	if w := none.Warning(); !strings.Contains(w, "no custom metrics API") {
		t.Errorf("no provider: %q", w)
	}
	if w := (MetricsAPIState{Access: AccessForbidden}).Warning(); w != "" {
		t.Errorf("forbidden is not a pipeline fault: %q", w)
	}
}

// TestMetricsAPIBrief: the header's narrow form names the broken API in a few words that fit
// any 80-column header with the alert counts (issue 14).
func TestMetricsAPIBrief(t *testing.T) {
	down := func(name string) APIServiceState {
		return APIServiceState{Name: name, Found: true, Service: "keda/keda-operator-metrics-apiserver", Available: "False"}
	}
	for _, tc := range []struct {
		name  string
		st    MetricsAPIState
		short string
		brief string
	}{
		{"external down", MetricsAPIState{Access: AccessOK, Services: []APIServiceState{{Name: CustomMetricsV1beta2, Found: true, Available: "True"}, down(ExternalMetricsV1beta1)}},
			"external metrics API down (keda/keda-operator-metrics-apiserver)", "external metrics API down"},
		{"custom down", MetricsAPIState{Access: AccessOK, Services: []APIServiceState{down(CustomMetricsV1beta1)}},
			"custom metrics API down (keda/keda-operator-metrics-apiserver)", "custom metrics API down"},
		{"none registered", MetricsAPIState{Access: AccessOK, Services: []APIServiceState{{Name: CustomMetricsV1beta2}}},
			"no custom metrics API registered: the HPAs cannot read infer_rps", "no custom metrics API"},
		{"healthy", MetricsAPIState{Access: AccessOK, Services: []APIServiceState{{Name: CustomMetricsV1beta2, Found: true, Available: "True"}}}, "", ""},
		{"unknown", MetricsAPIState{}, "", ""},
	} {
		if s, b := tc.st.Short(), tc.st.Brief(); s != tc.short || b != tc.brief {
			t.Errorf("%s: Short %q, Brief %q; want %q, %q", tc.name, s, b, tc.short, tc.brief)
		}
		if len(tc.st.Brief()) > 30 {
			t.Errorf("%s: Brief %q longer than 30", tc.name, tc.st.Brief())
		}
	}
}
