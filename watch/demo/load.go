package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// profile is a model's offered load in requests per second at a virtual instant,
// before noise. Times are measured from the story's start (Options.Start), so a
// scenario reads as a script: "at +20s the load ramps from 2 to 9 rps".
type profile interface {
	rate(t time.Duration) float64
}

// steady is a constant load.
type steady float64

func (s steady) rate(time.Duration) float64 { return float64(s) }

// point is one keyframe of a piecewise-linear profile.
type point struct {
	at  time.Duration
	rps float64
}

// keyframes interpolates linearly between points and holds the ends; with a
// period it repeats, measured from the first point.
type keyframes struct {
	points []point
	period time.Duration
}

func (k keyframes) rate(t time.Duration) float64 {
	p := k.points
	if len(p) == 0 {
		return 0
	}
	if k.period > 0 {
		d := (t - p[0].at) % k.period
		if d < 0 {
			d += k.period
		}
		t = p[0].at + d
	}
	if t <= p[0].at {
		return p[0].rps
	}
	for i := 1; i < len(p); i++ {
		if t <= p[i].at {
			a, b := p[i-1], p[i]
			if b.at == a.at {
				return b.rps
			}
			f := float64(t-a.at) / float64(b.at-a.at)
			return a.rps + f*(b.rps-a.rps)
		}
	}
	return p[len(p)-1].rps
}

// ramp goes from `from` to `to` over dur starting at start, holds for hold, then
// returns to `from` over dur (hold < 0 means it never returns).
func ramp(from, to float64, start, dur, hold time.Duration) keyframes {
	pts := []point{{start, from}, {start + dur, to}}
	if hold >= 0 {
		pts = append(pts, point{start + dur + hold, to}, point{start + 2*dur + hold, from})
	}
	return keyframes{points: pts}
}

// spikes is a base load with a spike of height peak every period, each one rising
// over rise, holding for hold and falling over rise.
func spikes(base, peak float64, first, period, rise, hold time.Duration) keyframes {
	return keyframes{period: period, points: []point{
		{first, base}, {first + rise, peak}, {first + rise + hold, peak}, {first + 2*rise + hold, base},
	}}
}

// diurnal is a compressed day: a sine between low and high with the given period,
// at its peak at peakAt.
type diurnal struct {
	low, high float64
	period    time.Duration
	peakAt    time.Duration
}

func (d diurnal) rate(t time.Duration) float64 {
	x := 2 * math.Pi * float64(t-d.peakAt) / float64(d.period)
	return d.low + (d.high-d.low)*(1+math.Cos(x))/2
}

// shift is one side of a blue-green rollout: a share of a total load, moving from
// the blue model to the green one between start and start+dur.
type shift struct {
	total      profile
	green      bool
	start, dur time.Duration
}

func (s shift) rate(t time.Duration) float64 {
	f := 0.0
	switch {
	case t >= s.start+s.dur:
		f = 1
	case t > s.start:
		f = float64(t-s.start) / float64(s.dur)
	}
	if !s.green {
		f = 1 - f
	}
	return s.total.rate(t) * f
}

// noise turns an offered rate into the requests that arrive in one step: slow
// multiplicative drift (users come and go) on top of counting noise.
type noise struct {
	r     *rand.Rand
	drift float64 // AR(1) state, relative
	sigma float64 // relative amplitude of the drift
}

// requests returns how many requests arrive during dt at the given mean rate.
func (n *noise) requests(rate float64, dt time.Duration) float64 {
	if rate <= 0 || math.IsNaN(rate) {
		return 0
	}
	n.drift = 0.98*n.drift + n.sigma*0.2*n.r.NormFloat64()
	mean := rate * (1 + n.drift) * dt.Seconds()
	if mean <= 0 {
		return 0
	}
	// Poisson counting noise, in its normal approximation.
	v := mean + math.Sqrt(mean)*n.r.NormFloat64()
	return math.Max(0, math.Round(v))
}
