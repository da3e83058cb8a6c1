package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// RuleInfo describes one rule: the stable ID, a short name, its severity and how to fix it.
// docs/rules.md documents each one with an example.
type RuleInfo struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Hint     string   `json:"hint"`
	Badge    string   `json:"badge"`
	// Live is true for rules that need a running cluster; twinscale lint never reports them.
	Live bool `json:"live,omitempty"`
}

// Rule IDs. TS1xx need only the objects' specs (offline lint); TS2xx need live state.
const (
	RuleObjectProblem        = "TS100"
	RuleMetricMismatch       = "TS101"
	RuleDescribedMismatch    = "TS102"
	RuleTargetTypeMismatch   = "TS103"
	RuleTargetValueMismatch  = "TS104"
	RuleMinMismatch          = "TS105"
	RuleMaxMismatch          = "TS106"
	RuleBehaviorMismatch     = "TS107"
	RuleNotAverageValue      = "TS108"
	RuleServerMaxBelowModel  = "TS109"
	RuleDefaultScaleUp       = "TS110"
	RuleModelNoReplicas      = "TS111"
	RuleModelMinMax          = "TS112"
	RuleServerMinMax         = "TS113"
	RuleServerMetricOther    = "TS114"
	RuleNoServerHPA          = "TS115"
	RuleNoModelHPA           = "TS116"
	RuleHPATargetMissing     = "TS117"
	RuleMultiModelServer     = "TS118"
	RuleModelMetricOther     = "TS119"
	RuleServerMissing        = "TS120"
	RuleServerWithoutModel   = "TS121"
	RuleSeveralHPAs          = "TS122"
	RuleHPAOutsideCRRange    = "TS123"
	RuleHPAMinZero           = "TS124"
	RuleScheduledElsewhere   = "TS125"
	RuleServerHPAElsewhere   = "TS126"
	RuleUnscheduled          = "TS127"
	RuleScheduleFailedTrans  = "TS201"
	RuleScheduleFailedStruct = "TS202"
	RuleSkew                 = "TS203"
	RuleMetricDivergence     = "TS204"
	RuleReadinessVsPolicy    = "TS205"
	RuleAtMax                = "TS206"
	RuleScalingInactive      = "TS207"
	RuleNotReady             = "TS208"
	RulePartial              = "TS209"
	RuleScaledToZero         = "TS210"
	RuleScalingSpecInvalid   = "TS211"
	RuleReplicaFight         = "TS212"
	RuleServerUnbounded      = "TS213"
	RuleMetricStale          = "TS214"
	RuleHPAOverdue           = "TS215"
)

// AllRules lists every rule twinscale applies, in ID order.
var AllRules = []RuleInfo{
	{RuleObjectProblem, "object-problem", SeverityWarning,
		"A field of a Model, Server or HPA is missing or has the wrong type, so twinscale (and likely the API server) cannot read it.",
		"Fix the field named in the message.", "invalid", false},
	{RuleMetricMismatch, "twin-metric-mismatch", SeverityCritical,
		"The Model HPA and the Server HPA scale on different metrics, so they never agree on a size.",
		"Use the same Object metric (infer_rps) on both HPAs.", "drift", false},
	{RuleDescribedMismatch, "twin-described-object-mismatch", SeverityCritical,
		"The twin HPAs read the metric of different described objects.",
		"Set describedObject to the Model (kind Model, the Model's name) on both HPAs.", "drift", false},
	{RuleTargetTypeMismatch, "twin-target-type-mismatch", SeverityWarning,
		"The twin HPAs use different target types.",
		"Use target.type AverageValue on both HPAs.", "drift", false},
	{RuleTargetValueMismatch, "twin-target-value-mismatch", SeverityWarning,
		"The twin HPAs use different targets per replica, so they settle on different sizes. Critical when the Server's target is higher (the Server stays smaller than the Model: ScheduleFailed).",
		"Set the same target.averageValue on both HPAs.", "drift", false},
	{RuleMinMismatch, "twin-min-mismatch", SeverityWarning,
		"The twin HPAs have different minReplicas. Critical when the Server's is lower (ScheduleFailed at low load).",
		"Set the same minReplicas on both HPAs.", "drift", false},
	{RuleMaxMismatch, "twin-max-mismatch", SeverityWarning,
		"The Server HPA's maxReplicas is above the Model HPA's: Server replicas above the Model's max stay idle.",
		"Set the same maxReplicas on both HPAs.", "drift", false},
	{RuleBehaviorMismatch, "twin-behavior-mismatch", SeverityWarning,
		"The twin HPAs have different spec.behavior (stabilization windows, policies, selectPolicy or tolerance), so they scale at different times.",
		"Copy the same spec.behavior to both HPAs.", "drift", false},
	{RuleNotAverageValue, "target-not-average-value", SeverityCritical,
		"An HPA uses a metric other than an Object metric with an AverageValue target; Seldon single-model serving supports only that (Value and pod metrics count pods by selector, and the Model's selector matches none).",
		"Use type Object with target.type AverageValue.", "target", false},
	{RuleServerMaxBelowModel, "server-max-below-model-max", SeverityCritical,
		"The Server HPA's maxReplicas is below the Model HPA's: at peak the Model asks for replicas the Server can never host, and ScheduleFailed never clears.",
		"Raise the Server HPA's maxReplicas to the Model HPA's.", "max<", false},
	{RuleDefaultScaleUp, "default-scale-up-behavior", Info,
		"The HPA uses the default scale-up behavior (Pods 4/15s and Percent 100%/15s, or the legacy max(2×current, 4)); the Seldon docs advise against its percent policy, which can ask for more Server replicas than can become ready.",
		"Set spec.behavior.scaleUp with a Pods policy sized to how fast Server replicas become ready (the docs' example: Pods 5/1m30s, stabilization 1m).", "policy", false},
	{RuleModelNoReplicas, "model-without-replicas", SeverityCritical,
		"The Model has an HPA but no explicit spec.replicas; the HPA reads 0 replicas and does nothing.",
		"Set spec.replicas on the Model (for example 1).", "replicas", false},
	{RuleModelMinMax, "model-min-max-set", SeverityCritical,
		"The Model sets minReplicas/maxReplicas, which enables Seldon's own model autoscaling; it fights the HPA.",
		"Remove minReplicas and maxReplicas from the Model; set them on the HPA.", "min/max", false},
	{RuleServerMinMax, "server-min-max-set", SeverityWarning,
		"The Server sets minReplicas/maxReplicas, which enables Seldon's native server autoscaling next to the HPA.",
		"Remove minReplicas and maxReplicas from the Server; set them on the HPA.", "min/max", false},
	{RuleServerMetricOther, "server-metric-describes-other-model", SeverityCritical,
		"The Server HPA's metric describes a Model that this Server does not serve, so the Server scales on someone else's load.",
		"Point the Server HPA's describedObject at the Model this Server serves.", "metric", false},
	{RuleNoServerHPA, "no-server-hpa", SeverityWarning,
		"The Model has an HPA but its Server has none: Model scale-ups wait for someone to scale the Server (ScheduleFailed).",
		"Add a Server HPA with the same metric, min, max and behavior as the Model HPA.", "no twin", false},
	{RuleNoModelHPA, "no-model-hpa", SeverityWarning,
		"The Server has an HPA but the Model has none: new Server replicas stay idle because the Model never asks for them.",
		"Add a Model HPA with the same metric, min, max and behavior as the Server HPA.", "no twin", false},
	{RuleHPATargetMissing, "hpa-target-missing", SeverityWarning,
		"The HPA's scaleTargetRef names an object that does not exist (or a kind that is neither Model nor Server).",
		"Fix scaleTargetRef, or delete the HPA.", "orphan", false},
	{RuleMultiModelServer, "server-serves-several-models", SeverityWarning,
		"Several Models run on this Server (by spec.server, where Seldon scheduled them, or the Server HPA that describes them); HPA single-model serving needs one Model per Server.",
		"Give each Model its own Server, or use Seldon's native server autoscaling instead of HPAs.", "multi", false},
	{RuleModelMetricOther, "model-metric-describes-other-object", SeverityWarning,
		"The Model HPA's metric describes another object than its own Model.",
		"Point describedObject at the Model the HPA scales.", "metric", false},
	{RuleServerMissing, "model-server-missing", SeverityWarning,
		"The Server the Model runs on (by spec.server, else the Server Seldon scheduled it on, else the Server whose HPA describes it) does not exist.",
		"Set spec.server to an existing Server, or fix the Server HPA's scaleTargetRef.", "no server", false},
	{RuleServerWithoutModel, "server-without-model", Info,
		"No Model runs on this Server: none names it in spec.server, is scheduled on it, or is described by its HPA.",
		"Deploy the Model this Server is for, or remove the Server.", "idle", false},
	{RuleSeveralHPAs, "several-hpas-one-target", SeverityWarning,
		"More than one HPA scales the same Model or Server; the controller reports AmbiguousSelector and neither acts reliably.",
		"Keep one HPA per target and delete the others.", "2 HPAs", false},
	{RuleHPAOutsideCRRange, "hpa-range-outside-cr-range", SeverityCritical,
		"The HPA's minReplicas/maxReplicas lie outside the Model's or Server's own minReplicas/maxReplicas. Since Seldon 2.10 replicas outside the CR's range are a terminal error: the operator sets the Server's StatefulSetOrDeploymentReady (or the Model's ModelReady) False with \"scaling spec is invalid\" and stops retrying.",
		"Keep the HPA's range inside the CR's: lower the HPA's maxReplicas (or raise its minReplicas), or widen the CR's minReplicas/maxReplicas.", "range", false},
	{RuleHPAMinZero, "hpa-min-zero-without-gate", SeverityWarning,
		"The HPA sets minReplicas: 0, which needs the HPAScaleToZero feature gate on the API server and the controller manager; twinscale saw no evidence of it (a ScaledToZero condition that is True, or the HPA at 0 replicas).",
		"Enable HPAScaleToZero (kube-apiserver and kube-controller-manager), or set minReplicas: 1.", "min 0", false},
	{RuleScheduledElsewhere, "model-scheduled-elsewhere", SeverityWarning,
		"The Model's spec.server names one Server, but Seldon scheduled it on another (.status.selector): the Server HPA of spec.server scales pods that do not serve it. Needs the Model's status.",
		"Wait for Seldon to reschedule the Model after a spec.server edit; if it stays, check the scheduler's events on the Model.", "elsewhere", false},
	{RuleServerHPAElsewhere, "server-hpa-describes-model-elsewhere", SeverityCritical,
		"The Server HPA's metric describes a Model that runs on another Server (by spec.server or where Seldon scheduled it), so this Server scales on the load of a Model it does not serve.",
		"Point the Server HPA at the Server the Model runs on, or pin the Model with spec.server.", "metric", false},
	{RuleUnscheduled, "model-unscheduled", Info,
		"The Model has no spec.server, Seldon has not scheduled it yet (.status.selector names no Server), and no Server HPA describes it: twinscale cannot tell which Server will host it.",
		"Wait for the scheduler; if it stays, read the Model's ModelReady condition. Pairing it with a Server HPA whose metric describes it shows the pair before scheduling.", "unscheduled", false},
	{RuleScheduleFailedTrans, "schedule-failed-transient", Info,
		"The Model is ScheduleFailed while its Server scales toward it; existing replicas keep serving.",
		"None needed: it clears when the new Server replicas are ready.", "SchedFail", true},
	{RuleScheduleFailedStruct, "schedule-failed-structural", SeverityCritical,
		"The Model is ScheduleFailed and its Server cannot reach the Model's replicas; existing replicas keep serving.",
		"Align the Server HPA with the Model HPA (max, target, metric) or add the missing Server HPA.", "SchedFail", true},
	{RuleSkew, "twin-skew", SeverityWarning,
		"The twin HPAs' desired replicas differ and one of them should move (its own decision changes it at its next sync) and has not for two sync periods. Twins resting apart within their decisions (tolerance dead band, policies, different min/max) are not an alert.",
		"Check both HPAs' conditions and events; recreate the twins together to align their timers.", "skew", true},
	{RuleMetricDivergence, "metric-divergence", SeverityWarning,
		"The value an HPA reports differs from live Prometheus by more than 20% for two polls: a metrics pipeline problem.",
		"Check prometheus-adapter (metricsRelistInterval ≥ scrape interval, the rate window) and the HPA's ScalingActive condition.", "metric?", true},
	{RuleReadinessVsPolicy, "policy-faster-than-readiness", Info,
		"The scale-up policy asks for replicas faster than new Server replicas become ready.",
		"Lengthen the policy period or lower its value to what Servers can deliver.", "policy", true},
	{RuleAtMax, "at-max", SeverityWarning,
		"The HPA is at maxReplicas and the metric asks for more.",
		"Raise maxReplicas on both HPAs if the load is expected.", "max", true},
	{RuleScalingInactive, "scaling-inactive", SeverityWarning,
		"The HPA cannot compute a replica count (ScalingActive is False).",
		"Read the condition message and the HPA's Warning events (custom metrics API, selector).", "inactive", true},
	{RuleNotReady, "not-ready", SeverityWarning,
		"Ready replicas have stayed below desired for longer than the skew bound without ScheduleFailed.",
		"Check the Server's pods (image pull, resources, model loading).", "unready", true},
	{RulePartial, "partial", SeverityWarning,
		"The Model is ModelReady (ModelAvailable) with fewer available replicas than spec.replicas and no ScheduleFailed: Seldon 2.9 scheduled it partially (the Model sets minReplicas) and will not place the rest by itself.",
		"Give the Server room for every replica (scale the Server, check its memory and capabilities), or lower the Model's replicas.", "partial", true},
	{RuleScaledToZero, "scaled-to-zero", Info,
		"The Model is scaled to 0 (Seldon 2.10: ModelReady False, ModelScaledDown). Neutral: nothing is wrong, but nothing serves the Model.",
		"None needed if intended; scale the Model up to serve it.", "zero", true},
	{RuleScalingSpecInvalid, "scaling-spec-invalid", SeverityCritical,
		"The operator refuses the Model's or Server's replicas because they lie outside the CR's own minReplicas/maxReplicas (\"scaling spec is invalid: number of replicas N must be <= max replicas M\") and stops retrying until the spec changes.",
		"Bring spec.replicas inside [minReplicas, maxReplicas] and keep the HPA's range inside it too (TS123).", "spec!", true},
	{RuleReplicaFight, "replica-fight", SeverityWarning,
		"Two writers keep setting the same spec.replicas back and forth (an HPA and Seldon's scheduler, or an HPA and a GitOps tool or a person).",
		"Keep one writer: raise the Server HPA's maxReplicas to what the scheduler needs (or set the Server's maxReplicas), turn off Seldon's server autoscaling, or stop the GitOps tool from owning spec.replicas (ignoreDifferences).", "fight", true},
	{RuleServerUnbounded, "server-unbounded-next-to-hpa", Info,
		"A Server HPA exists, the Server sets no maxReplicas, and the cluster runs Seldon 2.10 or later (the Model reports modelgwReady, or Seldon wrote the Server's replicas). Since Seldon 2.10 the scheduler resizes Servers itself (autoscalingServerEnabled), and without the Server's maxReplicas its bound is unlimited: it can scale the Server above the HPA's max, and the two fight.",
		"Set the Server's maxReplicas to the Server HPA's maxReplicas, or turn off Seldon's server autoscaling (autoscaling.autoscalingServerEnabled: false).", "unbounded", true},
	{RuleMetricStale, "metric-stale", SeverityWarning,
		"Prometheus has given no infer_rps for the Model in the last two polls: the RPS shown is old or missing, and the forecast falls back to the HPA's own metric.",
		"Check the header's Prometheus state, the --query, and that the Model has a seldon_model_infer_total series.", "stale", true},
	{RuleHPAOverdue, "hpa-overdue", SeverityWarning,
		"The HPA's status has not been updated for more than three sync periods (45s) while its own decision says it changes at its next sync: the HPA controller is behind (with the default client QPS, each of 1,000 HPAs is evaluated about once a minute).",
		"Raise kube-controller-manager's --kube-api-qps and --kube-api-burst (or --concurrent-horizontal-pod-autoscaler-syncs) and check its health; the header counts the overdue HPAs.", "overdue", true},
}

// RuleByID returns a rule's description.
func RuleByID(id string) (RuleInfo, bool) {
	for _, r := range AllRules {
		if r.ID == id {
			return r, true
		}
	}
	return RuleInfo{}, false
}

// newFinding builds a finding from its rule with a pair-specific message.
func newFinding(id string, sev Severity, subject ObjectRef, field, msg string) Finding {
	r, _ := RuleByID(id)
	return Finding{Rule: id, Severity: sev, Message: msg, Hint: r.Hint, Badge: r.Badge, Subject: subject, Field: field}
}

func hpaRef(h *HPA) ObjectRef {
	return ObjectRef{Kind: "HorizontalPodAutoscaler", Namespace: h.Namespace, Name: h.Name}
}

// Lint applies the rules that need only the objects' specs to one pair. It works on a Pair
// alone, so it runs on live snapshots and offline over manifests alike. Findings are sorted
// by rule ID, then subject.
func Lint(p Pair) []Finding {
	var out []Finding
	add := func(f Finding) { out = append(out, f) }
	mh, sh := p.ModelHPA, p.ServerHPA
	anyHPA := mh != nil || sh != nil

	// KEDA makes its HPAs from a ScaledObject: they are read-only here, not hand-written
	// twins, so the twin and metric rules do not apply to them.
	keda := IsKEDA(mh) || IsKEDA(sh)
	for _, h := range []*HPA{mh, sh} {
		if h != nil && !IsKEDA(h) {
			lintOneHPA(h, add)
		}
	}
	if mh != nil && sh != nil && !keda {
		lintTwins(mh, sh, add)
	}
	lintRanges(p, add)
	if mh != nil {
		for i, m := range mh.Metrics {
			if m.Type == "Object" && p.ModelName != "" && (m.DescribedObject.Kind != "Model" || m.DescribedObject.Name != p.ModelName) {
				add(newFinding(RuleModelMetricOther, SeverityWarning, hpaRef(mh), fmt.Sprintf("spec.metrics[%d].object.describedObject", i),
					fmt.Sprintf("Model HPA %s scales Model %s on %s of %s %s", mh.Name, p.ModelName, m.Name,
						orUnset(m.DescribedObject.Kind), orUnset(m.DescribedObject.Name))))
			}
		}
	}
	if sh != nil {
		served := append([]string{p.ModelName}, p.OtherModels...)
		for i, m := range sh.Metrics {
			if m.Type != "Object" || m.DescribedObject.Kind != "Model" || slices.Contains(served, m.DescribedObject.Name) {
				continue
			}
			field := fmt.Sprintf("spec.metrics[%d].object.describedObject", i)
			if at := slices.IndexFunc(p.Elsewhere, func(pl Placement) bool { return pl.Model == m.DescribedObject.Name }); at >= 0 {
				pl := p.Elsewhere[at]
				add(newFinding(RuleServerHPAElsewhere, SeverityCritical, hpaRef(sh), field,
					fmt.Sprintf("Server HPA %s scales Server %s on %s of Model %s, which runs on Server %s (%s)",
						sh.Name, sh.Target.Name, m.Name, pl.Model, pl.Server, pl.Link.Text())))
				continue
			}
			if p.Server != nil {
				add(newFinding(RuleServerMetricOther, SeverityCritical, hpaRef(sh), field,
					fmt.Sprintf("Server HPA %s scales Server %s on %s of Model %s, which that Server does not serve (it serves %s)",
						sh.Name, p.ServerName, m.Name, m.DescribedObject.Name, servedList(served))))
			}
		}
	}
	if m := p.Model; m != nil {
		ref := ObjectRef{Kind: "Model", Namespace: m.Namespace, Name: m.Name}
		switch {
		case p.Link == LinkUnscheduled:
			add(newFinding(RuleUnscheduled, Info, ref, "status.selector",
				fmt.Sprintf("Model %s is unscheduled: no spec.server, Seldon has not placed it yet, and no Server HPA describes it", m.Name)))
		case slices.Contains(p.Shape, ShapeScheduledElsewhere):
			add(newFinding(RuleScheduledElsewhere, SeverityWarning, ref, "spec.server",
				fmt.Sprintf("Model %s names Server %s in spec.server but Seldon scheduled it on Server %s (.status.selector %q)",
					m.Name, m.Server, p.ScheduledOn, m.Selector)))
		}
	}

	if m := p.Model; m != nil && anyHPA {
		ref := ObjectRef{Kind: "Model", Namespace: m.Namespace, Name: m.Name}
		if m.Replicas == nil && mh != nil {
			add(newFinding(RuleModelNoReplicas, SeverityCritical, ref, "spec.replicas",
				fmt.Sprintf("Model %s has HPA %s but no spec.replicas: the HPA reads 0 replicas and scaling stays disabled", m.Name, mh.Name)))
		}
		if m.MinReplicas != nil || m.MaxReplicas != nil {
			add(newFinding(RuleModelMinMax, SeverityCritical, ref, minMaxField(m.MinReplicas),
				fmt.Sprintf("Model %s sets %s: Seldon's own model autoscaling will fight the HPA", m.Name, minMaxText(m.MinReplicas, m.MaxReplicas))))
		}
	}
	// Before Seldon 2.10 a Server's min/max switch on its native autoscaling next to the HPA;
	// from 2.10 the scheduler resizes Servers anyway and maxReplicas only bounds it, so TS213
	// asks for it instead and TS113 would contradict it. Without evidence of the version (a
	// manifest), the message says both.
	if s := p.Server; s != nil && sh != nil && (s.MinReplicas != nil || s.MaxReplicas != nil) && !seldon210(&p) {
		add(newFinding(RuleServerMinMax, SeverityWarning, ObjectRef{Kind: "Server", Namespace: s.Namespace, Name: s.Name}, minMaxField(s.MinReplicas),
			fmt.Sprintf("Server %s sets %s: before Seldon 2.10 that runs Seldon's native server autoscaling next to HPA %s (on 2.10 or later keep maxReplicas equal to the HPA's, TS213)",
				s.Name, minMaxText(s.MinReplicas, s.MaxReplicas), sh.Name)))
	}

	switch {
	case keda:
	case mh != nil && sh == nil && p.Server != nil && !seldonWrites(p.Server.ReplicasWriter):
		add(newFinding(RuleNoServerHPA, SeverityWarning, hpaRef(mh), "",
			fmt.Sprintf("Model HPA %s has no twin: no HPA targets Server %s", mh.Name, p.ServerName)))
	case sh != nil && mh == nil && p.Model != nil:
		add(newFinding(RuleNoModelHPA, SeverityWarning, hpaRef(sh), "",
			fmt.Sprintf("Server HPA %s has no twin: no HPA targets Model %s", sh.Name, p.ModelName)))
	}
	lintProblems(p, add)
	for _, flag := range p.Shape {
		switch flag {
		case ShapeSeveralHPAs:
			if h := cmp.Or(mh, sh); h != nil {
				add(newFinding(RuleSeveralHPAs, SeverityWarning, hpaRef(h), "spec.scaleTargetRef",
					fmt.Sprintf("more than one HPA scales %s: the controller reports AmbiguousSelector", targetsText(p))))
			}
		case ShapeHPATargetMissing, ShapeHPAUnknownTarget:
			for _, h := range []*HPA{mh, sh} {
				if h != nil && ((h.Target.Kind == "Model" && p.Model == nil) || (h.Target.Kind == "Server" && p.Server == nil) ||
					(h.Target.Kind != "Model" && h.Target.Kind != "Server")) {
					add(newFinding(RuleHPATargetMissing, SeverityWarning, hpaRef(h), "spec.scaleTargetRef",
						fmt.Sprintf("HPA %s targets %s %s, which does not exist here", h.Name, orUnset(h.Target.Kind), orUnset(h.Target.Name))))
				}
			}
		case ShapeMultiModelServer:
			ref := ObjectRef{Kind: "Server", Namespace: p.Namespace, Name: p.ServerName}
			add(newFinding(RuleMultiModelServer, SeverityWarning, ref, "",
				fmt.Sprintf("Server %s serves %d Models (%s); HPA single-model serving needs one Model per Server",
					p.ServerName, len(p.OtherModels)+1, servedList(append([]string{p.ModelName}, p.OtherModels...)))))
		case ShapeServerMissing:
			if p.Model != nil {
				ref, field := ObjectRef{Kind: "Model", Namespace: p.Namespace, Name: p.ModelName}, "spec.server"
				msg := fmt.Sprintf("Model %s names Server %s, which does not exist", p.ModelName, p.ServerName)
				switch {
				case p.Link == LinkScheduled:
					field = "status.selector"
					msg = fmt.Sprintf("Model %s is scheduled on Server %s (.status.selector), which does not exist", p.ModelName, p.ServerName)
				case p.Link == LinkServerHPA && sh != nil:
					ref, field = hpaRef(sh), "spec.scaleTargetRef"
					msg = fmt.Sprintf("Server HPA %s describes Model %s and scales Server %s, which does not exist", sh.Name, p.ModelName, p.ServerName)
				}
				add(newFinding(RuleServerMissing, SeverityWarning, ref, field, msg))
			}
		case ShapeServerWithoutModel:
			if p.Server != nil {
				add(newFinding(RuleServerWithoutModel, Info, ObjectRef{Kind: "Server", Namespace: p.Namespace, Name: p.ServerName}, "",
					fmt.Sprintf("No Model runs on Server %s", p.ServerName)))
			}
		}
	}
	SortFindings(out)
	return slices.CompactFunc(out, func(a, b Finding) bool { return a.Rule == b.Rule && a.Subject == b.Subject && a.Message == b.Message })
}

// lintProblems reports the fields projection could not read, one finding per problem.
func lintProblems(p Pair, add func(Finding)) {
	report := func(ref ObjectRef, problems []string) {
		for _, pr := range problems {
			field, _, _ := strings.Cut(pr, ": ")
			add(newFinding(RuleObjectProblem, SeverityWarning, ref, field, fmt.Sprintf("%s: %s", ref, pr)))
		}
	}
	if m := p.Model; m != nil {
		report(ObjectRef{Kind: "Model", Namespace: m.Namespace, Name: m.Name}, m.Problems)
	}
	if s := p.Server; s != nil {
		report(ObjectRef{Kind: "Server", Namespace: s.Namespace, Name: s.Name}, s.Problems)
	}
	for _, h := range []*HPA{p.ModelHPA, p.ServerHPA} {
		if h != nil {
			report(hpaRef(h), h.Problems)
		}
	}
}

// SortFindings orders findings by rule ID, then subject, then message.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Subject.String(), b.Subject.String()), cmp.Compare(a.Message, b.Message))
	})
}

func lintOneHPA(h *HPA, add func(Finding)) {
	if len(h.Metrics) == 0 {
		add(newFinding(RuleNotAverageValue, SeverityCritical, hpaRef(h), "spec.metrics",
			fmt.Sprintf("HPA %s has no metrics; the API server defaults it to CPU utilization 80%%, which Seldon single-model serving does not support", h.Name)))
	}
	for i, m := range h.Metrics {
		switch {
		case m.Type != "Object":
			add(newFinding(RuleNotAverageValue, SeverityCritical, hpaRef(h), fmt.Sprintf("spec.metrics[%d].type", i),
				fmt.Sprintf("HPA %s uses a %s metric (%s); Seldon single-model serving needs an Object metric with an AverageValue target", h.Name, orUnset(m.Type), orUnset(m.Name))))
		case m.TargetType != "AverageValue":
			add(newFinding(RuleNotAverageValue, SeverityCritical, hpaRef(h), fmt.Sprintf("spec.metrics[%d].object.target.type", i),
				fmt.Sprintf("HPA %s uses target type %s for %s; only AverageValue works (Value makes both HPAs count the same pods)", h.Name, orUnset(m.TargetType), m.Name)))
		}
	}
	switch {
	case h.Behavior == nil:
		add(newFinding(RuleDefaultScaleUp, Info, hpaRef(h), "spec.behavior",
			fmt.Sprintf("HPA %s has no spec.behavior: scale-up may double replicas (or add 4) every %s, faster than Server replicas become ready", h.Name, FormatDuration(SyncPeriod))))
	case h.Behavior.ScaleUp == nil || h.Behavior.ScaleUp.Policies == nil:
		add(newFinding(RuleDefaultScaleUp, Info, hpaRef(h), "spec.behavior.scaleUp",
			fmt.Sprintf("HPA %s uses the default scale-up policies (Pods 4/15s, Percent 100%%/15s): scale-up may double replicas every %s", h.Name, FormatDuration(SyncPeriod))))
	}
}

func firstObject(h *HPA) (MetricTarget, int) {
	for i, m := range h.Metrics {
		if m.Type == "Object" {
			return m, i
		}
	}
	if len(h.Metrics) > 0 {
		return h.Metrics[0], 0
	}
	return MetricTarget{}, -1
}

func lintTwins(mh, sh *HPA, add func(Finding)) {
	ref := hpaRef(sh)
	mm, mi := firstObject(mh)
	sm, si := firstObject(sh)
	field := func(i int, suffix string) string {
		if i < 0 {
			return "spec.metrics"
		}
		return fmt.Sprintf("spec.metrics[%d]%s", i, suffix)
	}
	pair := fmt.Sprintf("Model HPA %s and Server HPA %s", mh.Name, sh.Name)
	if mi < 0 || si < 0 || mm.Type != sm.Type || mm.Name != sm.Name || len(mh.Metrics) != len(sh.Metrics) {
		add(newFinding(RuleMetricMismatch, SeverityCritical, ref, field(si, ".object.metric.name"),
			fmt.Sprintf("%s scale on different metrics: %s vs %s", pair, metricsText(mh.Metrics), metricsText(sh.Metrics))))
	}
	if mi >= 0 && si >= 0 && mm.Type == "Object" && sm.Type == "Object" && mm.DescribedObject != sm.DescribedObject {
		add(newFinding(RuleDescribedMismatch, SeverityCritical, ref, field(si, ".object.describedObject"),
			fmt.Sprintf("%s read %s of different objects: %s vs %s", pair, sm.Name, crossText(mm.DescribedObject), crossText(sm.DescribedObject))))
	}
	if mi >= 0 && si >= 0 {
		if mm.TargetType != sm.TargetType {
			add(newFinding(RuleTargetTypeMismatch, SeverityWarning, ref, field(si, ".object.target.type"),
				fmt.Sprintf("%s use different target types: %s vs %s", pair, orUnset(mm.TargetType), orUnset(sm.TargetType))))
		} else if targetMilli(mm.Target) != targetMilli(sm.Target) {
			sev, why := SeverityWarning, "the Server will keep more replicas than the Model uses (idle pods)"
			if sm.Target > mm.Target {
				sev, why = SeverityCritical, "the Server will settle below the Model's replicas (ScheduleFailed)"
			}
			add(newFinding(RuleTargetValueMismatch, sev, ref, field(si, ".object.target"),
				fmt.Sprintf("%s use different targets: %s vs %s per replica; %s", pair, FormatNumber(mm.Target), FormatNumber(sm.Target), why)))
		}
	}
	if mh.MinReplicas != sh.MinReplicas {
		sev, why := SeverityWarning, "the Server keeps idle replicas at low load"
		if sh.MinReplicas < mh.MinReplicas {
			sev, why = SeverityCritical, "at low load the Model asks for replicas the Server does not run (ScheduleFailed)"
		}
		add(newFinding(RuleMinMismatch, sev, ref, "spec.minReplicas",
			fmt.Sprintf("%s have different minReplicas: %d vs %d; %s", pair, mh.MinReplicas, sh.MinReplicas, why)))
	}
	switch {
	case sh.MaxReplicas < mh.MaxReplicas:
		add(newFinding(RuleServerMaxBelowModel, SeverityCritical, ref, "spec.maxReplicas",
			fmt.Sprintf("Server HPA %s max %d is below Model HPA %s max %d: at peak the Model asks for %d replicas the Server can never host, and ScheduleFailed never clears",
				sh.Name, sh.MaxReplicas, mh.Name, mh.MaxReplicas, mh.MaxReplicas-sh.MaxReplicas)))
	case sh.MaxReplicas > mh.MaxReplicas:
		add(newFinding(RuleMaxMismatch, SeverityWarning, ref, "spec.maxReplicas",
			fmt.Sprintf("%s have different maxReplicas: %d vs %d; Server replicas above %d stay idle", pair, mh.MaxReplicas, sh.MaxReplicas, mh.MaxReplicas)))
	}
	if diffs := BehaviorDiff(mh, sh); len(diffs) > 0 {
		add(newFinding(RuleBehaviorMismatch, SeverityWarning, ref, "spec.behavior",
			fmt.Sprintf("%s have different behavior: %s", pair, strings.Join(diffs, "; "))))
	}
}

// BehaviorDiff lists how two HPAs' scaling behavior differs (empty when they scale alike).
func BehaviorDiff(a, b *HPA) []string {
	var out []string
	if (a.Behavior == nil) != (b.Behavior == nil) {
		set, unset := "the Model HPA", "the Server HPA"
		if a.Behavior == nil {
			set, unset = unset, set
		}
		out = append(out, fmt.Sprintf("%s sets spec.behavior, %s does not (legacy path)", set, unset))
	}
	aUp, aDown := EffectiveBehavior(a.Behavior)
	bUp, bDown := EffectiveBehavior(b.Behavior)
	ta, tb := TolerancesFor(*a), TolerancesFor(*b)
	out = append(out, rulesDiff("scaleUp", aUp, bUp, ta.Up, tb.Up)...)
	out = append(out, rulesDiff("scaleDown", aDown, bDown, ta.Down, tb.Down)...)
	return out
}

func rulesDiff(dir string, a, b Rules, ta, tb float64) []string {
	var out []string
	if a.Stabilization != b.Stabilization {
		out = append(out, fmt.Sprintf("%s.stabilizationWindowSeconds %s vs %s", dir, FormatDuration(a.Stabilization), FormatDuration(b.Stabilization)))
	}
	if a.SelectPolicy != b.SelectPolicy {
		out = append(out, fmt.Sprintf("%s.selectPolicy %s vs %s", dir, a.SelectPolicy, b.SelectPolicy))
	}
	if !samePolicies(a.Policies, b.Policies) {
		out = append(out, fmt.Sprintf("%s.policies %s vs %s", dir, policiesText(a.Policies), policiesText(b.Policies)))
	}
	if ta != tb {
		out = append(out, fmt.Sprintf("%s.tolerance %s vs %s", dir, FormatNumber(ta), FormatNumber(tb)))
	}
	return out
}

// samePolicies compares two policy lists as sets (the order of policies does not matter).
func samePolicies(a, b []ScalingPolicy) bool {
	if len(a) != len(b) {
		return false
	}
	for _, p := range a {
		if !slices.Contains(b, p) {
			return false
		}
	}
	for _, p := range b {
		if !slices.Contains(a, p) {
			return false
		}
	}
	return true
}

func policiesText(ps []ScalingPolicy) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	slices.Sort(s)
	if len(s) == 0 {
		return "[]"
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func metricsText(ms []MetricTarget) string {
	if len(ms) == 0 {
		return "none"
	}
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = fmt.Sprintf("%s %s", orUnset(m.Type), orUnset(m.Name))
	}
	return strings.Join(s, ", ")
}

func targetsText(p Pair) string {
	var s []string
	if p.ModelName != "" {
		s = append(s, "Model "+p.ModelName)
	}
	if p.ServerName != "" {
		s = append(s, "Server "+p.ServerName)
	}
	if len(s) == 0 {
		return "the target"
	}
	return strings.Join(s, " or ")
}

func crossText(c CrossRef) string { return orUnset(c.Kind) + "/" + orUnset(c.Name) }

func servedList(models []string) string {
	var s []string
	for _, m := range models {
		if m != "" {
			s = append(s, m)
		}
	}
	slices.Sort(s)
	if len(s) == 0 {
		return "no Model"
	}
	return strings.Join(s, ", ")
}

func minMaxField(minR *int32) string {
	if minR != nil {
		return "spec.minReplicas"
	}
	return "spec.maxReplicas"
}

func minMaxText(minR, maxR *int32) string {
	var s []string
	if minR != nil {
		s = append(s, fmt.Sprintf("minReplicas %d", *minR))
	}
	if maxR != nil {
		s = append(s, fmt.Sprintf("maxReplicas %d", *maxR))
	}
	return strings.Join(s, " and ")
}
