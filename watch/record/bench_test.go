package record

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// benchSnapshot is a realistic snapshot: pairs with objects, findings, events and a sparkline,
// and their 30-minute histories at a 15 s step.
func benchSnapshot(pairs int, at time.Time) (*model.Snapshot, map[string]model.PairHistory) {
	s := &model.Snapshot{Taken: at, Watch: model.WatchState{Synced: true, Connected: true}}
	hist := map[string]model.PairHistory{}
	two := int32(2)
	for i := 0; i < pairs; i++ {
		key := fmt.Sprintf("ns/model-%04d", i)
		h := &model.HPA{Meta: model.Meta{Namespace: "ns", Name: key + "-hpa"}, MinReplicas: 1, MaxReplicas: 5, CurrentReplicas: 2, DesiredReplicas: 2,
			Metrics: []model.MetricTarget{{Type: "Object", Name: "infer_rps", TargetType: "AverageValue", Target: 3}}}
		p := model.Pair{Key: key, Namespace: "ns", ModelName: key[3:], ServerName: key[3:] + "-srv",
			Model:    &model.SeldonModel{Meta: model.Meta{Namespace: "ns", Name: key[3:]}, Replicas: &two, StorageURI: "gs://models/x"},
			Server:   &model.SeldonServer{Meta: model.Meta{Namespace: "ns", Name: key[3:] + "-srv"}, Replicas: &two},
			ModelHPA: h, ServerHPA: h,
			ModelDesired: model.Known(2), ModelReady: model.Known(2), ServerDesired: model.Known(2), ServerReady: model.Known(2),
			Metric:   model.PairMetric{Known: true, RPS: 5.5, Target: 3, SampledAt: at},
			Findings: []model.Finding{{Rule: "TS902", Severity: model.SeverityWarning, Message: "traffic +6 rps/min needs +2 replicas/min; policy allows +1 per 90 s"}},
			Spark:    make([]float64, 16),
		}
		s.Pairs = append(s.Pairs, p)
		n := 120
		ph := model.PairHistory{Key: key, Start: at.Add(-time.Duration(n-1) * 15 * time.Second).Truncate(15 * time.Second), Step: 15 * time.Second}
		ph.RPS = make([]float64, n)
		ph.ServerReady = make([]float64, n)
		for j := range ph.RPS {
			ph.RPS[j] = 5 + math.Sin(float64(j+int(at.Unix()/15))/5)
			ph.ServerReady[j] = 2
		}
		hist[key] = ph
	}
	return s, hist
}

// BenchmarkWrite measures one record of 100 pairs, as --record writes it after each snapshot:
// histories are deltas against the previous record.
func BenchmarkWrite(b *testing.B) {
	w, err := NewWriter(filepath.Join(b.TempDir(), "rec"), WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	recs := make([]Record, 16)
	for i := range recs {
		at := t0.Add(time.Duration(i) * 15 * time.Second)
		s, h := benchSnapshot(100, at)
		recs[i] = Record{At: at, Snapshot: s, Histories: h}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Write(recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteDelta1000 measures one record of 1,000 pairs of which 10 changed (new Revs), as a
// dashboard records between polls: only the changed pairs are marshalled and compared.
func BenchmarkWriteDelta1000(b *testing.B) {
	w, err := NewWriter(filepath.Join(b.TempDir(), "rec"), WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s, h := benchSnapshot(1000, t0)
	for i := range s.Pairs {
		s.Pairs[i].Rev = uint64(i + 1)
	}
	rev := uint64(len(s.Pairs))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next := *s
		next.Pairs = append([]model.Pair(nil), s.Pairs...)
		next.Taken = s.Taken.Add(time.Second)
		for j := 0; j < 10; j++ {
			p := &next.Pairs[(i*10+j)%len(next.Pairs)]
			rev++
			p.Rev, p.Metric.RPS = rev, float64(i)
		}
		s = &next
		if err := w.Write(Record{At: s.Taken, Snapshot: s, Histories: h}); err != nil {
			b.Fatal(err)
		}
	}
}
