package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	"github.com/twinscale/twinscale/model"
)

// projected is an object as the informer caches keep it: the identity the informer keys
// and compares it by, and its projection into package model, made once per version at
// ingest. A Model or Server decoded as an unstructured map costs kilobytes and an HPA a
// few more; their projections a few hundred bytes. Inventory copies the projection out.
type projected struct {
	metav1.TypeMeta
	metav1.ObjectMeta
	// value is a model.SeldonModel, model.SeldonServer, model.HPA, model.Workload or
	// model.Event; it is never modified.
	value any
}

// DeepCopyObject implements runtime.Object; the projection is immutable, so a shallow
// copy is a deep one.
func (p *projected) DeepCopyObject() runtime.Object {
	c := *p
	c.ObjectMeta = *p.ObjectMeta.DeepCopy()
	return &c
}

// compact replaces an object (or the object inside a tombstone) with its projection.
// Objects it does not know, or that have no metadata, pass unchanged.
func compact(obj any) any {
	switch o := obj.(type) {
	case cache.DeletedFinalStateUnknown:
		o.Obj = compact(o.Obj)
		return o
	case *cache.DeletedFinalStateUnknown:
		if o != nil {
			o.Obj = compact(o.Obj)
		}
		return o
	}
	var value any
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		if o == nil {
			return obj
		}
		switch o.GetKind() {
		case model.KindModel:
			value = ProjectModel(o)
		case model.KindServer:
			value = ProjectServer(o)
		default:
			return obj
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if o == nil {
			return obj
		}
		value = ProjectHPA(o)
	case *appsv1.StatefulSet:
		if o == nil {
			return obj
		}
		value = ProjectStatefulSet(o)
	case *appsv1.Deployment:
		if o == nil {
			return obj
		}
		value = ProjectDeployment(o)
	case *corev1.Event:
		if o == nil {
			return obj
		}
		value = ProjectEvent(o)
	default:
		return obj
	}
	m, err := apimeta.Accessor(obj)
	if err != nil {
		return obj
	}
	p := &projected{value: value}
	p.Namespace, p.Name, p.UID, p.ResourceVersion = m.GetNamespace(), m.GetName(), m.GetUID(), m.GetResourceVersion()
	if ro, ok := obj.(runtime.Object); ok {
		p.TypeMeta.SetGroupVersionKind(ro.GetObjectKind().GroupVersionKind())
	}
	return p
}

// projection returns the projection of a cached object of type T, projecting it here if
// it was cached as decoded (clients whose informers skip the transform).
func projection[T any](obj any, project func(obj any) (T, bool)) (T, bool) {
	if p, ok := obj.(*projected); ok {
		v, ok := p.value.(T)
		return v, ok
	}
	return project(obj)
}
