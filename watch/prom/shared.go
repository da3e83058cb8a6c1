package prom

import (
	"context"
	"sync"
	"time"
)

// Shared lets the pollers of several clusters use one query endpoint (Thanos Query,
// Mimir) with one request per query per poll: pollers of the same endpoint render the
// same expressions (every cluster's label value in one matcher) and align on the same
// step boundaries, so the first caller of an (expression, time) sends the request and
// the others get its answer. Wrap it per cluster with ForCluster.
type Shared struct {
	q Querier

	mu    sync.Mutex
	calls map[string]*sharedCall // by kind and expression: the latest call only
}

// sharedCall is one request whose answer every caller of the same arguments shares.
type sharedCall struct {
	args    [3]int64 // instant: at; range: start, end, step
	done    chan struct{}
	samples []Sample
	series  []Series
	warns   Warnings
	err     error
}

// NewShared returns a Shared over q.
func NewShared(q Querier) *Shared { return &Shared{q: q, calls: map[string]*sharedCall{}} }

// Instant implements Querier.
func (s *Shared) Instant(ctx context.Context, expr string, at time.Time) ([]Sample, Warnings, error) {
	c, err := s.do(ctx, "i"+expr, [3]int64{at.UnixNano()}, func(ctx context.Context, c *sharedCall) {
		c.samples, c.warns, c.err = s.q.Instant(ctx, expr, at)
	})
	if err != nil {
		return nil, nil, err
	}
	return c.samples, c.warns, c.err
}

// Range implements Querier.
func (s *Shared) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, Warnings, error) {
	c, err := s.do(ctx, "r"+expr, [3]int64{start.UnixNano(), end.UnixNano(), int64(step)}, func(ctx context.Context, c *sharedCall) {
		c.series, c.warns, c.err = s.q.Range(ctx, expr, start, end, step)
	})
	if err != nil {
		return nil, nil, err
	}
	return c.series, c.warns, c.err
}

// do joins the call of the same key and arguments, or starts it. The request runs on a
// context that keeps the first caller's deadline but not its cancellation, so one
// poller stopping does not fail the others; each caller still stops waiting at its own.
func (s *Shared) do(ctx context.Context, key string, args [3]int64, run func(context.Context, *sharedCall)) (*sharedCall, error) {
	s.mu.Lock()
	c, ok := s.calls[key]
	if !ok || c.args != args {
		c = &sharedCall{args: args, done: make(chan struct{})}
		s.calls[key] = c
		rctx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok {
			rctx, cancel = context.WithDeadline(rctx, dl)
		}
		go func() {
			defer cancel()
			defer close(c.done)
			run(rctx, c)
		}()
	}
	s.mu.Unlock()
	select {
	case <-c.done:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ForCluster is q answering for one cluster of a shared endpoint: only the series whose
// label has value.
func ForCluster(q Querier, label, value string) Querier {
	return clusterQuerier{q: q, label: label, value: value}
}

type clusterQuerier struct {
	q            Querier
	label, value string
}

// Instant implements Querier.
func (c clusterQuerier) Instant(ctx context.Context, expr string, at time.Time) ([]Sample, Warnings, error) {
	all, warns, err := c.q.Instant(ctx, expr, at)
	out := make([]Sample, 0, len(all))
	for _, s := range all {
		if s.Labels[c.label] == c.value {
			out = append(out, s)
		}
	}
	return out, warns, err
}

// Range implements Querier.
func (c clusterQuerier) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, Warnings, error) {
	all, warns, err := c.q.Range(ctx, expr, start, end, step)
	out := make([]Series, 0, len(all))
	for _, s := range all {
		if s.Labels[c.label] == c.value {
			out = append(out, s)
		}
	}
	return out, warns, err
}
