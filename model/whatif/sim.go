package whatif

import (
	"math"
	"sort"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Sync is one simulated sync of one HPA.
type Sync struct {
	At   time.Time `json:"at"`
	Side Side      `json:"side"`
	// Metric is the infer_rps total the HPA read; NaN when it was missing.
	Metric float64 `json:"metric"`
	// From is the target's replicas before the sync; Desired what the HPA set.
	From    int32 `json:"from"`
	Desired int32 `json:"desired"`
	// Raw is the metric's proposal before stabilization and limits; Ratio the usage ratio.
	Raw   int32   `json:"raw"`
	Ratio float64 `json:"ratio"`
	// LimitedBy and Limit say what bounded the decision ("policy Pods 1/90s").
	LimitedBy model.LimitKind `json:"limitedBy,omitempty"`
	Limit     string          `json:"limit,omitempty"`
	// Err says why no metric-based decision was made (the metric was missing).
	Err string `json:"err,omitempty"`
}

// Point is the pair's state at one instant of the timeline.
type Point struct {
	At time.Time `json:"at"`
	// RPS is infer_rps at that instant; NaN when missing.
	RPS float64 `json:"rps"`
	State
	// Capacity is the target × the Model replicas serving.
	Capacity       float64 `json:"capacity"`
	ScheduleFailed bool    `json:"scheduleFailed"`
}

// Result is one simulation: every sync, the timeline and the summary.
type Result struct {
	Syncs   []Sync  `json:"syncs"`
	Points  []Point `json:"points"`
	Summary Summary `json:"summary"`
}

// sim is the state of one simulation run.
type sim struct {
	in      Input
	maxAge  time.Duration
	target  float64
	s       State
	sf      bool
	pending []time.Time // when each starting Server pod becomes ready, oldest first
	mMem    model.HPAMemory
	sMem    model.HPAMemory
	mHPA    *model.HPA // the Model HPA's spec in force now (nil: none)
	sHPA    *model.HPA
	wi      int // index of the next outside write to apply
	mi, si  int // index of the next spec change of each side
	j       int // index of the first sample after the current instant
	res     Result
	acc     accumulator
}

// Simulate replays the input's span. It never fails: a missing metric is a sync that
// keeps its replicas, as the controller does (ScalingActive False, FailedGetObjectMetric).
func Simulate(in Input) Result {
	r := &sim{in: in, maxAge: in.MaxAge, target: in.CapacityTarget, s: in.Init}
	if r.target <= 0 {
		r.target = in.Target()
	}
	if r.maxAge <= 0 {
		r.maxAge = model.SyncPeriod
	}
	step := in.Step
	if step <= 0 {
		step = model.SyncPeriod
	}
	if !in.End.After(in.Start) {
		return r.res
	}
	// Pods starting at Start become ready one readiness delay later (at the latest).
	for i := in.Init.ServerReady; i < in.Init.ServerReplicas; i++ {
		r.pending = append(r.pending, in.Start.Add(in.ServerReady))
	}
	r.schedule()
	r.mHPA, r.mi = specAt(in.ModelHPA, in.ModelSpecs, in.Start)
	r.sHPA, r.si = specAt(in.ServerHPA, in.ServerSpecs, in.Start)
	for r.wi < len(in.Writes) && !in.Writes[r.wi].At.After(in.Start) {
		r.write(in.Writes[r.wi], in.Start)
		r.wi++
	}
	if r.mHPA != nil {
		r.seed(&r.mMem, *r.mHPA, in.ModelPhase, r.s.ModelReplicas)
	}
	if r.sHPA != nil {
		r.seed(&r.sMem, *r.sHPA, in.ServerPhase, r.s.ServerReplicas)
	}
	never := in.End.Add(time.Hour)
	nextM, nextS := never, never
	if r.mHPA != nil {
		nextM = firstSync(in.Start, in.ModelPhase)
	}
	if r.sHPA != nil {
		nextS = firstSync(in.Start, in.ServerPhase)
	}
	n := int(in.End.Sub(in.Start)/model.SyncPeriod) + 1
	r.res.Syncs = make([]Sync, 0, 2*n)
	r.res.Points = make([]Point, 0, int(in.End.Sub(in.Start)/step)+1)
	r.j = sort.Search(len(in.Metric), func(i int) bool { return in.Metric[i].At.After(in.Start) })
	r.acc.begin(in.Start, r)
	nextPoint := in.Start
	cur := in.Start
	for {
		t := minTime(nextM, nextS, nextPoint, in.End)
		if len(r.pending) > 0 {
			t = minTime(t, r.pending[0])
		}
		if r.j < len(in.Metric) {
			t = minTime(t, in.Metric[r.j].At)
		}
		if r.j > 0 {
			if exp := in.Metric[r.j-1].At.Add(r.maxAge); exp.After(cur) {
				t = minTime(t, exp)
			}
		}
		if r.wi < len(in.Writes) {
			t = minTime(t, in.Writes[r.wi].At)
		}
		if r.mi < len(in.ModelSpecs) {
			t = minTime(t, in.ModelSpecs[r.mi].At)
		}
		if r.si < len(in.ServerSpecs) {
			t = minTime(t, in.ServerSpecs[r.si].At)
		}
		r.acc.advance(cur, t, r)
		cur = t
		if !t.Before(in.End) {
			break
		}
		for r.j < len(in.Metric) && !in.Metric[r.j].At.After(t) {
			r.j++
		}
		for len(r.pending) > 0 && !r.pending[0].After(t) {
			r.pending = r.pending[1:]
			r.s.ServerReady++
			r.schedule()
		}
		// Spec edits and outside writes seen at t land before the HPAs' syncs at t read them.
		for r.mi < len(in.ModelSpecs) && !in.ModelSpecs[r.mi].At.After(t) {
			nextM = r.respec(&r.mHPA, in.ModelSpecs[r.mi].HPA, nextM, never, t, in.ModelPhase)
			r.mi++
		}
		for r.si < len(in.ServerSpecs) && !in.ServerSpecs[r.si].At.After(t) {
			nextS = r.respec(&r.sHPA, in.ServerSpecs[r.si].HPA, nextS, never, t, in.ServerPhase)
			r.si++
		}
		for r.wi < len(in.Writes) && !in.Writes[r.wi].At.After(t) {
			r.write(in.Writes[r.wi], t)
			r.wi++
		}
		if t.Equal(nextM) {
			r.syncModel(t)
			nextM = nextM.Add(model.SyncPeriod)
		}
		if t.Equal(nextS) {
			r.syncServer(t)
			nextS = nextS.Add(model.SyncPeriod)
		}
		if t.Equal(nextPoint) {
			r.point(t)
			nextPoint = nextPoint.Add(step)
		}
		r.acc.observe(t, r)
	}
	r.acc.finish(in.End, r)
	return r.res
}

// firstSync is the first instant at or after start whose phase within the sync period is phase.
func firstSync(start time.Time, phase time.Duration) time.Time {
	period := int64(model.SyncPeriod)
	ph := ((int64(phase) % period) + period) % period
	into := ((start.UnixNano() % period) + period) % period
	d := (ph - into + period) % period
	return start.Add(time.Duration(d))
}

func minTime(a time.Time, bs ...time.Time) time.Time {
	for _, b := range bs {
		if b.Before(a) {
			a = b
		}
	}
	return a
}

// metricNow is the value an HPA reads at the current instant (samples up to r.j-1).
func (r *sim) metricNow(t time.Time) float64 {
	if r.j == 0 {
		return math.NaN()
	}
	smp := r.in.Metric[r.j-1]
	if t.Sub(smp.At) >= r.maxAge {
		return math.NaN()
	}
	return smp.V
}

// metricAt looks a value up anywhere in the history (for seeding before Start).
func (r *sim) metricAt(t time.Time) float64 {
	m := r.in.Metric
	i := sort.Search(len(m), func(i int) bool { return m[i].At.After(t) })
	if i == 0 || t.Sub(m[i-1].At) >= r.maxAge {
		return math.NaN()
	}
	return m[i-1].V
}

// seed fills an HPA's memory with the recommendations the controller made over its
// stabilization windows before Start, from the metric history there, with the replicas
// taken as constant at their initial count. Without history before Start the memory
// starts empty, as the controller's does for a new HPA.
func (r *sim) seed(mem *model.HPAMemory, h model.HPA, phase time.Duration, replicas int32) {
	window := model.DefaultDownscaleStabilization
	if h.Behavior != nil {
		up, down := model.EffectiveBehavior(h.Behavior)
		window = max(up.Stabilization, down.Stabilization)
	}
	if len(r.in.Metric) == 0 || !r.in.Metric[0].At.Before(r.in.Start) || window <= 0 {
		return
	}
	t := firstSync(r.in.Start.Add(-window), phase)
	for ; t.Before(r.in.Start); t = t.Add(model.SyncPeriod) {
		v := r.metricAt(t)
		if math.IsNaN(v) {
			continue
		}
		d := model.Decide(h, replicas, v, mem, t)
		if d.Computed {
			mem.Recommendations = append(mem.Recommendations, model.Recommendation{At: t, Replicas: d.Raw})
		}
		mem.Seeded = true
	}
}

func (r *sim) syncModel(t time.Time) {
	from := r.s.ModelReplicas
	d := r.decide(*r.mHPA, from, &r.mMem, t, SideModel)
	if d.Rescale {
		r.s.ModelReplicas = d.Desired
		r.acc.modelEvents++
		r.schedule()
	}
}

func (r *sim) syncServer(t time.Time) {
	from := r.s.ServerReplicas
	d := r.decide(*r.sHPA, from, &r.sMem, t, SideServer)
	if !d.Rescale {
		return
	}
	r.acc.serverEvents++
	r.resizeServer(d.Desired, t)
}

// resizeServer sets the Server's spec.replicas: new pods become ready one readiness
// delay later; a scale-down removes starting pods first.
func (r *sim) resizeServer(to int32, t time.Time) {
	from := r.s.ServerReplicas
	r.s.ServerReplicas = to
	switch {
	case to > from:
		for i := from; i < to; i++ {
			if r.in.ServerReady <= 0 {
				r.s.ServerReady++
			} else {
				r.pending = append(r.pending, t.Add(r.in.ServerReady))
			}
		}
	case to < from:
		// A StatefulSet removes the highest ordinals first: the pods still starting.
		drop := from - to
		for drop > 0 && len(r.pending) > 0 {
			r.pending = r.pending[:len(r.pending)-1]
			drop--
		}
		r.s.ServerReady = max(0, r.s.ServerReady-drop)
	}
	r.schedule()
}

// decide runs one controller sync for one HPA (the target's status replicas taken equal
// to its spec) and records it.
func (r *sim) decide(h model.HPA, from int32, mem *model.HPAMemory, t time.Time, side Side) model.Decision {
	total := r.metricNow(t)
	d := model.Decide(h, from, total, mem, t)
	mem.Record(t, d, from)
	r.res.Syncs = append(r.res.Syncs, Sync{
		At: t, Side: side, Metric: total, From: from, Desired: d.Desired, Raw: d.Raw, Ratio: d.Ratio,
		LimitedBy: d.LimitedBy, Limit: d.Limit, Err: d.Err,
	})
	if !d.Computed && d.ScalingActive == model.ReasonFailedGetObjectMetric {
		r.acc.missingSyncs++
	}
	return d
}

// schedule is Seldon's scheduler: it places the Model's replicas when the Server has
// enough ready replicas, and otherwise reports ScheduleFailed and keeps what is placed.
func (r *sim) schedule() {
	if r.s.ModelReplicas <= r.s.ServerReady {
		r.s.ModelAvailable = r.s.ModelReplicas
		r.sf = false
		return
	}
	r.sf = true
	r.s.ModelAvailable = min(r.s.ModelAvailable, r.s.ServerReady)
}

func (r *sim) point(t time.Time) {
	r.res.Points = append(r.res.Points, Point{
		At: t, RPS: r.metricNow(t), State: r.s,
		Capacity: r.target * float64(r.s.ModelAvailable), ScheduleFailed: r.sf,
	})
}

// specAt is the spec in force at start and the index of the first change after it. A
// history whose first entry comes after start means the HPA did not exist before it.
func specAt(fallback *model.HPA, specs []SpecChange, start time.Time) (*model.HPA, int) {
	if len(specs) == 0 {
		return fallback, 0
	}
	var h *model.HPA
	i := 0
	for ; i < len(specs) && !specs[i].At.After(start); i++ {
		h = specs[i].HPA
	}
	return h, i
}

// respec puts a new spec of one HPA in force at t and returns that HPA's next sync: an
// HPA created now first syncs at its phase, a deleted one never again. The controller
// keeps its recommendations across an edit, so the memory stays.
func (r *sim) respec(cur **model.HPA, next *model.HPA, nextSync, never, t time.Time, phase time.Duration) time.Time {
	was := *cur
	*cur = next
	switch {
	case next == nil:
		return never
	case was == nil:
		return firstSync(t, phase)
	}
	return nextSync
}

// write applies an outside write of spec.replicas as recorded.
func (r *sim) write(w ReplicaWrite, t time.Time) {
	if w.Side == SideServer {
		if w.Replicas != r.s.ServerReplicas {
			r.resizeServer(w.Replicas, t)
		}
		return
	}
	r.s.ModelReplicas = w.Replicas
	r.schedule()
}
