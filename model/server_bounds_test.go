package model

import (
	"testing"
	"time"
)

// TestServerMinMaxVersusUnbounded: TS113 and TS213 never ask for opposite things. Before
// Seldon 2.10, a Server's minReplicas/maxReplicas switch on Seldon's native server
// autoscaling next to the Server HPA (TS113: remove them). From 2.10 the scheduler resizes
// Servers whatever they say and maxReplicas only bounds it, so the fix is the opposite:
// set maxReplicas to the Server HPA's (TS213 while it is unset); TS113 no longer applies.
func TestServerMinMaxVersusUnbounded(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	three, one := int32(3), int32(1)
	for _, tc := range []struct {
		name                 string
		seldon210            string // "", "modelgw", "condition" or "writer": the evidence of 2.10+
		min, max             *int32
		serverHPA            bool
		wantTS113, wantTS213 bool
	}{
		{"old Seldon, max set", "", nil, &three, true, true, false},
		{"old Seldon, min and max set", "", &one, &three, true, true, false},
		{"old Seldon, unset", "", nil, nil, true, false, false},
		{"2.10 (modelgwReady), max set to the HPA's", "modelgw", nil, &three, true, false, false},
		{"2.10 (condition), max unset", "condition", nil, nil, true, false, true},
		{"2.10 (Seldon writes replicas), min set only", "writer", &one, nil, true, false, true},
		{"2.10, max set, no Server HPA", "modelgw", nil, &three, false, false, false},
		{"old Seldon, max set, no Server HPA", "", nil, &three, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Pair{Key: "ns/iris", Namespace: "ns", ModelName: "iris", ServerName: "mlserver",
				Model:  &SeldonModel{Meta: Meta{Namespace: "ns", Name: "iris"}, Server: "mlserver", Replicas: &one},
				Server: &SeldonServer{Meta: Meta{Namespace: "ns", Name: "mlserver"}, Replicas: &one, MinReplicas: tc.min, MaxReplicas: tc.max}}
			switch tc.seldon210 {
			case "modelgw":
				p.Model.ModelgwReady = "ModelAvailable"
			case "condition":
				p.Server.Conditions = []Condition{{Type: CondWorkloadReady, Status: "True"}}
			case "writer":
				p.Server.ReplicasWriter = &FieldWriter{Manager: "manager", Operation: "Update", Time: now}
			}
			p.ModelHPA = twinHPA("iris-model-hpa", KindModel, "iris")
			if tc.serverHPA {
				p.ServerHPA = twinHPA("mlserver-server-hpa", KindServer, "mlserver")
			}
			has := func(fs []Finding, rule string) bool {
				for _, f := range fs {
					if f.Rule == rule {
						return true
					}
				}
				return false
			}
			lint, live := Lint(p), liveSeldonFindings(now, &p)
			if got := has(lint, RuleServerMinMax); got != tc.wantTS113 {
				t.Errorf("TS113 %v, want %v: %v", got, tc.wantTS113, lint)
			}
			if got := has(live, RuleServerUnbounded); got != tc.wantTS213 {
				t.Errorf("TS213 %v, want %v: %v", got, tc.wantTS213, live)
			}
		})
	}
}

func twinHPA(name, kind, target string) *HPA {
	return &HPA{Meta: Meta{Namespace: "ns", Name: name}, Target: CrossRef{Kind: kind, Name: target}, MinReplicas: 1, MaxReplicas: 3,
		Metrics: []MetricTarget{{Type: "Object", Name: "infer_rps", TargetType: "AverageValue", Target: 3,
			DescribedObject: CrossRef{Kind: KindModel, Name: "iris"}}}}
}
