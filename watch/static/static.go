// Package static is a watch.Source over a fixed snapshot and fixed histories:
// for tests, and for viewing a snapshot saved with `twinscale snapshot -o json`.
package static

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

// Source serves one snapshot and its histories until Set replaces them.
type Source struct {
	version atomic.Uint64
	snap    atomic.Pointer[model.Snapshot]

	mu   sync.RWMutex
	hist map[string]model.PairHistory
}

// New returns a Source at version 1 over snap (nil means an empty snapshot)
// and hist, keyed by pair key. The Source owns both from now on.
func New(snap *model.Snapshot, hist map[string]model.PairHistory) *Source {
	s := &Source{hist: map[string]model.PairHistory{}}
	for k, h := range hist {
		s.hist[k] = h
	}
	s.Set(snap)
	return s
}

// Version changes whenever Set or SetHistory is called.
func (s *Source) Version() uint64 { return s.version.Load() }

// Snapshot returns the current snapshot; never nil.
func (s *Source) Snapshot() *model.Snapshot { return s.snap.Load() }

// Info says the snapshot is fixed: not live, read at the wall clock.
func (s *Source) Info() watch.SourceInfo { return watch.SourceInfo{Now: time.Now} }

// History returns a copy of one pair's history; an empty history when unknown.
func (s *Source) History(key string) model.PairHistory {
	s.mu.RLock()
	h, ok := s.hist[key]
	s.mu.RUnlock()
	if !ok {
		return model.PairHistory{Key: key}
	}
	return h.Clone()
}

// Set replaces the snapshot (nil means empty) and bumps the version.
func (s *Source) Set(snap *model.Snapshot) {
	if snap == nil {
		snap = &model.Snapshot{}
	}
	s.snap.Store(snap)
	s.version.Add(1)
}

// SetHistory replaces one pair's history and bumps the version.
func (s *Source) SetHistory(key string, h model.PairHistory) {
	s.mu.Lock()
	s.hist[key] = h
	s.mu.Unlock()
	s.version.Add(1)
}

// Load reads a snapshot file: either the bare JSON of `twinscale snapshot -o
// json`, or a File with the objects, sparklines and histories that JSON omits.
func Load(path string) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot file: %w", err)
	}
	defer f.Close()
	snap, hist, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("snapshot file %s: %w", path, err)
	}
	snap.Watch.File = path
	return New(snap, hist), nil
}

// File is the full fixture format: a snapshot plus what its JSON leaves out.
type File struct {
	Snapshot  model.Snapshot         `json:"snapshot"`
	Objects   map[string]PairObjects `json:"objects,omitempty"`
	Spark     map[string]Series      `json:"spark,omitempty"`
	Histories map[string]FileHistory `json:"histories,omitempty"`
}

// PairObjects are the projected objects of one pair (json:"-" in model.Pair).
type PairObjects struct {
	Model     *model.SeldonModel  `json:"model,omitempty"`
	Server    *model.SeldonServer `json:"server,omitempty"`
	Workload  *model.Workload     `json:"workload,omitempty"`
	ModelHPA  *model.HPA          `json:"modelHPA,omitempty"`
	ServerHPA *model.HPA          `json:"serverHPA,omitempty"`
}

// Saved is what `twinscale snapshot -o json` writes: the snapshot's own fields at the top level
// (scripts read them as before), plus the objects, sparklines and histories its JSON leaves out, so
// --snapshot-file reopens it as the dashboard showed it.
type Saved struct {
	*model.Snapshot
	Objects   map[string]PairObjects `json:"objects,omitempty"`
	Spark     map[string]Series      `json:"spark,omitempty"`
	Histories map[string]FileHistory `json:"histories,omitempty"`
}

// Save bundles snap with its pairs' objects, sparklines and histories (hist may be nil).
func Save(snap *model.Snapshot, hist func(key string) model.PairHistory) Saved {
	out := Saved{Snapshot: snap, Objects: map[string]PairObjects{}, Spark: map[string]Series{}}
	for i := range snap.Pairs {
		p := &snap.Pairs[i]
		e := SaveEntry(p, hist)
		out.Objects[p.Key] = e.Objects
		if e.Spark != nil {
			out.Spark[p.Key] = e.Spark
		}
		if e.History != nil {
			if out.Histories == nil {
				out.Histories = map[string]FileHistory{}
			}
			out.Histories[p.Key] = *e.History
		}
	}
	return out
}

// Entry is what Save keeps of one pair besides the pair itself.
type Entry struct {
	Objects PairObjects
	Spark   Series       // nil when the pair has no sparkline
	History *FileHistory // nil when hist has none
}

// SaveEntry is one pair's part of Save, for writers that stream pair by pair.
func SaveEntry(p *model.Pair, hist func(key string) model.PairHistory) Entry {
	e := Entry{Objects: PairObjects{Model: p.Model, Server: p.Server, Workload: p.Workload, ModelHPA: p.ModelHPA, ServerHPA: p.ServerHPA}}
	if len(p.Spark) > 0 {
		e.Spark = Series(p.Spark)
	}
	if hist == nil {
		return e
	}
	if h := hist(p.Key); h.Step > 0 && len(h.RPS) > 0 {
		e.History = &FileHistory{Start: h.Start, Step: h.Step.String(),
			RPS: h.RPS, Capacity: h.Capacity, Latency: h.Latency, Errors: h.Errors,
			ModelDesired: h.ModelDesired, ModelReady: h.ModelReady, ServerDesired: h.ServerDesired, ServerReady: h.ServerReady}
	}
	return e
}

// FileHistory is a model.PairHistory as written in a file: a readable step
// ("15s") and null for gaps.
type FileHistory struct {
	Start         time.Time `json:"start"`
	Step          string    `json:"step"`
	RPS           Series    `json:"rps"`
	Capacity      Series    `json:"capacity"`
	Latency       Series    `json:"latency"`
	Errors        Series    `json:"errors"`
	ModelDesired  Series    `json:"modelDesired"`
	ModelReady    Series    `json:"modelReady"`
	ServerDesired Series    `json:"serverDesired"`
	ServerReady   Series    `json:"serverReady"`
}

// Series is a float series whose JSON spells a gap (NaN) as null.
type Series []float64

// UnmarshalJSON reads null as NaN.
func (s *Series) UnmarshalJSON(b []byte) error {
	var raw []*float64
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(Series, len(raw))
	for i, v := range raw {
		if v == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *v
		}
	}
	*s = out
	return nil
}

// MarshalJSON writes NaN and infinities as null.
func (s Series) MarshalJSON() ([]byte, error) {
	raw := make([]*float64, len(s))
	for i := range s {
		if !math.IsNaN(s[i]) && !math.IsInf(s[i], 0) {
			raw[i] = &s[i]
		}
	}
	return json.Marshal(raw)
}

// Decode reads either file form (see Load) and wires objects, sparklines
// and histories into the snapshot's pairs.
func Decode(r io.Reader) (*model.Snapshot, map[string]model.PairHistory, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	var file File
	if _, ok := probe["snapshot"]; ok {
		err = strictUnmarshal(data, &file)
	} else {
		saved := Saved{Snapshot: &file.Snapshot}
		err = strictUnmarshal(data, &saved)
		file.Objects, file.Spark, file.Histories = saved.Objects, saved.Spark, saved.Histories
	}
	if err != nil {
		return nil, nil, fmt.Errorf("decode: %w", err)
	}
	snap := &file.Snapshot
	for i := range snap.Pairs {
		p := &snap.Pairs[i]
		if o, ok := file.Objects[p.Key]; ok {
			p.Model, p.Server, p.Workload, p.ModelHPA, p.ServerHPA = o.Model, o.Server, o.Workload, o.ModelHPA, o.ServerHPA
		}
		if sp, ok := file.Spark[p.Key]; ok {
			p.Spark = sp
		}
	}
	hist := make(map[string]model.PairHistory, len(file.Histories))
	for key, fh := range file.Histories {
		step, err := time.ParseDuration(fh.Step)
		if err != nil || step <= 0 {
			return nil, nil, fmt.Errorf("history %s: step %q: want a positive duration such as 15s", key, fh.Step)
		}
		hist[key] = model.PairHistory{
			Key: key, Start: fh.Start, Step: step,
			RPS: fh.RPS, Capacity: fh.Capacity, Latency: fh.Latency, Errors: fh.Errors,
			ModelDesired: fh.ModelDesired, ModelReady: fh.ModelReady,
			ServerDesired: fh.ServerDesired, ServerReady: fh.ServerReady,
		}
	}
	return snap, hist, nil
}

// strictUnmarshal rejects unknown fields so a typo in a fixture is an error.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON document")
	}
	return nil
}
