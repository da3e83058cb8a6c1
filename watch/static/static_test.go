package static

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

var _ watch.Source = (*Source)(nil)

func TestSourceVersionsAndCopies(t *testing.T) {
	h := model.PairHistory{Key: "ns/m", Step: time.Second, RPS: []float64{1, 2, 3}}
	s := New(nil, map[string]model.PairHistory{"ns/m": h})
	if s.Version() != 1 || s.Snapshot() == nil {
		t.Fatalf("version %d, snapshot %v", s.Version(), s.Snapshot())
	}
	got := s.History("ns/m")
	got.RPS[0] = 99
	if s.History("ns/m").RPS[0] != 1 {
		t.Fatal("History must return a copy")
	}
	if e := s.History("ns/none"); e.Key != "ns/none" || len(e.RPS) != 0 {
		t.Fatalf("unknown key: %+v", e)
	}
	s.Set(&model.Snapshot{Pairs: []model.Pair{{Key: "ns/m"}}})
	if s.Version() != 2 || len(s.Snapshot().Pairs) != 1 {
		t.Fatal("Set must bump the version and swap the snapshot")
	}
	s.SetHistory("ns/m", model.PairHistory{Key: "ns/m"})
	if s.Version() != 3 {
		t.Fatal("SetHistory must bump the version")
	}
}

func TestDecodeBareSnapshotRoundTrip(t *testing.T) {
	in := model.Snapshot{
		Taken: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Pairs: []model.Pair{{
			Key: "ns/m", Namespace: "ns", ModelName: "m", ServerName: "s",
			Findings: []model.Finding{{Rule: "TS001", Severity: model.SeverityCritical, Message: "x", Badge: "drift"}},
			Health:   model.Critical,
		}},
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	snap, hist, err := Decode(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 0 || len(snap.Pairs) != 1 || snap.Pairs[0].Findings[0].Severity != model.SeverityCritical ||
		!snap.Taken.Equal(in.Taken) {
		t.Fatalf("round trip lost data: %+v", snap)
	}
}

func TestDecodeFileForm(t *testing.T) {
	src := `{
  "snapshot": {"taken": "2026-01-02T03:04:05Z", "watch": {}, "prometheus": {},
    "pairs": [{"key": "ns/m", "namespace": "ns", "model": "m", "server": "s",
      "modelDesired": {"known": true, "value": 2}, "modelReady": {"known": true, "value": 1},
      "serverDesired": {"known": true, "value": 2}, "serverReady": {"known": false, "unknown": "no StatefulSet"},
      "health": 1, "metric": {"known": true}, "skew": {}}]},
  "objects": {"ns/m": {"modelHPA": {"namespace": "ns", "name": "m", "target": {"kind": "Model", "name": "m"}, "maxReplicas": 4}}},
  "spark": {"ns/m": [1, null, 3]},
  "histories": {"ns/m": {"start": "2026-01-02T03:00:00Z", "step": "15s", "rps": [1, null], "capacity": [3, 3],
    "latency": [], "errors": [], "modelDesired": [], "modelReady": [], "serverDesired": [], "serverReady": []}}
}`
	path := filepath.Join(t.TempDir(), "snap.json")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Snapshot().Pairs[0]
	if p.ModelHPA == nil || p.ModelHPA.MaxReplicas != 4 || p.Model != nil {
		t.Fatalf("objects not wired: %+v", p.ModelHPA)
	}
	if len(p.Spark) != 3 || !math.IsNaN(p.Spark[1]) || p.Spark[2] != 3 {
		t.Fatalf("spark = %v", p.Spark)
	}
	h := s.History("ns/m")
	if h.Step != 15*time.Second || !math.IsNaN(h.RPS[1]) || h.Capacity[0] != 3 {
		t.Fatalf("history = %+v", h)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]string{
		"not json":      `{`,
		"unknown field": `{"taken": "2026-01-02T03:04:05Z", "pairz": []}`,
		"bad step":      `{"snapshot": {}, "histories": {"a": {"step": "soon"}}}`,
		"zero step":     `{"snapshot": {}, "histories": {"a": {"step": "0s"}}}`,
		"bad severity":  `{"pairs": [{"findings": [{"severity": "dire"}]}]}`,
		"trailing":      `{"pairs": []} {}`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Decode(strings.NewReader(src)); err == nil {
				t.Fatalf("no error for %s", src)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.json")); err == nil || !strings.Contains(err.Error(), "snapshot file") {
		t.Fatalf("missing file error = %v", err)
	}
}

func TestSeriesMarshalsGapsAsNull(t *testing.T) {
	b, err := json.Marshal(Series{1, math.NaN(), math.Inf(1)})
	if err != nil || string(b) != "[1,null,null]" {
		t.Fatalf("got %s, %v", b, err)
	}
}
