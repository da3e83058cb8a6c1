package model

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"
)

// Builders for join tests; prefixed so they do not collide with other tests in the package.

var jt0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func jtP(v int32) *int32 { return &v }

func jtModel(ns, name, server string, replicas *int32, available int32, conds ...Condition) SeldonModel {
	return SeldonModel{Meta: Meta{Namespace: ns, Name: name}, Server: server, Replicas: replicas,
		StatusReplicas: available, AvailableReplicas: available, Conditions: conds}
}

func jtServer(ns, name string, replicas *int32) SeldonServer {
	return SeldonServer{Meta: Meta{Namespace: ns, Name: name}, Replicas: replicas, ServerConfig: "mlserver"}
}

func jtSts(ns, name string, ready int32) Workload {
	return Workload{Meta: Meta{Namespace: ns, Name: name}, Kind: "StatefulSet", Replicas: ready, ReadyReplicas: ready}
}

func jtDeploy(ns, name string, ready int32) Workload {
	return Workload{Meta: Meta{Namespace: ns, Name: name}, Kind: "Deployment", Replicas: ready, ReadyReplicas: ready}
}

func jtHPA(ns, name, kind, target string) HPA {
	return HPA{Meta: Meta{Namespace: ns, Name: name},
		Target:      CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: kind, Name: target},
		MinReplicas: 1, MaxReplicas: 5}
}

func jtEvent(ns, kind, name, reason string, last time.Time) Event {
	return Event{Namespace: ns, Object: CrossRef{Kind: kind, Name: name}, Type: "Normal", Reason: reason,
		Message: reason + " " + name, Count: 1, First: last, Last: last}
}

// jtPairInv is one healthy pair: Model and Server at 2/2 with both HPAs.
func jtPairInv(ns, m, s string) Inventory {
	return Inventory{
		Models:    []SeldonModel{jtModel(ns, m, s, jtP(2), 2)},
		Servers:   []SeldonServer{jtServer(ns, s, jtP(2))},
		Workloads: []Workload{jtSts(ns, s, 2)},
		HPAs:      []HPA{jtHPA(ns, m+"-hpa", KindModel, m), jtHPA(ns, s+"-hpa", KindServer, s)},
	}
}

// jtRow is the part of a Pair the join derives, with objects named rather than pointed to.
type jtRow struct {
	Key, Model, Server  string
	MDesired, MReady    Count
	SDesired, SReady    Count
	ModelObj, ServerObj string
	Workload            string
	ModelHPA, ServerHPA string
	Shape               []ShapeFlag
	Others              []string
	SchedFailed         *ScheduleFailed
	Health              Health
}

func jtSummary(p Pair) jtRow {
	r := jtRow{Key: p.Key, Model: p.ModelName, Server: p.ServerName,
		MDesired: p.ModelDesired, MReady: p.ModelReady, SDesired: p.ServerDesired, SReady: p.ServerReady,
		Shape: p.Shape, Others: p.OtherModels, SchedFailed: p.ScheduleFailed, Health: p.Health}
	if p.Model != nil {
		r.ModelObj = p.Model.Name
	}
	if p.Server != nil {
		r.ServerObj = p.Server.Name
	}
	if p.Workload != nil {
		r.Workload = p.Workload.Kind + "/" + p.Workload.Name
	}
	if p.ModelHPA != nil {
		r.ModelHPA = p.ModelHPA.Name
	}
	if p.ServerHPA != nil {
		r.ServerHPA = p.ServerHPA.Name
	}
	return r
}

// jtHealthy is the summary of jtPairInv("ns", "m", "s").
func jtHealthy() jtRow {
	return jtRow{Key: "ns/m", Model: "m", Server: "s",
		MDesired: Known(2), MReady: Known(2), SDesired: Known(2), SReady: Known(2),
		ModelObj: "m", ServerObj: "s", Workload: "StatefulSet/s", ModelHPA: "m-hpa", ServerHPA: "s-hpa",
		Health: Healthy}
}

func TestJoin(t *testing.T) {
	const schedText = "Failed to schedule model as no matching server had enough suitable replicas"
	schedCond := Condition{Type: "ModelReady", Status: "False", Message: "ScheduleFailed", Reason: schedText, Since: jt0}
	noModel, noServer := UnknownCount(UnknownNoModel), UnknownCount(UnknownNoServer)

	tests := []struct {
		name string
		inv  func() Inventory
		want []jtRow
	}{
		{
			name: "healthy pair",
			inv:  func() Inventory { return jtPairInv("ns", "m", "s") },
			want: []jtRow{jtHealthy()},
		},
		{
			name: "model converging",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models[0].Replicas = jtP(3)
				return inv
			},
			want: []jtRow{func() jtRow { r := jtHealthy(); r.MDesired = Known(3); r.Health = Converging; return r }()},
		},
		{
			name: "server converging: ready comes from the StatefulSet, not Server status",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Servers[0].Replicas = jtP(3)
				inv.Servers[0].StatusReplicas = 3
				return inv
			},
			want: []jtRow{func() jtRow { r := jtHealthy(); r.SDesired = Known(3); r.Health = Converging; return r }()},
		},
		{
			name: "unset spec.replicas is Seldon's default 1",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models[0].Replicas = nil
				inv.Servers[0].Replicas = nil
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.MDesired, r.SDesired, r.Health = Known(1), Known(1), Converging
				return r
			}()},
		},
		{
			name: "ScheduleFailed as Seldon writes it: state in message, text in reason",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models[0].Conditions = []Condition{schedCond}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.SchedFailed, r.Health = &ScheduleFailed{Since: jt0, Reason: schedText}, Warning
				return r
			}()},
		},
		{
			name: "ScheduleFailed the other way round: state in reason",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models[0].Conditions = []Condition{{Type: "ModelReady", Status: "False", Reason: "ScheduleFailed", Message: schedText, Since: jt0}}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.SchedFailed, r.Health = &ScheduleFailed{Since: jt0, Reason: schedText}, Warning
				return r
			}()},
		},
		{
			name: "ScheduleFailed with no text at all",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models[0].Conditions = []Condition{{Type: "ModelReady", Status: "False", Message: "ScheduleFailed"}}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.SchedFailed, r.Health = &ScheduleFailed{Reason: "ScheduleFailed"}, Warning
				return r
			}()},
		},
		{
			name: "not ScheduleFailed: ModelReady True, other state, other condition type",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models[0].Conditions = []Condition{
					{Type: "Ready", Status: "False", Message: "ScheduleFailed"},
					{Type: "ModelReady", Status: "False", Message: "ModelProgressing", Reason: "Loading"},
				}
				return inv
			},
			want: []jtRow{jtHealthy()},
		},
		{
			name: "Deployment when there is no StatefulSet",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Workloads = []Workload{jtDeploy("ns", "s", 1)}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.Workload, r.SReady, r.Health = "Deployment/s", Known(1), Converging
				return r
			}()},
		},
		{
			name: "StatefulSet wins over a Deployment of the same name",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Workloads = []Workload{jtDeploy("ns", "s", 1), jtSts("ns", "s", 2), jtDeploy("ns", "s", 0)}
				return inv
			},
			want: []jtRow{jtHealthy()},
		},
		{
			name: "no workload: unknown with the reason",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Workloads = []Workload{jtSts("other", "s", 2), jtSts("ns", "s2", 2)}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.Workload, r.SReady = "", UnknownCount(UnknownNoWorkload)
				return r
			}()},
		},
		{
			name: "workloads forbidden",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Workloads = nil
				inv.Access = map[string]Access{ResourceStatefulSets: AccessForbidden, ResourceDeployments: AccessOK}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.Workload, r.SReady = "", UnknownCount(UnknownForbidden)
				return r
			}()},
		},
		{
			name: "Server missing",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Servers, inv.Workloads = nil, nil
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.ServerObj, r.Workload = "", ""
				r.SDesired, r.SReady = noServer, noServer
				r.Shape, r.Health = []ShapeFlag{ShapeServerMissing}, Warning
				return r
			}()},
		},
		{
			name: "Servers forbidden: unknown, not missing",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Servers = nil
				inv.Access = map[string]Access{ResourceServers: AccessForbidden}
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.ServerObj, r.Workload = "", ""
				r.SDesired, r.SReady = UnknownCount("forbidden"), UnknownCount("forbidden")
				return r
			}()},
		},
		{
			name: "Model without spec.server, not scheduled, no Server HPA: unscheduled, not broken",
			inv: func() Inventory {
				return Inventory{Models: []SeldonModel{jtModel("ns", "m", "", jtP(1), 1)}}
			},
			want: []jtRow{{Key: "ns/m", Model: "m", MDesired: Known(1), MReady: Known(1),
				SDesired: UnknownCount(UnknownUnscheduled), SReady: UnknownCount(UnknownUnscheduled),
				ModelObj: "m", Health: Converging}},
		},
		{
			name: "Server with several Models",
			inv: func() Inventory {
				inv := jtPairInv("ns", "b", "s")
				inv.Models = append(inv.Models, jtModel("ns", "a", "s", jtP(2), 2), jtModel("ns", "c", "s", jtP(2), 2))
				return inv
			},
			want: []jtRow{
				{Key: "ns/a", Model: "a", Server: "s", MDesired: Known(2), MReady: Known(2), SDesired: Known(2), SReady: Known(2),
					ModelObj: "a", ServerObj: "s", Workload: "StatefulSet/s", ServerHPA: "s-hpa",
					Shape: []ShapeFlag{ShapeMultiModelServer, ShapeNoModelHPA}, Others: []string{"b", "c"}, Health: Warning},
				{Key: "ns/b", Model: "b", Server: "s", MDesired: Known(2), MReady: Known(2), SDesired: Known(2), SReady: Known(2),
					ModelObj: "b", ServerObj: "s", Workload: "StatefulSet/s", ModelHPA: "b-hpa", ServerHPA: "s-hpa",
					Shape: []ShapeFlag{ShapeMultiModelServer}, Others: []string{"a", "c"}, Health: Warning},
				{Key: "ns/c", Model: "c", Server: "s", MDesired: Known(2), MReady: Known(2), SDesired: Known(2), SReady: Known(2),
					ModelObj: "c", ServerObj: "s", Workload: "StatefulSet/s", ServerHPA: "s-hpa",
					Shape: []ShapeFlag{ShapeMultiModelServer, ShapeNoModelHPA}, Others: []string{"a", "b"}, Health: Warning},
			},
		},
		{
			name: "Model HPA without twin",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.HPAs = inv.HPAs[:1]
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.ServerHPA, r.Shape, r.Health = "", []ShapeFlag{ShapeNoServerHPA}, Warning
				return r
			}()},
		},
		{
			name: "Server HPA without twin",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.HPAs = inv.HPAs[1:]
				return inv
			},
			want: []jtRow{func() jtRow {
				r := jtHealthy()
				r.ModelHPA, r.Shape, r.Health = "", []ShapeFlag{ShapeNoModelHPA}, Warning
				return r
			}()},
		},
		{
			name: "no HPA at all is not a shape problem",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.HPAs = nil
				return inv
			},
			want: []jtRow{func() jtRow { r := jtHealthy(); r.ModelHPA, r.ServerHPA = "", ""; return r }()},
		},
		{
			name: "HPAs whose targets do not exist get rows of their own",
			inv: func() Inventory {
				return Inventory{HPAs: []HPA{jtHPA("ns", "lost-m", KindModel, "gone"), jtHPA("ns", "lost-s", KindServer, "gone-s")}}
			},
			want: []jtRow{
				{Key: "ns/hpa:lost-s", Server: "gone-s", MDesired: noModel, MReady: noModel, SDesired: noServer, SReady: noServer,
					ServerHPA: "lost-s", Shape: []ShapeFlag{ShapeHPATargetMissing}, Health: Warning},
				{Key: "ns/hpa:lost-m", Model: "gone", MDesired: noModel, MReady: noModel, SDesired: noServer, SReady: noServer,
					ModelHPA: "lost-m", Shape: []ShapeFlag{ShapeHPATargetMissing}, Health: Warning},
			},
		},
		{
			name: "HPA on a Model that cannot be read is not flagged missing",
			inv: func() Inventory {
				return Inventory{HPAs: []HPA{jtHPA("ns", "h", KindModel, "m")},
					Access: map[string]Access{ResourceModels: AccessNotInstalled, ResourceServers: AccessNotInstalled}}
			},
			want: []jtRow{{Key: "ns/hpa:h", Model: "m", MDesired: UnknownCount("not installed"), MReady: UnknownCount("not installed"),
				SDesired: UnknownCount("not installed"), SReady: UnknownCount("not installed"), ModelHPA: "h", Health: Healthy}},
		},
		{
			name: "HPA targeting a kind twinscale does not know",
			inv: func() Inventory {
				dep := jtHPA("ns", "web", "Deployment", "web")
				dep.Target.APIVersion = "apps/v1"
				wrongGroup := jtHPA("ns", "other", KindModel, "m")
				wrongGroup.Target.APIVersion = "example.com/v1"
				return Inventory{HPAs: []HPA{dep, wrongGroup}}
			},
			want: []jtRow{
				{Key: "ns/hpa:other", MDesired: noModel, MReady: noModel, SDesired: noServer, SReady: noServer,
					ModelHPA: "other", Shape: []ShapeFlag{ShapeHPAUnknownTarget}, Health: Warning},
				{Key: "ns/hpa:web", MDesired: noModel, MReady: noModel, SDesired: noServer, SReady: noServer,
					ModelHPA: "web", Shape: []ShapeFlag{ShapeHPAUnknownTarget}, Health: Warning},
			},
		},
		{
			name: "Server no Model names",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models = nil
				inv.HPAs = inv.HPAs[1:]
				return inv
			},
			want: []jtRow{{Key: "ns/server:s", Server: "s", MDesired: noModel, MReady: noModel, SDesired: Known(2), SReady: Known(2),
				ServerObj: "s", Workload: "StatefulSet/s", ServerHPA: "s-hpa", Shape: []ShapeFlag{ShapeServerWithoutModel}, Health: Warning}},
		},
		{
			name: "Models forbidden: Server rows are not flagged",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.Models, inv.HPAs = nil, nil
				inv.Access = map[string]Access{ResourceModels: AccessForbidden}
				return inv
			},
			want: []jtRow{{Key: "ns/server:s", Server: "s", MDesired: UnknownCount("forbidden"), MReady: UnknownCount("forbidden"),
				SDesired: Known(2), SReady: Known(2), ServerObj: "s", Workload: "StatefulSet/s", Health: Healthy}},
		},
		{
			name: "two HPAs on one Model: first by name pairs, the other gets a row",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.HPAs = append([]HPA{jtHPA("ns", "z-extra", KindModel, "m")}, inv.HPAs...)
				return inv
			},
			want: []jtRow{
				{Key: "ns/hpa:z-extra", Model: "m", MDesired: Known(2), MReady: Known(2),
					SDesired: UnknownCount(UnknownNotPaired), SReady: UnknownCount(UnknownNotPaired),
					ModelObj: "m", ModelHPA: "z-extra", Shape: []ShapeFlag{ShapeSeveralHPAs}, Health: Warning},
				func() jtRow {
					r := jtHealthy()
					r.Shape, r.Health = []ShapeFlag{ShapeSeveralHPAs}, Warning
					return r
				}(),
			},
		},
		{
			name: "two HPAs on one Server",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.HPAs = append(inv.HPAs, jtHPA("ns", "a-extra", KindServer, "s"))
				return inv
			},
			want: []jtRow{
				{Key: "ns/hpa:s-hpa", Server: "s", MDesired: UnknownCount(UnknownNotPaired), MReady: UnknownCount(UnknownNotPaired),
					SDesired: Known(2), SReady: Known(2), ServerObj: "s", Workload: "StatefulSet/s",
					ServerHPA: "s-hpa", Shape: []ShapeFlag{ShapeSeveralHPAs}, Health: Warning},
				func() jtRow {
					r := jtHealthy()
					r.ServerHPA, r.Shape, r.Health = "a-extra", []ShapeFlag{ShapeSeveralHPAs}, Warning
					return r
				}(),
			},
		},
		{
			name: "an object with problems warns",
			inv: func() Inventory {
				inv := jtPairInv("ns", "m", "s")
				inv.HPAs[1].Problems = []string{"spec.metrics[0].object: missing"}
				return inv
			},
			want: []jtRow{func() jtRow { r := jtHealthy(); r.Health = Warning; return r }()},
		},
		{
			name: "order: namespace, model, server",
			inv: func() Inventory {
				var inv Inventory
				for _, p := range [][3]string{{"b", "x", "s1"}, {"a", "y", "s2"}, {"a", "x", "s3"}} {
					one := jtPairInv(p[0], p[1], p[2])
					inv.Models = append(inv.Models, one.Models...)
					inv.Servers = append(inv.Servers, one.Servers...)
					inv.Workloads = append(inv.Workloads, one.Workloads...)
					inv.HPAs = append(inv.HPAs, one.HPAs...)
				}
				return inv
			},
			want: func() []jtRow {
				var rows []jtRow
				for _, p := range [][3]string{{"a", "x", "s3"}, {"a", "y", "s2"}, {"b", "x", "s1"}} {
					r := jtHealthy()
					r.Key, r.Model, r.Server, r.ModelObj, r.ServerObj = p[0]+"/"+p[1], p[1], p[2], p[1], p[2]
					r.Workload, r.ModelHPA, r.ServerHPA = "StatefulSet/"+p[2], p[1]+"-hpa", p[2]+"-hpa"
					rows = append(rows, r)
				}
				return rows
			}(),
		},
		{
			name: "same names in two namespaces stay apart",
			inv: func() Inventory {
				a, b := jtPairInv("a", "m", "s"), jtPairInv("b", "m", "s")
				b.Workloads[0].ReadyReplicas = 1
				return Inventory{
					Models: append(a.Models, b.Models...), Servers: append(a.Servers, b.Servers...),
					Workloads: append(a.Workloads, b.Workloads...), HPAs: append(a.HPAs, b.HPAs...),
				}
			},
			want: []jtRow{
				func() jtRow { r := jtHealthy(); r.Key = "a/m"; return r }(),
				func() jtRow { r := jtHealthy(); r.Key, r.SReady, r.Health = "b/m", Known(1), Converging; return r }(),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs := Join(tt.inv())
			got := make([]jtRow, len(pairs))
			for i, p := range pairs {
				got[i] = jtSummary(p)
				if p.Namespace == "" {
					t.Errorf("pair %s has no namespace", p.Key)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Join mismatch")
				for i := 0; i < max(len(got), len(tt.want)); i++ {
					var g, w any = "(none)", "(none)"
					if i < len(got) {
						g = fmt.Sprintf("%+v", got[i])
					}
					if i < len(tt.want) {
						w = fmt.Sprintf("%+v", tt.want[i])
					}
					if !reflect.DeepEqual(g, w) {
						t.Errorf("row %d\n got: %v\nwant: %v", i, g, w)
					}
				}
			}
		})
	}
}

func TestJoinEvents(t *testing.T) {
	inv := jtPairInv("ns", "m", "s")
	inv.Events = []Event{
		jtEvent("ns", "HorizontalPodAutoscaler", "m-hpa", "SuccessfulRescale", jt0.Add(3*time.Second)),
		jtEvent("ns", "Model", "m", "ModelNotReady", jt0.Add(1*time.Second)),
		jtEvent("ns", "Server", "s", "ServerNotReady", jt0.Add(2*time.Second)),
		jtEvent("ns", "HorizontalPodAutoscaler", "s-hpa", "SuccessfulRescale", jt0.Add(4*time.Second)),
		jtEvent("ns", "HorizontalPodAutoscaler", "unrelated", "SuccessfulRescale", jt0.Add(5*time.Second)),
		jtEvent("other", "Model", "m", "ModelNotReady", jt0.Add(6*time.Second)),
		jtEvent("ns", "Pod", "m", "Started", jt0.Add(7*time.Second)),
	}
	pairs := Join(inv)
	if len(pairs) != 1 {
		t.Fatalf("want 1 pair, got %d", len(pairs))
	}
	var got []string
	for _, e := range pairs[0].Events {
		got = append(got, e.Object.Kind+"/"+e.Object.Name)
	}
	want := []string{"HorizontalPodAutoscaler/s-hpa", "HorizontalPodAutoscaler/m-hpa", "Server/s", "Model/m"}
	if !slices.Equal(got, want) {
		t.Errorf("pair events newest first:\n got: %v\nwant: %v", got, want)
	}

	// Capped at MaxPairEvents, keeping the newest.
	inv.Events = nil
	for i := range MaxPairEvents + 15 {
		inv.Events = append(inv.Events, jtEvent("ns", "Model", "m", fmt.Sprintf("r%02d", i), jt0.Add(time.Duration(i)*time.Second)))
	}
	evs := Join(inv)[0].Events
	if len(evs) != MaxPairEvents {
		t.Fatalf("cap: got %d events, want %d", len(evs), MaxPairEvents)
	}
	if evs[0].Reason != fmt.Sprintf("r%02d", MaxPairEvents+14) || evs[len(evs)-1].Reason != "r15" {
		t.Errorf("cap kept %s..%s, want the newest r%02d..r15", evs[0].Reason, evs[len(evs)-1].Reason, MaxPairEvents+14)
	}
}

func TestJoinEventsOfHPARow(t *testing.T) {
	inv := Inventory{
		HPAs:   []HPA{jtHPA("ns", "lost", KindModel, "gone")},
		Events: []Event{jtEvent("ns", "HorizontalPodAutoscaler", "lost", "FailedGetScale", jt0)},
	}
	pairs := Join(inv)
	if len(pairs) != 1 || len(pairs[0].Events) != 1 || pairs[0].Events[0].Reason != "FailedGetScale" {
		t.Fatalf("HPA row should carry its HPA's events: %+v", pairs)
	}
}

// TestJoinDeterministic shuffles an inventory's slices and expects the same pairs.
func TestJoinDeterministic(t *testing.T) {
	inv := jtLoadInventory(t, "testdata/join/mixed.json")
	want := Join(inv)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := jtLoadInventory(t, "testdata/join/mixed.json")
		rng.Shuffle(len(shuffled.Models), func(i, j int) { shuffled.Models[i], shuffled.Models[j] = shuffled.Models[j], shuffled.Models[i] })
		rng.Shuffle(len(shuffled.Servers), func(i, j int) { shuffled.Servers[i], shuffled.Servers[j] = shuffled.Servers[j], shuffled.Servers[i] })
		rng.Shuffle(len(shuffled.HPAs), func(i, j int) { shuffled.HPAs[i], shuffled.HPAs[j] = shuffled.HPAs[j], shuffled.HPAs[i] })
		rng.Shuffle(len(shuffled.Events), func(i, j int) { shuffled.Events[i], shuffled.Events[j] = shuffled.Events[j], shuffled.Events[i] })
		rng.Shuffle(len(shuffled.Workloads), func(i, j int) {
			shuffled.Workloads[i], shuffled.Workloads[j] = shuffled.Workloads[j], shuffled.Workloads[i]
		})
		got := Join(shuffled)
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if string(gj) != string(wj) {
			t.Fatalf("order depends on input order:\n got: %s\nwant: %s", gj, wj)
		}
	}
}

// TestJoinFixture checks a realistic mixed inventory, as the watch layer would hand it over.
func TestJoinFixture(t *testing.T) {
	pairs := Join(jtLoadInventory(t, "testdata/join/mixed.json"))
	type row struct {
		Key    string
		Shape  []ShapeFlag
		Health Health
		SF     bool
	}
	var got []row
	for _, p := range pairs {
		got = append(got, row{p.Key, p.Shape, p.Health, p.ScheduleFailed != nil})
	}
	want := []row{
		// Rows without a Model sort first in their namespace: the model name is empty.
		{"seldon-mesh/hpa:web", []ShapeFlag{ShapeHPAUnknownTarget}, Warning, false},
		{"seldon-mesh/server:spare", []ShapeFlag{ShapeServerWithoutModel}, Warning, false},
		{"seldon-mesh/iris", nil, Warning, true},
		{"seldon-mesh/tfsimple", nil, Converging, false},
		{"team-b/mnist", []ShapeFlag{ShapeServerMissing, ShapeNoServerHPA}, Warning, false},
		{"team-b/hpa:old-hpa", []ShapeFlag{ShapeHPATargetMissing}, Warning, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fixture pairs:\n got: %+v\nwant: %+v", got, want)
	}
	iris := pairs[2]
	if iris.ScheduleFailed.Reason != "Failed to schedule model as no matching server had enough suitable replicas" {
		t.Errorf("iris ScheduleFailed reason: %q", iris.ScheduleFailed.Reason)
	}
	if iris.ModelHPA == nil || iris.ModelHPA.CurrentMetrics[0].AverageValue != 8.611 {
		t.Errorf("iris model HPA metric not carried: %+v", iris.ModelHPA)
	}
	if len(iris.Events) != 2 || iris.Events[0].Reason != "SuccessfulRescale" {
		t.Errorf("iris events: %+v", iris.Events)
	}
}

func jtLoadInventory(t *testing.T, path string) Inventory {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var inv Inventory
	if err := json.Unmarshal(data, &inv); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return inv
}

func TestBuildSnapshot(t *testing.T) {
	inv := jtPairInv("ns", "m", "s")
	inv.Events = []Event{
		jtEvent("ns", "Model", "m", "old", jt0),
		jtEvent("ns", "HorizontalPodAutoscaler", "s-hpa", "new", jt0.Add(time.Minute)),
		jtEvent("ns", "HorizontalPodAutoscaler", "not-ours", "x", jt0.Add(2*time.Minute)),
	}
	w := WatchState{Synced: true, Connected: true, SyncedKinds: 8, TotalKinds: 8}
	snap := BuildSnapshot(jt0.Add(time.Hour), inv, w)
	if !snap.Taken.Equal(jt0.Add(time.Hour)) || !reflect.DeepEqual(snap.Watch, w) {
		t.Errorf("taken/watch not carried: %v %+v", snap.Taken, snap.Watch)
	}
	if len(snap.Pairs) != 1 || snap.Pairs[0].Key != "ns/m" {
		t.Fatalf("pairs: %+v", snap.Pairs)
	}
	var reasons []string
	for _, e := range snap.Events {
		reasons = append(reasons, e.Reason)
	}
	if !slices.Equal(reasons, []string{"new", "old"}) {
		t.Errorf("snapshot events: got %v, want [new old] (newest first, only pair objects)", reasons)
	}

	inv.Events = nil
	for i := range MaxSnapshotEvents + 10 {
		inv.Events = append(inv.Events, jtEvent("ns", "Server", "s", fmt.Sprint(i), jt0.Add(time.Duration(i)*time.Second)))
	}
	if got := len(BuildSnapshot(jt0, inv, w).Events); got != MaxSnapshotEvents {
		t.Errorf("snapshot events cap: got %d, want %d", got, MaxSnapshotEvents)
	}
	if got := BuildSnapshot(jt0, Inventory{}, w); got.Pairs == nil && len(got.Pairs) != 0 || got.Events != nil {
		t.Errorf("empty inventory: %+v", got)
	}
}

func TestDetectScheduleFailedNil(t *testing.T) {
	if DetectScheduleFailed(nil) != nil {
		t.Error("nil model")
	}
}

// BenchmarkJoin joins inventories of n healthy pairs with a few Events each.
func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		var inv Inventory
		for i := range n {
			one := jtPairInv(fmt.Sprintf("ns%d", i%20), fmt.Sprintf("m%05d", i), fmt.Sprintf("s%05d", i))
			inv.Models = append(inv.Models, one.Models...)
			inv.Servers = append(inv.Servers, one.Servers...)
			inv.Workloads = append(inv.Workloads, one.Workloads...)
			inv.HPAs = append(inv.HPAs, one.HPAs...)
			inv.Events = append(inv.Events, jtEvent(one.Models[0].Namespace, "HorizontalPodAutoscaler", one.HPAs[0].Name,
				"SuccessfulRescale", jt0.Add(time.Duration(i)*time.Second)))
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				BuildSnapshot(jt0, inv, WatchState{})
			}
		})
	}
}
