package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// Reaction times of Seldon's controllers to a change they watch.
const (
	schedulerDelay = 300 * time.Millisecond // scheduler sees a Model spec change
	operatorDelay  = 400 * time.Millisecond // operator sees a Server spec change
	agentConnect   = 1200 * time.Millisecond
	podGrace       = 6 * time.Second // a removed Server pod drains and goes away
)

type modelState struct {
	spec           int32
	specSet        bool
	generation     int64
	observed       int64
	statusReplicas int32
	selector       bool   // the operator has written the scheduler's status
	placed         string // the Server the scheduler placed the Model on; "" until then
	conds          []cond
	state          string
	ready          bool
}

type serverState struct {
	// writtenAt is when Seldon's operator last wrote spec.replicas (its managedFields time).
	writtenAt      time.Time
	spec           int32
	generation     int64
	observed       int64
	statusReplicas int32
	conds          []cond
	ready          bool
}

type workloadState struct {
	exists     bool
	spec       int32
	generation int64
	observed   int64
	replicas   int32
	ready      int32
	availSince time.Time
}

// pod is one Server replica.
type pod struct {
	ordinal     int32
	ready       bool
	terminating bool
}

// loadJob is one Model replica being loaded onto a Server replica.
type loadJob struct {
	cancelled bool
}

// pair is one simulated Model, its Server (and workload) and their two HPAs.
type pair struct {
	c       *Cluster
	spec    pairSpec
	created time.Time

	modelUID, serverUID types.UID

	m  modelState
	sv serverState
	wl workloadState

	pods    []*pod
	loaded  int32 // Model replicas loaded and serving
	loading []*loadJob

	mh, sh *hpa

	series series
	noise  noise
	rng    *rand.Rand // start and load delays

	deployed     bool // the pair's objects exist
	adapterKnown bool
	schedPending bool
	lastModel    *unstructured.Unstructured
	lastServer   *unstructured.Unstructured
	lastWorkload runtime.Object
	scrapeOffset time.Duration
}

func (p *pair) now() time.Time { return p.c.sched.now }

func (p *pair) key() string { return p.spec.namespace + "/" + p.spec.model }

// readyPods counts Server replicas whose agent is connected to the scheduler.
func (p *pair) readyPods() int32 {
	var n int32
	for _, q := range p.pods {
		if q.ready && !q.terminating {
			n++
		}
	}
	return n
}

func (p *pair) livePods() int32 {
	var n int32
	for _, q := range p.pods {
		if !q.terminating {
			n++
		}
	}
	return n
}

// init puts the pair in its steady initial state: the given replicas on both sides,
// all ready and loaded, as if it had been running for a while.
func (p *pair) init() {
	n := p.spec.initial
	p.m = modelState{spec: n, specSet: !p.spec.noModelReplicas, generation: 1, observed: 1, statusReplicas: n, selector: true,
		placed: p.spec.server}
	p.sv = serverState{spec: n, generation: 1, observed: 1, statusReplicas: n}
	p.wl = workloadState{exists: true, spec: n, generation: 1, observed: 1, replicas: n, ready: n, availSince: p.created}
	for i := int32(0); i < n; i++ {
		p.pods = append(p.pods, &pod{ordinal: i, ready: true})
	}
	p.loaded = n
	p.m.conds = []cond{
		{typ: "ModelReady", status: "True", message: stateAvailable, since: p.created},
		{typ: "Ready", status: "True", since: p.created},
	}
	p.m.state, p.m.ready = stateAvailable, true
	if n == 0 && p.spec.seldon210 {
		p.m.conds = []cond{
			{typ: "ModelReady", status: "False", message: stateScaledDown, since: p.created},
			{typ: "Ready", status: "False", message: stateScaledDown, since: p.created},
		}
		p.m.state, p.m.ready = stateScaledDown, false
	}
	if p.spec.modelExtra > 0 {
		p.m.spec += p.spec.modelExtra
		p.m.statusReplicas = p.m.spec
	}
	p.sv.conds = []cond{
		{typ: "Ready", status: "True", since: p.created},
		{typ: p.workloadCond(), status: "True", reason: p.workloadKind() + " replicas matches desired replicas", since: p.created},
	}
	p.sv.ready = true
	p.deployed = true
	p.writeModel()
	p.writeServer()
	p.writeWorkload()
}

// deploy creates the pair as `kubectl apply` would during the story: the Model and
// Server without status, then Seldon's operator creates the workload, whose pods
// start while the scheduler has nowhere to place the Model yet.
func (p *pair) deploy() {
	n := p.spec.initial
	p.created = p.now()
	p.m = modelState{spec: n, specSet: !p.spec.noModelReplicas, generation: 1}
	p.sv = serverState{spec: n, generation: 1}
	p.deployed = true
	p.writeModel()
	p.writeServer()
	p.c.sched.after(jitter(p.rng, operatorDelay, 150*time.Millisecond), p.reconcileServer)
	p.requestSchedule(schedulerDelay)
}

func (p *pair) workloadKind() string {
	if p.spec.deployment {
		return "Deployment"
	}
	return "StatefulSet"
}

// scaleModel is the HPA writing the Model's scale subresource.
func (p *pair) scaleModel(n int32) {
	if p.m.spec == n && p.m.specSet {
		return
	}
	p.m.spec, p.m.specSet = n, true
	p.m.generation++
	p.writeModel()
	p.requestSchedule(schedulerDelay)
}

// scaleServer is the HPA writing the Server's scale subresource.
func (p *pair) scaleServer(n int32) {
	if p.sv.spec == n {
		return
	}
	p.sv.spec = n
	p.sv.generation++
	p.writeServer()
	p.c.sched.after(jitter(p.rng, operatorDelay, 150*time.Millisecond), p.reconcileServer)
}

// requestSchedule asks the scheduler to (re)place the Model after d, coalescing requests.
func (p *pair) requestSchedule(d time.Duration) {
	if p.schedPending {
		return
	}
	p.schedPending = true
	p.c.sched.after(d, p.scheduleModel)
}

// scheduleModel is Seldon's scheduler placing the Model's replicas, one per Server
// replica. It never creates Server replicas; when the Model asks for more than the
// Server has ready it fails with ScheduleFailed and keeps the replicas already loaded.
func (p *pair) scheduleModel() {
	p.schedPending = false
	spec := p.m.spec
	ready := p.readyPods()
	p.m.statusReplicas = spec // available + unavailable, as the scheduler reports it
	p.m.observed = p.m.generation
	p.m.selector = true
	if ready > 0 || p.loaded > 0 {
		// A Model without spec.server lands on this Server because it is the only one
		// whose capabilities match its requirements.
		p.m.placed = p.spec.server
	}
	inflight := p.activeLoads()
	switch {
	case spec == 0 && p.spec.seldon210:
		p.loaded = 0
		p.cancelLoads(0)
		p.setModelState(stateScaledDown)
	case spec <= p.loaded:
		p.loaded = spec // unload the extra replicas
		p.cancelLoads(0)
		p.setModelState(stateAvailable)
	case spec <= p.loaded+inflight:
		p.cancelLoads(spec - p.loaded)
		p.setModelState(stateProgressing)
	case spec <= ready:
		for i := p.loaded + inflight; i < spec; i++ {
			p.startLoad()
		}
		p.setModelState(stateProgressing)
	case ready == 0:
		p.setModelStateReason(stateFailed, ReasonNoServers)
	case p.spec.partialMin && p.spec.modelMin != nil && ready >= *p.spec.modelMin:
		// Seldon 2.9: min replicas placed, the Model is available with fewer than asked.
		for i := p.loaded + inflight; i < ready; i++ {
			p.startLoad()
		}
		p.setModelState(stateAvailable)
	default:
		p.setModelState(stateFailed)
		if p.spec.scheduler && p.sv.spec < spec {
			// Seldon 2.10: the scheduler asks the operator for the Server replicas.
			p.c.sched.after(jitter(p.rng, operatorDelay, 150*time.Millisecond), func() { p.seldonScaleServer(spec) })
		}
	}
	p.writeModel()
	p.writeServer()
}

// seldonScaleServer is Seldon's operator patching Server.spec.replicas at the scheduler's
// request; unlike the HPA's /scale writes, it shows in managedFields.
func (p *pair) seldonScaleServer(n int32) {
	if p.sv.spec >= n {
		return
	}
	p.sv.writtenAt = p.now()
	p.scaleServer(n)
}

func (p *pair) activeLoads() int32 {
	var n int32
	for _, j := range p.loading {
		if !j.cancelled {
			n++
		}
	}
	return n
}

// cancelLoads keeps the first keep in-flight loads and cancels the rest.
func (p *pair) cancelLoads(keep int32) {
	var kept []*loadJob
	for _, j := range p.loading {
		if j.cancelled {
			continue
		}
		if int32(len(kept)) < keep {
			kept = append(kept, j)
		} else {
			j.cancelled = true
		}
	}
	p.loading = kept
}

func (p *pair) startLoad() {
	j := &loadJob{}
	p.loading = append(p.loading, j)
	p.c.sched.after(jitter(p.rng, p.spec.loadDelay, p.spec.loadDelay/3), func() {
		if j.cancelled {
			return
		}
		for i, x := range p.loading {
			if x == j {
				p.loading = append(p.loading[:i], p.loading[i+1:]...)
				break
			}
		}
		if p.loaded >= p.readyPods() {
			return // its Server replica went away meanwhile
		}
		p.loaded++
		if p.m.state != stateFailed {
			if p.loaded >= p.m.spec {
				p.setModelState(stateAvailable)
			}
		}
		p.writeModel()
		p.writeServer()
	})
}

// setModelState writes ModelReady the way Seldon does (state name in the message,
// human text in the reason), with Knative's Ready mirroring it, and the events
// Seldon records when readiness flips.
func (p *pair) setModelState(state string) {
	reason := ""
	if state == stateFailed {
		reason = ReasonNotEnoughReplicas
	}
	p.setModelStateReason(state, reason)
}

func (p *pair) setModelStateReason(state, reason string) {
	now := p.now()
	ok := state == stateAvailable
	c := cond{typ: "ModelReady", status: "False", message: state, reason: reason}
	if ok {
		c.status = "True"
	}
	p.m.conds = setKnative(p.m.conds, c, now)
	ready := cond{typ: "Ready", status: "True"}
	if !ok {
		ready = cond{typ: "Ready", status: "False", reason: c.reason, message: c.message}
	}
	p.m.conds = setKnative(p.m.conds, ready, now)
	p.m.state = state
	switch {
	case p.m.ready && !ok:
		p.c.event(p.modelRef(), "Warning", "ModelNotReady", "Model ["+p.spec.model+"] is no longer Ready", seldonComponent)
	case !p.m.ready && ok:
		p.c.event(p.modelRef(), "Normal", "ModelReady", "Model ["+p.spec.model+"] is Ready", seldonComponent)
	}
	p.m.ready = ok
}

// reconcileServer is Seldon's operator applying the Server's replicas to its
// StatefulSet (pods in parallel) and the workload controller creating or removing pods.
func (p *pair) reconcileServer() {
	spec := p.sv.spec
	if mx := p.spec.serverMax; p.spec.seldon210 && mx != nil && spec > *mx {
		// Seldon 2.10: replicas outside the Server's own range are a terminal error.
		p.sv.conds = setKnative(p.sv.conds, cond{typ: "StatefulSetOrDeploymentReady", status: "False",
			message: fmt.Sprintf("scaling spec is invalid: number of replicas %d must be <= max replicas %d", spec, *mx)}, p.now())
		p.sv.conds = setKnative(p.sv.conds, cond{typ: "Ready", status: "False"}, p.now())
		p.sv.observed = p.sv.generation
		p.writeServer()
		return
	}
	p.sv.statusReplicas = spec
	p.sv.observed = p.sv.generation
	if !p.wl.exists {
		p.wl = workloadState{exists: true, spec: spec, generation: 1, availSince: p.now()}
	}
	if p.wl.spec != spec {
		p.wl.spec = spec
		p.wl.generation++
	}
	p.wl.observed = p.wl.generation
	live := p.livePods()
	switch {
	case spec > live:
		used := map[int32]bool{}
		for _, q := range p.pods {
			used[q.ordinal] = true
		}
		next := int32(0)
		for i := live; i < spec; i++ {
			for used[next] {
				next++
			}
			q := &pod{ordinal: next}
			used[next] = true
			p.pods = append(p.pods, q)
			d := jitter(p.rng, p.spec.startDelay, p.spec.startJitter)
			p.c.sched.after(d, func() { p.podReady(q) })
		}
	case spec < live:
		// The highest ordinals go first, as a StatefulSet scales down.
		for n := live - spec; n > 0; n-- {
			var top *pod
			for _, q := range p.pods {
				if !q.terminating && (top == nil || q.ordinal > top.ordinal) {
					top = q
				}
			}
			top.terminating = true
			q := top
			p.c.sched.after(jitter(p.rng, podGrace, 2*time.Second), func() { p.podGone(q) })
		}
		if ready := p.readyPods(); p.loaded > ready {
			p.loaded = ready // the replicas on removed pods stop serving
		}
		p.requestSchedule(agentConnect)
	}
	p.refreshWorkload()
	p.writeServer()
	p.writeModel()
}

func (p *pair) podReady(q *pod) {
	if q.terminating {
		return
	}
	q.ready = true
	p.refreshWorkload()
	p.writeServer()
	// The new replica's agent connects and the scheduler retries failed placements.
	p.requestSchedule(agentConnect)
}

func (p *pair) podGone(q *pod) {
	for i, x := range p.pods {
		if x == q {
			p.pods = append(p.pods[:i], p.pods[i+1:]...)
			break
		}
	}
	p.refreshWorkload()
	p.writeServer()
}

// refreshWorkload recomputes the workload status and the Server's conditions from the pods.
func (p *pair) refreshWorkload() {
	now := p.now()
	wasAvail := p.wl.ready >= p.wl.spec
	p.wl.replicas = p.livePods()
	p.wl.ready = p.readyPods()
	avail := p.wl.ready >= p.wl.spec
	if avail != wasAvail {
		p.wl.availSince = now
	}
	p.writeWorkload()

	kind := p.workloadKind()
	c := cond{typ: p.workloadCond(), status: "True", reason: kind + " replicas matches desired replicas"}
	if !avail {
		c = cond{typ: p.workloadCond(), status: "False", reason: kind + " replicas does not match desired replicas"}
	}
	p.sv.conds = setKnative(p.sv.conds, c, now)
	ready := cond{typ: "Ready", status: "True"}
	if !avail {
		ready = cond{typ: "Ready", status: "False", reason: c.reason}
	}
	p.sv.conds = setKnative(p.sv.conds, ready, now)
	switch {
	case p.sv.ready && !avail:
		p.c.event(p.serverRef(), "Warning", "ServerNotReady", "Server ["+p.spec.server+"] is no longer Ready", seldonComponent)
	case !p.sv.ready && avail:
		p.c.event(p.serverRef(), "Normal", "ServerReady", "Server ["+p.spec.server+"] is Ready", seldonComponent)
	}
	p.sv.ready = avail
}

// traffic accrues one step of requests on the Model's counters: what the ready
// replicas can serve succeeds with a latency that grows with utilisation; the
// overflow fails fast with 503.
func (p *pair) traffic(dt time.Duration) {
	t := p.now().Sub(p.c.start)
	offered := p.spec.load.rate(t)
	reqs := p.noise.requests(offered, dt)
	capacity := float64(p.loaded) * p.spec.capacity * dt.Seconds()
	served := math.Min(reqs, capacity)
	failed := reqs - served
	// A small share of client errors (4xx) whatever the load.
	clientErr := math.Round(served * p.spec.clientErrors)
	u := 0.0
	if capacity > 0 {
		u = math.Min(reqs/capacity, 1.5)
	}
	lat := p.spec.baseLatency.Seconds() * (1 + 3*u*u*u)
	p.series.total += reqs
	p.series.errors += failed + clientErr
	p.series.seconds += served*lat + failed*0.004
}

func (p *pair) scrape() {
	p.series.scrape(p.now())
}

// writeModel stores the Model if it changed, as Seldon skips identical status updates.
func (p *pair) writeModel() {
	obj := p.modelObject()
	if p.lastModel != nil && reflect.DeepEqual(obj.Object, p.lastModel.Object) {
		return
	}
	p.lastModel = obj.DeepCopy()
	p.c.put(p.c.dynStore, gvr.Models, obj)
}

func (p *pair) writeServer() {
	obj := p.serverObject()
	if p.lastServer != nil && reflect.DeepEqual(obj.Object, p.lastServer.Object) {
		return
	}
	p.lastServer = obj.DeepCopy()
	p.c.put(p.c.dynStore, gvr.Servers, obj)
}

func (p *pair) writeWorkload() {
	if !p.wl.exists {
		return
	}
	var obj runtime.Object
	res := gvr.StatefulSets
	if p.spec.deployment {
		obj, res = p.deploymentObject(), gvr.Deployments
	} else {
		obj = p.statefulSet()
	}
	if p.lastWorkload != nil && reflect.DeepEqual(obj, p.lastWorkload) {
		return
	}
	p.lastWorkload = obj.DeepCopyObject()
	p.c.put(p.c.kubeStore, res, obj)
}

func (p *pair) modelRef() objRef {
	return objRef{apiVersion: seldonAPIVersion, kind: "Model", ns: p.spec.namespace, name: p.spec.model, uid: p.modelUID}
}

func (p *pair) serverRef() objRef {
	return objRef{apiVersion: seldonAPIVersion, kind: "Server", ns: p.spec.namespace, name: p.spec.server, uid: p.serverUID}
}

// modelSelector is the Model's .status.selector as Seldon's operator writes it:
// "server=" + the scheduler's server name, empty until the scheduler has reported.
func (p *pair) modelSelector() string {
	if !p.m.selector {
		return ""
	}
	return "server=" + p.m.placed
}

// workloadCond is the Server's workload condition type: renamed in Seldon 2.10.
func (p *pair) workloadCond() string {
	if p.spec.seldon29 {
		return "StatefulSetReady"
	}
	return "StatefulSetOrDeploymentReady"
}
