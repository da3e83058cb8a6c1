package model

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// goodPair is the Seldon docs' pair with the recommended scale-up policy on both twins.
func goodPair() Pair {
	mh := testHPA(1, 3, 3, seldonBehavior())
	sh := testHPA(1, 3, 3, seldonBehavior())
	sh.Name = "mlserver-server-hpa"
	sh.Target = CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Server", Name: "mlserver"}
	return Pair{
		Key: "seldon-mesh/irisa0", Namespace: "seldon-mesh", ModelName: "irisa0", ServerName: "mlserver",
		Model:    &SeldonModel{Meta: Meta{Namespace: "seldon-mesh", Name: "irisa0"}, Server: "mlserver", Replicas: ptr(int32(1))},
		Server:   &SeldonServer{Meta: Meta{Namespace: "seldon-mesh", Name: "mlserver"}},
		ModelHPA: &mh, ServerHPA: &sh,
	}
}

func ruleIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Rule)
	}
	return ids
}

func TestLint(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Pair)
		want   []string
		sev    map[string]Severity // severities that depend on the direction of a mismatch
	}{
		{name: "clean pair", mutate: func(p *Pair) {}},
		{name: "different metric", mutate: func(p *Pair) { p.ServerHPA.Metrics[0].Name = "infer_latency" }, want: []string{RuleMetricMismatch}},
		{name: "extra metric on one twin", mutate: func(p *Pair) {
			p.ServerHPA.Metrics = append(p.ServerHPA.Metrics, MetricTarget{Type: "Resource", Name: "cpu", TargetType: "Utilization", Target: 80})
		}, want: []string{RuleMetricMismatch, RuleNotAverageValue}},
		{name: "different describedObject", mutate: func(p *Pair) {
			p.ModelHPA.Metrics[0].DescribedObject = CrossRef{APIVersion: "v1", Kind: "Namespace", Name: "seldon-mesh"}
		}, want: []string{RuleDescribedMismatch, RuleModelMetricOther}},
		{name: "different target type", mutate: func(p *Pair) { p.ServerHPA.Metrics[0].TargetType = "Value" },
			want: []string{RuleTargetTypeMismatch, RuleNotAverageValue}},
		{name: "server target higher is critical", mutate: func(p *Pair) { p.ServerHPA.Metrics[0].Target = 5 },
			want: []string{RuleTargetValueMismatch}, sev: map[string]Severity{RuleTargetValueMismatch: SeverityCritical}},
		{name: "server target lower is a warning", mutate: func(p *Pair) { p.ServerHPA.Metrics[0].Target = 2 },
			want: []string{RuleTargetValueMismatch}, sev: map[string]Severity{RuleTargetValueMismatch: SeverityWarning}},
		{name: "targets equal in milli-units", mutate: func(p *Pair) { p.ServerHPA.Metrics[0].Target = 3.0000001 }},
		{name: "server min lower is critical", mutate: func(p *Pair) { p.ModelHPA.MinReplicas = 2 },
			want: []string{RuleMinMismatch}, sev: map[string]Severity{RuleMinMismatch: SeverityCritical}},
		{name: "server min higher is a warning", mutate: func(p *Pair) { p.ServerHPA.MinReplicas = 2 },
			want: []string{RuleMinMismatch}, sev: map[string]Severity{RuleMinMismatch: SeverityWarning}},
		{name: "server max above", mutate: func(p *Pair) { p.ServerHPA.MaxReplicas = 5 }, want: []string{RuleMaxMismatch}},
		{name: "server max below", mutate: func(p *Pair) { p.ServerHPA.MaxReplicas = 2 }, want: []string{RuleServerMaxBelowModel}},
		{name: "different stabilization", mutate: func(p *Pair) {
			p.ServerHPA.Behavior = &Behavior{ScaleUp: &ScalingRules{StabilizationWindowSeconds: ptr(int32(30)),
				Policies: []ScalingPolicy{{Type: PolicyPods, Value: 5, PeriodSeconds: 90}}}}
		}, want: []string{RuleBehaviorMismatch}},
		{name: "different policies", mutate: func(p *Pair) { p.ServerHPA.Behavior.ScaleUp.Policies[0].Value = 2 }, want: []string{RuleBehaviorMismatch}},
		{name: "policy order does not matter", mutate: func(p *Pair) {
			a := []ScalingPolicy{{Type: PolicyPods, Value: 5, PeriodSeconds: 90}, {Type: PolicyPercent, Value: 50, PeriodSeconds: 60}}
			p.ModelHPA.Behavior.ScaleUp.Policies = a
			p.ServerHPA.Behavior.ScaleUp.Policies = []ScalingPolicy{a[1], a[0]}
		}},
		{name: "different selectPolicy", mutate: func(p *Pair) { p.ServerHPA.Behavior.ScaleUp.SelectPolicy = SelectMin }, want: []string{RuleBehaviorMismatch}},
		{name: "explicit Max equals the default", mutate: func(p *Pair) { p.ServerHPA.Behavior.ScaleUp.SelectPolicy = SelectMax }},
		{name: "different tolerance", mutate: func(p *Pair) { p.ServerHPA.Behavior.ScaleDown = &ScalingRules{Tolerance: ptr(0.05)} },
			want: []string{RuleBehaviorMismatch}},
		{name: "target type Value on both", mutate: func(p *Pair) {
			p.ModelHPA.Metrics[0].TargetType = "Value"
			p.ServerHPA.Metrics[0].TargetType = "Value"
		}, want: []string{RuleNotAverageValue, RuleNotAverageValue}},
		{name: "default scale-up on both (legacy path)", mutate: func(p *Pair) { p.ModelHPA.Behavior, p.ServerHPA.Behavior = nil, nil },
			want: []string{RuleDefaultScaleUp, RuleDefaultScaleUp}},
		{name: "default scale-up policies with a window", mutate: func(p *Pair) {
			p.ModelHPA.Behavior.ScaleUp.Policies = nil
			p.ServerHPA.Behavior.ScaleUp.Policies = nil
		}, want: []string{RuleDefaultScaleUp, RuleDefaultScaleUp}},
		{name: "only one twin has behavior", mutate: func(p *Pair) { p.ServerHPA.Behavior = nil },
			want: []string{RuleBehaviorMismatch, RuleDefaultScaleUp}},
		{name: "model without replicas", mutate: func(p *Pair) { p.Model.Replicas = nil }, want: []string{RuleModelNoReplicas}},
		{name: "model with min and max", mutate: func(p *Pair) { p.Model.MinReplicas, p.Model.MaxReplicas = ptr(int32(1)), ptr(int32(3)) },
			want: []string{RuleModelMinMax}},
		{name: "server with max", mutate: func(p *Pair) { p.Server.MaxReplicas = ptr(int32(3)) }, want: []string{RuleServerMinMax}},
		{name: "server HPA on another model", mutate: func(p *Pair) {
			p.ServerHPA.Metrics[0].DescribedObject.Name = "irisa1"
		}, want: []string{RuleDescribedMismatch, RuleServerMetricOther}},
		{name: "server HPA on a model the server also serves", mutate: func(p *Pair) {
			p.ServerHPA.Metrics[0].DescribedObject.Name = "irisa1"
			p.OtherModels = []string{"irisa1"}
			p.Shape = []ShapeFlag{ShapeMultiModelServer}
		}, want: []string{RuleDescribedMismatch, RuleMultiModelServer}},
		{name: "no server HPA", mutate: func(p *Pair) { p.ServerHPA = nil; p.Shape = []ShapeFlag{ShapeNoServerHPA} },
			want: []string{RuleNoServerHPA}},
		{name: "no model HPA", mutate: func(p *Pair) { p.ModelHPA = nil; p.Shape = []ShapeFlag{ShapeNoModelHPA} },
			want: []string{RuleNoModelHPA}},
		{name: "no HPA at all is not linted", mutate: func(p *Pair) {
			p.ModelHPA, p.ServerHPA = nil, nil
			p.Model.Replicas, p.Model.MinReplicas = nil, ptr(int32(1))
		}},
		{name: "HPA whose Model does not exist", mutate: func(p *Pair) {
			*p = Pair{Key: "seldon-mesh/irisa0", Namespace: "seldon-mesh", ModelName: "irisa0", ModelHPA: p.ModelHPA,
				Shape: []ShapeFlag{ShapeHPATargetMissing}}
		}, want: []string{RuleHPATargetMissing}},
		{name: "model names a missing server", mutate: func(p *Pair) {
			p.Server, p.ServerHPA = nil, nil
			p.Shape = []ShapeFlag{ShapeServerMissing}
		}, want: []string{RuleServerMissing}},
		{name: "object problems", mutate: func(p *Pair) {
			p.Model.Problems = []string{"spec.replicas: expected integer, got string"}
			p.ServerHPA.Problems = []string{"spec.scaleTargetRef.name: missing"}
		}, want: []string{RuleObjectProblem, RuleObjectProblem}},
		{name: "several HPAs on one target", mutate: func(p *Pair) { p.Shape = []ShapeFlag{ShapeSeveralHPAs} },
			want: []string{RuleSeveralHPAs}},
		{name: "HPA without metrics", mutate: func(p *Pair) { p.ModelHPA.Metrics = nil },
			want: []string{RuleMetricMismatch, RuleNotAverageValue}},
		{name: "server without model", mutate: func(p *Pair) {
			*p = Pair{Key: "seldon-mesh/mlserver", Namespace: "seldon-mesh", ServerName: "mlserver", Server: p.Server,
				ServerHPA: p.ServerHPA, Shape: []ShapeFlag{ShapeServerWithoutModel}}
		}, want: []string{RuleServerMetricOther, RuleServerWithoutModel}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := goodPair()
			tt.mutate(&p)
			got := Lint(p)
			if ids := ruleIDs(got); !slices.Equal(ids, tt.want) {
				t.Fatalf("rules %v, want %v\n%v", ids, tt.want, got)
			}
			for _, f := range got {
				r, ok := RuleByID(f.Rule)
				if !ok || r.Live {
					t.Errorf("finding %s is not an offline rule", f.Rule)
				}
				if f.Message == "" || f.Hint == "" || f.Badge == "" || f.Subject.Name == "" {
					t.Errorf("incomplete finding %+v", f)
				}
				want, ok := tt.sev[f.Rule]
				if !ok {
					want = r.Severity
				}
				if f.Severity != want {
					t.Errorf("%s severity %v, want %v", f.Rule, f.Severity, want)
				}
			}
		})
	}
}

func TestLintMessages(t *testing.T) {
	p := goodPair()
	p.ServerHPA.MaxReplicas = 2
	f := Lint(p)[0]
	want := "Server HPA mlserver-server-hpa max 2 is below Model HPA irisa0-model-hpa max 3: at peak the Model asks for 1 replicas the Server can never host, and ScheduleFailed never clears"
	if f.Message != want || f.Field != "spec.maxReplicas" || f.Subject.String() != "HorizontalPodAutoscaler seldon-mesh/mlserver-server-hpa" {
		t.Errorf("finding %+v", f)
	}
	p = goodPair()
	p.ServerHPA.Behavior = &Behavior{ScaleUp: &ScalingRules{StabilizationWindowSeconds: ptr(int32(30)), SelectPolicy: SelectMin,
		Policies: []ScalingPolicy{{Type: PolicyPods, Value: 4, PeriodSeconds: 60}}}}
	f = Lint(p)[0]
	for _, part := range []string{"scaleUp.stabilizationWindowSeconds 1m vs 30s", "scaleUp.selectPolicy Max vs Min", "scaleUp.policies [Pods 5/1m30s] vs [Pods 4/1m]"} {
		if !strings.Contains(f.Message, part) {
			t.Errorf("behavior message %q lacks %q", f.Message, part)
		}
	}
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range AllRules {
		if seen[r.ID] || r.Name == "" || r.Summary == "" || r.Hint == "" || r.Badge == "" {
			t.Errorf("rule %d incomplete or duplicate: %+v", i, r)
		}
		seen[r.ID] = true
		if i > 0 && AllRules[i-1].ID >= r.ID {
			t.Errorf("rules out of order at %s", r.ID)
		}
		if r.Live != strings.HasPrefix(r.ID, "TS2") {
			t.Errorf("%s: live rules are TS2xx", r.ID)
		}
	}
}

// TestRulesDocumented keeps docs/rules.md in step with AllRules: a table row with the rule's
// name and a section for each rule.
func TestRulesDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, r := range AllRules {
		row := fmt.Sprintf("| [%s](#%s) | %s | ", r.ID, strings.ToLower(r.ID), r.Name)
		if !strings.Contains(doc, row) {
			t.Errorf("docs/rules.md lacks the table row %q", row)
		}
		section := fmt.Sprintf("### %s\n\n**%s** · %s", r.ID, r.Name, r.Severity)
		if !strings.Contains(doc, section) {
			t.Errorf("docs/rules.md lacks the section %q", section)
		}
		if !strings.Contains(doc, "`"+r.Badge+"`") {
			t.Errorf("docs/rules.md does not show badge %q of %s", r.Badge, r.ID)
		}
	}
}
