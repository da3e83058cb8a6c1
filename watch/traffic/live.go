package traffic

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch/prom"
)

// seedSpan is the history fetched before the replayed span to fill the controllers'
// memory: the default scale-down stabilization window and one sync.
const seedSpan = model.DefaultDownscaleStabilization + model.SyncPeriod

// GapError is a Prometheus range that cannot be replayed: no infer_rps at all in it.
type GapError struct{ Msg string }

// Error returns the message.
func (e *GapError) Error() string { return e.Msg }

// FromPrometheus builds the baseline input of a pair from its objects as the cluster has them
// now (the twin HPAs' specs, their sync phases from the controller's timestamps) and its
// infer_rps from start to end, in one range query. Missing steps are the metric missing;
// the replay starts at the first value, with the replicas taken as settled for it.
func FromPrometheus(ctx context.Context, q prom.Querier, o prom.Options, p model.Pair, start, end time.Time, serverReady time.Duration) (whatif.Input, Notes, error) {
	notes := Notes{Source: fmt.Sprintf("Prometheus %s and the cluster", o.Target())}
	in := whatif.Input{Key: p.Key, ModelHPA: p.ModelHPA, ServerHPA: p.ServerHPA, End: end}
	if p.ModelHPA == nil && p.ServerHPA == nil {
		return in, notes, fmt.Errorf("pair %s has no HPA to replay", p.Key)
	}
	step := o.PollInterval
	if step <= 0 {
		step = prom.DefaultPollInterval
	}
	from := start.Add(-seedSpan).Truncate(step)
	vals, err := prom.RPSRange(ctx, q, o, p.Namespace, p.ModelName, from, end, step)
	if err != nil {
		return in, notes, err
	}
	in.MaxAge = step
	first := -1
	var missing int
	for i, v := range vals {
		at := from.Add(time.Duration(i) * step)
		in.Metric = append(in.Metric, whatif.Sample{At: at, V: v})
		if at.Before(start) {
			continue
		}
		if math.IsNaN(v) {
			missing++
		} else if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return in, notes, &GapError{Msg: fmt.Sprintf("--from/--to: Prometheus has no infer_rps for %s between %s and %s (rate window %s)",
			p.Key, start.Format(time.RFC3339), end.Format(time.RFC3339), prom.PromDuration(o.RateWindow))}
	}
	in.Start = from.Add(time.Duration(first) * step)
	if in.Start.After(start) {
		notes.add("infer_rps starts at %s, after --from: the replay starts there", in.Start.Format(time.TimeOnly))
	}
	if missing > 0 {
		notes.add("infer_rps missing at %d of %d steps: replayed as the metric missing (FailedGetObjectMetric: the HPAs keep their replicas)", missing, len(vals)-int(start.Sub(from)/step))
	}
	in.Init = settled(p, vals[first])
	notes.add("replicas at the start taken as settled for %s rps: Model %d, Server %d", model.FormatNumber(vals[first]), in.Init.ModelReplicas, in.Init.ServerReplicas)
	in.ModelPhase, in.ServerPhase = phaseOf(p.ModelHPA, p.Skew.ModelPhase, p.Skew.ModelPhaseKnown, &notes, "Model"), phaseOf(p.ServerHPA, p.Skew.ServerPhase, p.Skew.ServerPhaseKnown, &notes, "Server")
	in.ServerReady = serverReady
	switch {
	case serverReady > 0:
	case p.Readiness.Samples > 0:
		in.ServerReady = p.Readiness.Median
	default:
		in.ServerReady = DefaultServerReady
		notes.add("Server readiness not measured; assumed %s (set --server-ready)", model.FormatDuration(DefaultServerReady))
	}
	return in, notes, nil
}

// settled is the pair's replicas when each HPA has converged on a metric value.
func settled(p model.Pair, rps float64) whatif.State {
	side := func(h *model.HPA, fallback model.Count) int32 {
		if h == nil {
			return fallback.Value
		}
		in := whatif.Input{ModelHPA: h}
		target := in.Target()
		n := h.MinReplicas
		if target > 0 {
			n = int32(math.Ceil(rps / target))
		}
		return min(max(n, h.MinReplicas), h.MaxReplicas)
	}
	m, s := side(p.ModelHPA, p.ModelDesired), side(p.ServerHPA, p.ServerDesired)
	return whatif.State{ModelReplicas: m, ServerReplicas: s, ServerReady: s, ModelAvailable: min(m, s)}
}

// phaseOf is an HPA's sync phase: measured by the dashboard, else from the latest instant
// the controller stamped on it (a condition's transition or the last rescale: both are syncs).
func phaseOf(h *model.HPA, measured time.Duration, known bool, notes *Notes, name string) time.Duration {
	if h == nil || known {
		return measured
	}
	latest := h.LastScaleTime
	for _, c := range h.Conditions {
		if c.Since.After(latest) {
			latest = c.Since
		}
	}
	if latest.IsZero() {
		notes.add("%s HPA sync phase unknown (no timestamp in its status); assumed 0", name)
		return 0
	}
	return time.Duration(latest.UnixNano() % int64(model.SyncPeriod))
}
