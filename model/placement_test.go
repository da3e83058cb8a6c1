package model

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// ptHPA is an HPA scaling kind/target on infer_rps of Model described, as the docs write it.
func ptHPA(ns, name, kind, target, described string) HPA {
	h := jtHPA(ns, name, kind, target)
	h.Metrics = []MetricTarget{{Type: "Object", Name: "infer_rps", TargetType: "AverageValue", Target: 3,
		DescribedObject: CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: KindModel, Name: described}}}
	return h
}

// ptDocs is the docs' example: Model irisa0 without spec.server, Server mlserver, and two
// HPAs whose metric describes the Model.
func ptDocs() Inventory {
	return Inventory{
		Models:    []SeldonModel{jtModel("seldon-mesh", "irisa0", "", jtP(1), 1)},
		Servers:   []SeldonServer{jtServer("seldon-mesh", "mlserver", jtP(1))},
		Workloads: []Workload{jtSts("seldon-mesh", "mlserver", 1)},
		HPAs: []HPA{
			ptHPA("seldon-mesh", "irisa0-model-hpa", KindModel, "irisa0", "irisa0"),
			ptHPA("seldon-mesh", "mlserver-server-hpa", KindServer, "mlserver", "irisa0"),
		},
	}
}

// ptRow is what placement decides for one pair.
type ptRow struct {
	Key, Server, ScheduledOn string
	Link                     PairLink
	ModelHPA, ServerHPA      string
	Shape                    []ShapeFlag
	Elsewhere                []Placement
	Health                   Health
}

func ptSummary(p Pair) ptRow {
	r := ptRow{Key: p.Key, Server: p.ServerName, ScheduledOn: p.ScheduledOn, Link: p.Link, Shape: p.Shape,
		Elsewhere: p.Elsewhere, Health: p.Health}
	if p.ModelHPA != nil {
		r.ModelHPA = p.ModelHPA.Name
	}
	if p.ServerHPA != nil {
		r.ServerHPA = p.ServerHPA.Name
	}
	return r
}

// TestJoinPlacement checks the precedence of the three links (spec.server, then
// .status.selector, then the Server HPA's describedObject) and the disagreements flagged.
func TestJoinPlacement(t *testing.T) {
	const ns = "seldon-mesh"
	docsPair := ptRow{Key: ns + "/irisa0", Server: "mlserver", ModelHPA: "irisa0-model-hpa", ServerHPA: "mlserver-server-hpa", Health: Healthy}
	with := func(r ptRow, f func(*ptRow)) ptRow { f(&r); return r }
	tests := []struct {
		name string
		inv  func() Inventory
		want []ptRow
	}{
		{
			name: "docs: no spec.server, not yet scheduled: the Server HPA's describedObject pairs them",
			inv:  ptDocs,
			want: []ptRow{with(docsPair, func(r *ptRow) { r.Link = LinkServerHPA })},
		},
		{
			name: "docs: scheduled as Seldon writes it (server=mlserver)",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Selector = "server=mlserver"
				return inv
			},
			want: []ptRow{with(docsPair, func(r *ptRow) { r.Link, r.ScheduledOn = LinkScheduled, "mlserver" })},
		},
		{
			name: "docs: ScheduleFailed before placement leaves the selector as server=",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Selector = "server="
				return inv
			},
			want: []ptRow{with(docsPair, func(r *ptRow) { r.Link = LinkServerHPA })},
		},
		{
			name: "scheduled without any HPA",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Selector = "server=mlserver"
				inv.HPAs = nil
				return inv
			},
			want: []ptRow{with(docsPair, func(r *ptRow) {
				r.Link, r.ScheduledOn, r.ModelHPA, r.ServerHPA = LinkScheduled, "mlserver", "", ""
			})},
		},
		{
			name: "spec.server wins and agrees with the schedule",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Server, inv.Models[0].Selector = "mlserver", "server=mlserver"
				return inv
			},
			want: []ptRow{with(docsPair, func(r *ptRow) { r.Link, r.ScheduledOn = LinkSpecServer, "mlserver" })},
		},
		{
			name: "spec.server differs from where the Model is scheduled",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Server, inv.Models[0].Selector = "mlserver", "server=other"
				inv.Servers = append(inv.Servers, jtServer(ns, "other", jtP(1)))
				return inv
			},
			want: []ptRow{
				{Key: ns + "/server:other", Server: "other", Shape: []ShapeFlag{ShapeServerWithoutModel}, Health: Warning},
				with(docsPair, func(r *ptRow) {
					r.Link, r.ScheduledOn, r.Shape, r.Health = LinkSpecServer, "other", []ShapeFlag{ShapeScheduledElsewhere}, Warning
				}),
			},
		},
		{
			name: "the schedule wins over a Server HPA describing the Model elsewhere",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Selector = "server=other"
				inv.Servers = append(inv.Servers, jtServer(ns, "other", jtP(1)))
				inv.Workloads = append(inv.Workloads, jtSts(ns, "other", 1))
				return inv
			},
			want: []ptRow{
				{Key: ns + "/server:mlserver", Server: "mlserver", ServerHPA: "mlserver-server-hpa",
					Shape:     []ShapeFlag{ShapeServerWithoutModel, ShapeServerHPAElsewhere},
					Elsewhere: []Placement{{Model: "irisa0", Server: "other", Link: LinkScheduled}}, Health: Warning},
				{Key: ns + "/irisa0", Server: "other", ScheduledOn: "other", Link: LinkScheduled, ModelHPA: "irisa0-model-hpa",
					Shape: []ShapeFlag{ShapeNoServerHPA}, Health: Warning},
			},
		},
		{
			name: "spec.server wins over a Server HPA describing the Model elsewhere",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Server = "other"
				inv.Servers = append(inv.Servers, jtServer(ns, "other", jtP(1)))
				inv.Workloads = append(inv.Workloads, jtSts(ns, "other", 1))
				return inv
			},
			want: []ptRow{
				{Key: ns + "/server:mlserver", Server: "mlserver", ServerHPA: "mlserver-server-hpa",
					Shape:     []ShapeFlag{ShapeServerWithoutModel, ShapeServerHPAElsewhere},
					Elsewhere: []Placement{{Model: "irisa0", Server: "other", Link: LinkSpecServer}}, Health: Warning},
				{Key: ns + "/irisa0", Server: "other", Link: LinkSpecServer, ModelHPA: "irisa0-model-hpa",
					Shape: []ShapeFlag{ShapeNoServerHPA}, Health: Warning},
			},
		},
		{
			name: "two Server HPAs describe an unscheduled Model: the first by name pairs, the other is elsewhere",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Servers = append(inv.Servers, jtServer(ns, "a-server", jtP(1)))
				inv.Workloads = append(inv.Workloads, jtSts(ns, "a-server", 1))
				inv.HPAs = append(inv.HPAs, ptHPA(ns, "z-server-hpa", KindServer, "a-server", "irisa0"))
				return inv
			},
			want: []ptRow{
				{Key: ns + "/server:a-server", Server: "a-server", ServerHPA: "z-server-hpa",
					Shape:     []ShapeFlag{ShapeServerWithoutModel, ShapeServerHPAElsewhere},
					Elsewhere: []Placement{{Model: "irisa0", Server: "mlserver", Link: LinkServerHPA}}, Health: Warning},
				with(docsPair, func(r *ptRow) { r.Link = LinkServerHPA }),
			},
		},
		{
			name: "unscheduled: no spec.server, no selector, no Server HPA",
			inv: func() Inventory {
				inv := ptDocs()
				inv.HPAs = inv.HPAs[:1]
				return inv
			},
			want: []ptRow{
				{Key: ns + "/server:mlserver", Server: "mlserver", Shape: []ShapeFlag{ShapeServerWithoutModel}, Health: Warning},
				{Key: ns + "/irisa0", Link: LinkUnscheduled, ModelHPA: "irisa0-model-hpa", Health: Converging},
			},
		},
		{
			name: "a Model scheduled on a Server that spec.server-pinned Models also use is multi-model",
			inv: func() Inventory {
				inv := ptDocs()
				inv.Models[0].Selector = "server=mlserver"
				inv.Models = append(inv.Models, jtModel(ns, "pinned", "mlserver", jtP(1), 1))
				return inv
			},
			want: []ptRow{
				with(docsPair, func(r *ptRow) {
					r.Link, r.ScheduledOn, r.Shape, r.Health = LinkScheduled, "mlserver", []ShapeFlag{ShapeMultiModelServer}, Warning
				}),
				{Key: ns + "/pinned", Server: "mlserver", Link: LinkSpecServer, ServerHPA: "mlserver-server-hpa",
					Shape: []ShapeFlag{ShapeMultiModelServer, ShapeNoModelHPA}, Health: Warning},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs := Join(tt.inv())
			got := make([]ptRow, len(pairs))
			for i, p := range pairs {
				got[i] = ptSummary(p)
			}
			if !reflect.DeepEqual(got, tt.want) {
				for i := range max(len(got), len(tt.want)) {
					var g, w any = "(none)", "(none)"
					if i < len(got) {
						g = fmt.Sprintf("%+v", got[i])
					}
					if i < len(tt.want) {
						w = fmt.Sprintf("%+v", tt.want[i])
					}
					if g != w {
						t.Errorf("row %d\n got: %v\nwant: %v", i, g, w)
					}
				}
			}
		})
	}
}

func TestScheduledServer(t *testing.T) {
	for sel, want := range map[string]string{
		"server=mlserver":          "mlserver",
		"server=":                  "",
		"":                         "",
		"server==mlserver":         "mlserver",
		"app=x, server = mlserver": "mlserver",
		"seldon-server-name=x":     "",
	} {
		if got := ScheduledServer(sel); got != want {
			t.Errorf("ScheduledServer(%q) = %q, want %q", sel, got, want)
		}
	}
}

// TestLintPlacement checks the findings of the links: the docs' example lints clean of
// warnings, each disagreement has its rule, and unscheduled is informational.
func TestLintPlacement(t *testing.T) {
	const ns = "seldon-mesh"
	rules := func(p Pair) []string {
		var out []string
		for _, f := range Lint(p) {
			out = append(out, f.Severity.String()+" "+f.Rule)
		}
		return out
	}
	find := func(pairs []Pair, key string) Pair {
		i := slices.IndexFunc(pairs, func(p Pair) bool { return p.Key == key })
		if i < 0 {
			t.Fatalf("no pair %s in %v", key, pairs)
		}
		return pairs[i]
	}

	docs := ptDocs()
	docs.Models[0].Selector = "server=mlserver"
	if got := rules(find(Join(docs), ns+"/irisa0")); !slices.Equal(got, []string{"info TS110", "info TS110"}) {
		t.Errorf("docs' pair: %v, want only the default scale-up advice", got)
	}

	// Offline: the docs' manifests hold no Server and no status; Seldon's install brings the Server.
	offline := ptDocs()
	offline.Servers, offline.Workloads = nil, nil
	offline.Access = map[string]Access{ResourceServers: AccessUnknown}
	if got := rules(find(Join(offline), ns+"/irisa0")); !slices.Equal(got, []string{"info TS110", "info TS110"}) {
		t.Errorf("docs' manifests offline: %v", got)
	}

	moved := ptDocs()
	moved.Models[0].Server, moved.Models[0].Selector = "mlserver", "server=other"
	if got := rules(find(Join(moved), ns+"/irisa0")); !slices.Contains(got, "warning "+RuleScheduledElsewhere) {
		t.Errorf("spec.server vs schedule: %v", got)
	}

	elsewhere := ptDocs()
	elsewhere.Models[0].Selector = "server=other"
	elsewhere.Servers = append(elsewhere.Servers, jtServer(ns, "other", jtP(1)))
	got := rules(find(Join(elsewhere), ns+"/server:mlserver"))
	if !slices.Contains(got, "critical "+RuleServerHPAElsewhere) || slices.Contains(got, "critical "+RuleServerMetricOther) {
		t.Errorf("Server HPA describing a Model scheduled elsewhere: %v", got)
	}

	unscheduled := ptDocs()
	unscheduled.HPAs = unscheduled.HPAs[:1]
	if got := rules(find(Join(unscheduled), ns+"/irisa0")); !slices.Equal(got, []string{"info TS110", "info " + RuleUnscheduled}) {
		t.Errorf("unscheduled: %v", got)
	}

	missing := ptDocs()
	missing.Servers, missing.Workloads = nil, nil
	fs := Lint(find(Join(missing), ns+"/irisa0"))
	i := slices.IndexFunc(fs, func(f Finding) bool { return f.Rule == RuleServerMissing })
	if i < 0 || fs[i].Subject.Name != "mlserver-server-hpa" || fs[i].Message != "Server HPA mlserver-server-hpa describes Model irisa0 and scales Server mlserver, which does not exist" {
		t.Errorf("Server missing, linked by the Server HPA: %+v", fs)
	}
}

// TestAnalyzerUnscheduledScheduleFailed: a fresh Model that Seldon cannot place yet
// ("no matching servers are available" while its Server's first replica starts) is
// transient for a grace period, then structural.
func TestAnalyzerUnscheduledScheduleFailed(t *testing.T) {
	inv := ptDocs()
	inv.HPAs = inv.HPAs[:1]
	inv.Models[0].Selector = "server="
	inv.Models[0].AvailableReplicas = 0
	inv.Models[0].Conditions = []Condition{{Type: "ModelReady", Status: "False", Message: "ScheduleFailed",
		Reason: "Failed to schedule model as no matching servers are available", Since: jt0}}
	a := NewAnalyzer()
	model := func(now time.Time) Pair {
		pairs := Join(inv)
		a.Apply(now, pairs)
		i := slices.IndexFunc(pairs, func(p Pair) bool { return p.ModelName == "irisa0" })
		return pairs[i]
	}
	p := model(jt0.Add(20 * time.Second))
	if sf := p.ScheduleFailed; p.Link != LinkUnscheduled || sf == nil || !sf.Transient || p.Health == Critical {
		t.Fatalf("fresh: link %q, %+v, health %s", p.Link, sf, p.Health)
	}
	p = model(jt0.Add(unscheduledGrace + time.Second))
	if sf := p.ScheduleFailed; sf == nil || sf.Transient || sf.Why != "Seldon has found no Server for the Model for 2m1s" || p.Health != Critical {
		t.Fatalf("after the grace: %+v, health %s", sf, p.Health)
	}
}
