package prom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// fakeQuerier answers from functions; it stands in for Prometheus in unit tests only.
type fakeQuerier struct {
	mu      sync.Mutex
	calls   []string
	instant func(expr string, at time.Time) ([]Sample, Warnings, error)
	rng     func(expr string, start, end time.Time, step time.Duration) ([]Series, Warnings, error)
}

func (f *fakeQuerier) Instant(ctx context.Context, expr string, at time.Time) ([]Sample, Warnings, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "instant "+expr)
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return f.instant(expr, at)
}

func (f *fakeQuerier) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, Warnings, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "range "+expr)
	f.mu.Unlock()
	if f.rng == nil {
		return nil, nil, nil
	}
	return f.rng(expr, start, end, step)
}

func (f *fakeQuerier) callCount() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := map[string]int{}
	for _, c := range f.calls {
		n[c]++
	}
	return n
}

func labelsOf(ns, m string) Labels { return Labels{"namespace": ns, "model": m} }

var t0 = time.Unix(1_699_999_995, 0) // aligned to 15 s

func unitOptions() Options {
	o := DefaultOptions()
	o.URL = "http://prometheus.test:9090"
	return o
}

func TestPollerOneQueryEachPerPollForAllPairs(t *testing.T) {
	const models = 1000
	o := unitOptions()
	qs, err := o.render(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeQuerier{instant: func(expr string, _ time.Time) ([]Sample, Warnings, error) {
		var out []Sample
		for i := range models {
			v := float64(i)
			switch expr {
			case qs.latency:
				v = 0.01
				if i == 0 {
					v = math.NaN() // no requests: 0/0
				}
			case qs.errors:
				v = 0.5
			}
			out = append(out, Sample{Labels: labelsOf("ns", fmt.Sprintf("m%d", i)), Value: v})
		}
		return out, nil, nil
	}}
	rec := newRecorder(o)
	p := NewPoller(f, o, nil, rec)
	p.Now = func() time.Time { return t0.Add(7 * time.Second) }
	for range 3 {
		p.cycle(context.Background())
	}
	calls := f.callCount()
	want := map[string]int{"range " + qs.rps: 1, "instant " + qs.rps: 3, "instant " + qs.latency: 3, "instant " + qs.errors: 3}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("calls = %v, want %v", calls, want)
	}
	poll, n := rec.lastPoll()
	if n != 3 || len(poll.Samples) != models || !poll.At.Equal(t0) {
		t.Fatalf("got %d polls, last with %d samples at %v; want 3 with %d at the step boundary %v", n, len(poll.Samples), poll.At, models, t0)
	}
	if s := poll.Samples["ns/m7"]; s.RPS != 7 || !s.HasLatency || s.Latency != 0.01 || !s.HasErrors || s.Errors != 0.5 {
		t.Errorf("ns/m7 = %+v", s)
	}
	if s := poll.Samples["ns/m0"]; s.HasLatency {
		t.Errorf("NaN latency (no requests) reported as a latency: %+v", s)
	}
	if st := p.state; st.LastError != "" || st.Failures != 0 || st.LastSuccess.IsZero() {
		t.Errorf("state = %+v", st)
	}
}

func TestPollerWatchedNamespacesInQuery(t *testing.T) {
	o := unitOptions()
	f := &fakeQuerier{instant: func(string, time.Time) ([]Sample, Warnings, error) { return nil, nil, nil }}
	p := NewPoller(f, o, []string{"seldon-b", "seldon-a"}, newRecorder(o))
	p.cycle(context.Background())
	want := `sum by (namespace, model) (rate(seldon_model_infer_total{namespace=~"seldon-a|seldon-b"}[2m]))`
	if got := f.callCount()["instant "+want]; got != 1 {
		t.Errorf("infer_rps query not %q: calls %v", want, f.callCount())
	}
}

func TestPollerWarnings(t *testing.T) {
	tests := []struct {
		name       string
		namespaces []string
		query      string
		rps        []Sample
		latencyErr error
		promWarn   Warnings
		want       string
	}{
		{name: "empty result, all namespaces", want: "no series for seldon_model_infer_total in any namespace in the last 2m"},
		{name: "empty result, some namespaces", namespaces: []string{"b", "a"}, want: "no series for seldon_model_infer_total in namespaces a, b"},
		{name: "empty custom query", query: `sum by (namespace, model) (rate(my_total[{{.Window}}]))`, want: "the --query returns no series for any namespace"},
		{name: "series without labels", rps: []Sample{{Labels: Labels{"model": "m"}, Value: 1}}, want: "query returns no namespace/model labels (1 series)"},
		{name: "failed latency query", rps: []Sample{{Labels: labelsOf("a", "m"), Value: 1}}, latencyErr: &QueryError{Type: "execution", Msg: "boom"}, want: "Prometheus could not run the latency query (execution): boom"},
		{name: "prometheus warnings", rps: []Sample{{Labels: labelsOf("a", "m"), Value: 1}}, promWarn: Warnings{"partial response"}, want: "partial response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := unitOptions()
			if tt.query != "" {
				o.Query = tt.query
			}
			qs, _ := o.render(tt.namespaces)
			f := &fakeQuerier{instant: func(expr string, _ time.Time) ([]Sample, Warnings, error) {
				if expr == qs.latency && tt.latencyErr != nil {
					return nil, nil, tt.latencyErr
				}
				if expr == qs.rps {
					return tt.rps, tt.promWarn, nil
				}
				return nil, nil, nil
			}}
			rec := newRecorder(o)
			p := NewPoller(f, o, tt.namespaces, rec)
			p.cycle(context.Background())
			st := p.state
			if !strings.Contains(st.Warning, tt.want) {
				t.Errorf("Warning = %q, want it to contain %q", st.Warning, tt.want)
			}
			if st.Failures != 0 || st.LastError != "" || st.LastSuccess.IsZero() {
				t.Errorf("a warning is not a failure: %+v", st)
			}
			if _, n := rec.lastPoll(); n != 1 {
				t.Errorf("%d polls delivered, want 1 (gaps must still advance the history)", n)
			}
		})
	}
}

func TestPollerBackfillIsAlignedToTheStep(t *testing.T) {
	o := unitOptions()
	o.History = time.Minute // 4 points at 15 s
	var gotStart, gotEnd time.Time
	var gotStep time.Duration
	f := &fakeQuerier{
		instant: func(string, time.Time) ([]Sample, Warnings, error) { return nil, nil, nil },
		rng: func(_ string, start, end time.Time, step time.Duration) ([]Series, Warnings, error) {
			gotStart, gotEnd, gotStep = start, end, step
			return []Series{
				{Labels: labelsOf("ns", "a"), Points: []Point{{start, 1}, {start.Add(2*step + time.Millisecond), 3}, {end, 4}}},
				{Labels: labelsOf("ns", "b"), Points: []Point{{start.Add(-step), 99}, {end.Add(step), 99}}},
				{Labels: Labels{"job": "x"}, Points: []Point{{start, 1}}},
			}, nil, nil
		},
	}
	rec := newRecorder(o)
	p := NewPoller(f, o, nil, rec)
	p.Now = func() time.Time { return t0.Add(20 * time.Second) } // mid-step
	p.cycle(context.Background())
	p.cycle(context.Background())
	if len(rec.backfills) != 1 {
		t.Fatalf("%d backfills, want exactly 1", len(rec.backfills))
	}
	b := rec.backfills[0]
	end := t0.Add(15 * time.Second)
	if !gotEnd.Equal(end) || !gotStart.Equal(end.Add(-45*time.Second)) || gotStep != 15*time.Second {
		t.Errorf("range = [%v, %v] step %v; want [%v, %v] step 15s", gotStart, gotEnd, gotStep, end.Add(-45*time.Second), end)
	}
	if !b.Start.Equal(gotStart) || b.Step != 15*time.Second || len(b.Series) != 2 {
		t.Fatalf("backfill = %+v", b)
	}
	want := map[string][]float64{"ns/a": {1, math.NaN(), 3, 4}, "ns/b": {math.NaN(), math.NaN(), math.NaN(), math.NaN()}}
	for k, w := range want {
		if fmt.Sprint(b.Series[k]) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, b.Series[k], w)
		}
	}
}

// fakeClock drives Run: After waits until the test fires it, which moves time on.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	delays  []time.Duration
	pending chan time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delays = append(c.delays, d)
	c.pending = make(chan time.Time, 1)
	return c.pending
}

// fire waits for the poller to sleep, then wakes it after its delay.
func (c *fakeClock) fire(t *testing.T) {
	t.Helper()
	waitFor(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.pending != nil
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.delays[len(c.delays)-1])
	c.pending <- c.now
	c.pending = nil
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.delays...)
}

func TestPollerBacksOffAndRecovers(t *testing.T) {
	o := unitOptions()
	var mu sync.Mutex
	failing := true
	var full, probes []time.Time // when the infer_rps query and the probe ran
	refused := &syscallErr{syscall.ECONNREFUSED}
	clock := &fakeClock{now: t0}
	f := &fakeQuerier{
		instant: func(expr string, at time.Time) ([]Sample, Warnings, error) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case expr == probeQuery:
				probes = append(probes, clock.Now())
			case !strings.Contains(expr, "_duration_") && !strings.Contains(expr, "code"):
				full = append(full, clock.Now())
			}
			if failing {
				return nil, nil, refused
			}
			return []Sample{{Labels: labelsOf("ns", "a"), Value: 1}}, nil, nil
		},
	}
	rec := newRecorder(o)
	p := NewPoller(f, o, nil, rec)
	p.Now, p.After = clock.Now, clock.After
	p.Log = (&logBuffer{}).logger()
	f.rng = func(string, time.Time, time.Time, time.Duration) ([]Series, Warnings, error) {
		// Start up fine so the history has something to keep.
		return []Series{{Labels: labelsOf("ns", "a"), Points: []Point{{t0, 5}}}}, nil, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	attempts := func() int { mu.Lock(); defer mu.Unlock(); return len(full) }

	// Full attempts back off 15, 30, 60, 120 s; in between, a probe every poll interval.
	wantFull := []time.Duration{0, 15, 45, 105, 225, 345}
	for attempts() < len(wantFull) {
		clock.fire(t)
		if clock.Now().After(t0.Add(time.Hour)) {
			t.Fatalf("only %d full attempts in an hour", attempts())
		}
	}
	waitFor(t, func() bool { return rec.state().Failures == len(wantFull) })
	st := rec.state()
	if st.Failures != 6 || !st.Stale || !strings.Contains(st.LastError, "connection refused") || !st.LastSuccess.IsZero() || st.BadQuery {
		t.Errorf("state while failing = %+v", st)
	}
	mu.Lock()
	for i, w := range wantFull {
		if !full[i].Equal(t0.Add(w * time.Second)) {
			t.Errorf("full attempt %d at %v, want t0+%ds", i, full[i].Sub(t0), w)
		}
	}
	if len(probes) < 10 {
		t.Errorf("%d probes while backing off, want one per poll interval", len(probes))
	}
	failing = false
	back := clock.Now()
	mu.Unlock()

	// Prometheus is back: the next probe, within one poll interval, ends the backoff.
	clock.fire(t)
	waitFor(t, func() bool { return rec.state().Failures == 0 })
	if took := clock.Now().Sub(back); took > o.PollInterval {
		t.Errorf("recovered %v after Prometheus came back, want within the poll interval %v", took, o.PollInterval)
	}
	waitFor(t, func() bool {
		w := clock.waits()
		return len(w) > 0 && !rec.state().NextPoll.IsZero()
	})
	clock.fire(t)
	cancel()
	<-done
	got := clock.waits()
	if last := got[len(got)-1]; last != 15*time.Second {
		t.Errorf("delay after recovery = %v, want 15s", last)
	}
	st = rec.state()
	if st.Stale || st.LastError != "" || st.NextPoll.IsZero() {
		t.Errorf("state after recovery = %+v", st)
	}
	// Every state but the very first one had stale set from the second failure on.
	staleAt := -1
	rec.mu.Lock()
	for i, s := range rec.states {
		if s.Stale {
			staleAt = i
			if s.Failures < 2 {
				t.Errorf("stale after %d failures", s.Failures)
			}
			break
		}
	}
	rec.mu.Unlock()
	if staleAt < 0 {
		t.Error("never stale")
	}
	var kept []float64
	rec.history(func(h *model.History) { kept = h.Pair("ns/a").RPS })
	if len(kept) == 0 || kept[0] != 5 {
		t.Errorf("history after the outage = %v, want the backfilled 5 kept", kept)
	}
}

type syscallErr struct{ errno syscall.Errno }

func (e *syscallErr) Error() string { return "dial tcp 10.0.0.1:9090: connect: " + e.errno.Error() }
func (e *syscallErr) Unwrap() error { return e.errno }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPollerShutdownIsNotAFailure(t *testing.T) {
	o := unitOptions()
	ctx, cancel := context.WithCancel(context.Background())
	f := &fakeQuerier{instant: func(string, time.Time) ([]Sample, Warnings, error) {
		cancel()
		return nil, nil, context.Canceled
	}}
	rec := newRecorder(o)
	p := NewPoller(f, o, nil, rec)
	p.Run(ctx) // returns once cancelled
	if st := rec.state(); st.Failures != 0 || st.LastError != "" {
		t.Errorf("state after shutdown = %+v", st)
	}
}

func TestPollerWithBadTemplateSaysWhy(t *testing.T) {
	o := unitOptions()
	o.Query = "{{.Nope}}"
	f := &fakeQuerier{}
	rec := newRecorder(o)
	p := NewPoller(f, o, nil, rec)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	waitFor(t, func() bool { return rec.state().LastError != "" })
	cancel()
	<-done
	if st := rec.state(); !strings.Contains(st.LastError, "--query") || !st.Configured {
		t.Errorf("state = %+v", st)
	}
	if len(f.callCount()) != 0 {
		t.Errorf("queried with a broken template: %v", f.callCount())
	}
}

func TestNextPoll(t *testing.T) {
	step := 15 * time.Second
	tests := []struct {
		now   time.Time
		delay time.Duration
		want  time.Time
	}{
		{t0.Add(10 * time.Millisecond), step, t0.Add(step)},
		{t0.Add(14 * time.Second), step, t0.Add(step)}, // a slow poll catches up at the next boundary
		{t0, 2 * time.Minute, t0.Add(2 * time.Minute)},
		{t0.Add(time.Second), 0, t0.Add(step)},
	}
	for _, tt := range tests {
		if got := nextPoll(tt.now, tt.delay, step); !got.Equal(tt.want) {
			t.Errorf("nextPoll(%v, %v) = %v, want %v", tt.now.Sub(t0), tt.delay, got.Sub(t0), tt.want.Sub(t0))
		}
	}
}

func TestErrorsAreOurs(t *testing.T) {
	// The poller classifies with errors.As on our own types only.
	var q *QueryError
	if !errors.As(fmt.Errorf("wrap: %w", &QueryError{Type: "bad_data", Msg: "x"}), &q) || q.Error() != "bad_data: x" {
		t.Errorf("QueryError = %v", q)
	}
	if got := (&HTTPError{Code: 403, Message: "no"}).Error(); got != "HTTP 403: no" {
		t.Errorf("HTTPError = %q", got)
	}
}
