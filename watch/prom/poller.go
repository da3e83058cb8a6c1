package prom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Sink receives what the poller learns; the engine implements it. Calls come from the
// poller's goroutine, one at a time, and must not block for long.
type Sink interface {
	// Backfill delivers the start-up history of infer_rps, once.
	Backfill(model.Backfill)
	// Poll delivers one poll of every pair.
	Poll(model.MetricsPoll)
	// State delivers the poller's health after every attempt.
	State(model.PromState)
}

// Poller asks Prometheus for every pair's infer_rps, latency and error rate once per
// PollInterval (three instant queries, whatever the number of pairs), after one range
// query that backfills the history.
type Poller struct {
	// Now and After are the clock; tests may replace them before Run.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// Log receives state changes; it defaults to slog.Default().
	Log *slog.Logger

	q       Querier
	opts    Options
	sink    Sink
	queries queries
	qerr    error
	why     explainer

	state      model.PromState
	backfilled bool
	// probing is true while the last attempt failed without an answer from Prometheus, so a
	// cheap probe can tell when it is back; a query Prometheus refused would only fail again.
	probing bool
}

// NewPoller returns a poller of q for the watched namespaces (none means all) that
// reports to sink. Run starts it.
func NewPoller(q Querier, o Options, namespaces []string, sink Sink) *Poller {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RateWindow <= 0 {
		o.RateWindow = DefaultRateWindow
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	ns := slices.Clone(namespaces)
	slices.Sort(ns)
	qs, err := o.render(ns)
	return &Poller{
		Now:     time.Now,
		After:   time.After,
		Log:     slog.Default(),
		q:       q,
		opts:    o,
		sink:    sink,
		queries: qs,
		qerr:    err,
		why: explainer{
			target:  o.Target(),
			rawURL:  o.URL,
			service: o.Service,
			timeout: o.Timeout.String(),
			ns:      ns,
			window:  PromDuration(o.RateWindow),
			custom:  o.Query != "" && o.Query != DefaultQuery,
		},
	}
}

// Run polls until ctx is done. It never returns early: failures are reported through
// State and retried with exponential backoff.
func (p *Poller) Run(ctx context.Context) {
	p.state = model.PromState{Configured: true, Target: p.why.target}
	if p.qerr != nil {
		// Validate catches this; a poller built without it still says why it is idle.
		p.state.LastError = scrubString(p.qerr.Error(), p.opts.URL)
		p.sink.State(p.state)
		<-ctx.Done()
		return
	}
	p.state.NextPoll = p.Now()
	p.sink.State(p.state) // "connecting" until the first answer
	for {
		p.cycle(ctx)
		if ctx.Err() != nil {
			return
		}
		if !p.wait(ctx, nextPoll(p.Now(), p.delay(), p.opts.PollInterval)) {
			return
		}
	}
}

// wait sleeps until the next full attempt at full. While it backs off from a Prometheus that did not
// answer, it probes it once per poll interval with a query that reads no data, and ends the wait as
// soon as a probe is answered: a recovered Prometheus is back within one poll interval, not after the
// whole backoff. It returns false when ctx is done.
func (p *Poller) wait(ctx context.Context, full time.Time) bool {
	for {
		now := p.Now()
		next := full
		if probeAt := nextPoll(now, p.opts.PollInterval, p.opts.PollInterval); p.probing && probeAt.Before(full) {
			next = probeAt
		}
		p.state.NextPoll = next
		p.sink.State(p.state)
		select {
		case <-ctx.Done():
			return false
		case <-p.After(next.Sub(now)):
		}
		if !next.Before(full) || p.probe(ctx) {
			return true
		}
	}
}

// probeQuery is answered by any Prometheus without touching its storage.
const probeQuery = "vector(1)"

// probe asks Prometheus the cheapest query there is and reports whether it answered.
func (p *Poller) probe(ctx context.Context) bool {
	_, _, err := p.instant(ctx, probeQuery, p.Now())
	if err != nil {
		p.Log.Debug("prometheus probe failed", "target", p.why.target, "error", p.why.explain("probe", err))
		return false
	}
	p.Log.Info("prometheus answers a probe again: polling now", "target", p.why.target)
	return true
}

// cycle backfills (until that has worked once) and polls, evaluated at the current
// step boundary so every poll lands in its own history slot.
func (p *Poller) cycle(ctx context.Context) {
	at := alignDown(p.Now(), p.opts.PollInterval)
	var warnings []string
	if !p.backfilled {
		w, err := p.backfill(ctx, at)
		if err != nil {
			p.fail(ctx, "backfill", err)
			return
		}
		warnings = append(warnings, w...)
	}
	w, err := p.poll(ctx, at)
	if err != nil {
		p.fail(ctx, "infer_rps", err)
		return
	}
	warnings = append(warnings, w...)
	if p.state.Failures > 0 {
		p.Log.Info("prometheus recovered", "target", p.why.target, "after failures", p.state.Failures)
	}
	p.state.LastSuccess = p.Now()
	p.state.LastError = ""
	p.state.Failures = 0
	p.state.Stale = false
	p.state.BadQuery = false
	p.probing = false
	p.state.Warning = strings.Join(slices.Compact(warnings), "; ")
}

// fail records a failed attempt; a cancelled context is shutdown, not a failure.
func (p *Poller) fail(ctx context.Context, query string, err error) {
	if ctx.Err() != nil {
		return
	}
	msg := p.why.explain(query, err)
	if p.state.Failures == 0 || msg != p.state.LastError {
		p.Log.Warn("prometheus query failed", "target", p.why.target, "error", msg)
	}
	p.state.Failures++
	p.state.LastError = msg
	var qerr *QueryError
	answered := errors.As(err, &qerr)
	p.state.BadQuery = answered && qerr.Type == "bad_data"
	p.probing = !answered
	// Two missed polls make every series stale; the history stays.
	p.state.Stale = p.state.Failures >= 2
}

// delay is the time to the next attempt: the poll interval, doubled per consecutive
// failure up to MaxBackoff.
func (p *Poller) delay() time.Duration {
	d := p.opts.PollInterval
	limit := max(p.opts.MaxBackoff, p.opts.PollInterval)
	for i := 1; i < p.state.Failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// poll runs the three instant queries and hands the samples to the sink. Only the
// infer_rps query is essential; a failed latency or error query becomes a warning.
func (p *Poller) poll(ctx context.Context, at time.Time) ([]string, error) {
	rps, warns, err := p.instant(ctx, p.queries.rps, at)
	if err != nil {
		return nil, err
	}
	warnings := []string(warns)
	samples := make(map[string]model.MetricSample, len(rps))
	unlabelled := 0
	for _, s := range rps {
		key, ok := pairKey(s.Labels)
		if !ok {
			unlabelled++
			continue
		}
		samples[key] = model.MetricSample{RPS: s.Value}
	}
	if len(rps) == 0 {
		warnings = append(warnings, p.why.emptyResult())
	}
	if unlabelled > 0 {
		warnings = append(warnings, fmt.Sprintf("query returns no namespace/model labels (%d series): it must group by (namespace, model)", unlabelled))
	}
	lat, warns, err := p.instant(ctx, p.queries.latency, at)
	warnings = append(warnings, warns...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		warnings = append(warnings, p.why.explain("latency", err))
	}
	for _, s := range lat {
		key, ok := pairKey(s.Labels)
		cur, known := samples[key]
		// 0/0 is NaN when a Model had no requests: no latency, not a bad value.
		if !ok || !known || math.IsNaN(s.Value) {
			continue
		}
		cur.Latency, cur.HasLatency = s.Value, true
		samples[key] = cur
	}
	errs, warns, err := p.instant(ctx, p.queries.errors, at)
	warnings = append(warnings, warns...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		warnings = append(warnings, p.why.explain("errors", err))
	}
	for _, s := range errs {
		key, ok := pairKey(s.Labels)
		cur, known := samples[key]
		if !ok || !known {
			continue
		}
		cur.Errors, cur.HasErrors = s.Value, true
		samples[key] = cur
	}
	p.sink.Poll(model.MetricsPoll{At: at, Samples: samples})
	return warnings, nil
}

// backfill runs the one range query over the history window ending at at.
func (p *Poller) backfill(ctx context.Context, at time.Time) ([]string, error) {
	step := p.opts.PollInterval
	n := p.opts.Capacity()
	start := at.Add(-time.Duration(n-1) * step)
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	series, warns, err := p.q.Range(ctx, p.queries.rps, start, at, step)
	if err != nil {
		return nil, err
	}
	b := model.Backfill{Start: start, Step: step, Series: make(map[string][]float64, len(series))}
	for _, s := range series {
		key, ok := pairKey(s.Labels)
		if !ok {
			continue
		}
		vals := b.Series[key]
		if vals == nil {
			vals = make([]float64, n)
			for i := range vals {
				vals[i] = math.NaN()
			}
			b.Series[key] = vals
		}
		for _, pt := range s.Points {
			i := int(math.Round(float64(pt.T.Sub(start)) / float64(step)))
			if i >= 0 && i < n {
				vals[i] = pt.V
			}
		}
	}
	p.sink.Backfill(b)
	p.backfilled = true
	return warns, nil
}

// instant runs one instant query under the per-query timeout.
func (p *Poller) instant(ctx context.Context, expr string, at time.Time) ([]Sample, Warnings, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	return p.q.Instant(ctx, expr, at)
}

// pairKey is "namespace/model" from a series' labels.
func pairKey(l Labels) (string, bool) {
	ns, m := l["namespace"], l["model"]
	if ns == "" || m == "" {
		return "", false
	}
	return ns + "/" + m, true
}

// alignDown returns the step boundary at or before t, counted from the Unix epoch as
// model.History counts its slots.
func alignDown(t time.Time, step time.Duration) time.Time {
	n := t.UnixNano()
	return time.Unix(0, n-n%int64(step))
}

// nextPoll is the first step boundary at least delay after now (and after now).
func nextPoll(now time.Time, delay, step time.Duration) time.Time {
	next := alignDown(now.Add(delay), step)
	if !next.After(now) {
		next = next.Add(step)
	}
	return next
}
