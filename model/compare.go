package model

import (
	"math"
	"time"
)

// CompareRow is one marked pair in the compare view.
type CompareRow struct {
	Key string `json:"key"`
	// RPS is the live infer_rps; Known is false when Prometheus has no usable value.
	RPS   float64 `json:"rps"`
	Known bool    `json:"known"`
	// Share is the pair's fraction of the total traffic of the compared pairs (NaN when undefined).
	Share         float64 `json:"share"`
	ModelDesired  Count   `json:"modelDesired"`
	ModelReady    Count   `json:"modelReady"`
	ServerDesired Count   `json:"serverDesired"`
	ServerReady   Count   `json:"serverReady"`
}

// Comparison is the compare view of several pairs at one moment.
type Comparison struct {
	Rows []CompareRow `json:"rows"`
	// Total is the sum of the known RPS values; Known counts the pairs that contributed to it.
	Total float64 `json:"total"`
	Known int     `json:"known"`
	// ServerReady is the sum of the known ready Server replicas.
	ServerReady int32 `json:"serverReady"`
}

// usable reports whether v can take part in a sum of traffic.
func trafficUsable(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }

// Shares returns the sum of the usable values and each value's share of it. NaN, ±Inf and negative
// values count as unknown: they add nothing to the total and get a NaN share. A zero total gives NaN
// shares, since no traffic has no split.
func Shares(values []float64) (total float64, shares []float64) {
	for _, v := range values {
		if trafficUsable(v) {
			total += v
		}
	}
	shares = make([]float64, len(values))
	for i, v := range values {
		if trafficUsable(v) && total > 0 {
			shares[i] = v / total
		} else {
			shares[i] = math.NaN()
		}
	}
	return total, shares
}

// Compare builds the compare view of pairs, in the given order.
func Compare(pairs []Pair) Comparison {
	c := Comparison{Rows: make([]CompareRow, len(pairs))}
	values := make([]float64, len(pairs))
	for i, p := range pairs {
		known := p.Metric.Known && p.Metric.Problem == "" && trafficUsable(p.Metric.RPS)
		values[i] = math.NaN()
		if known {
			values[i] = p.Metric.RPS
			c.Known++
		}
		c.Rows[i] = CompareRow{Key: p.Key, RPS: values[i], Known: known,
			ModelDesired: p.ModelDesired, ModelReady: p.ModelReady,
			ServerDesired: p.ServerDesired, ServerReady: p.ServerReady}
		if p.ServerReady.Known {
			c.ServerReady += p.ServerReady.Value
		}
	}
	total, shares := Shares(values)
	c.Total = total
	for i := range c.Rows {
		c.Rows[i].Share = shares[i]
	}
	return c
}

// ShareSeries is the traffic of several pairs over time on one grid, with their sum and shares.
type ShareSeries struct {
	Keys  []string      `json:"keys"`
	Start time.Time     `json:"start"`
	Step  time.Duration `json:"step"`
	// RPS[i] and Share[i] belong to Keys[i]; Total is their sum per step. NaN marks a gap.
	RPS   [][]float64 `json:"-"`
	Share [][]float64 `json:"-"`
	Total []float64   `json:"-"`
}

// CompareHistories puts the RPS histories of several pairs on one time grid (the finest step among them,
// from the earliest start to the latest end, at most maxPoints long, keeping the newest) and computes the
// total and each pair's share per step. A pair counts only within its own recorded range (a green pair
// created during the shift has no traffic before it); a gap inside a pair's range makes the step's total
// and shares NaN, since a partial sum would show a dip and a false 100% share.
func CompareHistories(hs []PairHistory, maxPoints int) ShareSeries {
	out := ShareSeries{Keys: make([]string, len(hs))}
	var start, end time.Time
	for i, h := range hs {
		out.Keys[i] = h.Key
		if h.Step <= 0 || len(h.RPS) == 0 {
			continue
		}
		if out.Step == 0 || h.Step < out.Step {
			out.Step = h.Step
		}
		e := h.Start.Add(time.Duration(len(h.RPS)-1) * h.Step)
		if start.IsZero() || h.Start.Before(start) {
			start = h.Start
		}
		if e.After(end) {
			end = e
		}
	}
	out.RPS = make([][]float64, len(hs))
	out.Share = make([][]float64, len(hs))
	if out.Step == 0 {
		return out
	}
	n := int(end.Sub(start)/out.Step) + 1
	if maxPoints > 0 && n > maxPoints {
		start = start.Add(time.Duration(n-maxPoints) * out.Step)
		n = maxPoints
	}
	out.Start = start
	for i, h := range hs {
		out.RPS[i] = resample(h, start, out.Step, n)
		out.Share[i] = make([]float64, n)
	}
	out.Total = make([]float64, n)
	col := make([]float64, len(hs))
	for t := 0; t < n; t++ {
		at := start.Add(time.Duration(t) * out.Step)
		seen, gap := false, false
		for i, h := range hs {
			col[i] = out.RPS[i][t]
			switch {
			case trafficUsable(col[i]):
				seen = true
			case inRange(h, at):
				gap = true
			}
		}
		total, shares := Shares(col)
		out.Total[t] = total
		if !seen || gap {
			out.Total[t] = math.NaN()
		}
		for i := range hs {
			out.Share[i][t] = shares[i]
			if gap {
				out.Share[i][t] = math.NaN()
			}
		}
	}
	return out
}

// inRange reports whether h has a sample slot at instant at.
func inRange(h PairHistory, at time.Time) bool {
	return h.Step > 0 && !at.Before(h.Start) && int(at.Sub(h.Start)/h.Step) < len(h.RPS)
}

// resample reads h's RPS at start + t*step, taking the sample whose step contains that instant.
func resample(h PairHistory, start time.Time, step time.Duration, n int) []float64 {
	out := make([]float64, n)
	for t := range out {
		out[t] = math.NaN()
		if h.Step <= 0 {
			continue
		}
		at := start.Add(time.Duration(t) * step)
		if at.Before(h.Start) {
			continue
		}
		j := int(at.Sub(h.Start) / h.Step)
		if j < len(h.RPS) {
			out[t] = h.RPS[j]
		}
	}
	return out
}
