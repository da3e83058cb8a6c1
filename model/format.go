package model

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// FormatNumber renders a metric value for people: at most three significant digits, SI
// suffixes from a thousand up, never a Quantity string ("8611m" becomes "8.61").
func FormatNumber(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	}
	neg := v < 0
	a := math.Abs(v)
	suffix := ""
	for _, s := range []struct {
		div float64
		sym string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if a >= s.div*0.9995 {
			a /= s.div
			suffix = s.sym
			break
		}
	}
	var out string
	switch {
	case a == 0:
		out = "0"
	case a >= 99.95:
		out = strconv.FormatFloat(a, 'f', 0, 64)
	case a >= 9.995:
		out = trimZeros(strconv.FormatFloat(a, 'f', 1, 64))
	case a >= 0.01:
		out = trimZeros(strconv.FormatFloat(a, 'f', 2, 64))
	default:
		out = strconv.FormatFloat(a, 'g', 2, 64)
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out + suffix
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

// FormatDuration renders a duration the way the dashboard states waits: "6 s", "4 m 10 s", "2 h 5 m".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	switch {
	case h > 0 && m > 0:
		return strconv.FormatInt(h, 10) + " h " + strconv.FormatInt(m, 10) + " m"
	case h > 0:
		return strconv.FormatInt(h, 10) + " h"
	case m > 0 && s > 0:
		return strconv.FormatInt(m, 10) + " m " + strconv.FormatInt(s, 10) + " s"
	case m > 0:
		return strconv.FormatInt(m, 10) + " m"
	}
	return strconv.FormatInt(s, 10) + " s"
}
