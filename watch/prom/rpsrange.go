package prom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// RPSRange asks Prometheus, in one range query, for one Model's infer_rps from start to end
// at step, with the poller's query and rate window (the adapter's rule). The values are
// aligned to start + i×step; a step without a value is NaN.
func RPSRange(ctx context.Context, q Querier, o Options, namespace, modelName string, start, end time.Time, step time.Duration) ([]float64, error) {
	if step <= 0 || !end.After(start) {
		return nil, fmt.Errorf("infer_rps range %s to %s at step %s: empty", start.Format(time.RFC3339), end.Format(time.RFC3339), step)
	}
	if o.RateWindow <= 0 {
		o.RateWindow = DefaultRateWindow
	}
	qs, err := o.render([]string{namespace})
	if err != nil {
		return nil, err
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	series, _, err := q.Range(ctx, qs.rps, start, end, step)
	if err != nil {
		why := explainer{target: o.Target(), rawURL: o.URL, service: o.Service, timeout: o.Timeout.String(), ns: []string{namespace}, window: PromDuration(o.RateWindow)}
		return nil, errors.New(why.explain("infer_rps range", err))
	}
	n := int(end.Sub(start)/step) + 1
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = math.NaN()
	}
	for _, s := range series {
		if s.Labels["namespace"] != namespace || s.Labels["model"] != modelName {
			continue
		}
		for _, pt := range s.Points {
			i := int(math.Round(float64(pt.T.Sub(start)) / float64(step)))
			if i >= 0 && i < n && !math.IsInf(pt.V, 0) && pt.V >= 0 {
				vals[i] = pt.V
			}
		}
	}
	return vals, nil
}
