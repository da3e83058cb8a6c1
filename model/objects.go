package model

import "time"

// Condition is one status condition of a Kubernetes object, as the object reports it.
type Condition struct {
	Type    string    `json:"type"`
	Status  string    `json:"status"`
	Reason  string    `json:"reason,omitempty"`
	Message string    `json:"message,omitempty"`
	Since   time.Time `json:"since,omitzero"`
}

// Meta is the identity every projected object carries.
type Meta struct {
	Namespace       string            `json:"namespace"`
	Name            string            `json:"name"`
	UID             string            `json:"uid,omitempty"`
	ResourceVersion string            `json:"resourceVersion,omitempty"`
	Generation      int64             `json:"generation,omitempty"`
	Labels          map[string]string `json:"labels,omitempty"`
	Created         time.Time         `json:"created,omitzero"`
	// Problems lists fields that were missing or ill-typed when the object was projected.
	Problems []string `json:"problems,omitempty"`
}

// Key is "namespace/name".
func (m Meta) Key() string { return m.Namespace + "/" + m.Name }

// SeldonModel is a projected mlops.seldon.io/v1alpha1 Model.
type SeldonModel struct {
	Meta
	Server             string      `json:"server,omitempty"`
	Replicas           *int32      `json:"replicas,omitempty"`
	MinReplicas        *int32      `json:"minReplicas,omitempty"`
	MaxReplicas        *int32      `json:"maxReplicas,omitempty"`
	StorageURI         string      `json:"storageUri,omitempty"`
	ArtifactVersion    *int64      `json:"artifactVersion,omitempty"`
	StatusReplicas     int32       `json:"statusReplicas"`
	AvailableReplicas  int32       `json:"availableReplicas"`
	ObservedGeneration int64       `json:"observedGeneration,omitempty"`
	Selector           string      `json:"selector,omitempty"`
	Conditions         []Condition `json:"conditions,omitempty"`
	// ModelgwReady is status.modelgwReady (Seldon 2.10+, e.g. "ModelAvailable"): shown, never a health input.
	ModelgwReady string `json:"modelgwReady,omitempty"`
	// ReplicasWriter is the managedFields entry that owns spec.replicas, when there is one.
	ReplicasWriter *FieldWriter `json:"replicasWriter,omitempty"`
}

// FieldWriter is the one managedFields entry twinscale keeps per object: the manager owning
// spec.replicas. Writes through the scale subresource may leave no entry (kubernetes#131892).
type FieldWriter struct {
	Manager     string    `json:"manager"`
	Operation   string    `json:"operation,omitempty"` // Apply or Update
	Subresource string    `json:"subresource,omitempty"`
	Time        time.Time `json:"time,omitzero"`
}

// SeldonServer is a projected mlops.seldon.io/v1alpha1 Server.
type SeldonServer struct {
	Meta
	Replicas           *int32      `json:"replicas,omitempty"`
	MinReplicas        *int32      `json:"minReplicas,omitempty"`
	MaxReplicas        *int32      `json:"maxReplicas,omitempty"`
	ServerConfig       string      `json:"serverConfig,omitempty"`
	StatusReplicas     int32       `json:"statusReplicas"`
	LoadedModels       int32       `json:"loadedModels"`
	ObservedGeneration int64       `json:"observedGeneration,omitempty"`
	Selector           string      `json:"selector,omitempty"`
	Conditions         []Condition `json:"conditions,omitempty"`
	// ReplicasWriter is the managedFields entry that owns spec.replicas, when there is one.
	ReplicasWriter *FieldWriter `json:"replicasWriter,omitempty"`
}

// Workload is the StatefulSet or Deployment that runs a Server's pods.
type Workload struct {
	Meta
	Kind               string `json:"kind"` // StatefulSet or Deployment
	Replicas           int32  `json:"replicas"`
	ReadyReplicas      int32  `json:"readyReplicas"`
	UpdatedReplicas    int32  `json:"updatedReplicas"`
	AvailableReplicas  int32  `json:"availableReplicas"`
	ObservedGeneration int64  `json:"observedGeneration,omitempty"`
}

// CrossRef names another object by kind and name in the same namespace.
type CrossRef struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
}

// MetricTarget is one entry of an HPA's spec.metrics.
type MetricTarget struct {
	Type            string   `json:"type"` // Object, Pods, Resource, External, ContainerResource
	Name            string   `json:"name"`
	DescribedObject CrossRef `json:"describedObject,omitzero"`
	TargetType      string   `json:"targetType"` // AverageValue, Value, Utilization
	Target          float64  `json:"target"`     // in metric units (Quantity converted, 8611m -> 8.611)
}

// MetricValue is one entry of an HPA's status.currentMetrics.
type MetricValue struct {
	Type         string  `json:"type"`
	Name         string  `json:"name"`
	AverageValue float64 `json:"averageValue"`
	HasAverage   bool    `json:"hasAverage"`
	Value        float64 `json:"value"`
	HasValue     bool    `json:"hasValue"`
}

// ScalingPolicy is one HPA scaling policy (Pods or Percent per period).
type ScalingPolicy struct {
	Type          string `json:"type"`
	Value         int32  `json:"value"`
	PeriodSeconds int32  `json:"periodSeconds"`
}

// ScalingRules is one direction of an HPA's spec.behavior; nil fields mean "not set".
type ScalingRules struct {
	StabilizationWindowSeconds *int32          `json:"stabilizationWindowSeconds,omitempty"`
	SelectPolicy               string          `json:"selectPolicy,omitempty"`
	Policies                   []ScalingPolicy `json:"policies,omitempty"`
	Tolerance                  *float64        `json:"tolerance,omitempty"`
}

// Behavior is an HPA's spec.behavior; nil directions mean the controller's defaults.
type Behavior struct {
	ScaleUp   *ScalingRules `json:"scaleUp,omitempty"`
	ScaleDown *ScalingRules `json:"scaleDown,omitempty"`
}

// HPA is a projected autoscaling/v2 HorizontalPodAutoscaler.
type HPA struct {
	Meta
	Target             CrossRef       `json:"target"`
	MinReplicas        int32          `json:"minReplicas"` // 1 when unset, as the API server defaults it
	MaxReplicas        int32          `json:"maxReplicas"`
	Metrics            []MetricTarget `json:"metrics,omitempty"`
	Behavior           *Behavior      `json:"behavior,omitempty"`
	CurrentReplicas    int32          `json:"currentReplicas"`
	DesiredReplicas    int32          `json:"desiredReplicas"`
	LastScaleTime      time.Time      `json:"lastScaleTime,omitzero"`
	CurrentMetrics     []MetricValue  `json:"currentMetrics,omitempty"`
	Conditions         []Condition    `json:"conditions,omitempty"`
	ObservedGeneration int64          `json:"observedGeneration,omitempty"`
	// Owner is the HPA's controlling owner reference (a KEDA ScaledObject owns the HPAs it makes).
	Owner CrossRef `json:"owner,omitzero"`
	// Paused is KEDA's pause annotation on the HPA ("autoscaling.keda.sh/paused=true"), empty without one.
	Paused string `json:"paused,omitempty"`
}

// Event is a trimmed core/v1 Event about an HPA, Model or Server.
type Event struct {
	// Cluster is the kubeconfig context of the Event when several clusters are watched.
	Cluster   string    `json:"cluster,omitempty"`
	Namespace string    `json:"namespace"`
	Object    CrossRef  `json:"object"`
	Type      string    `json:"type"` // Normal or Warning
	Reason    string    `json:"reason"`
	Message   string    `json:"message"`
	Count     int32     `json:"count"`
	First     time.Time `json:"first,omitzero"`
	Last      time.Time `json:"last,omitzero"`
	Source    string    `json:"source,omitempty"`
}

// Access says whether a watched resource could be read.
type Access string

// Access states of a watched resource.
const (
	AccessOK           Access = "ok"
	AccessForbidden    Access = "forbidden"
	AccessNotInstalled Access = "not installed"
	AccessUnknown      Access = "unknown"
)

// Inventory is everything the watch layer saw at one moment: the input of Join.
type Inventory struct {
	Models    []SeldonModel  `json:"models"`
	Servers   []SeldonServer `json:"servers"`
	Workloads []Workload     `json:"workloads"`
	HPAs      []HPA          `json:"hpas"`
	Events    []Event        `json:"events"`
	// Access maps a resource name ("models", "servers", "statefulsets", "deployments",
	// "horizontalpodautoscalers", "events") to whether it could be read.
	Access map[string]Access `json:"access,omitempty"`
}

// FindCondition returns the condition of the given type, or false.
func FindCondition(conds []Condition, typ string) (Condition, bool) {
	for _, c := range conds {
		if c.Type == typ {
			return c, true
		}
	}
	return Condition{}, false
}
