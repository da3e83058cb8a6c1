package demo

import (
	"math"
	"testing"
	"time"
)

func TestRateMatchesPrometheusExtrapolation(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// A counter at 2 requests per second, scraped every 15 s from 30 at t0.
	linear := func(n int, reset int) []sample {
		var out []sample
		v := 30.0
		for i := 0; i < n; i++ {
			if i == reset {
				v = 0
			}
			out = append(out, sample{t: t0.Add(time.Duration(i) * 15 * time.Second), total: v})
			v += 30
		}
		return out
	}
	tests := []struct {
		name    string
		samples []sample
		at      time.Duration
		w       time.Duration
		want    float64
		ok      bool
	}{
		{"aligned window", linear(9, -1), 120 * time.Second, 2 * time.Minute, 2, true},
		{"window between scrapes extrapolates to its edges", linear(9, -1), 127 * time.Second, 2 * time.Minute, 2, true},
		// 30→120, reset to 0, 0→120: 90 + 120 (the value lost at the reset) over 120 s.
		{"counter reset adds back the lost value", linear(9, 4), 120 * time.Second, 2 * time.Minute, 210.0 / 120, true},
		{"one sample is no series", linear(1, -1), 10 * time.Second, 2 * time.Minute, 0, false},
		{"no samples in the window", linear(3, -1), 10 * time.Minute, 2 * time.Minute, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := series{samples: tt.samples, retention: time.Hour}
			at := t0.Add(tt.at)
			got, ok := rate(s.window(at, tt.w), at, tt.w, totalOf)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("rate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRateNeverExtrapolatesBelowZero(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// A new series: 0 at its first scrape, 30 requests 15 s later, evaluated with a
	// 2m window that begins long before it existed.
	s := []sample{{t: t0, total: 0}, {t: t0.Add(15 * time.Second), total: 30}}
	at := t0.Add(15 * time.Second)
	got, ok := rate(s, at, 2*time.Minute, totalOf)
	if !ok {
		t.Fatal("no rate")
	}
	// The first sample is 0, so extrapolation toward the window's start stops right
	// there: 30 requests over 15 s sampled, and no more, per 120 s.
	want := 30.0 * (15 + 0) / 15 / 120
	if math.Abs(got-want) > 1e-9 {
		t.Fatalf("rate = %v, want %v", got, want)
	}
}

func TestLatencyIsNaNWithoutRequests(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := series{retention: time.Hour}
	for i := 0; i < 10; i++ {
		s.scrape(t0.Add(time.Duration(i) * ScrapeInterval))
	}
	v, ok := s.latency(t0.Add(9*ScrapeInterval), 2*time.Minute)
	if !ok || !math.IsNaN(v) {
		t.Fatalf("latency = %v, %v; want NaN, true (PromQL's 0/0)", v, ok)
	}
}

func TestScrapeKeepsRetention(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := series{retention: 10 * time.Minute}
	for i := 0; i < 1000; i++ {
		s.scrape(t0.Add(time.Duration(i) * ScrapeInterval))
	}
	if n := len(s.samples); n > 2*int(10*time.Minute/ScrapeInterval)+2 {
		t.Fatalf("%d samples kept for a 10m retention", n)
	}
	if got := s.window(t0.Add(999*ScrapeInterval), 10*time.Minute); len(got) != 41 {
		t.Fatalf("window holds %d samples, want 41", len(got))
	}
}
