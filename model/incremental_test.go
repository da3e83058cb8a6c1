package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
)

// oddInventory is modeltest's pairs plus every shape Join treats apart: a Server with two
// Models, a Server without a Model, an HPA whose target is missing, a second HPA on one
// target, an HPA on a Deployment and a Server with both a StatefulSet and a Deployment.
func oddInventory(n int) model.Inventory {
	inv := modeltest.Inventory(n)
	ns, _, _ := modeltest.Names(0)
	meta := func(name string) model.Meta {
		return model.Meta{Namespace: ns, Name: name, UID: "uid-" + name, ResourceVersion: "1"}
	}
	two := int32(2)
	seldon := "mlops.seldon.io/v1alpha1"
	hpa := func(name, kind, target string) model.HPA {
		h := modeltest.HPA(0, false)
		h.Meta = meta(name)
		h.Target = model.CrossRef{APIVersion: seldon, Kind: kind, Name: target}
		return h
	}
	inv.Models = append(inv.Models,
		model.SeldonModel{Meta: meta("zz-multi-a"), Server: "zz-shared", Replicas: &two, AvailableReplicas: 2},
		model.SeldonModel{Meta: meta("zz-multi-b"), Server: "zz-shared", Replicas: &two, AvailableReplicas: 1},
		model.SeldonModel{Meta: meta("zz-nosrv"), Replicas: &two, AvailableReplicas: 2},
		// As the Seldon docs deploy them: no spec.server; one placed by the scheduler, one
		// not yet but described by a Server HPA.
		model.SeldonModel{Meta: meta("zz-sched"), Replicas: &two, AvailableReplicas: 2, Selector: "server=zz-sched-srv"},
		model.SeldonModel{Meta: meta("zz-unplaced"), Replicas: &two, AvailableReplicas: 0, Selector: "server="},
	)
	inv.Servers = append(inv.Servers,
		model.SeldonServer{Meta: meta("zz-shared"), Replicas: &two, StatusReplicas: 2},
		model.SeldonServer{Meta: meta("zz-lonely"), Replicas: &two, StatusReplicas: 2},
		model.SeldonServer{Meta: meta("zz-sched-srv"), Replicas: &two, StatusReplicas: 2},
		model.SeldonServer{Meta: meta("zz-unplaced-srv"), Replicas: &two, StatusReplicas: 2},
	)
	inv.Workloads = append(inv.Workloads,
		model.Workload{Meta: meta("zz-shared"), Kind: "StatefulSet", Replicas: 2, ReadyReplicas: 1},
		model.Workload{Meta: meta("zz-lonely"), Kind: "Deployment", Replicas: 2, ReadyReplicas: 2},
		model.Workload{Meta: meta("zz-lonely"), Kind: "StatefulSet", Replicas: 2, ReadyReplicas: 2},
	)
	web := hpa("zz-web-hpa", "Deployment", "web")
	web.Target.APIVersion = "apps/v1"
	inv.HPAs = append(inv.HPAs,
		hpa("zz-multi-a-hpa", model.KindModel, "zz-multi-a"), hpa("zz-shared-hpa", model.KindServer, "zz-shared"),
		hpa("zz-ghost-hpa", model.KindModel, "ghost"), hpa("zz-lonely-hpa", model.KindServer, "zz-lonely"),
		hpa("zz-lonely-hpa2", model.KindServer, "zz-lonely"), web,
		hpa("zz-sched-hpa", model.KindModel, "zz-sched"), hpa("zz-sched-srv-hpa", model.KindServer, "zz-sched-srv"),
		hpa("zz-unplaced-srv-hpa", model.KindServer, "zz-unplaced-srv"),
	)
	for i := range inv.HPAs {
		// Each HPA's metric describes the Model of its name, as the docs' twins do.
		if h := &inv.HPAs[i]; strings.HasPrefix(h.Name, "zz-") && len(h.Metrics) > 0 {
			h.Metrics = slices.Clone(h.Metrics)
			h.Metrics[0].DescribedObject.Name = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(h.Name, "-hpa"), "-hpa2"), "-srv")
		}
	}
	sortInventory(&inv)
	return inv
}

func byMeta(a, b *model.Meta) int {
	if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// sortInventory orders an inventory as kube.Watcher does.
func sortInventory(inv *model.Inventory) {
	slices.SortFunc(inv.Models, func(a, b model.SeldonModel) int { return byMeta(&a.Meta, &b.Meta) })
	slices.SortFunc(inv.Servers, func(a, b model.SeldonServer) int { return byMeta(&a.Meta, &b.Meta) })
	slices.SortFunc(inv.HPAs, func(a, b model.HPA) int { return byMeta(&a.Meta, &b.Meta) })
	slices.SortFunc(inv.Workloads, func(a, b model.Workload) int {
		if c := byMeta(&a.Meta, &b.Meta); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	model.SortEventsNewestFirst(inv.Events)
}

// mutator changes an inventory the way watch events do: copy on write, a new
// resourceVersion for every object it touches.
type mutator struct {
	r   *rand.Rand
	rv  int
	now time.Time
	// topology counts mutations that change the inventory's shape.
	topology int
}

func (m *mutator) nextRV() string { m.rv++; return strconv.Itoa(100000 + m.rv) }

func ptr[T any](v T) *T { return &v }

func (m *mutator) mutate(inv model.Inventory) model.Inventory {
	r := m.r
	switch k := r.IntN(100); {
	case k < 15:
		inv.Models = slices.Clone(inv.Models)
		o := &inv.Models[r.IntN(len(inv.Models))]
		o.ResourceVersion = m.nextRV()
		switch r.IntN(7) {
		case 6: // Seldon schedules the Model (or fails to: "server=")
			o.Selector = "server="
			if r.IntN(3) > 0 {
				o.Selector += inv.Servers[r.IntN(len(inv.Servers))].Name
			}
		case 0:
			o.Replicas = ptr(int32(1 + r.IntN(5)))
		case 1:
			o.AvailableReplicas = int32(r.IntN(5))
			o.StatusReplicas = o.AvailableReplicas
		case 2:
			o.Conditions = []model.Condition{{Type: "ModelReady", Status: "False", Message: "ScheduleFailed",
				Reason: "Failed to schedule model as no matching server had enough suitable replicas", Since: m.now}}
		case 3:
			o.Conditions = []model.Condition{{Type: "ModelReady", Status: "True", Message: "ModelAvailable", Since: m.now}}
		case 4:
			o.StorageURI = "gs://models/v" + m.nextRV()
			o.Generation++
		case 5: // a resync: new version, nothing else
		}
	case k < 25:
		inv.Servers = slices.Clone(inv.Servers)
		o := &inv.Servers[r.IntN(len(inv.Servers))]
		o.ResourceVersion = m.nextRV()
		switch r.IntN(3) {
		case 0:
			o.Replicas = ptr(int32(1 + r.IntN(5)))
		case 1:
			o.StatusReplicas = int32(r.IntN(5))
		case 2:
			o.ServerConfig = "triton"
		}
	case k < 35:
		inv.Workloads = slices.Clone(inv.Workloads)
		o := &inv.Workloads[r.IntN(len(inv.Workloads))]
		o.ResourceVersion = m.nextRV()
		o.ReadyReplicas = int32(r.IntN(5))
		if r.IntN(3) == 0 {
			o.Generation++
		}
	case k < 60:
		inv.HPAs = slices.Clone(inv.HPAs)
		o := &inv.HPAs[r.IntN(len(inv.HPAs))]
		o.ResourceVersion = m.nextRV()
		switch r.IntN(6) {
		case 5: // the metric describes another Model
			o.Metrics = slices.Clone(o.Metrics)
			if len(o.Metrics) > 0 {
				o.Metrics[0].DescribedObject.Name = inv.Models[r.IntN(len(inv.Models))].Name
			}
		case 0:
			o.DesiredReplicas = int32(1 + r.IntN(6))
		case 1:
			o.CurrentReplicas = int32(1 + r.IntN(6))
			o.LastScaleTime = m.now
		case 2:
			o.CurrentMetrics = []model.MetricValue{{Type: "Object", Name: "infer_rps", AverageValue: r.Float64() * 10, HasAverage: true}}
		case 3:
			o.Conditions = []model.Condition{{Type: "ScalingActive", Status: "False", Reason: "FailedGetObjectMetric", Message: "no metric"}}
		case 4:
			o.MaxReplicas = int32(2 + r.IntN(8))
		}
	case k < 80:
		inv.Events = slices.Clone(inv.Events)
		switch r.IntN(4) {
		case 0, 1:
			h := inv.HPAs[r.IntN(len(inv.HPAs))]
			inv.Events = append(inv.Events, model.Event{Namespace: h.Namespace,
				Object: model.CrossRef{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: h.Name},
				Type:   "Normal", Reason: "SuccessfulRescale", Message: fmt.Sprintf("New size: %d; reason: above target", h.DesiredReplicas),
				Count: 1, First: m.now, Last: m.now})
		case 2:
			if len(inv.Events) > 0 {
				e := &inv.Events[r.IntN(len(inv.Events))]
				e.Count++
				e.Last = m.now
			}
		case 3:
			if len(inv.Events) > 0 {
				inv.Events = slices.Delete(inv.Events, 0, 1)
			}
		}
		model.SortEventsNewestFirst(inv.Events)
	case k < 84:
		m.topology++
		switch r.IntN(3) {
		case 0: // a Model moves to another Server
			inv.Models = slices.Clone(inv.Models)
			o := &inv.Models[r.IntN(len(inv.Models))]
			o.ResourceVersion = m.nextRV()
			o.Server = inv.Servers[r.IntN(len(inv.Servers))].Name
		case 1: // a pair is deleted
			i := r.IntN(len(inv.Models))
			inv.Models = slices.Delete(slices.Clone(inv.Models), i, i+1)
		case 2: // the access to Servers changes
			a := model.AccessOK
			if inv.Access[model.ResourceServers] == model.AccessOK {
				a = model.AccessForbidden
			}
			inv.Access = map[string]model.Access{model.ResourceServers: a}
		}
	}
	return inv
}

// TestIncrementalBuildMatchesFull feeds the same random sequence of watch changes, polls
// and clock ticks to an incremental Tracker and to one that derives every pair every
// time: every snapshot must be the same.
func TestIncrementalBuildMatchesFull(t *testing.T) {
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			const n = 40
			m := &mutator{r: rand.New(rand.NewPCG(seed, 7)), now: modeltest.T0}
			inv := oddInventory(n)
			// Every pair whose analysis is older than the build is analysed again: pairs are
			// reused only while the clock stands, so the snapshots can be compared exactly.
			opts := model.TrackerOptions{Metrics: true, Refresh: time.Nanosecond, RefreshBudget: 1 << 30}
			inc, full := model.NewTracker(opts), model.NewFullTracker(opts)
			w := synced
			incremental := 0
			for step := range 300 {
				switch k := m.r.IntN(100); {
				case k < 5: // a poll at the next step
					m.now = m.now.Truncate(15 * time.Second).Add(15 * time.Second)
					p := modeltest.Poll(n, step, 15*time.Second)
					p.At = m.now
					inc.RecordPoll(p)
					full.RecordPoll(p)
				case k < 8: // the clock crosses a step with no poll
					m.now = m.now.Add(15 * time.Second)
				case k < 9:
					w.Synced = !w.Synced
				case k < 60:
					m.now = m.now.Add(time.Duration(m.r.IntN(1500)) * time.Millisecond)
				}
				for range m.r.IntN(4) {
					inv = m.mutate(inv)
				}
				a, wasIncremental := inc.BuildCounted(m.now, inv, w)
				b := full.Build(m.now, inv, w)
				if wasIncremental {
					incremental++
				}
				if d := diffValue("snapshot", reflect.ValueOf(a), reflect.ValueOf(b)); d != "" {
					t.Fatalf("step %d: incremental and full builds differ at %s", step, d)
				}
			}
			if got := incremental; got < 100 {
				t.Errorf("only %d of 300 builds were incremental: the test does not exercise them", got)
			} else {
				t.Logf("%d of 300 builds were incremental", got)
			}
			if m.topology == 0 {
				t.Error("no change of shape was tried")
			}
		})
	}
}

// diffValue is reflect.DeepEqual that takes NaN as equal to NaN and times by instant; it
// returns the path of the first difference, or "".
func diffValue(path string, a, b reflect.Value) string {
	if d := diffAt(a, b); d != nil {
		slices.Reverse(d)
		return path + strings.Join(d, "")
	}
	return ""
}

// diffAt returns the path of the first difference, innermost first, or nil.
func diffAt(a, b reflect.Value) []string {
	if a.Type() == reflect.TypeFor[time.Time]() {
		if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
			return []string{fmt.Sprintf(": %v != %v", a.Interface(), b.Interface())}
		}
		return nil
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
			return []string{fmt.Sprintf(": %v != %v", x, y)}
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return []string{": nil and not nil"}
		}
		if !a.IsNil() {
			return diffAt(a.Elem(), b.Elem())
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type() == reflect.TypeFor[model.Pair]() && a.Type().Field(i).Name == "Rev" {
				continue // a derivation's name, not its content
			}
			if d := diffAt(a.Field(i), b.Field(i)); d != nil {
				return append(d, "."+a.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return []string{fmt.Sprintf(": nil and empty (%d, %d)", a.Len(), b.Len())}
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return []string{fmt.Sprintf(": length %d != %d", a.Len(), b.Len())}
		}
		for i := range a.Len() {
			if d := diffAt(a.Index(i), b.Index(i)); d != nil {
				return append(d, fmt.Sprintf("[%d]", i))
			}
		}
	case reflect.Map:
		if a.Len() != b.Len() || a.IsNil() != b.IsNil() {
			return []string{fmt.Sprintf(": map length %d != %d", a.Len(), b.Len())}
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return []string{fmt.Sprintf("[%v]: missing", k)}
			}
			if d := diffAt(a.MapIndex(k), bv); d != nil {
				return append(d, fmt.Sprintf("[%v]", k))
			}
		}
	default:
		if !a.Equal(b) {
			return []string{fmt.Sprintf(": %v != %v", a, b)}
		}
	}
	return nil
}

// TestRevNamesDerivations: a pair keeps its Rev while it is reused and gets a new one when
// its objects change, so the UI can keep the rows it formatted.
func TestRevNamesDerivations(t *testing.T) {
	const n = 20
	inv := modeltest.Inventory(n)
	tr := model.NewTracker(model.TrackerOptions{Metrics: true})
	first := tr.Build(modeltest.T0, inv, synced)
	second := tr.Build(modeltest.T0.Add(time.Millisecond), modeltest.ChangeHPA(inv, 3, 9999), synced)
	for i := range first.Pairs {
		a, b := first.Pairs[i], second.Pairs[i]
		if a.Rev == 0 || b.Rev == 0 {
			t.Fatalf("pair %s has no Rev", a.Key)
		}
		if changed := a.Key == modeltest.Key(3); changed == (a.Rev == b.Rev) {
			t.Errorf("pair %s: Rev %d then %d (changed: %v)", a.Key, a.Rev, b.Rev, changed)
		}
	}
}

// TestIncrementalRejoinsOnScheduling: Seldon writes .status.selector after the Model was
// created, so a status-only change of the Model moves the pair to its Server.
func TestIncrementalRejoinsOnScheduling(t *testing.T) {
	ns := "seldon-mesh"
	meta := func(name string) model.Meta {
		return model.Meta{Namespace: ns, Name: name, UID: "uid-" + name, ResourceVersion: "1"}
	}
	one := int32(1)
	inv := model.Inventory{
		Models:    []model.SeldonModel{{Meta: meta("irisa0"), Replicas: &one}},
		Servers:   []model.SeldonServer{{Meta: meta("mlserver"), Replicas: &one, StatusReplicas: 1}},
		Workloads: []model.Workload{{Meta: meta("mlserver"), Kind: "StatefulSet", Replicas: 1, ReadyReplicas: 1}},
	}
	opts := model.TrackerOptions{Metrics: true}
	inc, full := model.NewTracker(opts), model.NewFullTracker(opts)
	at := modeltest.T0
	first := inc.Build(at, inv, synced)
	full.Build(at, inv, synced)
	if len(first.Pairs) != 2 || first.Pairs[1].Link != model.LinkUnscheduled {
		t.Fatalf("before scheduling: %+v", first.Pairs)
	}

	scheduled := inv
	scheduled.Models = slices.Clone(inv.Models)
	scheduled.Models[0].ResourceVersion = "2"
	scheduled.Models[0].Selector = "server=mlserver"
	scheduled.Models[0].AvailableReplicas, scheduled.Models[0].StatusReplicas = 1, 1
	at = at.Add(time.Second)
	a, b := inc.Build(at, scheduled, synced), full.Build(at, scheduled, synced)
	if d := diffValue("snapshot", reflect.ValueOf(a), reflect.ValueOf(b)); d != "" {
		t.Fatalf("incremental and full builds differ at %s", d)
	}
	if len(a.Pairs) != 1 || a.Pairs[0].ServerName != "mlserver" || a.Pairs[0].Link != model.LinkScheduled || a.Pairs[0].Server == nil {
		t.Fatalf("after scheduling: %+v", a.Pairs)
	}
}
