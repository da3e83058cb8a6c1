package demo

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	prommodel "github.com/prometheus/common/model"

	"github.com/twinscale/twinscale/watch/prom"
)

// maxPoints is Prometheus' limit of points per series in a range query.
const maxPoints = 11000

// Querier returns the simulated Prometheus, behind the same narrow interface the
// real poller uses, so the demo runs the real poller.
func (c *Cluster) Querier() prom.Querier { return querier{c} }

type querier struct{ c *Cluster }

// queryKind is which of Seldon's per-model series an expression asks for.
type queryKind int

const (
	kindNone queryKind = iota
	kindRPS
	kindErrors
	kindLatency
)

// parsedQuery is what the simulation understands of a PromQL expression: the
// twinscale queries (infer_rps, latency, non-2xx rate), grouped by namespace and model.
type parsedQuery struct {
	kind   queryKind
	window time.Duration
	ns     *regexp.Regexp // nil: every namespace
}

var (
	windowRE    = regexp.MustCompile(`\[([0-9]+(?:ms|[smhdwy]))\]`)
	namespaceRE = regexp.MustCompile(`namespace\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"`)
	errorsRE    = regexp.MustCompile(`code\s*(!~\s*"2\.\."|!=\s*"200")`)
)

func parseQuery(expr string) (parsedQuery, error) {
	var q parsedQuery
	switch {
	case strings.Contains(expr, "seldon_model_infer_seconds_total"):
		q.kind = kindLatency
	case strings.Contains(expr, "seldon_model_infer_total") && errorsRE.MatchString(expr):
		q.kind = kindErrors
	case strings.Contains(expr, "seldon_model_infer_total"):
		q.kind = kindRPS
	default:
		return q, nil // another metric: the demo has no such series
	}
	m := windowRE.FindStringSubmatch(expr)
	if m == nil {
		return q, &prom.QueryError{Type: "bad_data", Msg: "the demo's Prometheus needs a range selector such as [2m] in: " + expr}
	}
	w, err := prommodel.ParseDuration(m[1])
	if err != nil || w <= 0 {
		return q, &prom.QueryError{Type: "bad_data", Msg: fmt.Sprintf("invalid range %q", m[1])}
	}
	q.window = time.Duration(w)
	if m := namespaceRE.FindStringSubmatch(expr); m != nil {
		val := strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(m[2])
		if m[1] == "=" {
			val = regexp.QuoteMeta(val)
		}
		re, err := regexp.Compile("^(?:" + val + ")$")
		if err != nil {
			return q, &prom.QueryError{Type: "bad_data", Msg: fmt.Sprintf("invalid regular expression %q: %v", val, err)}
		}
		q.ns = re
	}
	return q, nil
}

// eval returns the value of the query for one Model at t, as PromQL would.
func (q parsedQuery) eval(p *pair, t time.Time) (float64, bool) {
	switch q.kind {
	case kindRPS:
		return p.series.rps(t, q.window)
	case kindErrors:
		return p.series.errorRate(t, q.window)
	case kindLatency:
		return p.series.latency(t, q.window)
	}
	return 0, false
}

func pairLabels(p *pair) prom.Labels {
	return prom.Labels{"namespace": p.spec.namespace, "model": p.spec.model}
}

// clampTime answers for a time past the virtual now with what exists now.
func (c *Cluster) clampTime(t time.Time) time.Time {
	if t.After(c.sched.now) {
		return c.sched.now
	}
	return t
}

// Instant evaluates expr at one time.
func (q querier) Instant(ctx context.Context, expr string, at time.Time) ([]prom.Sample, prom.Warnings, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	pq, err := parseQuery(expr)
	if err != nil || pq.kind == kindNone {
		return nil, nil, err
	}
	c := q.c
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.clampTime(at)
	var out []prom.Sample
	for _, p := range c.pairs {
		if pq.ns != nil && !pq.ns.MatchString(p.spec.namespace) {
			continue
		}
		if v, ok := pq.eval(p, t); ok {
			out = append(out, prom.Sample{Labels: pairLabels(p), Value: v})
		}
	}
	return out, nil, nil
}

// Range evaluates expr at start, start+step, ... up to end.
func (q querier) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]prom.Series, prom.Warnings, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if step <= 0 {
		return nil, nil, &prom.QueryError{Type: "bad_data", Msg: "zero or negative query resolution step widths are not accepted. Try a positive integer"}
	}
	if end.Before(start) {
		return nil, nil, &prom.QueryError{Type: "bad_data", Msg: "end timestamp must not be before start time"}
	}
	if n := end.Sub(start) / step; n >= maxPoints {
		return nil, nil, &prom.QueryError{Type: "bad_data", Msg: "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}
	}
	pq, err := parseQuery(expr)
	if err != nil || pq.kind == kindNone {
		return nil, nil, err
	}
	c := q.c
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []prom.Series
	for _, p := range c.pairs {
		if pq.ns != nil && !pq.ns.MatchString(p.spec.namespace) {
			continue
		}
		var pts []prom.Point
		for t := start; !t.After(end); t = t.Add(step) {
			if t.After(c.sched.now) {
				break
			}
			if v, ok := pq.eval(p, t); ok && !math.IsInf(v, 0) {
				pts = append(pts, prom.Point{T: t, V: v})
			}
		}
		if len(pts) > 0 {
			out = append(out, prom.Series{Labels: pairLabels(p), Points: pts})
		}
	}
	return out, nil, nil
}

// After returns a channel that receives the virtual time once d of virtual time has
// passed: a timer on the simulation's clock, for pollers that should follow it.
func (c *Cluster) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sched.after(d, func() { ch <- c.sched.now })
	return ch
}
