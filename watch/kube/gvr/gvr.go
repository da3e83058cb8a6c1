// Package gvr names every Kubernetes resource twinscale reads, as the dynamic client and the
// informers address them: the one place the watch, the demo cluster and the test helpers take
// them from. It imports nothing of client-go beyond schema, so test helpers can use it freely.
package gvr

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/twinscale/twinscale/model"
)

// SeldonGroupVersion is the group and version of Seldon Core 2's resources.
var SeldonGroupVersion = schema.GroupVersion{Group: model.SeldonGroup, Version: "v1alpha1"}

// The resources twinscale watches.
var (
	// Models are Seldon Models.
	Models = SeldonGroupVersion.WithResource(model.ResourceModels)
	// Servers are Seldon Servers.
	Servers = SeldonGroupVersion.WithResource(model.ResourceServers)
	// HPAs are autoscaling/v2 HorizontalPodAutoscalers.
	HPAs = schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: model.ResourceHPAs}
	// StatefulSets are the workloads Seldon creates for most Servers.
	StatefulSets = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: model.ResourceStatefulSets}
	// Deployments are the workloads Seldon creates for some Servers.
	Deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: model.ResourceDeployments}
	// Events are core/v1 Events.
	Events = schema.GroupVersionResource{Version: "v1", Resource: model.ResourceEvents}
	// APIServices are the aggregator's APIServices, read to check the metrics APIs.
	APIServices = schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: model.ResourceAPIServices}
)
