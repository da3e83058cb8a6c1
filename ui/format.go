package ui

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
)

// finite reports whether v is a usable number (not NaN, not ±Inf).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// rps prints a request rate: "8.9 rps".
func rps(v float64) string { return model.FormatNumber(v) + " rps" }

// count prints a replica count, "?" when unknown.
func count(c model.Count) string {
	switch {
	case !c.Known && c.Unknown == model.UnknownForbidden:
		// RBAC, not a fault: say so where the number would be.
		return "forbidden"
	case !c.Known:
		return "?"
	}
	return strconv.Itoa(int(c.Value))
}

// desiredReady prints "desired/ready".
func desiredReady(d, r model.Count) string { return count(d) + "/" + count(r) }

// since prints how long before ref t was, or "" when t is zero.
func since(ref, t time.Time) string {
	if t.IsZero() || ref.IsZero() {
		return ""
	}
	return model.FormatDuration(ref.Sub(t))
}

// servingReplicas is what the per-replica value divides by: the Server's
// ready replicas, the pods that actually serve the Model.
func servingReplicas(p *model.Pair) model.Count { return p.ServerReady }

// perReplica returns the per-replica value against the target, e.g.
// "2.97/3", "n/a (0 replicas)" or "n/a"; over reports a value above target.
func perReplica(p *model.Pair) (cell string, over bool) {
	m := p.Metric
	if !m.Known || m.Problem != "" || !finite(m.RPS) {
		return "n/a", false
	}
	n := servingReplicas(p)
	switch {
	case !n.Known:
		return "n/a (? replicas)", false
	case n.Value <= 0:
		return "n/a (0 replicas)", false
	}
	v := m.RPS / float64(n.Value)
	if !finite(m.Target) || m.Target <= 0 {
		return model.FormatNumber(v) + "/?", false
	}
	return model.FormatNumber(v) + "/" + model.FormatNumber(m.Target), v > m.Target*1.1
}

// rpsCell prints the live total, or why there is none.
func rpsCell(m model.PairMetric) string {
	switch {
	case m.Problem != "" || (m.Known && !finite(m.RPS)):
		return "n/a (bad)"
	case !m.Known:
		return "n/a"
	}
	return rps(m.RPS)
}

// sparkRunes are the eight bar heights of a sparkline.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// spark draws the last width points of vals as a sparkline; gaps (NaN, Inf)
// are spaces and a short series is right-aligned.
func spark(vals []float64, width int) string {
	if width <= 0 {
		return ""
	}
	if len(vals) > width {
		vals = vals[len(vals)-width:]
	}
	// Scale from the lowest to the highest point so a trend shows even on a
	// busy pair; a flat series sits in the middle (at the bottom when zero).
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if !finite(v) {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	flat := hi-lo <= 1e-9*math.Max(1, math.Abs(hi))
	var b strings.Builder
	b.Grow(width * 3)
	for i := len(vals); i < width; i++ {
		b.WriteByte(' ')
	}
	for _, v := range vals {
		if !finite(v) {
			b.WriteByte(' ')
			continue
		}
		var idx int
		switch {
		case flat && hi == 0:
			idx = 0
		case flat:
			idx = len(sparkRunes)/2 - 1
		default:
			idx = int(math.Round((v - lo) / (hi - lo) * float64(len(sparkRunes)-1)))
		}
		b.WriteRune(sparkRunes[max(0, min(idx, len(sparkRunes)-1))])
	}
	return b.String()
}

// clock prints a wall time as HH:MM:SS in loc.
func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("15:04:05")
}

// clean makes cluster-provided text safe for one terminal line: newlines and
// tabs become spaces, other control characters (escape sequences) are dropped.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// visibleWidth is the width in cells of a possibly styled string.
func visibleWidth(s string) int { return cellWidth(s) }

// plural prints "1 pair", "3 pairs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// cellWidth is ansi.StringWidth with a fast path for what the dashboard
// draws: ASCII, SGR escape sequences and the narrow symbols it uses (arrows,
// box drawing, blocks, ✓ ✗ · …). Anything else takes the full grapheme
// segmentation, which otherwise dominates the cost of a frame.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		case c < 0x20 || c == 0x7f:
			return ansi.StringWidth(s)
		case c < 0x80:
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !narrowRune(r) {
			return ansi.StringWidth(s)
		}
		n++
		i += size
	}
	return n
}

// narrowRune reports whether r is a one-cell rune of the ranges the
// dashboard draws with (checked against ansi.StringWidth in the tests).
func narrowRune(r rune) bool {
	switch {
	case r >= 0xa0 && r < 0x300 && r != 0xad, // Latin-1 and Latin extended, but the soft hyphen
		r >= 0x2010 && r <= 0x2027, // dashes, bullets, ellipsis
		r >= 0x2190 && r <= 0x21ff, // arrows
		r >= 0x2200 && r <= 0x22ff, // mathematical operators
		r >= 0x2500 && r <= 0x259f, // box drawing and block elements
		r == 0x2713, r == 0x2717:   // ✓ ✗
		return true
	}
	return false
}
