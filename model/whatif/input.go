package whatif

import (
	"time"

	"github.com/twinscale/twinscale/model"
)

// Sample is one value of the pair's infer_rps (the total both HPAs read for the Model);
// NaN marks a time the metric was missing.
type Sample struct {
	At time.Time `json:"at"`
	V  float64   `json:"v"`
}

// Observation is one recorded value of an HPA's status.desiredReplicas, from when it was seen.
type Observation struct {
	At      time.Time `json:"at"`
	Desired int32     `json:"desired"`
}

// State is the pair's replicas at one instant.
type State struct {
	// ModelReplicas is the Model's spec.replicas (what its HPA last set).
	ModelReplicas int32 `json:"modelReplicas"`
	// ServerReplicas is the Server's spec.replicas: its pods, ready or starting.
	ServerReplicas int32 `json:"serverReplicas"`
	// ServerReady is how many Server pods are ready.
	ServerReady int32 `json:"serverReady"`
	// ModelAvailable is how many Model replicas are placed and serving.
	ModelAvailable int32 `json:"modelAvailable"`
}

// Input is everything one simulation needs.
type Input struct {
	// Key names the pair ("namespace/model") in messages.
	Key string
	// ModelHPA and ServerHPA are the twin HPAs' specs; nil keeps that side at its initial replicas.
	ModelHPA, ServerHPA *model.HPA
	// Metric is the infer_rps history, oldest first. Samples before Start seed the
	// controllers' memory (their recommendations over the stabilization windows).
	Metric []Sample
	// MaxAge is how long a sample answers for: at a sync, a newest sample older than
	// this means the metric is missing (0: model.SyncPeriod).
	MaxAge time.Duration
	// Start and End bound the replayed span.
	Start, End time.Time
	// ModelPhase and ServerPhase are each HPA's sync phase: it syncs at the instants
	// whose Unix time modulo model.SyncPeriod equals its phase.
	ModelPhase, ServerPhase time.Duration
	// ServerReady is how long a new Server pod takes to become ready.
	ServerReady time.Duration
	// Init is the pair's state at Start.
	Init State
	// CapacityTarget is the rps one replica serves, for the time over capacity; 0 takes
	// Target(). An edited run keeps the baseline's, so editing the target does not move the
	// capacity it is measured against.
	CapacityTarget float64
	// Step is the spacing of the timeline points (0: model.SyncPeriod).
	Step time.Duration
	// RecordedModel and RecordedServer are the real HPAs' desired replicas as recorded,
	// oldest first; when set, Match compares the simulation against them.
	RecordedModel, RecordedServer []Observation
	// Writes are the recorded writes of the Model's or Server's spec.replicas by someone
	// other than its HPA (Seldon's scheduler, a person, GitOps, the object's creator),
	// oldest first. They are replayed as recorded, in the baseline and in edited runs alike:
	// the outside writer does not react to the edit.
	Writes []ReplicaWrite
	// ModelSpecs and ServerSpecs are the HPA specs in force from each time on, oldest
	// first, when an HPA was edited during the span; the simulation switches to each at its
	// time. Empty: ModelHPA and ServerHPA hold throughout.
	ModelSpecs, ServerSpecs []SpecChange
}

// ReplicaWrite is one write of a Model's or Server's spec.replicas from outside the twin HPAs.
type ReplicaWrite struct {
	At       time.Time `json:"at"`
	Side     Side      `json:"side"`
	Replicas int32     `json:"replicas"`
	// Writer names who wrote it ("Seldon's scheduler", "kubectl", "created").
	Writer string `json:"writer,omitempty"`
}

// SpecChange is an HPA spec in force from At on (nil: the HPA was deleted).
type SpecChange struct {
	At  time.Time  `json:"at"`
	HPA *model.HPA `json:"hpa"`
}

// Side is which HPA of the pair.
type Side uint8

// The two sides of a pair.
const (
	SideModel Side = iota
	SideServer
)

// String names the side as flags and output spell it.
func (s Side) String() string {
	if s == SideServer {
		return "server"
	}
	return "model"
}

// Target is the AverageValue target the pair's capacity is measured with: the Model
// HPA's, else the Server HPA's; 0 when neither has an Object metric.
func (in Input) Target() float64 {
	for _, h := range []*model.HPA{in.ModelHPA, in.ServerHPA} {
		if h == nil {
			continue
		}
		for _, m := range h.Metrics {
			if m.Type == "Object" {
				return m.Target
			}
		}
	}
	return 0
}
