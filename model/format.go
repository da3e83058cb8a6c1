package model

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// This file is twinscale's one formatting dialect: numbers, durations and the health and
// severity symbols, as the dashboard, the snapshot table and the findings' prose print them.

// FormatNumber renders a metric value for people in at most three significant digits with
// an SI suffix from a thousand up, never a Quantity string: 8.611 → "8.61", 0.25 → "0.25",
// 6262.5 → "6.26k", "8611m" → "8.61".
func FormatNumber(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	case v == 0:
		return "0"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	if v < 0.001 {
		return sign + "<0.001"
	}
	suffix := ""
	for _, s := range []string{"k", "M", "G", "T"} {
		if v < 999.5 {
			break
		}
		v /= 1000
		suffix = s
	}
	if v >= 999.5 {
		return sign + ">999T"
	}
	return sign + trimZeros(strconv.FormatFloat(v, 'f', decimals(v), 64)) + suffix
}

// decimals keeps three significant digits for v in [0.001, 1000).
func decimals(v float64) int {
	switch {
	case v >= 99.95:
		return 0
	case v >= 9.995:
		return 1
	case v >= 1:
		return 2
	case v >= 0.1:
		return 3
	case v >= 0.01:
		return 4
	}
	return 5
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// FormatRatio renders a usage ratio with two decimals ("1.04").
func FormatRatio(r float64) string {
	if math.IsInf(r, 1) {
		return "∞"
	}
	if math.IsNaN(r) {
		return "n/a"
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

// FormatDuration renders a duration compactly, the way the dashboard states waits, ages
// and latencies: "450µs", "450ms", "45s", "3m20s", "12m", "2h5m", "3d4h". Beyond ten minutes the seconds, and
// beyond two days the minutes, are noise and are dropped.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	// Round to the unit printed (36.7ms is "37ms", 999.7ms is "1s"), never down to nothing.
	switch {
	case d >= time.Second-time.Millisecond/2:
		d = d.Round(time.Second)
	case d >= time.Millisecond-time.Microsecond/2:
		d = d.Round(time.Millisecond)
	case d > 0:
		d = max(time.Microsecond, d.Round(time.Microsecond))
	}
	itoa := func(v int64) string { return strconv.FormatInt(v, 10) }
	switch {
	case d == 0:
		return "0s"
	case d < time.Millisecond:
		return itoa(d.Microseconds()) + "µs"
	case d < time.Second:
		return itoa(d.Milliseconds()) + "ms"
	case d < time.Minute:
		return itoa(int64(d/time.Second)) + "s"
	case d < time.Hour:
		m, s := int64(d/time.Minute), int64(d%time.Minute/time.Second)
		if s == 0 || m >= 10 {
			return itoa(m) + "m"
		}
		return itoa(m) + "m" + itoa(s) + "s"
	case d < 48*time.Hour:
		h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
		if m == 0 {
			return itoa(h) + "h"
		}
		return itoa(h) + "h" + itoa(m) + "m"
	}
	days, h := int64(d/(24*time.Hour)), int64(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return itoa(days) + "d"
	}
	return itoa(days) + "d" + itoa(h) + "h"
}

// HealthSymbol is the text twin of a health colour: ✓ ~ ! ✗, "?" for an unknown level.
func HealthSymbol(h Health) string {
	switch h {
	case Healthy:
		return "✓"
	case Converging:
		return "~"
	case Warning:
		return "!"
	case Critical:
		return "✗"
	}
	return "?"
}

// SeveritySymbol is the text twin of a severity colour: · ! ✗, "?" for an unknown one.
func SeveritySymbol(s Severity) string {
	switch s {
	case Info:
		return "·"
	case SeverityWarning:
		return "!"
	case SeverityCritical:
		return "✗"
	}
	return "?"
}
