package model

import (
	"slices"
	"strings"
	"time"
)

// More shape flags, set by Join.
const (
	// ShapeSeveralHPAs marks a target that more than one HPA scales: the controller refuses
	// to act on ambiguous selectors, and twinscale pairs only the first by name.
	ShapeSeveralHPAs ShapeFlag = "several-hpas-one-target"
)

// SeldonGroup is the API group of Seldon Core 2's Model and Server.
const SeldonGroup = "mlops.seldon.io"

// Kinds an HPA of a pair targets.
const (
	KindModel  = "Model"
	KindServer = "Server"
)

// Resource names used as keys of Inventory.Access.
const (
	ResourceModels       = "models"
	ResourceServers      = "servers"
	ResourceStatefulSets = "statefulsets"
	ResourceDeployments  = "deployments"
	ResourceHPAs         = "horizontalpodautoscalers"
	ResourceEvents       = "events"
)

// MaxPairEvents caps the Events kept on one pair; MaxSnapshotEvents caps Snapshot.Events.
const (
	MaxPairEvents     = 20
	MaxSnapshotEvents = 200
)

// Reasons for an unknown Count.
const (
	UnknownNoModel    = "no Model"
	UnknownNoServer   = "no Server"
	UnknownNoWorkload = "no StatefulSet or Deployment"
	UnknownForbidden  = "forbidden"
	UnknownNotPaired  = "not paired"
)

// scheduleFailedState is the Seldon model state that means the scheduler could not place
// every replica; Seldon writes it into the ModelReady condition's message.
const scheduleFailedState = "ScheduleFailed"

// joinRef keys an object by namespace, kind and name.
type joinRef struct{ ns, kind, name string }

// rowKind says which loop of Join built a pair.
type rowKind uint8

// Kinds of pair rows.
const (
	rowModel  rowKind = iota // a Model and what it names
	rowServer                // a Server no Model names
	rowHPA                   // an HPA no pair took
)

// pairPlan records where a pair's objects sit in the Inventory's slices (-1 for none), so
// the Tracker can rebuild a pair from a newer Inventory of the same shape without a join.
type pairPlan struct {
	model, server, workload, modelHPA, serverHPA int32
	kind                                         rowKind
}

// Join pairs every Seldon Model with its Server (the one spec.server names, else the one
// Seldon scheduled it on, else the one whose HPA's metric describes it: see place), that
// Server's StatefulSet (or Deployment) and the two HPAs that scale them, and derives each pair's counts,
// ScheduleFailed, shape flags, Events and basic Health. Objects that do not fit the 1:1
// shape become pairs of their own with a flag; nothing is dropped. The result is ordered
// by namespace, model, server, then key. Pairs point into inv's slices, so inv must not
// be modified afterwards.
func Join(inv Inventory) []Pair {
	pairs, _ := joinPlanned(inv)
	return pairs
}

// joinPlanned is Join that also returns each pair's plan, in the same order.
func joinPlanned(inv Inventory) ([]Pair, []pairPlan) {
	servers := make(map[joinRef]int32, len(inv.Servers))
	for i := range inv.Servers {
		s := &inv.Servers[i]
		servers[joinRef{s.Namespace, KindServer, s.Name}] = int32(i)
	}
	describedBy := describers(inv.HPAs)
	models := make(map[joinRef]int32, len(inv.Models))
	placed := make([]Placement, len(inv.Models))
	modelsOnServer := make(map[joinRef][]string)
	for i := range inv.Models {
		m := &inv.Models[i]
		models[joinRef{m.Namespace, KindModel, m.Name}] = int32(i)
		placed[i] = place(m, inv.HPAs, describedBy)
		if s := placed[i].Server; s != "" {
			k := joinRef{m.Namespace, KindServer, s}
			modelsOnServer[k] = append(modelsOnServer[k], m.Name)
		}
	}
	// A StatefulSet wins over a Deployment of the same name: Servers are StatefulSets
	// unless the operator runs with UseDeploymentsForServers.
	workloads := make(map[joinRef]int32, len(inv.Workloads))
	for i := range inv.Workloads {
		w := &inv.Workloads[i]
		k := joinRef{w.Namespace, KindServer, w.Name}
		if prev, ok := workloads[k]; ok && inv.Workloads[prev].Kind == "StatefulSet" {
			continue
		}
		workloads[k] = int32(i)
	}
	// HPAs by target, sorted by name so the first is stable.
	hpas := make(map[joinRef][]int32, len(inv.HPAs))
	for i := range inv.HPAs {
		h := &inv.HPAs[i]
		if kind, ok := joinSeldonTarget(h.Target); ok {
			k := joinRef{h.Namespace, kind, h.Target.Name}
			hpas[k] = append(hpas[k], int32(i))
		}
	}
	for _, l := range hpas {
		if len(l) > 1 {
			slices.SortStableFunc(l, func(a, b int32) int { return strings.Compare(inv.HPAs[a].Name, inv.HPAs[b].Name) })
		}
	}
	events := joinEvents(inv.Events)

	j := joiner{inv: inv, servers: servers, workloads: workloads, hpas: hpas, events: events, used: make([]bool, len(inv.HPAs)),
		models: models, placed: placed}
	n := len(inv.Models) + len(inv.Servers)
	pairs := make([]Pair, 0, n)
	plans := make([]pairPlan, 0, n)
	for i := range inv.Models {
		m := &inv.Models[i]
		server := placed[i].Server
		p := Pair{Key: m.Namespace + "/" + m.Name, Namespace: m.Namespace, ModelName: m.Name, ServerName: server, Model: m,
			Link: placed[i].Link, ScheduledOn: ScheduledServer(m.Selector)}
		pl := noPlan(rowModel)
		pl.model = int32(i)
		p.ModelDesired = joinDesired(m.Replicas)
		p.ModelReady = Known(m.AvailableReplicas)
		p.ModelHPA, pl.modelHPA = j.hpaFor(&p, m.Namespace, KindModel, m.Name)
		switch {
		case server == "":
			p.ServerDesired, p.ServerReady = UnknownCount(UnknownUnscheduled), UnknownCount(UnknownUnscheduled)
		default:
			if p.ScheduledOn != "" && p.ScheduledOn != server {
				p.Shape = append(p.Shape, ShapeScheduledElsewhere)
			}
			p.ServerHPA, pl.serverHPA = j.hpaFor(&p, m.Namespace, KindServer, server)
			j.fillServer(&p, &pl, j.server(m.Namespace, server))
			if others := modelsOnServer[joinRef{m.Namespace, KindServer, server}]; len(others) > 1 {
				p.Shape = append(p.Shape, ShapeMultiModelServer)
				for _, o := range others {
					if o != m.Name {
						p.OtherModels = append(p.OtherModels, o)
					}
				}
				slices.Sort(p.OtherModels)
			}
		}
		p.ScheduleFailed = DetectScheduleFailed(m)
		j.twinFlags(&p)
		pairs = append(pairs, p)
		plans = append(plans, pl)
	}
	for i := range inv.Servers {
		s := &inv.Servers[i]
		if len(modelsOnServer[joinRef{s.Namespace, KindServer, s.Name}]) > 0 {
			continue
		}
		p := Pair{Key: s.Namespace + "/server:" + s.Name, Namespace: s.Namespace, ServerName: s.Name}
		pl := noPlan(rowServer)
		if j.access(ResourceModels) == AccessOK {
			p.Shape = append(p.Shape, ShapeServerWithoutModel)
		}
		p.ModelDesired = j.unknown(ResourceModels, UnknownNoModel)
		p.ModelReady = p.ModelDesired
		p.ServerHPA, pl.serverHPA = j.hpaFor(&p, s.Namespace, KindServer, s.Name)
		j.fillServer(&p, &pl, int32(i))
		pairs = append(pairs, p)
		plans = append(plans, pl)
	}
	// Every HPA not attached above gets a row of its own: its target is missing, is a
	// kind twinscale does not know, or is already scaled by another HPA.
	for i := range inv.HPAs {
		if j.used[i] {
			continue
		}
		p, pl := j.hpaRow(int32(i), models)
		pairs = append(pairs, p)
		plans = append(plans, pl)
	}
	for i := range pairs {
		p := &pairs[i]
		if p.ServerHPA != nil {
			if p.Elsewhere = j.elsewhere(p.ServerHPA); len(p.Elsewhere) > 0 {
				p.Shape = append(p.Shape, ShapeServerHPAElsewhere)
			}
		}
		p.Events = j.pairEvents(p)
		joinSeldon(p)
		p.Health = joinHealth(p)
	}
	// Sort an index rather than the Pairs themselves: a Pair is large, and moving
	// thousands of them dominated the join.
	order := make([]int, len(pairs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		a, b := &pairs[x], &pairs[y]
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		if c := strings.Compare(a.ModelName, b.ModelName); c != 0 {
			return c
		}
		if c := strings.Compare(a.ServerName, b.ServerName); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	sorted := make([]Pair, len(pairs))
	sortedPlans := make([]pairPlan, len(pairs))
	for i, k := range order {
		sorted[i] = pairs[k]
		sortedPlans[i] = plans[k]
	}
	return sorted, sortedPlans
}

// noPlan is a plan with no objects yet.
func noPlan(kind rowKind) pairPlan {
	return pairPlan{model: -1, server: -1, workload: -1, modelHPA: -1, serverHPA: -1, kind: kind}
}

// joinEvents groups Events by the object they are about.
func joinEvents(evs []Event) map[joinRef][]*Event {
	events := make(map[joinRef][]*Event, len(evs))
	for i := range evs {
		e := &evs[i]
		k := joinRef{e.Namespace, e.Object.Kind, e.Object.Name}
		events[k] = append(events[k], e)
	}
	return events
}

// joiner holds the indexes of one Join.
type joiner struct {
	inv       Inventory
	servers   map[joinRef]int32
	workloads map[joinRef]int32
	hpas      map[joinRef][]int32
	events    map[joinRef][]*Event
	used      []bool // by HPA index
	models    map[joinRef]int32
	placed    []Placement // by Model index
}

// server returns the index of a Server, or -1.
func (j *joiner) server(ns, name string) int32 {
	if i, ok := j.servers[joinRef{ns, KindServer, name}]; ok {
		return i
	}
	return -1
}

// hpaFor returns the first HPA scaling the target (and its index, -1 for none) and marks
// it used; a second HPA on the same target flags the pair and is left for a row of its own.
func (j *joiner) hpaFor(p *Pair, ns, kind, name string) (*HPA, int32) {
	l := j.hpas[joinRef{ns, kind, name}]
	if len(l) == 0 {
		return nil, -1
	}
	if len(l) > 1 && !slices.Contains(p.Shape, ShapeSeveralHPAs) {
		p.Shape = append(p.Shape, ShapeSeveralHPAs)
	}
	j.used[l[0]] = true
	return &j.inv.HPAs[l[0]], l[0]
}

// fillServer sets the Server side of a pair: desired from the Server (index si, -1 when
// missing), ready from its StatefulSet or Deployment of the same name, each unknown with
// the reason when missing.
func (j *joiner) fillServer(p *Pair, pl *pairPlan, si int32) {
	if si < 0 {
		reason := UnknownNoServer
		if a := j.access(ResourceServers); a != AccessOK {
			reason = string(a)
		} else {
			p.Shape = append(p.Shape, ShapeServerMissing)
		}
		p.ServerDesired, p.ServerReady = UnknownCount(reason), UnknownCount(reason)
		return
	}
	s := &j.inv.Servers[si]
	p.Server, pl.server = s, si
	p.ServerDesired = joinDesired(s.Replicas)
	if wi, ok := j.workloads[joinRef{s.Namespace, KindServer, s.Name}]; ok {
		w := &j.inv.Workloads[wi]
		p.Workload, pl.workload = w, wi
		p.ServerReady = Known(w.ReadyReplicas)
		return
	}
	p.ServerReady = UnknownCount(j.noWorkloadReason())
}

// noWorkloadReason explains a missing workload: not readable, or really absent.
func (j *joiner) noWorkloadReason() string {
	for _, r := range []string{ResourceStatefulSets, ResourceDeployments} {
		if a := j.access(r); a == AccessForbidden {
			return UnknownForbidden
		}
	}
	return UnknownNoWorkload
}

// unknown is an unknown Count whose reason is the resource's access state when it could
// not be read, else the given reason.
func (j *joiner) unknown(resource, reason string) Count {
	if a := j.access(resource); a != AccessOK {
		return UnknownCount(string(a))
	}
	return UnknownCount(reason)
}

// access reports whether a resource could be read; resources the inventory does not
// mention are assumed readable (fixtures, the demo).
func (j *joiner) access(resource string) Access {
	if a, ok := j.inv.Access[resource]; ok && a != "" {
		return a
	}
	return AccessOK
}

// twinFlags flags an HPA without its twin.
func (j *joiner) twinFlags(p *Pair) {
	switch {
	case p.ModelHPA != nil && p.ServerHPA == nil && p.ServerName != "" && !IsKEDA(p.ModelHPA) &&
		(p.Server == nil || !seldonWrites(p.Server.ReplicasWriter)):
		// A KEDA HPA, or Seldon's scheduler sizing the Server (2.10), is no missing twin.
		p.Shape = append(p.Shape, ShapeNoServerHPA)
	case p.ModelHPA == nil && p.ServerHPA != nil:
		p.Shape = append(p.Shape, ShapeNoModelHPA)
	}
}

// hpaRow builds the pair of the HPA at index hi that no Model or Server pair took.
func (j *joiner) hpaRow(hi int32, models map[joinRef]int32) (Pair, pairPlan) {
	h := &j.inv.HPAs[hi]
	p := Pair{Key: h.Namespace + "/hpa:" + h.Name, Namespace: h.Namespace}
	pl := noPlan(rowHPA)
	kind, seldon := joinSeldonTarget(h.Target)
	switch {
	case !seldon:
		// Shown on the Model side so its details are visible; no Seldon object is involved.
		p.Shape = append(p.Shape, ShapeHPAUnknownTarget)
		p.ModelHPA, pl.modelHPA = h, hi
		p.ModelDesired, p.ModelReady = UnknownCount(UnknownNoModel), UnknownCount(UnknownNoModel)
		p.ServerDesired, p.ServerReady = UnknownCount(UnknownNoServer), UnknownCount(UnknownNoServer)
	case j.targetExists(h.Namespace, kind, h.Target.Name, models):
		// The target has a pair, which took the first HPA by name; this row shows the
		// target's side so the extra HPA can be compared with it.
		p.Shape = append(p.Shape, ShapeSeveralHPAs)
		j.placeHPA(&p, &pl, hi, kind)
		notPaired := UnknownCount(UnknownNotPaired)
		if mi, ok := models[joinRef{h.Namespace, KindModel, h.Target.Name}]; kind == KindModel && ok {
			m := &j.inv.Models[mi]
			p.Model, p.ModelDesired, p.ModelReady = m, joinDesired(m.Replicas), Known(m.AvailableReplicas)
			pl.model = mi
			p.ServerDesired, p.ServerReady = notPaired, notPaired
		} else {
			p.ModelDesired, p.ModelReady = notPaired, notPaired
		}
	case j.access(joinResourceOf(kind)) != AccessOK:
		// The target may well exist; it just cannot be read.
		j.placeHPA(&p, &pl, hi, kind)
	default:
		p.Shape = append(p.Shape, ShapeHPATargetMissing)
		j.placeHPA(&p, &pl, hi, kind)
	}
	return p, pl
}

// placeHPA puts an orphan HPA on the side of the pair its target kind belongs to.
func (j *joiner) placeHPA(p *Pair, pl *pairPlan, hi int32, kind string) {
	h := &j.inv.HPAs[hi]
	noModel := j.unknown(ResourceModels, UnknownNoModel)
	noServer := j.unknown(ResourceServers, UnknownNoServer)
	if kind == KindModel {
		p.ModelName, p.ModelHPA, pl.modelHPA = h.Target.Name, h, hi
		p.ModelDesired, p.ModelReady = noModel, noModel
		p.ServerDesired, p.ServerReady = noServer, noServer
		return
	}
	p.ServerName, p.ServerHPA, pl.serverHPA = h.Target.Name, h, hi
	p.ModelDesired, p.ModelReady = noModel, noModel
	if si := j.server(h.Namespace, h.Target.Name); si >= 0 {
		j.fillServer(p, pl, si)
		return
	}
	p.ServerDesired, p.ServerReady = noServer, noServer
}

func joinResourceOf(kind string) string {
	if kind == KindModel {
		return ResourceModels
	}
	return ResourceServers
}

func (j *joiner) targetExists(ns, kind, name string, models map[joinRef]int32) bool {
	if kind == KindModel {
		_, ok := models[joinRef{ns, KindModel, name}]
		return ok
	}
	return j.server(ns, name) >= 0
}

// pairEvents collects the Events of a pair's Model, Server and HPAs, newest first.
func (j *joiner) pairEvents(p *Pair) []Event {
	var refs []joinRef
	if p.Model != nil {
		refs = append(refs, joinRef{p.Namespace, KindModel, p.ModelName})
	}
	if p.Server != nil {
		refs = append(refs, joinRef{p.Namespace, KindServer, p.ServerName})
	}
	for _, h := range []*HPA{p.ModelHPA, p.ServerHPA} {
		if h != nil {
			refs = append(refs, joinRef{p.Namespace, "HorizontalPodAutoscaler", h.Name})
		}
	}
	var out []Event
	for _, r := range refs {
		for _, e := range j.events[r] {
			out = append(out, *e)
		}
	}
	SortEventsNewestFirst(out)
	if len(out) > MaxPairEvents {
		out = out[:MaxPairEvents:MaxPairEvents]
	}
	return out
}

// SortEventsNewestFirst orders Events by last seen, newest first, with a stable
// tie-break so the order does not depend on the input order.
func SortEventsNewestFirst(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int { return eventOrder(&a, &b) })
}

// eventOrder is the order of SortEventsNewestFirst.
func eventOrder(a, b *Event) int {
	if c := b.Last.Compare(a.Last); c != 0 {
		return c
	}
	if c := b.First.Compare(a.First); c != 0 {
		return c
	}
	if c := strings.Compare(a.Object.Kind, b.Object.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(a.Object.Name, b.Object.Name); c != 0 {
		return c
	}
	if c := strings.Compare(a.Reason, b.Reason); c != 0 {
		return c
	}
	return strings.Compare(a.Message, b.Message)
}

// DetectScheduleFailed reports a Model whose ModelReady condition is False with
// ScheduleFailed in its message or reason. Seldon swaps the two: the message holds the
// state name and the reason holds the human text, so the text is taken from whichever
// field is not the bare state name. Transient is left for the intelligence rules.
func DetectScheduleFailed(m *SeldonModel) *ScheduleFailed {
	if m == nil {
		return nil
	}
	c, ok := FindCondition(m.Conditions, "ModelReady")
	if !ok || c.Status != "False" {
		return nil
	}
	if !strings.Contains(c.Message, scheduleFailedState) && !strings.Contains(c.Reason, scheduleFailedState) {
		return nil
	}
	bare := func(s string) bool {
		s = strings.TrimSpace(s)
		return s == "" || s == scheduleFailedState
	}
	text := c.Reason
	if bare(text) && !bare(c.Message) {
		text = c.Message
	}
	if strings.TrimSpace(text) == "" {
		text = scheduleFailedState
	}
	return &ScheduleFailed{Since: c.Since, Reason: text}
}

// joinDesired reads spec.replicas; Seldon defaults an unset value to 1.
func joinDesired(p *int32) Count {
	if p == nil {
		return Known(1)
	}
	return Known(*p)
}

// joinSeldonTarget reports the kind of an HPA target that is a Seldon Model or Server.
func joinSeldonTarget(t CrossRef) (string, bool) {
	group, _, _ := strings.Cut(t.APIVersion, "/")
	if group != SeldonGroup || (t.Kind != KindModel && t.Kind != KindServer) {
		return "", false
	}
	return t.Kind, true
}

// joinHealth is the basic health of a pair: Warning for shape flags, ScheduleFailed or
// objects with problems; Converging while a side's ready count differs from desired.
// The intelligence rules may raise it later (structural ScheduleFailed is Critical).
func joinHealth(p *Pair) Health {
	if len(p.Shape) > 0 || p.ScheduleFailed != nil || joinHasProblems(p) {
		return Warning
	}
	if p.Link == LinkUnscheduled {
		// Seldon places a Model after it is created: waiting for the scheduler is a
		// state, not a fault (a Model it cannot place gets ScheduleFailed).
		return Converging
	}
	for _, side := range [][2]Count{{p.ModelDesired, p.ModelReady}, {p.ServerDesired, p.ServerReady}} {
		if side[0].Known && side[1].Known && side[0].Value != side[1].Value {
			return Converging
		}
	}
	return Healthy
}

func joinHasProblems(p *Pair) bool {
	return (p.Model != nil && len(p.Model.Problems) > 0) ||
		(p.Server != nil && len(p.Server.Problems) > 0) ||
		(p.ModelHPA != nil && len(p.ModelHPA.Problems) > 0) ||
		(p.ServerHPA != nil && len(p.ServerHPA.Problems) > 0)
}

// BuildSnapshot joins an inventory into an immutable Snapshot taken at now, with the
// recent Events of all pairs, newest first.
func BuildSnapshot(now time.Time, inv Inventory, w WatchState) Snapshot {
	snap, _ := buildSnapshot(now, inv, w)
	return snap
}

// buildSnapshot is BuildSnapshot that also returns each pair's plan.
func buildSnapshot(now time.Time, inv Inventory, w WatchState) (Snapshot, []pairPlan) {
	pairs, plans := joinPlanned(inv)
	evs := slices.Clone(inv.Events)
	// Only Events about objects that made it into a pair belong in the events pane.
	keep := make(map[joinRef]bool)
	for i := range pairs {
		p := &pairs[i]
		if p.Model != nil {
			keep[joinRef{p.Namespace, KindModel, p.ModelName}] = true
		}
		if p.Server != nil {
			keep[joinRef{p.Namespace, KindServer, p.ServerName}] = true
		}
		for _, h := range []*HPA{p.ModelHPA, p.ServerHPA} {
			if h != nil {
				keep[joinRef{p.Namespace, "HorizontalPodAutoscaler", h.Name}] = true
			}
		}
	}
	evs = slices.DeleteFunc(evs, func(e Event) bool {
		return !keep[joinRef{e.Namespace, e.Object.Kind, e.Object.Name}]
	})
	SortEventsNewestFirst(evs)
	if len(evs) > MaxSnapshotEvents {
		evs = evs[:MaxSnapshotEvents:MaxSnapshotEvents]
	}
	if len(evs) == 0 {
		evs = nil
	}
	return Snapshot{Taken: now, Watch: w, Pairs: pairs, Events: evs}, plans
}
