package kube

import (
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

func TestTransformTrims(t *testing.T) {
	var sts appsv1.StatefulSet
	loadTyped(t, "statefulset.yaml", &sts)
	var dep appsv1.Deployment
	loadTyped(t, "deployment.yaml", &dep)
	var hpa autoscalingv2.HorizontalPodAutoscaler
	loadTyped(t, "hpa-model.yaml", &hpa)
	hpa.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"}
	hpa.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}
	var ev corev1.Event
	loadTyped(t, "event-legacy.yaml", &ev)
	ev.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kube-controller-manager"}}

	tests := []struct {
		name  string
		obj   runtime.Object
		check func(t *testing.T, obj any)
	}{
		{"model", loadUnstructured(t, "model-schedulefailed.yaml"), func(t *testing.T, obj any) {
			u := obj.(*unstructured.Unstructured)
			if _, ok := u.Object["spec"].(map[string]any)["requirements"]; ok {
				t.Error("spec.requirements kept")
			}
			if got := ProjectModel(u); got.Server != "iris-server" || got.Replicas == nil || got.ArtifactVersion == nil {
				t.Errorf("read fields lost: %+v", got)
			}
		}},
		{"server", loadUnstructured(t, "server-good.yaml"), func(t *testing.T, obj any) {
			u := obj.(*unstructured.Unstructured)
			if _, ok := u.Object["spec"].(map[string]any)["podSpec"]; ok {
				t.Error("spec.podSpec kept")
			}
			if got := ProjectServer(u); got.ServerConfig != "mlserver" || got.Replicas == nil {
				t.Errorf("read fields lost: %+v", got)
			}
		}},
		{"statefulset", &sts, func(t *testing.T, obj any) {
			s := obj.(*appsv1.StatefulSet)
			if len(s.Spec.Template.Spec.Containers) != 0 || s.Spec.VolumeClaimTemplates != nil {
				t.Error("pod template or volume claim templates kept")
			}
			if s.Status.ReadyReplicas != 1 || *s.Spec.Replicas != 2 {
				t.Errorf("replicas lost: %+v", s.Status)
			}
		}},
		{"deployment", &dep, func(t *testing.T, obj any) {
			if len(obj.(*appsv1.Deployment).Spec.Template.Spec.Containers) != 0 {
				t.Error("pod template kept")
			}
		}},
		{"hpa", &hpa, func(t *testing.T, obj any) {
			if got := obj.(*autoscalingv2.HorizontalPodAutoscaler); len(got.Spec.Metrics) != 1 || got.Status.DesiredReplicas != 3 {
				t.Errorf("spec or status lost: %+v", got)
			}
		}},
		{"event", &ev, func(t *testing.T, obj any) {
			if got := obj.(*corev1.Event); got.Reason != "SuccessfulRescale" {
				t.Errorf("reason lost: %+v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := meta(tt.obj)
			if err != nil {
				t.Fatal(err)
			}
			name, ns, rv := before.GetName(), before.GetNamespace(), before.GetResourceVersion()
			labels := before.GetLabels()

			out, err := Transform(tt.obj)
			if err != nil {
				t.Fatal(err)
			}
			after, err := meta(out)
			if err != nil {
				t.Fatal(err)
			}
			if after.GetName() != name || after.GetNamespace() != ns || after.GetResourceVersion() != rv {
				t.Errorf("identity changed: %s/%s@%s -> %s/%s@%s", ns, name, rv,
					after.GetNamespace(), after.GetName(), after.GetResourceVersion())
			}
			if !reflect.DeepEqual(after.GetLabels(), labels) {
				t.Errorf("labels changed: %v -> %v", labels, after.GetLabels())
			}
			if after.GetManagedFields() != nil {
				t.Error("managedFields kept")
			}
			if after.GetAnnotations() != nil {
				t.Errorf("annotations kept: %v", after.GetAnnotations())
			}
			tt.check(t, out)

			// Idempotent: a second pass changes nothing.
			snapshot := out.(runtime.Object).DeepCopyObject()
			again, err := Transform(out)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, snapshot) {
				t.Errorf("second transform changed the object")
			}
		})
	}
}

func meta(obj any) (metav1.Object, error) {
	return apimeta.Accessor(obj)
}

func TestTransformTombstone(t *testing.T) {
	u := loadUnstructured(t, "server-good.yaml")
	for _, tomb := range []any{
		cache.DeletedFinalStateUnknown{Key: "seldon-mesh/iris-server", Obj: u},
		&cache.DeletedFinalStateUnknown{Key: "seldon-mesh/iris-server", Obj: u.DeepCopy()},
	} {
		out, err := Transform(tomb)
		if err != nil {
			t.Fatal(err)
		}
		var inner any
		switch o := out.(type) {
		case cache.DeletedFinalStateUnknown:
			inner = o.Obj
		case *cache.DeletedFinalStateUnknown:
			inner = o.Obj
		default:
			t.Fatalf("tombstone became %T", out)
		}
		got := inner.(*unstructured.Unstructured)
		if got.GetName() != "iris-server" || got.GetResourceVersion() != "4300" {
			t.Errorf("tombstone identity lost: %s@%s", got.GetName(), got.GetResourceVersion())
		}
		if _, ok := got.Object["spec"].(map[string]any)["podSpec"]; ok {
			t.Error("tombstone object not trimmed")
		}
	}
	// Odd inputs pass through unharmed.
	for _, odd := range []any{nil, "text", cache.DeletedFinalStateUnknown{}, (*appsv1.StatefulSet)(nil), &unstructured.Unstructured{}} {
		if _, err := Transform(odd); err != nil {
			t.Errorf("Transform(%T): %v", odd, err)
		}
	}
}
