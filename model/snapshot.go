package model

import (
	"slices"
	"time"
)

// Count is a replica count that may be unknown, with the reason when it is.
type Count struct {
	Known   bool   `json:"known"`
	Value   int32  `json:"value"`
	Unknown string `json:"unknown,omitempty"` // why the value is not known ("no StatefulSet", "forbidden")
}

// Known returns a known count.
func Known(v int32) Count { return Count{Known: true, Value: v} }

// UnknownCount returns an unknown count with its reason.
func UnknownCount(reason string) Count { return Count{Unknown: reason} }

// Health is the semantic state of a pair; the UI maps it to colour and a symbol.
type Health int

// Health levels, ordered from best to worst so that max() picks the worst.
const (
	Healthy Health = iota
	Converging
	Warning
	Critical
)

// String names the health level.
func (h Health) String() string {
	switch h {
	case Healthy:
		return "healthy"
	case Converging:
		return "converging"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return "unknown"
}

// Severity of a finding.
type Severity int

// Severities, ordered so that a higher value is worse.
const (
	Info Severity = iota
	SeverityWarning
	SeverityCritical
)

// String names the severity as the CLI and JSON output spell it.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityCritical:
		return "critical"
	}
	return "unknown"
}

// MarshalText spells the severity in JSON and YAML output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one rule result on a pair: a shape problem, a drift lint, or a live alert.
type Finding struct {
	Rule     string   `json:"rule"` // stable ID, e.g. "TS001"
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	Badge    string   `json:"badge,omitempty"` // short text for the row ("SchedFail", "drift", "max")
	// Subject is the object the finding is about (offline lint maps it to file:line).
	Subject ObjectRef `json:"subject,omitzero"`
	// Field is the field path within Subject the finding points at ("spec.maxReplicas").
	Field string `json:"field,omitempty"`
}

// ObjectRef names one object of a pair for a finding.
type ObjectRef struct {
	Kind      string `json:"kind"` // Model, Server, HorizontalPodAutoscaler
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// String renders the reference as "Kind namespace/name".
func (r ObjectRef) String() string { return r.Kind + " " + r.Namespace + "/" + r.Name }

// ShapeFlag names a way a pair breaks the 1:1 single-model serving shape.
type ShapeFlag string

// Shape flags. A pair with a flag is kept and shown, never dropped.
const (
	ShapeMultiModelServer   ShapeFlag = "server-serves-several-models"
	ShapeNoModelHPA         ShapeFlag = "no-model-hpa"
	ShapeNoServerHPA        ShapeFlag = "no-server-hpa"
	ShapeHPATargetMissing   ShapeFlag = "hpa-target-missing"
	ShapeServerMissing      ShapeFlag = "server-missing"
	ShapeServerWithoutModel ShapeFlag = "server-without-model"
	ShapeHPAUnknownTarget   ShapeFlag = "hpa-targets-unknown-kind"
	// ShapeScheduledElsewhere: the Model's spec.server names one Server, its
	// .status.selector another.
	ShapeScheduledElsewhere ShapeFlag = "scheduled-elsewhere"
	// ShapeServerHPAElsewhere: the pair's Server HPA describes a Model that runs on
	// another Server (see Pair.Elsewhere).
	ShapeServerHPAElsewhere ShapeFlag = "server-hpa-describes-model-elsewhere"
)

// ScheduleFailed describes a Model whose ModelReady condition is False with ScheduleFailed.
type ScheduleFailed struct {
	Since  time.Time `json:"since,omitzero"`
	Reason string    `json:"reason"` // Seldon's human text (it is in the condition's reason field)
	// Transient is true while the Server is scaling toward the Model; false when it cannot get there.
	Transient bool   `json:"transient"`
	Why       string `json:"why,omitempty"`
	// ExpectedClear estimates when it clears from measured Server readiness time (zero if unknown).
	ExpectedClear time.Time `json:"expectedClear,omitzero"`
	// Serving is how many Model replicas keep serving meanwhile (the Model's available replicas).
	Serving int32 `json:"serving"`
}

// Pair is one Seldon Model and its Server with their two HPAs: the row of the dashboard.
type Pair struct {
	Key string `json:"key"` // namespace/model; namespace/server:NAME for a Server without a Model; namespace/hpa:NAME for an HPA row; CLUSTER/… when several clusters are watched (see ClusterKey)
	// Cluster is the kubeconfig context the pair was read from when several clusters are watched; empty with one.
	Cluster    string `json:"cluster,omitempty"`
	Namespace  string `json:"namespace"`
	ModelName  string `json:"model,omitempty"`
	ServerName string `json:"server,omitempty"`
	// Link says how the Model was paired with ServerName; empty on rows without a Model.
	Link PairLink `json:"link,omitempty"`
	// ScheduledOn is the Server the Model's .status.selector names; empty until scheduled.
	ScheduledOn string `json:"scheduledOn,omitempty"`
	// Elsewhere lists the Models the pair's Server HPA describes that run on another Server.
	Elsewhere []Placement `json:"elsewhere,omitempty"`

	Model     *SeldonModel  `json:"-"`
	Server    *SeldonServer `json:"-"`
	Workload  *Workload     `json:"-"`
	ModelHPA  *HPA          `json:"-"`
	ServerHPA *HPA          `json:"-"`

	ModelDesired  Count `json:"modelDesired"`
	ModelReady    Count `json:"modelReady"`
	ServerDesired Count `json:"serverDesired"`
	ServerReady   Count `json:"serverReady"`

	ScheduleFailed *ScheduleFailed `json:"scheduleFailed,omitempty"`
	// State is what today's Seldon says beyond the counts: partial, scaled to 0, or a scaling
	// spec the operator refuses (see SeldonState); empty when none applies.
	State PairState `json:"state,omitempty"`
	// StateText is the operator's or scheduler's own words for State.
	StateText string `json:"stateText,omitempty"`
	// ModelgwReady is the Model's status.modelgwReady (Seldon 2.10+), shown but never a health input.
	ModelgwReady string `json:"modelgwReady,omitempty"`
	// Mode is who scales the pair: twin HPAs, a Model HPA with a Seldon-managed Server, KEDA, or nobody.
	Mode ScalingMode `json:"mode,omitempty"`
	// Rollout is the Model's Seldon state, its generations and the Server workload's rollout (see Rollout).
	Rollout *RolloutState `json:"rollout,omitempty"`
	// Changes are the pair's recent spec changes, newest first (see ChangeLog).
	Changes []Change `json:"changes,omitempty"`
	// Ramp says whether scale-up keeps pace with the observed RPS ramp (see CheckRamp).
	Ramp  *RampCheck  `json:"ramp,omitempty"`
	Shape []ShapeFlag `json:"shape,omitempty"`
	// OtherModels lists the other Models served by this pair's Server (multi-model shape).
	OtherModels []string  `json:"otherModels,omitempty"`
	Findings    []Finding `json:"findings,omitempty"`
	Events      []Event   `json:"events,omitempty"` // recent Events of the pair's four objects, newest first
	Health      Health    `json:"health"`

	Metric PairMetric `json:"metric"`
	Skew   Skew       `json:"skew"`
	// Forecast of each HPA's next decision, in words and numbers.
	ModelForecast  *Forecast `json:"modelForecast,omitempty"`
	ServerForecast *Forecast `json:"serverForecast,omitempty"`
	// Readiness is how long new Server replicas take to become ready, as measured.
	Readiness Readiness `json:"readiness"`
	// Spark holds the last points of RPS for the inline sparkline (oldest first, NaN for gaps).
	Spark []float64 `json:"-"`
	// Rev names this derivation of the pair: a Tracker gives a pair a new Rev each time it
	// derives it and keeps it while it reuses it unchanged, so two pairs with the same
	// non-zero Rev are equal (only the snapshot's time differs). Zero means unknown.
	Rev uint64 `json:"-"`
}

// Readiness is the measured time new Server replicas take to become ready (rolling median).
type Readiness struct {
	Median  time.Duration `json:"median"`
	Samples int           `json:"samples"`
}

// PairMetric is the live infer_rps of a pair from Prometheus, next to what each HPA reported.
type PairMetric struct {
	Known      bool      `json:"known"`
	RPS        float64   `json:"rps"`
	Target     float64   `json:"target"` // AverageValue target per replica (from the Model HPA, else the Server HPA)
	Stale      bool      `json:"stale"`
	SampledAt  time.Time `json:"sampledAt,omitzero"`
	LatencySec float64   `json:"latencySeconds"`
	HasLatency bool      `json:"hasLatency"`
	ErrorRate  float64   `json:"errorRate"` // non-2xx requests per second
	HasErrors  bool      `json:"hasErrors"`
	// Problem describes an unusable value (NaN, Inf, negative) in words; empty when fine.
	Problem string `json:"problem,omitempty"`
	// APIValue is the Model's infer_rps as the custom metrics API serves it to the HPA
	// controller (the total it divides by the target's replicas); APIProblem says why it is
	// unknown ("forbidden", "no value", an error) when twinscale asked.
	APIValue    float64 `json:"apiValue"`
	HasAPIValue bool    `json:"hasApiValue"`
	APIProblem  string  `json:"apiProblem,omitempty"`
	// Cause names the metrics pipeline's fault when an HPA of the pair cannot read its
	// metric (FailedGetObjectMetric) and the custom metrics API is not Available.
	Cause string `json:"cause,omitempty"`
}

// Skew is how far apart the twin HPAs are in time and size.
type Skew struct {
	// DesiredDiff is Model HPA desired minus Server HPA desired.
	DesiredDiff int32 `json:"desiredDiff"`
	// DifferentSince is when the two desired counts started to differ (zero if equal).
	DifferentSince time.Time `json:"differentSince,omitzero"`
	// LastLag is the measured lag between the twins' decisions to the same size.
	LastLag time.Duration `json:"lastLag"`
	// Bound is how long an HPA may be due to move (its forecast says it changes at its next
	// sync) before the skew is an alert: two sync periods.
	Bound time.Duration `json:"bound"`
	// Alert is true when the twins differ and one of them should move and has not for longer
	// than Bound. Twins that differ while both decisions hold (the tolerance dead band, policies,
	// stabilization, min/max) rest legitimately and raise no alert, however long.
	Alert bool `json:"alert"`
	// Resting is true when the twins differ and neither HPA's forecast moves it.
	Resting bool `json:"resting,omitempty"`
	// Stuck names the HPA that should move and does not ("Model" or "Server"), with the move
	// it is due to make and since when; empty without an alert.
	Stuck      string    `json:"stuck,omitempty"`
	StuckMove  string    `json:"stuckMove,omitempty"` // "11 → 10"
	StuckSince time.Time `json:"stuckSince,omitzero"`
	// ModelPhase and ServerPhase estimate each HPA's sync phase within its 15 s period.
	ModelPhase  time.Duration `json:"modelPhase"`
	ServerPhase time.Duration `json:"serverPhase"`
	PhaseKnown  bool          `json:"phaseKnown"`
	// ModelPhaseKnown and ServerPhaseKnown say which phase could be estimated; PhaseKnown is both.
	ModelPhaseKnown  bool `json:"modelPhaseKnown"`
	ServerPhaseKnown bool `json:"serverPhaseKnown"`
	// PhaseOffset is how long after the Model HPA the Server HPA syncs, in [0, 15 s).
	PhaseOffset time.Duration `json:"phaseOffset"`
	// ModelChanges and ServerChanges are the recent changes of each HPA's desired replicas, oldest first.
	ModelChanges  []DesiredChange `json:"modelChanges,omitempty"`
	ServerChanges []DesiredChange `json:"serverChanges,omitempty"`
	// Measured is true when both HPAs exist and skew is tracked for the pair.
	Measured bool `json:"measured"`
}

// DesiredChange is one observed change of an HPA's desired replicas. From is 0 when
// unknown (a change known only from an Event older than the watch).
type DesiredChange struct {
	At     time.Time `json:"at"`
	From   int32     `json:"from"`
	To     int32     `json:"to"`
	Source string    `json:"source"` // "status" (seen by the watch) or "event" (SuccessfulRescale)
}

// Forecast is what an HPA will do at its next sync, and why.
type Forecast struct {
	Current  int32         `json:"current"`
	Desired  int32         `json:"desired"`
	Ratio    float64       `json:"ratio"`
	NextSync time.Duration `json:"nextSync"` // estimated time to the next sync, 0 if unknown
	Limited  string        `json:"limited,omitempty"`
	Text     string        `json:"text"` // "stays at 2: ratio 1.04 is within tolerance"

	// Total is the metric total the forecast used; TotalFrom says where it came from
	// ("custom metrics API", what the controller reads; "prometheus"; or "hpa" for the HPA's
	// averageValue × replicas); empty when unknown.
	Total     float64 `json:"total"`
	TotalFrom string  `json:"totalFrom,omitempty"`
	Target    float64 `json:"target"`
	// PerReplica is total / the target's .status.replicas; PerReplicaText is "n/a (0 replicas)" at 0.
	PerReplica     float64 `json:"perReplica"`
	PerReplicaText string  `json:"perReplicaText"`
	// Reported is the averageValue in the HPA's status.currentMetrics; ReportedText explains
	// a missing value or the division-by-zero artefact.
	Reported     float64 `json:"reported"`
	HasReported  bool    `json:"hasReported"`
	ReportedText string  `json:"reportedText"`
	// Divergence is |HPA's view - Prometheus| relative to the larger; Diverged is true after two
	// polls above 20%.
	Divergence float64 `json:"divergence"`
	Diverged   bool    `json:"diverged"`
	// Approximate is true when the stabilization memory was reconstructed from observation.
	Approximate bool `json:"approximate"`
	// At is the moment the decision was evaluated: the estimated next sync (now when unknown),
	// so windows and periods that expire before it count.
	At time.Time `json:"at,omitzero"`
	// MoveSince is when the forecast started to say the HPA changes at its next sync, without
	// interruption; zero while it says the HPA stays.
	MoveSince time.Time `json:"moveSince,omitzero"`
	// LastWrite is when the HPA's status was last seen to change (when first seen, before any).
	LastWrite time.Time `json:"lastWrite,omitzero"`
	// Overdue is true when the move has been owed for longer than OverdueAfter without a status
	// update (TS215); OverdueFor is how long it has been owed.
	Overdue    bool          `json:"overdue,omitempty"`
	OverdueFor time.Duration `json:"overdueFor,omitempty"`
	// Decision holds every intermediate value of the reproduced controller decision.
	Decision Decision `json:"decision"`
}

// WatchState is the state of the cluster watch as shown in the header.
type WatchState struct {
	Context           string            `json:"context,omitempty"`
	Cluster           string            `json:"cluster,omitempty"`
	Namespaces        []string          `json:"namespaces,omitempty"` // empty means all
	Synced            bool              `json:"synced"`
	SyncedKinds       int               `json:"syncedKinds"`
	TotalKinds        int               `json:"totalKinds"`
	Connected         bool              `json:"connected"`
	DisconnectedSince time.Time         `json:"disconnectedSince,omitzero"`
	LastError         string            `json:"lastError,omitempty"`
	Access            map[string]Access `json:"access,omitempty"`
	// File is the snapshot file being shown (--snapshot-file): nothing is live, the header says
	// it is a file from the snapshot's time.
	File string `json:"file,omitempty"`
	// Failing says, per resource that has not synced, why the API server refuses it
	// ("API server answers 500 to list models: ..."), in resource order.
	Failing []string `json:"failing,omitempty"`
}

// Blind reports why the pairs cannot be trusted to be complete: the watch has not synced, or the
// API server refuses to list Models or Servers. Empty when the pairs are what the cluster has, so
// a header may say "no alerts" only then.
func (w WatchState) Blind() string {
	if len(w.Failing) > 0 {
		return w.Failing[0]
	}
	for _, r := range []string{ResourceModels, ResourceServers} {
		if a := w.Access[r]; a == AccessForbidden || a == AccessNotInstalled {
			return r + " " + string(a)
		}
	}
	if !w.Synced {
		return "not synced yet"
	}
	return ""
}

// PromState is the state of the Prometheus poller as shown in the header.
type PromState struct {
	Configured  bool      `json:"configured"`
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	Failures    int       `json:"failures"`
	// BadQuery is true when Prometheus answered and refused the query itself (a PromQL error):
	// Prometheus is up, the query is wrong.
	BadQuery bool      `json:"badQuery,omitempty"`
	Stale    bool      `json:"stale"`
	NextPoll time.Time `json:"nextPoll,omitzero"`
	// Warning is a non-fatal problem to show next to the state: an empty result,
	// Prometheus' own warnings, or a failed latency or error-rate query.
	Warning string `json:"warning,omitempty"`
	// Target names the Prometheus being polled, with any credentials removed.
	Target string `json:"target,omitempty"`
}

// Snapshot is an immutable view of every pair at one moment.
type Snapshot struct {
	Taken time.Time  `json:"taken"`
	Watch WatchState `json:"watch"`
	Prom  PromState  `json:"prometheus"`
	// MetricsAPI is the health of the custom/external metrics APIs the HPAs read through.
	MetricsAPI MetricsAPIState `json:"metricsApi,omitzero"`
	Pairs      []Pair          `json:"pairs"`
	// Events are the recent Events across all pairs, newest first (the events pane).
	Events []Event `json:"events,omitempty"`
	// Changes are the recent spec changes across all pairs, newest first (the events pane merges them).
	Changes []Change `json:"changes,omitempty"`
	// Clusters is each watched cluster's state when several are watched (Watch, Prom and
	// MetricsAPI then sum them up); empty with one.
	Clusters []ClusterState `json:"clusters,omitempty"`
}

// Pair returns the pair with key, and whether there is one.
func (s *Snapshot) Pair(key string) (Pair, bool) {
	for _, p := range s.Pairs {
		if p.Key == key {
			return p, true
		}
	}
	return Pair{}, false
}

// PairHistory is the full recorded history of one pair, for the detail view's charts.
// Every series has the same length and is aligned to Start + i*Step; NaN marks a gap.
type PairHistory struct {
	Key           string        `json:"key"`
	Start         time.Time     `json:"start"`
	Step          time.Duration `json:"step"`
	RPS           []float64     `json:"rps"`
	Capacity      []float64     `json:"capacity"` // target × ready Server replicas
	Latency       []float64     `json:"latency"`
	Errors        []float64     `json:"errors"`
	ModelDesired  []float64     `json:"modelDesired"`
	ModelReady    []float64     `json:"modelReady"`
	ServerDesired []float64     `json:"serverDesired"`
	ServerReady   []float64     `json:"serverReady"`
	// Unusable counts metric values stored as gaps because they were NaN, ±Inf, negative or huge.
	Unusable int `json:"unusable,omitempty"`
	// Problem describes the newest sample's unusable values; empty when fine.
	Problem string `json:"problem,omitempty"`
}

// Clone returns a copy of h that shares no slice with it.
func (h PairHistory) Clone() PairHistory {
	h.RPS = slices.Clone(h.RPS)
	h.Capacity = slices.Clone(h.Capacity)
	h.Latency = slices.Clone(h.Latency)
	h.Errors = slices.Clone(h.Errors)
	h.ModelDesired = slices.Clone(h.ModelDesired)
	h.ModelReady = slices.Clone(h.ModelReady)
	h.ServerDesired = slices.Clone(h.ServerDesired)
	h.ServerReady = slices.Clone(h.ServerReady)
	return h
}

// MetricSample is one pair's metric values from one Prometheus poll.
type MetricSample struct {
	RPS        float64 `json:"rps"`
	Latency    float64 `json:"latency"` // average seconds per request
	HasLatency bool    `json:"hasLatency"`
	Errors     float64 `json:"errors"` // non-2xx requests per second
	HasErrors  bool    `json:"hasErrors"`
	// Problem describes values that were unusable (NaN, ±Inf, negative, huge) and are
	// NaN here; empty when fine. Set by History, not by the poller.
	Problem string `json:"problem,omitempty"`
}

// MetricsPoll is the result of one Prometheus poll for all pairs, keyed by "namespace/model".
type MetricsPoll struct {
	At      time.Time               `json:"at"`
	Samples map[string]MetricSample `json:"samples"`
}

// Backfill is the range-query history fetched at start, keyed by "namespace/model",
// each series aligned to Start + i*Step with NaN for missing steps.
type Backfill struct {
	Start  time.Time            `json:"start"`
	Step   time.Duration        `json:"step"`
	Series map[string][]float64 `json:"series"`
}
