package traffic

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch/record"
)

// Notes says where each part of an Input came from, for the output's header.
type Notes struct {
	Source string   `json:"source"`
	Lines  []string `json:"lines,omitempty"`
}

func (n *Notes) add(format string, args ...any) {
	n.Lines = append(n.Lines, fmt.Sprintf(format, args...))
}

// observationSlack is how late after a sync the dashboard may see the HPA's status: an
// observed change is attributed to the latest sync of that HPA at most this long before.
const observationSlack = 2 * time.Second

// hpaTrack collects one HPA's status writes from a recording.
type hpaTrack struct {
	lastRV    string
	lastDes   int32
	obs       []whatif.Observation
	writes    []write
	phase     time.Duration
	phaseOK   bool
	specs     []string // distinct spec fingerprints seen, in order
	lastSpec  *model.HPA
	specSince time.Time
	history   []whatif.SpecChange // each spec from when it was first seen (nil: the HPA was gone)
}

// write is one observed status write: when it was seen and the metric total it reported
// (NaN when the controller could not fetch the metric).
type write struct {
	seen  time.Time
	total float64
	known bool // false: the write carried no metric information
}

// PairKeys lists the pairs of the recording's last readable record with both twin HPAs.
func PairKeys(path string) ([]string, error) {
	r, err := record.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var last *model.Snapshot
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		if rec.Snapshot != nil {
			last = rec.Snapshot
		}
	}
	var keys []string
	if last != nil {
		for _, p := range last.Pairs {
			if p.ModelHPA != nil || p.ServerHPA != nil {
				keys = append(keys, p.Key)
			}
		}
	}
	return keys, nil
}

// FromRecording builds the baseline input of one pair from a recording made with --record:
// the specs of its HPAs as last recorded, their desired replicas as recorded (for Match),
// the metric each HPA reported at its syncs (status.currentMetrics × currentReplicas, the
// value the controller read) and, before the first record, the infer_rps history.
func FromRecording(path, key string, serverReady time.Duration) (whatif.Input, Notes, error) {
	all, err := readRecording(path, func(k string) bool { return k == key }, serverReady)
	if err != nil {
		return whatif.Input{}, Notes{Source: "recording " + path}, err
	}
	if len(all) == 0 {
		return whatif.Input{}, Notes{Source: "recording " + path}, fmt.Errorf("recording %s has no pair %s", path, key)
	}
	return all[0].Input, all[0].Notes, all[0].Err
}

// Replay is one pair's input read from a recording, or why it cannot be replayed.
type Replay struct {
	Input whatif.Input
	Notes Notes
	Err   error
}

// FromRecordingAll reads the inputs of every pair with an HPA in one pass over the recording.
func FromRecordingAll(path string, serverReady time.Duration) ([]Replay, error) {
	return readRecording(path, func(string) bool { return true }, serverReady)
}

// pairAcc is one pair's input as the records are read.
type pairAcc struct {
	in        whatif.Input
	notes     Notes
	m, s      hpaTrack
	hist      map[time.Time]float64
	step      time.Duration
	readiness model.Readiness
	// serverKnown and modelKnown: the object's spec.replicas has been seen; a Server that
	// appears after the first record was created then, with its first replicas.
	serverKnown, modelKnown bool
	// writes are the outside writes of spec.replicas, keyed to drop the repeats that every
	// later snapshot's recent changes carry.
	writes map[string]whatif.ReplicaWrite
}

func readRecording(path string, want func(string) bool, serverReady time.Duration) ([]Replay, error) {
	r, err := record.Open(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	accs := map[string]*pairAcc{}
	var order []string
	records := 0
	var damage error
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			damage = err
			break
		}
		records++
		if rec.Snapshot == nil {
			continue
		}
		for i := range rec.Snapshot.Pairs {
			p := &rec.Snapshot.Pairs[i]
			if !want(p.Key) || (p.ModelHPA == nil && p.ServerHPA == nil) {
				continue
			}
			a := accs[p.Key]
			if a == nil {
				a = &pairAcc{in: whatif.Input{Key: p.Key, Start: rec.At, Init: whatif.State{
					ModelReplicas: p.ModelDesired.Value, ServerReplicas: p.ServerDesired.Value,
					ServerReady: p.ServerReady.Value, ModelAvailable: p.ModelReady.Value,
				}}, notes: Notes{Source: "recording " + path}, hist: map[time.Time]float64{},
					writes: map[string]whatif.ReplicaWrite{}, serverKnown: p.ServerDesired.Known, modelKnown: p.ModelDesired.Known}
				accs[p.Key] = a
				order = append(order, p.Key)
			}
			a.record(rec.At, p, rec.Histories, rec.Snapshot.Changes)
		}
	}
	if len(accs) == 0 && damage != nil {
		return nil, damage
	}
	out := make([]Replay, 0, len(order))
	for _, k := range order {
		a := accs[k]
		if damage != nil {
			a.notes.add("recording damaged: %v; replaying the records before it", damage)
		}
		err := a.finish(serverReady, records)
		out = append(out, Replay{Input: a.in, Notes: a.notes, Err: err})
	}
	return out, nil
}

// record takes one record of the pair.
func (a *pairAcc) record(at time.Time, p *model.Pair, hists map[string]model.PairHistory, changes []model.Change) {
	if h, ok := hists[p.Key]; ok && h.Step > 0 {
		a.step = h.Step
		for i, v := range h.RPS {
			a.hist[h.Start.Add(time.Duration(i)*h.Step)] = v
		}
	}
	a.in.End = at
	if p.Skew.ModelPhaseKnown {
		a.m.phase, a.m.phaseOK = p.Skew.ModelPhase, true
	}
	if p.Skew.ServerPhaseKnown {
		a.s.phase, a.s.phaseOK = p.Skew.ServerPhase, true
	}
	if p.Readiness.Samples > 0 {
		a.readiness = p.Readiness
	}
	a.m.observe(at, p.ModelHPA)
	a.s.observe(at, p.ServerHPA)
	a.outsideWrites(at, p, changes)
}

// outsideWrites collects the writes of the pair's Model and Server spec.replicas that the
// dashboard attributed to someone other than an HPA (Seldon's scheduler, kubectl, GitOps,
// a change no HPA explained), and the replicas an object was created with mid-recording.
func (a *pairAcc) outsideWrites(at time.Time, p *model.Pair, changes []model.Change) {
	for _, side := range []struct {
		known *bool
		count model.Count
		side  whatif.Side
	}{{&a.modelKnown, p.ModelDesired, whatif.SideModel}, {&a.serverKnown, p.ServerDesired, whatif.SideServer}} {
		if !*side.known && side.count.Known {
			*side.known = true
			a.addWrite(whatif.ReplicaWrite{At: at, Side: side.side, Replicas: side.count.Value, Writer: "created"})
		}
	}
	for _, c := range changes {
		if c.Field != model.FieldReplicas || c.WriterKind == model.WriterHPA || c.Namespace != p.Namespace || !c.At.After(a.in.Start) {
			continue
		}
		var side whatif.Side
		switch {
		case c.Kind == model.KindModel && c.Name == p.ModelName:
			side = whatif.SideModel
		case c.Kind == model.KindServer && c.Name == p.ServerName:
			side = whatif.SideServer
		default:
			continue
		}
		n, err := strconv.ParseInt(c.After, 10, 32)
		if err != nil {
			continue // spec.replicas unset: Seldon's default, not a write of a count
		}
		who := c.Writer
		if who == "" {
			who = "by hand"
		}
		a.addWrite(whatif.ReplicaWrite{At: c.At, Side: side, Replicas: int32(n), Writer: who})
	}
}

func (a *pairAcc) addWrite(w whatif.ReplicaWrite) {
	a.writes[fmt.Sprintf("%d/%d/%d", w.At.UnixNano(), w.Side, w.Replicas)] = w
}

// finish completes the input once every record is read.
func (a *pairAcc) finish(serverReady time.Duration, records int) error {
	in, notes := &a.in, &a.notes
	if !in.End.After(in.Start) {
		return fmt.Errorf("recording holds a single instant of %s: nothing to replay", in.Key)
	}
	in.ModelHPA, in.ServerHPA = a.m.lastSpec, a.s.lastSpec
	in.RecordedModel, in.RecordedServer = a.m.obs, a.s.obs
	for _, t := range []struct {
		name string
		h    *hpaTrack
	}{{"Model", &a.m}, {"Server", &a.s}} {
		if t.h.lastSpec == nil {
			notes.add("no %s HPA: that side keeps its recorded replicas", t.name)
			continue
		}
		if !t.h.phaseOK {
			t.h.phase = t.h.estimatePhase()
			notes.add("%s HPA sync phase not measured by the dashboard; estimated from its status writes: %s", t.name, t.h.phase)
		}
		if len(t.h.specs) > 1 {
			notes.add("%s HPA spec changed during the recording (last at %s); the baseline follows each recorded spec from its time", t.name, t.h.specSince.Format(time.TimeOnly))
		}
		if len(t.h.history) > 0 && t.h.history[0].At.After(in.Start) {
			notes.add("%s HPA created at %s, during the recording", t.name, t.h.history[0].At.Format(time.TimeOnly))
		}
	}
	if h := a.m.history; len(h) > 1 || (len(h) == 1 && h[0].At.After(in.Start)) {
		in.ModelSpecs = h
	}
	if h := a.s.history; len(h) > 1 || (len(h) == 1 && h[0].At.After(in.Start)) {
		in.ServerSpecs = h
	}
	in.Writes = a.sortedWrites()
	if len(in.Writes) > 0 {
		notes.add("%s replayed as recorded", writesText(in.Writes))
	}
	in.ModelPhase, in.ServerPhase = a.m.phase, a.s.phase
	in.ServerReady = serverReady
	switch {
	case serverReady > 0:
		notes.add("Server readiness %s (--server-ready)", model.FormatDuration(serverReady))
	case a.readiness.Samples > 0:
		in.ServerReady = a.readiness.Median
		notes.add("Server readiness %s (measured, median of %d)", model.FormatDuration(a.readiness.Median), a.readiness.Samples)
	default:
		in.ServerReady = DefaultServerReady
		notes.add("Server readiness not measured; assumed %s (set --server-ready)", model.FormatDuration(DefaultServerReady))
	}
	if in.Init.ServerReplicas > in.Init.ServerReady {
		notes.add("%d Server pods were starting at the first record", in.Init.ServerReplicas-in.Init.ServerReady)
	}
	in.Metric = mergeMetric(*in, a.hist, &a.m, &a.s)
	notes.add("metric: what the HPAs read at %d status writes in %d records over %s, the Prometheus history (step %s) before %s",
		len(a.m.writes)+len(a.s.writes), records, model.FormatDuration(in.End.Sub(in.Start)), a.step, in.Start.Format(time.TimeOnly))
	return nil
}

// sortedWrites is the outside writes, oldest first.
func (a *pairAcc) sortedWrites() []whatif.ReplicaWrite {
	out := make([]whatif.ReplicaWrite, 0, len(a.writes))
	for _, w := range a.writes {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Side < out[j].Side
	})
	return out
}

// writesText counts the outside writes per writer: "3 outside writes of spec.replicas
// (Seldon's scheduler 2, created 1)".
func writesText(ws []whatif.ReplicaWrite) string {
	count := map[string]int{}
	var order []string
	for _, w := range ws {
		if count[w.Writer] == 0 {
			order = append(order, w.Writer)
		}
		count[w.Writer]++
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%s %d", k, count[k])
	}
	noun := "writes"
	if len(ws) == 1 {
		noun = "write"
	}
	return fmt.Sprintf("%d outside %s of spec.replicas (%s)", len(ws), noun, strings.Join(parts, ", "))
}

// DefaultServerReady is the readiness delay assumed when none is measured or given.
const DefaultServerReady = 45 * time.Second

func (t *hpaTrack) observe(at time.Time, h *model.HPA) {
	if h == nil {
		if n := len(t.history); n > 0 && t.history[n-1].HPA != nil {
			t.history = append(t.history, whatif.SpecChange{At: at})
		}
		return
	}
	fp := specFingerprint(*h)
	if n := len(t.history); len(t.specs) == 0 || t.specs[len(t.specs)-1] != fp || t.history[n-1].HPA == nil {
		if len(t.specs) > 0 && t.specs[len(t.specs)-1] != fp {
			t.specSince = at
		}
		t.specs = append(t.specs, fp)
		t.history = append(t.history, whatif.SpecChange{At: at, HPA: h})
	}
	t.lastSpec = h
	if h.DesiredReplicas != t.lastDes || len(t.obs) == 0 {
		t.obs = append(t.obs, whatif.Observation{At: at, Desired: h.DesiredReplicas})
		t.lastDes = h.DesiredReplicas
	}
	if h.ResourceVersion == t.lastRV {
		return
	}
	t.lastRV = h.ResourceVersion
	w := write{seen: at, total: math.NaN()}
	if c, ok := model.FindCondition(h.Conditions, "ScalingActive"); ok && c.Status == "False" && strings.HasPrefix(c.Reason, "FailedGet") {
		w.known = true
	}
	for _, v := range h.CurrentMetrics {
		if v.Type == "Object" && v.HasAverage && !w.known && h.CurrentReplicas > 0 {
			w.total, w.known = v.AverageValue*float64(h.CurrentReplicas), true
		}
	}
	t.writes = append(t.writes, w)
}

// specFingerprint identifies the parts of an HPA spec the replay uses.
func specFingerprint(h model.HPA) string {
	return fmt.Sprintf("%d/%d/%v/%v", h.MinReplicas, h.MaxReplicas, h.Metrics, behaviorString(h.Behavior))
}

func behaviorString(b *model.Behavior) string {
	if b == nil {
		return "nil"
	}
	var sb strings.Builder
	for _, r := range []*model.ScalingRules{b.ScaleUp, b.ScaleDown} {
		if r == nil {
			sb.WriteString("[nil]")
			continue
		}
		fmt.Fprintf(&sb, "[%s %v %v", r.SelectPolicy, r.Policies, r.StabilizationWindowSeconds != nil)
		if r.StabilizationWindowSeconds != nil {
			fmt.Fprintf(&sb, " %d", *r.StabilizationWindowSeconds)
		}
		if r.Tolerance != nil {
			fmt.Fprintf(&sb, " tol %v", *r.Tolerance)
		}
		sb.WriteString("]")
	}
	return sb.String()
}

// estimatePhase is the circular mean of the status writes' times within the sync period.
func (t *hpaTrack) estimatePhase() time.Duration {
	var x, y float64
	for _, w := range t.writes {
		a := 2 * math.Pi * float64(w.seen.UnixNano()%int64(model.SyncPeriod)) / float64(model.SyncPeriod)
		x, y = x+math.Cos(a), y+math.Sin(a)
	}
	a := math.Atan2(y, x)
	if a < 0 {
		a += 2 * math.Pi
	}
	return time.Duration(a / (2 * math.Pi) * float64(model.SyncPeriod)).Round(time.Millisecond)
}

// syncBefore is the HPA's latest sync at or before a status write was seen (allowing
// observationSlack of clock noise the other way).
func syncBefore(seen time.Time, phase time.Duration) time.Time {
	period := int64(model.SyncPeriod)
	t := seen.Add(observationSlack).UnixNano()
	into := ((t-int64(phase))%period + period) % period
	return time.Unix(0, t-into).In(seen.Location())
}

// mergeMetric is the metric series of the replay: the Prometheus history up to Start, then
// at each HPA sync the value that HPA read (carried over when its status did not change).
func mergeMetric(in whatif.Input, hist map[time.Time]float64, m, s *hpaTrack) []whatif.Sample {
	var out []whatif.Sample
	for at, v := range hist {
		if at.Before(in.Start) || (len(m.writes) == 0 && len(s.writes) == 0 && !at.After(in.End)) {
			out = append(out, whatif.Sample{At: at, V: v})
		}
	}
	for _, t := range []*hpaTrack{m, s} {
		if t.lastSpec == nil || len(t.writes) == 0 {
			continue
		}
		byTime := map[time.Time]float64{}
		for _, w := range t.writes {
			if w.known {
				byTime[syncBefore(w.seen, t.phase)] = w.total
			}
		}
		last, have := math.NaN(), false
		for at := syncBefore(in.Start.Add(-model.SyncPeriod), t.phase); !at.After(in.End); at = at.Add(model.SyncPeriod) {
			if v, ok := byTime[at]; ok {
				last, have = v, true
			}
			if have {
				out = append(out, whatif.Sample{At: at, V: last})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
