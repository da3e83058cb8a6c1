package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"

	"github.com/twinscale/twinscale/model"
)

// keptSpec lists, per Seldon kind, the spec fields projection reads. Everything else
// (a Server's podSpec can be kilobytes) is dropped at ingest.
var keptSpec = map[string]map[string]bool{
	"Model": {
		"server": true, "replicas": true, "minReplicas": true, "maxReplicas": true,
		"storageUri": true, "artifactVersion": true,
	},
	"Server": {
		"replicas": true, "minReplicas": true, "maxReplicas": true, "serverConfig": true,
	},
}

// Transform trims an object at ingest to what twinscale reads, so the informer caches
// stay small: managedFields and annotations (the kubectl last-applied annotation among
// them) everywhere, pod templates of StatefulSets and Deployments, and the Seldon spec
// fields projection never looks at. It is a cache.TransformFunc: it modifies the object in
// place (informers hand it a freshly decoded object), is idempotent, and accepts
// tombstones and objects of any other type unchanged in shape.
func Transform(obj any) (any, error) {
	switch o := obj.(type) {
	case cache.DeletedFinalStateUnknown:
		inner, err := Transform(o.Obj)
		if err != nil {
			return nil, err
		}
		o.Obj = inner
		return o, nil
	case *cache.DeletedFinalStateUnknown:
		if o == nil {
			return obj, nil
		}
		inner, err := Transform(o.Obj)
		if err != nil {
			return nil, err
		}
		o.Obj = inner
		return o, nil
	case *unstructured.Unstructured:
		if o != nil {
			trimUnstructured(o)
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if o != nil {
			paused := kedaAnnotations(o.Annotations)
			trimMeta(&o.ObjectMeta)
			o.Annotations = paused
		}
	case *appsv1.StatefulSet:
		if o != nil {
			trimMeta(&o.ObjectMeta)
			o.Spec.Template = corev1.PodTemplateSpec{}
			o.Spec.VolumeClaimTemplates = nil
		}
	case *appsv1.Deployment:
		if o != nil {
			trimMeta(&o.ObjectMeta)
			o.Spec.Template = corev1.PodTemplateSpec{}
		}
	case *corev1.Event:
		if o != nil {
			trimMeta(&o.ObjectMeta)
		}
	}
	return obj, nil
}

func trimMeta(m *metav1.ObjectMeta) {
	m.ManagedFields = nil
	m.Annotations = nil
}

func trimUnstructured(u *unstructured.Unstructured) {
	if u.Object == nil {
		return
	}
	if md, ok := u.Object["metadata"].(map[string]any); ok {
		if owners := replicasOwners(md["managedFields"]); owners != nil {
			md["managedFields"] = owners
		} else {
			delete(md, "managedFields")
		}
		delete(md, "annotations")
	}
	if st, ok := u.Object["status"].(map[string]any); ok {
		delete(st, "annotations")
	}
	kind, _ := u.Object["kind"].(string)
	keep, known := keptSpec[kind]
	if !known {
		return
	}
	if spec, ok := u.Object["spec"].(map[string]any); ok {
		for k := range spec {
			if !keep[k] {
				delete(spec, k)
			}
		}
	}
}

// replicasOwners keeps, of an object's managedFields, only the entries that own
// spec.replicas, each reduced to manager, operation, subresource, time and that one field:
// who last wrote the replicas, in a few hundred bytes instead of the whole field sets.
// The reduced entries still own spec.replicas, so a second pass keeps them unchanged.
func replicasOwners(v any) []any {
	entries, _ := v.([]any)
	var out []any
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if m == nil {
			continue
		}
		fields, _ := m["fieldsV1"].(map[string]any)
		spec, _ := fields["f:spec"].(map[string]any)
		if _, ok := spec["f:replicas"]; !ok {
			continue
		}
		kept := map[string]any{"fieldsV1": map[string]any{"f:spec": map[string]any{"f:replicas": map[string]any{}}}}
		for _, k := range []string{"manager", "operation", "subresource", "time"} {
			if x, ok := m[k]; ok {
				kept[k] = x
			}
		}
		out = append(out, kept)
	}
	return out
}

// kedaAnnotations keeps KEDA's pause annotations, the only annotations projection reads.
func kedaAnnotations(a map[string]string) map[string]string {
	var out map[string]string
	for _, k := range []string{model.KEDAPaused, model.KEDAPausedReplicas} {
		if v, ok := a[k]; ok {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}
