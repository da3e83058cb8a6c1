package kube

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/twinscale/twinscale/model"
)

// loadUnstructured reads a YAML fixture the way the API server's JSON reaches an informer.
func loadUnstructured(t testing.TB, name string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return u
}

// loadTyped reads a YAML fixture into a typed object.
func loadTyped(t testing.TB, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func i32(v int32) *int32     { return &v }
func i64(v int64) *int64     { return &v }
func f64(v float64) *float64 { return &v }

func TestProjectModel(t *testing.T) {
	const schedText = "Failed to schedule model as no matching server had enough suitable replicas"
	tests := []struct {
		fixture string
		want    model.SeldonModel
	}{
		{
			fixture: "model-schedulefailed.yaml",
			want: model.SeldonModel{
				Meta: model.Meta{
					Namespace: "seldon-mesh", Name: "iris", UID: "6f1c3c1e-0000-4000-8000-000000000001",
					ResourceVersion: "4242", Generation: 3, Labels: map[string]string{"team": "ml"},
					Created: ts("2026-03-01T10:00:00Z"),
				},
				Server:             "iris-server",
				Replicas:           i32(3),
				StorageURI:         "gs://seldon-models/scv2/samples/mlserver_1.6.0/iris-sklearn",
				ArtifactVersion:    i64(2),
				StatusReplicas:     3,
				AvailableReplicas:  2,
				ObservedGeneration: 3,
				Selector:           "server=iris-server",
				Conditions: []model.Condition{
					{Type: "ModelReady", Status: "False", Message: "ScheduleFailed", Reason: schedText, Since: ts("2026-03-01T10:05:00Z")},
					{Type: "Ready", Status: "False", Message: "ScheduleFailed", Reason: schedText, Since: ts("2026-03-01T10:05:00Z")},
				},
				ModelgwReady: "True",
			},
		},
		{
			fixture: "model-minimal.yaml",
			want: model.SeldonModel{
				Meta:       model.Meta{Namespace: "ns1", Name: "fresh"},
				StorageURI: "s3://bucket/model",
			},
		},
		{
			fixture: "model-illtyped.yaml",
			want: model.SeldonModel{
				Meta: model.Meta{
					Namespace: "ns1", Name: "broken", Labels: map[string]string{"ok": "yes"},
					Problems: []string{
						"metadata.generation: expected integer, got string",
						"metadata.labels.count: expected string, got integer",
						`metadata.creationTimestamp: expected RFC 3339 time, got "yesterday"`,
						"spec.server: expected string, got array",
						"spec.replicas: expected integer, got string",
						"spec.minReplicas: expected integer, got 2.5",
						"spec.maxReplicas: integer 9999999999 out of range [-2147483648, 2147483647]",
						"spec.storageUri: expected string, got integer",
						"status.replicas: expected integer, got boolean",
						"status.selector: expected string, got object",
						"status.conditions[0]: expected object, got string",
						"status.conditions[1].status: missing",
						`status.conditions[1].lastTransitionTime: expected RFC 3339 time, got "not a time"`,
					},
				},
				AvailableReplicas: 1,
				Conditions:        []model.Condition{{Type: "ModelReady"}},
			},
		},
		{
			fixture: "model-nospec.yaml",
			want: model.SeldonModel{
				Meta: model.Meta{
					Namespace: "ns1",
					Problems: []string{
						"metadata.name: missing",
						"spec: expected object, got string",
						"status: expected object, got integer",
					},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			got := ProjectModel(loadUnstructured(t, tt.fixture))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ProjectModel mismatch\n got: %+v\nwant: %+v", got, tt.want)
				if !slices.Equal(got.Problems, tt.want.Problems) {
					t.Errorf("problems:\n got: %q\nwant: %q", got.Problems, tt.want.Problems)
				}
			}
		})
	}
}

func TestProjectModelNil(t *testing.T) {
	got := ProjectModel(nil)
	if len(got.Problems) != 1 {
		t.Fatalf("nil model: want one problem, got %q", got.Problems)
	}
	if got := ProjectServer(nil); len(got.Problems) != 1 {
		t.Fatalf("nil server: want one problem, got %q", got.Problems)
	}
	if got := ProjectModel(&unstructured.Unstructured{}); !slices.Contains(got.Problems, "metadata: missing") {
		t.Fatalf("empty object: want metadata problem, got %q", got.Problems)
	}
}

func TestProjectServer(t *testing.T) {
	tests := []struct {
		fixture string
		want    model.SeldonServer
	}{
		{
			fixture: "server-good.yaml",
			want: model.SeldonServer{
				Meta: model.Meta{
					Namespace: "seldon-mesh", Name: "iris-server", UID: "6f1c3c1e-0000-4000-8000-000000000002",
					ResourceVersion: "4300", Generation: 5, Created: ts("2026-03-01T09:59:00Z"),
				},
				Replicas:           i32(2),
				ServerConfig:       "mlserver",
				StatusReplicas:     2,
				LoadedModels:       1,
				ObservedGeneration: 5,
				Selector:           "seldon-server-name=iris-server",
				Conditions: []model.Condition{
					{Type: "StatefulSetOrDeploymentReady", Status: "False", Reason: "StatefulSet replicas does not match desired replicas", Since: ts("2026-03-01T10:04:00Z")},
					{Type: "Ready", Status: "False", Since: ts("2026-03-01T10:04:00Z")},
				},
			},
		},
		{
			fixture: "server-illtyped.yaml",
			want: model.SeldonServer{
				Meta: model.Meta{
					Namespace: "ns1", Name: "odd",
					Problems: []string{
						"metadata.labels: expected object, got string",
						"spec.replicas: expected integer, got -1.5",
						"spec.serverConfig: empty",
						"status.loadedModels: expected integer, got string",
						"status.conditions: expected array, got object",
					},
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			got := ProjectServer(loadUnstructured(t, tt.fixture))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ProjectServer mismatch\n got: %+v\nwant: %+v", got, tt.want)
				if !slices.Equal(got.Problems, tt.want.Problems) {
					t.Errorf("problems:\n got: %q\nwant: %q", got.Problems, tt.want.Problems)
				}
			}
		})
	}
}

func TestProjectHPA(t *testing.T) {
	var h autoscalingv2.HorizontalPodAutoscaler
	loadTyped(t, "hpa-model.yaml", &h)
	got := ProjectHPA(&h)
	want := model.HPA{
		Meta: model.Meta{Namespace: "seldon-mesh", Name: "iris-model-hpa", ResourceVersion: "5000", Created: ts("2026-03-01T10:00:00Z")},
		Target: model.CrossRef{
			APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris",
		},
		MinReplicas: 1,
		MaxReplicas: 3,
		Metrics: []model.MetricTarget{{
			Type: "Object", Name: "infer_rps",
			DescribedObject: model.CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris"},
			TargetType:      "AverageValue", Target: 3,
		}},
		Behavior: &model.Behavior{
			ScaleUp: &model.ScalingRules{
				StabilizationWindowSeconds: i32(60), SelectPolicy: "Max",
				Policies:  []model.ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 90}},
				Tolerance: f64(0.05),
			},
			ScaleDown: &model.ScalingRules{
				Policies: []model.ScalingPolicy{{Type: "Percent", Value: 100, PeriodSeconds: 15}},
			},
		},
		CurrentReplicas: 2,
		DesiredReplicas: 3,
		LastScaleTime:   ts("2026-03-01T10:04:30Z"),
		CurrentMetrics: []model.MetricValue{{
			Type: "Object", Name: "infer_rps", AverageValue: 8.611, HasAverage: true,
		}},
		Conditions: []model.Condition{
			{Type: "AbleToScale", Status: "True", Reason: "SucceededRescale", Message: "the HPA controller was able to update the target scale to 3", Since: ts("2026-03-01T10:04:30Z")},
			{Type: "ScalingActive", Status: "True", Reason: "ValidMetricFound", Message: "the HPA was able to successfully calculate a replica count from external metric infer_rps(nil)", Since: ts("2026-03-01T10:01:00Z")},
			{Type: "ScalingLimited", Status: "False", Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range", Since: ts("2026-03-01T10:01:00Z")},
		},
		ObservedGeneration: 1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ProjectHPA mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func TestProjectHPAOdd(t *testing.T) {
	var h autoscalingv2.HorizontalPodAutoscaler
	loadTyped(t, "hpa-odd.yaml", &h)
	got := ProjectHPA(&h)
	if got.MinReplicas != 1 {
		t.Errorf("nil minReplicas: got %d, want the API default 1", got.MinReplicas)
	}
	wantMetrics := []model.MetricTarget{
		{Type: "Resource", Name: "cpu", TargetType: "Utilization", Target: 80},
		{Type: "Pods", Name: "qps", TargetType: "Value", Target: 1.5},
	}
	if !reflect.DeepEqual(got.Metrics, wantMetrics) {
		t.Errorf("metrics:\n got: %+v\nwant: %+v", got.Metrics, wantMetrics)
	}
	wantCurrent := []model.MetricValue{{Type: "Resource", Name: "cpu", AverageValue: 0.25, HasAverage: true}}
	if !reflect.DeepEqual(got.CurrentMetrics, wantCurrent) {
		t.Errorf("current metrics:\n got: %+v\nwant: %+v", got.CurrentMetrics, wantCurrent)
	}
	wantProblems := []string{
		"spec.metrics[1].object: missing",
		`spec.metrics[3].type: unknown metric source type "Martian"`,
		"status.currentMetrics[1].external: missing",
	}
	if !slices.Equal(got.Problems, wantProblems) {
		t.Errorf("problems:\n got: %q\nwant: %q", got.Problems, wantProblems)
	}
	if got.Behavior != nil {
		t.Errorf("behavior: got %+v, want nil (controller defaults)", got.Behavior)
	}
	if got := ProjectHPA(&autoscalingv2.HorizontalPodAutoscaler{}); !slices.Contains(got.Problems, "spec.scaleTargetRef.kind: missing") {
		t.Errorf("empty HPA: want scaleTargetRef problem, got %q", got.Problems)
	}
	if got := ProjectHPA(nil); len(got.Problems) == 0 {
		t.Errorf("nil HPA: want a problem")
	}
}

func TestProjectWorkloads(t *testing.T) {
	var s appsv1.StatefulSet
	loadTyped(t, "statefulset.yaml", &s)
	gotS := ProjectStatefulSet(&s)
	wantS := model.Workload{
		Meta: model.Meta{Namespace: "seldon-mesh", Name: "iris-server", ResourceVersion: "777",
			Labels: map[string]string{"app.kubernetes.io/name": "seldon-server"}},
		Kind: "StatefulSet", Replicas: 2, ReadyReplicas: 1, UpdatedReplicas: 2, AvailableReplicas: 1, ObservedGeneration: 4,
	}
	if !reflect.DeepEqual(gotS, wantS) {
		t.Errorf("statefulset:\n got: %+v\nwant: %+v", gotS, wantS)
	}

	var d appsv1.Deployment
	loadTyped(t, "deployment.yaml", &d)
	gotD := ProjectDeployment(&d)
	wantD := model.Workload{
		Meta: model.Meta{Namespace: "seldon-mesh", Name: "triton",
			Labels: map[string]string{"app.kubernetes.io/name": "seldon-server"}},
		Kind: "Deployment", Replicas: 1, ReadyReplicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1, ObservedGeneration: 1,
	}
	if !reflect.DeepEqual(gotD, wantD) {
		t.Errorf("deployment:\n got: %+v\nwant: %+v", gotD, wantD)
	}
	if ProjectStatefulSet(nil).Problems == nil || ProjectDeployment(nil).Problems == nil {
		t.Error("nil workload: want a problem")
	}
}

func TestProjectEvent(t *testing.T) {
	tests := []struct {
		fixture string
		want    model.Event
	}{
		{
			fixture: "event-legacy.yaml",
			want: model.Event{
				Namespace: "seldon-mesh",
				Object:    model.CrossRef{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: "iris-model-hpa"},
				Type:      "Normal", Reason: "SuccessfulRescale",
				Message: "New size: 3; reason: external metric infer_rps(nil) above target",
				Count:   2, First: ts("2026-03-01T10:04:00Z"), Last: ts("2026-03-01T10:04:30Z"),
				Source: "horizontal-pod-autoscaler",
			},
		},
		{
			fixture: "event-series.yaml",
			want: model.Event{
				Namespace: "seldon-mesh",
				Object:    model.CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris"},
				Type:      "Warning", Reason: "ModelNotReady", Message: "ScheduleFailed",
				Count: 4, First: ts("2026-03-01T10:05:00Z"), Last: ts("2026-03-01T10:06:00Z"),
				Source: "seldon-operator",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			var e corev1.Event
			loadTyped(t, tt.fixture, &e)
			got := ProjectEvent(&e)
			if !got.First.Equal(tt.want.First) || !got.Last.Equal(tt.want.Last) {
				t.Errorf("times: got %v..%v, want %v..%v", got.First, got.Last, tt.want.First, tt.want.Last)
			}
			got.First, got.Last = tt.want.First, tt.want.Last
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("event:\n got: %+v\nwant: %+v", got, tt.want)
			}
		})
	}
	if got := ProjectEvent(&corev1.Event{}); got.Count != 1 {
		t.Errorf("empty event: count %d, want 1", got.Count)
	}
}

// TestProblemsAreReadable keeps every recorded problem in the "path: what" form the UI shows.
func TestProblemsAreReadable(t *testing.T) {
	for _, f := range []string{"model-illtyped.yaml", "model-nospec.yaml"} {
		for _, p := range ProjectModel(loadUnstructured(t, f)).Problems {
			if path, what, ok := strings.Cut(p, ": "); !ok || path == "" || what == "" {
				t.Errorf("%s: problem %q is not \"path: what\"", f, p)
			}
		}
	}
}
