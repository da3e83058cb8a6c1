package model

import (
	"fmt"
	"strings"
	"time"
)

// PairState is what Seldon 2.9+ reports about a pair beyond its replica counts.
type PairState string

// Pair states. Each has its own colour rule: partial is never green, scaled to 0 is
// neutral, an invalid scaling spec is critical.
const (
	// StatePartial: the Model has fewer available replicas than spec.replicas and no
	// ScheduleFailed; Seldon 2.9 may call it ModelAvailable (partial scheduling, #6221).
	StatePartial PairState = "partial"
	// StateScaledToZero: spec.replicas is 0 (Seldon 2.10 writes ModelReady=False, ModelScaledDown).
	StateScaledToZero PairState = "scaled to 0"
	// StateScalingSpecInvalid: the operator refuses the replicas outside the CR's own
	// [minReplicas, maxReplicas] and stops retrying (Seldon 2.10, a TerminalError).
	StateScalingSpecInvalid PairState = "scaling spec invalid"
)

// scalingSpecInvalid is the start of the operator's error for replicas outside the CR's
// own min/max: "scaling spec is invalid: number of replicas 5 must be <= max replicas 4".
const scalingSpecInvalid = "scaling spec is invalid"

// Server condition types: Seldon 2.10 renamed StatefulSetReady to StatefulSetOrDeploymentReady.
const (
	CondWorkloadReady    = "StatefulSetOrDeploymentReady"
	CondStatefulSetReady = "StatefulSetReady"
)

// SeldonState derives a pair's State and the operator's text for it. The invalid scaling
// spec wins over the others: nothing changes until someone fixes the spec.
func SeldonState(p *Pair) (PairState, string) {
	if s := p.Server; s != nil {
		if text, ok := serverSpecError(s); ok {
			return StateScalingSpecInvalid, "Server " + s.Name + ": " + text
		}
	}
	m := p.Model
	if m == nil {
		return "", ""
	}
	if c, ok := FindCondition(m.Conditions, "ModelReady"); ok && c.Status == "False" {
		state, text := modelStateOf(c)
		if state == ModelStateFailed && strings.Contains(c.Reason+" "+c.Message, scalingSpecInvalid) {
			return StateScalingSpecInvalid, "Model " + m.Name + ": " + specErrorText(c)
		}
		if state == ModelStateScaledDown {
			return StateScaledToZero, string(ModelStateScaledDown) + orEmpty(": ", text)
		}
	}
	if m.Replicas != nil && *m.Replicas == 0 {
		return StateScaledToZero, "spec.replicas is 0"
	}
	spec := joinDesired(m.Replicas).Value
	if spec > 0 && m.AvailableReplicas < spec && p.ScheduleFailed == nil {
		return StatePartial, fmt.Sprintf("%d of %d replicas available", m.AvailableReplicas, spec)
	}
	return "", ""
}

// serverSpecError finds the operator's scaling-spec error in any False condition of the
// Server (StatefulSetOrDeploymentReady in 2.10+, StatefulSetReady before, or Ready).
func serverSpecError(s *SeldonServer) (string, bool) {
	for _, c := range s.Conditions {
		if c.Status == "False" && strings.Contains(c.Reason+" "+c.Message, scalingSpecInvalid) {
			return specErrorText(c), true
		}
	}
	return "", false
}

// specErrorText is the condition field that holds the operator's error (Seldon puts it in
// the message or the reason depending on the call).
func specErrorText(c Condition) string {
	if strings.Contains(c.Message, scalingSpecInvalid) {
		return strings.TrimSpace(c.Message)
	}
	return strings.TrimSpace(c.Reason)
}

func orEmpty(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// modelReadyTrue reports whether the Model's ModelReady condition is True.
func modelReadyTrue(m *SeldonModel) bool {
	if m == nil {
		return false
	}
	c, ok := FindCondition(m.Conditions, "ModelReady")
	return ok && c.Status == "True"
}

// StateFindings are the live findings of a pair's State (TS209-TS211).
func StateFindings(p *Pair) []Finding {
	model := ObjectRef{Kind: KindModel, Namespace: p.Namespace, Name: p.ModelName}
	switch p.State {
	case StatePartial:
		if !modelReadyTrue(p.Model) {
			return nil // still progressing: the row converges, TS208 watches how long
		}
		return []Finding{newFinding(RulePartial, SeverityWarning, model, "status.availableReplicas",
			fmt.Sprintf("Model %s is ready with only %s: Seldon scheduled it partially and will not add the rest by itself",
				p.ModelName, p.StateText))}
	case StateScaledToZero:
		return []Finding{newFinding(RuleScaledToZero, Info, model, "spec.replicas",
			fmt.Sprintf("Model %s is scaled to 0 (%s); nothing serves it until it scales up", p.ModelName, p.StateText))}
	case StateScalingSpecInvalid:
		subject, field := model, "spec.replicas"
		if strings.HasPrefix(p.StateText, "Server ") {
			subject = ObjectRef{Kind: KindServer, Namespace: p.Namespace, Name: p.ServerName}
		}
		return []Finding{newFinding(RuleScalingSpecInvalid, SeverityCritical, subject, field,
			p.StateText+"; the operator stopped retrying")}
	}
	return nil
}

// joinSeldon sets the fields of a pair that today's Seldon adds: State, ModelgwReady, Mode.
func joinSeldon(p *Pair) {
	p.State, p.StateText = SeldonState(p)
	p.ModelgwReady = ""
	if p.Model != nil {
		p.ModelgwReady = p.Model.ModelgwReady
	}
	p.Mode = ModeOf(p)
}

// stuckBySpec makes a transient ScheduleFailed structural while the operator refuses the
// Server's replicas: the Server will not grow until someone fixes its spec.
func stuckBySpec(p *Pair) {
	sf := p.ScheduleFailed
	if p.State != StateScalingSpecInvalid || sf == nil || !sf.Transient {
		return
	}
	c := *sf
	c.Transient, c.ExpectedClear = false, time.Time{}
	c.Why = "the operator refuses the replicas (" + p.StateText + ")"
	p.ScheduleFailed = &c
	for i, f := range p.Findings {
		if f.Rule == RuleScheduleFailedTrans {
			r, _ := RuleByID(RuleScheduleFailedStruct)
			f.Rule, f.Severity, f.Hint = RuleScheduleFailedStruct, SeverityCritical, r.Hint
			f.Message = "ScheduleFailed (" + sf.Reason + "): " + c.Why
			p.Findings[i] = f
		}
	}
}
