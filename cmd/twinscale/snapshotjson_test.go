package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
	"github.com/twinscale/twinscale/watch/static"
)

// TestWriteJSONIsMarshalIndent: streaming the snapshot pair by pair prints exactly what
// marshalling it whole printed, for the UI fixture, a generated cluster with NaNs, and
// no pairs at all.
func TestWriteJSONIsMarshalIndent(t *testing.T) {
	src, err := static.Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	generated := &model.Snapshot{Taken: modeltest.T0, Events: []model.Event{{Reason: "r"}}}
	for i := range 50 {
		p := model.Pair{Key: fmt.Sprintf("ns/m%d", i%40), Metric: model.PairMetric{RPS: float64(i)}, Spark: []float64{1, math.NaN()}}
		if i%7 == 0 {
			p.Metric.RPS, p.Metric.Known = math.NaN(), true
			p.ModelForecast = &model.Forecast{Ratio: math.Inf(1)}
		}
		generated.Pairs = append(generated.Pairs, p)
	}
	cases := map[string]*model.Snapshot{
		"fixture":   src.Snapshot(),
		"generated": generated,
		"no pairs":  {Taken: modeltest.T0},
	}
	// A history for every other pair, with gaps.
	hist := func(key string) model.PairHistory {
		if len(key)%2 == 0 {
			return model.PairHistory{}
		}
		return model.PairHistory{Key: key, Start: modeltest.T0, Step: 15 * time.Second, RPS: []float64{1, math.NaN(), 3},
			Capacity: []float64{4, 4, 4}, ModelReady: []float64{1, 1, 2}}
	}
	for name, snap := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.MarshalIndent(static.Save(jsonSafe(snap), hist), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, '\n')
			var got bytes.Buffer
			if err := writeJSON(&got, snap, hist); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				i := 0
				for i < min(got.Len(), len(want)) && got.Bytes()[i] == want[i] {
					i++
				}
				t.Fatalf("differs at byte %d:\ngot  %q\nwant %q", i, got.Bytes()[max(0, i-80):min(got.Len(), i+80)], want[max(0, i-80):min(len(want), i+80)])
			}
		})
	}
}
