package whatif

import (
	"fmt"
	"math"
	"time"

	"github.com/twinscale/twinscale/model"
)

// DefaultServerReady is the readiness delay assumed when the pair's is not measured.
const DefaultServerReady = 45 * time.Second

// FromHistory builds the baseline input of one pair from what the dashboard holds: its
// HPAs' specs and measured phases and readiness from the snapshot, its infer_rps from the
// history (each point answering for one step; a gap is a missing metric), the replicas
// at the history's start, and the history's desired replicas to check the baseline
// against. It fails when the pair has no HPA or the history no traffic.
func FromHistory(p model.Pair, h model.PairHistory) (Input, []string, error) {
	in := Input{Key: p.Key, ModelHPA: p.ModelHPA, ServerHPA: p.ServerHPA, MaxAge: h.Step, Step: h.Step}
	if p.ModelHPA == nil && p.ServerHPA == nil {
		return in, nil, fmt.Errorf("%s has no HPA to replay", p.Key)
	}
	// The replay starts at the first point with traffic and both replica counts; traffic
	// before it (a backfilled Prometheus history) seeds the controllers' memory.
	known := func(s []float64, i int) bool { return i < len(s) && !math.IsNaN(s[i]) }
	first, seed := -1, -1
	for i := range h.RPS {
		if !known(h.RPS, i) {
			continue
		}
		if seed < 0 {
			seed = i
		}
		if known(h.ModelDesired, i) && known(h.ServerDesired, i) {
			first = i
			break
		}
	}
	at := func(i int) time.Time { return h.Start.Add(time.Duration(i) * h.Step) }
	var notes []string
	if h.Step <= 0 || seed < 0 || len(h.RPS)-seed < 2 {
		return in, nil, fmt.Errorf("%s has no traffic history yet", p.Key)
	}
	if first < 0 || len(h.RPS)-first < 2 {
		// The traffic reaches back (Prometheus backfilled it) but the watch has just
		// started: replay all of it from the replicas first seen.
		first = seed
		notes = append(notes, "replicas before "+at(len(h.RPS)-1).Format(time.TimeOnly)+" not seen by the dashboard: the replay starts from the first ones it saw")
	}
	in.Start, in.End = at(first), at(len(h.RPS)-1)
	for i := seed; i < len(h.RPS); i++ {
		in.Metric = append(in.Metric, Sample{At: at(i), V: h.RPS[i]})
	}
	// The replicas at i, else the first seen after it.
	val := func(s []float64, i int) int32 {
		for ; i < len(s); i++ {
			if !math.IsNaN(s[i]) {
				return int32(s[i])
			}
		}
		return 0
	}
	in.Init = State{ModelReplicas: val(h.ModelDesired, first), ServerReplicas: val(h.ServerDesired, first),
		ServerReady: val(h.ServerReady, first), ModelAvailable: val(h.ModelReady, first)}
	in.ModelPhase, in.ServerPhase = p.Skew.ModelPhase, p.Skew.ServerPhase
	for _, side := range []struct {
		name      string
		has, know bool
	}{{"Model", p.ModelHPA != nil, p.Skew.ModelPhaseKnown}, {"Server", p.ServerHPA != nil, p.Skew.ServerPhaseKnown}} {
		if side.has && !side.know {
			notes = append(notes, side.name+" HPA sync phase not measured yet: taken at 0s")
		}
	}
	in.ServerReady = DefaultServerReady
	if p.Readiness.Samples > 0 {
		in.ServerReady = p.Readiness.Median
	} else {
		notes = append(notes, "Server readiness not measured: "+model.FormatDuration(DefaultServerReady)+" assumed")
	}
	in.RecordedModel = observations(h, h.ModelDesired, first, p.ModelHPA != nil)
	in.RecordedServer = observations(h, h.ServerDesired, first, p.ServerHPA != nil)
	return in, notes, nil
}

// observations turns a desired-replicas series into its changes.
func observations(h model.PairHistory, s []float64, first int, has bool) []Observation {
	if !has {
		return nil
	}
	var out []Observation
	for i := first; i < len(s); i++ {
		if math.IsNaN(s[i]) {
			continue
		}
		d := int32(s[i])
		if len(out) == 0 || out[len(out)-1].Desired != d {
			out = append(out, Observation{At: h.Start.Add(time.Duration(i) * h.Step), Desired: d})
		}
	}
	return out
}

// Preset is a ready-made edit the dashboard's what-if view cycles through.
type Preset struct {
	Name  string
	Edits []Edit
}

// Presets are the edits the what-if view offers for a pair: a faster Server scale-up, the
// target one lower and one higher, and both maxima two higher. Edits a pair cannot take
// (no Server HPA, a target of 1) are left out.
func Presets(in Input) []Preset {
	var out []Preset
	add := func(name string, sets ...string) {
		p := Preset{Name: name}
		for _, s := range sets {
			e, err := ParseSet(s)
			if err != nil {
				return
			}
			p.Edits = append(p.Edits, e)
		}
		if _, _, err := Apply(in.ModelHPA, in.ServerHPA, p.Edits); err != nil {
			return
		}
		out = append(out, p)
	}
	if in.ServerHPA != nil {
		add("Server scale-up Pods 2/30s", "server.behavior.scaleUp.policies[0]=Pods 2/30s", "server.behavior.scaleUp.stabilizationWindowSeconds=0")
	}
	side := "both"
	if in.ModelHPA == nil || in.ServerHPA == nil {
		side = map[bool]string{true: "server", false: "model"}[in.ModelHPA == nil]
	}
	if t := in.Target(); t > 0 {
		if t > 1 {
			add("target "+model.FormatNumber(t-1)+" (−1)", fmt.Sprintf("%s.target=%s", side, model.FormatNumber(t-1)))
		}
		add("target "+model.FormatNumber(t+1)+" (+1)", fmt.Sprintf("%s.target=%s", side, model.FormatNumber(t+1)))
	}
	var sets []string
	if in.ModelHPA != nil {
		sets = append(sets, fmt.Sprintf("model.maxReplicas=%d", in.ModelHPA.MaxReplicas+2))
	}
	if in.ServerHPA != nil {
		sets = append(sets, fmt.Sprintf("server.maxReplicas=%d", in.ServerHPA.MaxReplicas+2))
	}
	add("maxReplicas +2", sets...)
	return out
}

// Run is a baseline and one edited run of the same input, with the verdict.
type Run struct {
	Preset   Preset
	Match    MatchReport
	Baseline Result
	Edited   Result
	Verdict  string
}

// RunPreset simulates the baseline and the preset's edit of it.
func RunPreset(in Input, p Preset) (Run, error) {
	r := Run{Preset: p, Baseline: Simulate(in)}
	r.Match = Match(in, r.Baseline)
	ed := in
	ed.RecordedModel, ed.RecordedServer = nil, nil
	ed.CapacityTarget = in.Target()
	var err error
	if ed.ModelHPA, ed.ServerHPA, err = Apply(in.ModelHPA, in.ServerHPA, p.Edits); err != nil {
		return r, err
	}
	r.Edited = Simulate(ed)
	r.Verdict = Verdict(r.Baseline.Summary, r.Edited.Summary)
	return r, nil
}
