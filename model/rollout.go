package model

import (
	"fmt"
	"strings"
	"time"
)

// ModelState is the state Seldon's scheduler writes into a Model's ModelReady condition.
type ModelState string

// The Model states of Seldon's scheduler (scheduler/pkg/store ModelState), spelled as Seldon writes them.
const (
	ModelStateUnknown        ModelState = "ModelStateUnknown"
	ModelStateProgressing    ModelState = "ModelProgressing"
	ModelStateAvailable      ModelState = "ModelAvailable"
	ModelStateFailed         ModelState = "ModelFailed"
	ModelStateTerminating    ModelState = "ModelTerminating"
	ModelStateTerminated     ModelState = "ModelTerminated"
	ModelStateTerminateFail  ModelState = "ModelTerminateFailed"
	ModelStateScheduleFailed ModelState = "ScheduleFailed"
	ModelStateScaledDown     ModelState = "ModelScaledDown"
	ModelStateCreate         ModelState = "ModelCreate"
	ModelStateTerminate      ModelState = "ModelTerminate"
)

var knownModelStates = map[ModelState]bool{
	ModelStateUnknown: true, ModelStateProgressing: true, ModelStateAvailable: true, ModelStateFailed: true,
	ModelStateTerminating: true, ModelStateTerminated: true, ModelStateTerminateFail: true,
	ModelStateScheduleFailed: true, ModelStateScaledDown: true, ModelStateCreate: true, ModelStateTerminate: true,
}

// RolloutPhase is the semantic summary of a pair's rollout.
type RolloutPhase string

// Rollout phases.
const (
	RolloutStable      RolloutPhase = "stable"
	RolloutProgressing RolloutPhase = "progressing"
	RolloutFailed      RolloutPhase = "failed"
	RolloutTerminating RolloutPhase = "terminating"
	RolloutUnknown     RolloutPhase = "unknown"
)

// WorkloadRollout is the rollout of the StatefulSet (or Deployment) behind a Server.
type WorkloadRollout struct {
	Known bool   `json:"known"`
	Kind  string `json:"kind,omitempty"`
	// Desired, Updated and Ready are spec.replicas, status.updatedReplicas and status.readyReplicas.
	Desired int32 `json:"desired"`
	Updated int32 `json:"updated"`
	Ready   int32 `json:"ready"`
	// Generation and ObservedGeneration of the workload; observed < generation means the controller lags.
	Generation         int64 `json:"generation,omitempty"`
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Updating is true while pods still run the old template (updated < desired or a generation not yet observed).
	Updating bool `json:"updating"`
	// Scaling is true while ready replicas differ from desired with the template fully rolled out.
	Scaling bool `json:"scaling"`
}

// RolloutState is the rollout view of one pair: the Model's Seldon state, its generations and the Server workload.
type RolloutState struct {
	Phase RolloutPhase `json:"phase"`
	// State is the Model state from the ModelReady condition ("" when Seldon has not written one yet).
	State ModelState `json:"state,omitempty"`
	// Ready is the ModelReady condition status ("True", "False", "Unknown", or "" when absent).
	Ready string `json:"ready,omitempty"`
	// Reason is Seldon's human text for the state (kept in the condition's reason field, see facts.md §3).
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	// Generation vs ObservedGeneration of the Model; RollingOut when the status lags the spec.
	Generation         int64 `json:"generation,omitempty"`
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	RollingOut         bool  `json:"rollingOut"`
	// ServerGeneration vs ServerObserved of the Server CR.
	ServerGeneration int64           `json:"serverGeneration,omitempty"`
	ServerObserved   int64           `json:"serverObserved,omitempty"`
	ServerRolling    bool            `json:"serverRolling"`
	Workload         WorkloadRollout `json:"workload"`
	// Text is the whole state on one line for the row tooltip and the detail view.
	Text string `json:"text"`
}

// Rollout derives the rollout state of a pair from its projected objects. It is pure and never fails:
// missing objects or fields give an unknown part with the reason in Text.
func Rollout(p Pair) RolloutState {
	var r RolloutState
	var parts []string

	if m := p.Model; m != nil {
		r.Generation, r.ObservedGeneration = m.Generation, m.ObservedGeneration
		// Seldon sets observedGeneration only in newer releases: 0 means "not reported", not "behind".
		r.RollingOut = m.ObservedGeneration > 0 && m.Generation > m.ObservedGeneration
		if r.RollingOut {
			parts = append(parts, fmt.Sprintf("rolling out: generation %d, observed %d", m.Generation, m.ObservedGeneration))
		}
		if c, ok := FindCondition(m.Conditions, "ModelReady"); ok {
			r.State, r.Reason = modelStateOf(c)
			r.Ready, r.Since = c.Status, c.Since
			s := string(r.State)
			if r.Reason != "" {
				s += ": " + r.Reason
			}
			parts = append(parts, s)
		} else {
			parts = append(parts, "no ModelReady condition yet")
		}
	}

	if s := p.Server; s != nil {
		r.ServerGeneration, r.ServerObserved = s.Generation, s.ObservedGeneration
		r.ServerRolling = s.ObservedGeneration > 0 && s.Generation > s.ObservedGeneration
		if r.ServerRolling {
			parts = append(parts, fmt.Sprintf("server %s rolling out: generation %d, observed %d", s.Name, s.Generation, s.ObservedGeneration))
		}
	}

	if w := p.Workload; w != nil {
		r.Workload = workloadRollout(*w)
		parts = append(parts, workloadText(r.Workload))
	} else if p.Server != nil {
		parts = append(parts, "no StatefulSet for the server yet")
	}

	r.Phase = rolloutPhase(r, p.Model != nil)
	r.Text = strings.Join(parts, "; ")
	if r.Text == "" {
		r.Text = "no Model or Server to report on"
	}
	return r
}

// modelStateOf reads the state name and human text from ModelReady. Seldon swaps the two (message = state,
// reason = text); accept the documented order too, so a fixed Seldon still reads right.
func modelStateOf(c Condition) (ModelState, string) {
	msg, reason := strings.TrimSpace(c.Message), strings.TrimSpace(c.Reason)
	switch {
	case knownModelStates[ModelState(msg)]:
		return ModelState(msg), reason
	case knownModelStates[ModelState(reason)]:
		return ModelState(reason), msg
	case msg != "" && !strings.ContainsAny(msg, " \t"):
		// An unknown single-word message is most likely a state name from a newer Seldon.
		return ModelState(msg), reason
	case c.Status == "True":
		return ModelStateAvailable, strings.TrimSpace(msg + " " + reason)
	}
	return ModelStateUnknown, strings.TrimSpace(strings.Join(nonEmpty(msg, reason), ": "))
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func workloadRollout(w Workload) WorkloadRollout {
	kind := w.Kind
	if kind == "" {
		kind = "StatefulSet"
	}
	r := WorkloadRollout{
		Known: true, Kind: kind,
		Desired: w.Replicas, Updated: w.UpdatedReplicas, Ready: w.ReadyReplicas,
		Generation: w.Generation, ObservedGeneration: w.ObservedGeneration,
	}
	r.Updating = (w.ObservedGeneration > 0 && w.Generation > w.ObservedGeneration) || w.UpdatedReplicas < w.Replicas
	r.Scaling = !r.Updating && w.ReadyReplicas != w.Replicas
	return r
}

func workloadText(w WorkloadRollout) string {
	switch {
	case w.Generation > w.ObservedGeneration && w.ObservedGeneration > 0:
		return fmt.Sprintf("%s rolling out: generation %d, observed %d; %d/%d updated, %d ready",
			w.Kind, w.Generation, w.ObservedGeneration, w.Updated, w.Desired, w.Ready)
	case w.Updating:
		return fmt.Sprintf("%s updating: %d/%d updated, %d ready", w.Kind, w.Updated, w.Desired, w.Ready)
	case w.Scaling:
		return fmt.Sprintf("%s scaling: %d/%d ready", w.Kind, w.Ready, w.Desired)
	}
	return fmt.Sprintf("%s %d/%d updated and ready", w.Kind, w.Ready, w.Desired)
}

func rolloutPhase(r RolloutState, hasModel bool) RolloutPhase {
	switch r.State {
	case ModelStateFailed, ModelStateTerminateFail:
		return RolloutFailed
	case ModelStateTerminating, ModelStateTerminate, ModelStateTerminated:
		return RolloutTerminating
	}
	if r.RollingOut || r.ServerRolling || r.Workload.Updating || r.Workload.Scaling {
		return RolloutProgressing
	}
	switch r.State {
	case ModelStateProgressing, ModelStateCreate, ModelStateScheduleFailed:
		return RolloutProgressing
	case ModelStateAvailable, ModelStateScaledDown:
		return RolloutStable
	case "":
		if !hasModel && r.Workload.Known {
			return RolloutStable // a Server without a Model has no Model state to wait for
		}
	}
	return RolloutUnknown
}

// Health maps the rollout phase to the pair health scale.
func (r RolloutState) Health() Health {
	switch r.Phase {
	case RolloutFailed:
		return Critical
	case RolloutProgressing, RolloutTerminating:
		return Converging
	}
	return Healthy
}

// Badge is the short row text for a rollout that needs attention ("" when stable).
func (r RolloutState) Badge() string {
	switch r.Phase {
	case RolloutFailed:
		return "failed"
	case RolloutTerminating:
		return "term"
	case RolloutProgressing:
		if r.RollingOut || r.ServerRolling || r.Workload.Updating {
			return "rollout"
		}
	}
	return ""
}

// RolloutFindings turns a failed or stuck rollout into findings (rule IDs TS9xx belong to rollouts).
func RolloutFindings(r RolloutState) []Finding {
	var out []Finding
	switch r.State {
	case ModelStateFailed:
		out = append(out, Finding{Rule: RuleModelFailed, Severity: SeverityCritical, Badge: "failed",
			Message: "Model failed: " + orDash(r.Reason),
			Hint:    "check the Model's storageUri and the Server's agent logs; Seldon keeps no replica of a failed Model"})
	case ModelStateTerminateFail:
		out = append(out, Finding{Rule: RuleModelFailed, Severity: SeverityWarning, Badge: "failed",
			Message: "Model failed to terminate: " + orDash(r.Reason),
			Hint:    "the scheduler could not unload the Model; check the Server's agent logs"})
	}
	if r.Badge() == "rollout" {
		out = append(out, Finding{Rule: RuleRollingOut, Severity: Info, Badge: "rollout",
			Message: r.Text,
			Hint:    "nothing to do while it progresses; it settles when the observed generation and the updated replicas catch up"})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
