package whatif

import (
	"strings"
	"testing"

	"github.com/twinscale/twinscale/model"
)

func i32(v int32) *int32 { return &v }

// seldonHPA is the HPA of the Seldon docs' example: target 3, min 1, max 3, scale-up Pods 1/90s.
func seldonHPA(kind string) *model.HPA {
	return &model.HPA{
		Meta:        model.Meta{Namespace: "seldon-mesh", Name: "irisa0-" + strings.ToLower(kind) + "-hpa"},
		Target:      model.CrossRef{Kind: kind, Name: "irisa0"},
		MinReplicas: 1, MaxReplicas: 3,
		Metrics: []model.MetricTarget{{Type: "Object", Name: "infer_rps", TargetType: "AverageValue", Target: 3,
			DescribedObject: model.CrossRef{Kind: "Model", Name: "irisa0"}}},
		Behavior: &model.Behavior{ScaleUp: &model.ScalingRules{StabilizationWindowSeconds: i32(60),
			Policies: []model.ScalingPolicy{{Type: model.PolicyPods, Value: 1, PeriodSeconds: 90}}}},
	}
}

// TestEditKinds applies each kind of --set and checks the field it names, and only that field.
func TestEditKinds(t *testing.T) {
	for _, tc := range []struct {
		set   string
		check func(m, s *model.HPA) bool
	}{
		{"model.maxReplicas=5", func(m, s *model.HPA) bool { return m.MaxReplicas == 5 && s.MaxReplicas == 3 }},
		{"server.minReplicas=2", func(m, s *model.HPA) bool { return s.MinReplicas == 2 && m.MinReplicas == 1 }},
		{"both.target=4", func(m, s *model.HPA) bool { return m.Metrics[0].Target == 4 && s.Metrics[0].Target == 4 }},
		{"both.target=3500m", func(m, s *model.HPA) bool { return m.Metrics[0].Target == 3.5 && s.Metrics[0].Target == 3.5 }},
		{"model.metrics[0].object.target.averageValue=2.5", func(m, s *model.HPA) bool { return m.Metrics[0].Target == 2.5 }},
		{"server.behavior.scaleUp.policies[0].value=2", func(m, s *model.HPA) bool {
			return s.Behavior.ScaleUp.Policies[0] == model.ScalingPolicy{Type: "Pods", Value: 2, PeriodSeconds: 90} &&
				m.Behavior.ScaleUp.Policies[0].Value == 1
		}},
		{"server.behavior.scaleUp.policies[0].periodSeconds=30", func(m, s *model.HPA) bool { return s.Behavior.ScaleUp.Policies[0].PeriodSeconds == 30 }},
		{"server.behavior.scaleUp.policies[0].type=Percent", func(m, s *model.HPA) bool { return s.Behavior.ScaleUp.Policies[0].Type == "Percent" }},
		{"server.behavior.scaleUp.policies[1]=Percent 100/15s", func(m, s *model.HPA) bool {
			return len(s.Behavior.ScaleUp.Policies) == 2 && s.Behavior.ScaleUp.Policies[1] == model.ScalingPolicy{Type: "Percent", Value: 100, PeriodSeconds: 15}
		}},
		{"server.behavior.scaleUp.policies=Pods 2/30s,Percent 50/60s", func(m, s *model.HPA) bool {
			return len(s.Behavior.ScaleUp.Policies) == 2 && s.Behavior.ScaleUp.Policies[0].PeriodSeconds == 30
		}},
		{"both.behavior.scaleUp.stabilizationWindowSeconds=0", func(m, s *model.HPA) bool {
			return *m.Behavior.ScaleUp.StabilizationWindowSeconds == 0 && *s.Behavior.ScaleUp.StabilizationWindowSeconds == 0
		}},
		{"model.behavior.scaleDown.stabilizationWindowSeconds=60", func(m, s *model.HPA) bool {
			return *m.Behavior.ScaleDown.StabilizationWindowSeconds == 60 && s.Behavior.ScaleDown == nil
		}},
		{"server.behavior.scaleDown.selectPolicy=Disabled", func(m, s *model.HPA) bool { return s.Behavior.ScaleDown.SelectPolicy == "Disabled" }},
		{"server.behavior.scaleUp.tolerance=0.05", func(m, s *model.HPA) bool { return *s.Behavior.ScaleUp.Tolerance == 0.05 }},
		{"server.behavior.scaleDown.policies[0].value=50", func(m, s *model.HPA) bool {
			// Unset policies start from the defaults (Percent 100/15s).
			return s.Behavior.ScaleDown.Policies[0] == model.ScalingPolicy{Type: "Percent", Value: 50, PeriodSeconds: 15}
		}},
		{"model.behavior=none", func(m, s *model.HPA) bool { return m.Behavior == nil && s.Behavior != nil }},
	} {
		t.Run(tc.set, func(t *testing.T) {
			e, err := ParseSet(tc.set)
			if err != nil {
				t.Fatal(err)
			}
			baseM, baseS := seldonHPA("Model"), seldonHPA("Server")
			m, s, err := Apply(baseM, baseS, []Edit{e})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(m, s) {
				t.Fatalf("after %s: model %+v server %+v", tc.set, m, s)
			}
			// The inputs are untouched.
			if orig := seldonHPA("Server"); baseS.MaxReplicas != orig.MaxReplicas || len(baseS.Behavior.ScaleUp.Policies) != 1 ||
				baseS.Behavior.ScaleUp.Policies[0] != orig.Behavior.ScaleUp.Policies[0] || baseS.Metrics[0].Target != 3 {
				t.Fatalf("Apply changed its input: %+v", baseS)
			}
		})
	}
}

// TestBadEdits: every unusable --set says which field and why.
func TestBadEdits(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"server.maxReplica=5", "maxReplica: unknown field"},
		{"srv.maxReplicas=5", "unknown side"},
		{"server.maxReplicas", "want SIDE.FIELD=VALUE"},
		{"server.maxReplicas=five", `maxReplicas: want a whole number, got "five"`},
		{"model.target=fast", `target: want a number or quantity`},
		{"server.behavior.scaleUp.selectPolicy=Biggest", `want Max, Min or Disabled`},
		{"server.behavior.scaleSideways.selectPolicy=Max", `unknown direction "scaleSideways"`},
		{"server.behavior.scaleUp.policies[x].value=2", `want policies[N]`},
		{"server.behavior.scaleUp.policies[0].speed=2", `unknown policy field "speed"`},
		{"server.behavior.scaleUp.policies[0]=Pods two/30s", `want a policy such as`},
		{"server.behavior.scaleUp.policies[0].type=Nodes", `want Pods or Percent`},
	} {
		t.Run(tc.set, func(t *testing.T) {
			_, err := ParseSet(tc.set)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseSet(%q) = %v, want an error containing %q", tc.set, err, tc.want)
			}
		})
	}
	// Edits that parse but make a spec invalid, named with the field.
	for _, tc := range []struct{ set, want string }{
		{"server.minReplicas=6", "Server HPA after the edits: spec.minReplicas: 6 is more than spec.maxReplicas 3"},
		{"model.maxReplicas=0", "spec.maxReplicas: 0: must be at least 1"},
		{"both.target=0", "spec.metrics[0].object.target.averageValue: 0: must be positive"},
		{"server.behavior.scaleUp.policies[0].value=0", "spec.behavior.scaleUp.policies[0].value: 0: must be greater than 0"},
		{"server.behavior.scaleUp.policies[0].periodSeconds=3601", "periodSeconds: 3601: must be between 1 and 1800"},
		{"server.behavior.scaleUp.stabilizationWindowSeconds=4000", "stabilizationWindowSeconds: 4000: must be between 0 and 3600"},
		{"server.behavior.scaleUp.policies[3]=Pods 1/15s", "index 3 is past the end: the HPA has 1 policies"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			e, err := ParseSet(tc.set)
			if err == nil {
				_, _, err = Apply(seldonHPA("Model"), seldonHPA("Server"), []Edit{e})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s: error %v, want one containing %q", tc.set, err, tc.want)
			}
		})
	}
	e, _ := ParseSet("server.maxReplicas=5")
	if _, _, err := Apply(seldonHPA("Model"), nil, []Edit{e}); err == nil || !strings.Contains(err.Error(), "no Server HPA") {
		t.Fatalf("editing a missing Server HPA: %v", err)
	}
}
