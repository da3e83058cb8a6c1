package demo

import (
	"math"
	"sort"
	"time"
)

// ScrapeInterval is the agent PodMonitor's scrape interval in Seldon's manifests.
const ScrapeInterval = 15 * time.Second

// AdapterWindow is the rate window of prometheus-adapter's infer_rps rule in Seldon's docs.
const AdapterWindow = 2 * time.Minute

// AdapterRelist is prometheus-adapter's default metricsRelistInterval: a new series
// is unknown to the custom metrics API until the next relist after it appears.
const AdapterRelist = time.Minute

// sample is one scrape of one model's counters, summed over its replicas.
type sample struct {
	t       time.Time
	total   float64 // seldon_model_infer_total, every code
	errors  float64 // seldon_model_infer_total{code!="200"}
	seconds float64 // seldon_model_infer_seconds_total
}

// series holds a model's live counters and the samples Prometheus scraped from them.
type series struct {
	total, errors, seconds float64
	samples                []sample // oldest first
	retention              time.Duration
}

// scrape records the counters as Prometheus would at t, dropping samples older
// than the retention.
func (s *series) scrape(t time.Time) {
	s.samples = append(s.samples, sample{t: t, total: s.total, errors: s.errors, seconds: s.seconds})
	cut := 0
	for cut < len(s.samples) && t.Sub(s.samples[cut].t) > s.retention {
		cut++
	}
	if cut > 0 && cut > len(s.samples)/4 {
		// Compact only now and then, so scraping stays O(1) amortised.
		s.samples = append(s.samples[:0], s.samples[cut:]...)
	}
}

// window returns the samples a range selector [w] sees at evaluation time t:
// timestamps in [t-w, t], as in Prometheus 2.x.
func (s *series) window(t time.Time, w time.Duration) []sample {
	from := t.Add(-w)
	lo := sort.Search(len(s.samples), func(i int) bool { return !s.samples[i].t.Before(from) })
	hi := sort.Search(len(s.samples), func(i int) bool { return s.samples[i].t.After(t) })
	if hi < lo {
		return nil
	}
	return s.samples[lo:hi]
}

// rate is PromQL's rate() on one counter: the increase between the first and last
// samples in the window, extrapolated toward the window's edges, per second. It
// needs two samples; false means Prometheus would return no series.
func rate(samples []sample, t time.Time, w time.Duration, value func(sample) float64) (float64, bool) {
	if len(samples) < 2 {
		return 0, false
	}
	first, last := samples[0], samples[len(samples)-1]
	// Counter resets: add back what was lost at each drop.
	result := value(last) - value(first)
	prev := value(first)
	for _, s := range samples[1:] {
		v := value(s)
		if v < prev {
			result += prev
		}
		prev = v
	}
	durationToStart := first.t.Sub(t.Add(-w)).Seconds()
	durationToEnd := t.Sub(last.t).Seconds()
	sampled := last.t.Sub(first.t).Seconds()
	if sampled <= 0 {
		return 0, false
	}
	avg := sampled / float64(len(samples)-1)
	if result > 0 && value(first) >= 0 {
		// A counter cannot extrapolate below zero.
		if toZero := sampled * (value(first) / result); toZero < durationToStart {
			durationToStart = toZero
		}
	}
	threshold := avg * 1.1
	interval := sampled
	if durationToStart < threshold {
		interval += durationToStart
	} else {
		interval += avg / 2
	}
	if durationToEnd < threshold {
		interval += durationToEnd
	} else {
		interval += avg / 2
	}
	return result * (interval / sampled) / w.Seconds(), true
}

func totalOf(s sample) float64   { return s.total }
func errorsOf(s sample) float64  { return s.errors }
func secondsOf(s sample) float64 { return s.seconds }

// rps is sum(rate(seldon_model_infer_total[w])) for the model at t.
func (s *series) rps(t time.Time, w time.Duration) (float64, bool) {
	return rate(s.window(t, w), t, w, totalOf)
}

// errorRate is the non-2xx requests per second at t.
func (s *series) errorRate(t time.Time, w time.Duration) (float64, bool) {
	return rate(s.window(t, w), t, w, errorsOf)
}

// latency is rate(seconds_total)/rate(total): average seconds per request; NaN
// when there were no requests, as PromQL's 0/0.
func (s *series) latency(t time.Time, w time.Duration) (float64, bool) {
	win := s.window(t, w)
	secs, ok1 := rate(win, t, w, secondsOf)
	reqs, ok2 := rate(win, t, w, totalOf)
	if !ok1 || !ok2 {
		return 0, false
	}
	if reqs == 0 {
		return math.NaN(), true
	}
	return secs / reqs, true
}
