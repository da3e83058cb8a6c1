package whatif

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// diurnalInput is one pair's input over span at 15 s: a day-shaped load between 2 and 14 rps
// with noise, the Seldon docs' HPAs (max raised to 6), Server pods ready after 30 s.
func diurnalInput(span time.Duration, seed uint64) Input {
	r := rand.New(rand.NewPCG(seed, 1))
	m, s := seldonHPA("Model"), seldonHPA("Server")
	m.MaxReplicas, s.MaxReplicas = 6, 6
	start := t0
	var metric []Sample
	for at := start.Add(-6 * time.Minute); at.Before(start.Add(span)); at = at.Add(15 * time.Second) {
		phase := float64(at.Sub(start)) / float64(24*time.Hour) * 2 * math.Pi
		v := 8 - 6*math.Cos(phase*12) + r.NormFloat64()*0.4
		metric = append(metric, Sample{At: at, V: max(v, 0)})
	}
	return Input{Key: "seldon-mesh/irisa0", ModelHPA: m, ServerHPA: s, Metric: metric, Start: start, End: start.Add(span),
		ModelPhase: time.Duration(seed%15) * time.Second, ServerPhase: time.Duration((seed+7)%15) * time.Second,
		ServerReady: 30 * time.Second, Init: State{ModelReplicas: 1, ServerReplicas: 1, ServerReady: 1, ModelAvailable: 1}}
}

// BenchmarkSimulate24h is one pair's day at 15 s (5,760 metric points, 11,520 syncs): target
// well under a second.
func BenchmarkSimulate24h(b *testing.B) {
	in := diurnalInput(24*time.Hour, 1)
	b.ReportAllocs()
	for b.Loop() {
		res := Simulate(in)
		if res.Summary.ScaleEvents() == 0 {
			b.Fatal("nothing scaled")
		}
	}
}

// BenchmarkSimulate500Pairs2h is 500 pairs over 2 h each, one after another: target under 10 s.
func BenchmarkSimulate500Pairs2h(b *testing.B) {
	ins := make([]Input, 500)
	for i := range ins {
		ins[i] = diurnalInput(2*time.Hour, uint64(i))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range ins {
			Simulate(in)
		}
	}
}

// BenchmarkMatch24h compares a day of syncs with a recorded desired count at every change.
func BenchmarkMatch24h(b *testing.B) {
	in := diurnalInput(24*time.Hour, 1)
	res := Simulate(in)
	var last int32
	for _, s := range res.Syncs {
		if s.Side == SideModel && s.Desired != last {
			in.RecordedModel = append(in.RecordedModel, Observation{At: s.At.Add(time.Second), Desired: s.Desired})
			last = s.Desired
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if m := Match(in, res); m.Rate() != 1 {
			b.Fatal(m)
		}
	}
}
