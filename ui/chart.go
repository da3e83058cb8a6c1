package ui

import (
	"math"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// chartLabelWidth is the fixed width of the y-axis labels, so the plot's
// width never depends on the values.
const chartLabelWidth = 6

// chartOffset puts the axis right after the label.
const chartOffset = 2

// series is one line of a chart. The glyph set tells series apart without
// colour; the legend shows each glyph.
type series struct {
	name  string
	data  []float64
	chars asciigraph.CharSet
	glyph string
	color uint8
}

// Glyph sets for chart series.
var (
	solidChars  = asciigraph.DefaultCharSet
	doubleChars = asciigraph.CharSet{Horizontal: "═", VerticalLine: "║", ArcDownRight: "╔", ArcDownLeft: "╗",
		ArcUpRight: "╚", ArcUpLeft: "╝", EndCap: "═", StartCap: "═"}
	dotChars   = asciigraph.CreateCharSet("·")
	bulletChar = asciigraph.CreateCharSet("•")
	crossChars = asciigraph.CreateCharSet("×")
)

// plot draws series with asciigraph inside width×height cells plus a legend
// line, guarding the library: no empty or all-NaN series reach it (it panics
// or prints nonsense on those), infinities become gaps, labels have a fixed
// width, and Clear() is never called. It returns nil when there is nothing
// to draw.
func plot(st *themes.Styles, ss []series, width, height int, integer bool) []string {
	var data [][]float64
	var kept []series
	n := 0
	hi := math.Inf(-1)
	for _, s := range ss {
		clean := make([]float64, len(s.data))
		ok := false
		for i, v := range s.data {
			if finite(v) {
				clean[i] = v
				ok = true
				hi = math.Max(hi, v)
			} else {
				clean[i] = math.NaN()
			}
		}
		if !ok {
			continue
		}
		data = append(data, clean)
		kept = append(kept, s)
		n = max(n, len(clean))
	}
	cols := width - chartLabelWidth - chartOffset - 1
	if len(data) == 0 || cols < 2 || height < 2 {
		return nil
	}
	if top := int(math.Ceil(hi)); integer && top >= 1 && top <= 2*height {
		// One or two rows per replica, so every count has its own labelled row and small
		// counts still get a readable height (a little over the height asked rather than
		// rows that skip a count).
		height = top * max(1, min(2, height/top))
	}
	opts := []asciigraph.Option{
		asciigraph.Height(height),
		asciigraph.Offset(chartOffset),
		asciigraph.LowerBound(0),
		asciigraph.YAxisValueFormatter(func(v float64) string {
			if integer {
				if math.Abs(v-math.Round(v)) > 1e-6 {
					// No "2.5 replicas", and no 2.5 rounded to a 3 that is a row too low.
					return strings.Repeat(" ", chartLabelWidth)
				}
				v = math.Round(v)
			}
			s := model.FormatNumber(v)
			if len(s) < chartLabelWidth {
				s = strings.Repeat(" ", chartLabelWidth-len(s)) + s
			}
			return s
		}),
	}
	if hi <= 0 {
		// A flat zero line still gets a readable axis.
		opts = append(opts, asciigraph.UpperBound(1))
	}
	if n > cols {
		opts = append(opts, asciigraph.Width(cols))
	}
	charsets := make([]asciigraph.CharSet, len(kept))
	colors := make([]asciigraph.AnsiColor, len(kept))
	for i, s := range kept {
		charsets[i] = s.chars
		colors[i] = asciigraph.AnsiColor(s.color)
	}
	opts = append(opts, asciigraph.SeriesChars(charsets...))
	if !st.NoColor {
		opts = append(opts, asciigraph.SeriesColors(colors...))
	}
	out := strings.Split(asciigraph.PlotMany(data, opts...), "\n")
	for i, l := range out {
		if cellWidth(l) > width {
			out[i] = ansi.Truncate(l, width, "")
		}
	}
	var legend []string
	for _, s := range ss {
		g := s.glyph
		if !st.NoColor && s.color != 0 {
			g = lipgloss.NewStyle().Foreground(ansi.IndexedColor(s.color)).Render(g)
		}
		item := g + " " + s.name
		if !containsSeries(kept, s.name) {
			item += st.Muted.Render(" (no data)")
		}
		legend = append(legend, item)
	}
	// The legend wraps rather than loses entries: it is how the series are
	// told apart without colour.
	indent := strings.Repeat(" ", chartLabelWidth+chartOffset)
	line := indent
	for i, item := range legend {
		if i > 0 && cellWidth(line)+2+cellWidth(item) > width {
			out = append(out, line)
			line = indent
		} else if i > 0 {
			line += "  "
		}
		line += item
	}
	return append(out, line)
}

// containsSeries reports whether a series of that name was drawn.
func containsSeries(ss []series, name string) bool {
	for _, s := range ss {
		if s.name == name {
			return true
		}
	}
	return false
}

// charts draws RPS against capacity, then each twin's replicas in a chart of its own: four
// replica series in one small chart hid each other wherever they agreed.
func (d *detailView) charts(st *themes.Styles, w int) []string {
	h := d.hist
	n := len(h.RPS)
	for _, s := range [][]float64{h.Capacity, h.ModelDesired, h.ModelReady, h.ServerDesired, h.ServerReady} {
		n = max(n, len(s))
	}
	if n == 0 || h.Key != d.st.key {
		return []string{"  " + st.Muted.Render("no history recorded yet")}
	}
	c := st.Chart
	rpsSeries := []series{
		{name: "rps", data: h.RPS, chars: solidChars, glyph: "─", color: c.RPS},
		{name: "capacity (target × ready servers)", data: h.Capacity, chars: dotChars, glyph: "·", color: c.Capacity},
	}
	loc := d.c.loc
	if w >= 120 {
		// RPS on the left, the Model's and the Server's replicas stacked on the right.
		cw := (w - 4) / 2
		rps := chartOver(st, "RPS", h, rpsSeries, cw, 8, false, loc)
		reps := append(replicaChart(st, "Model", h, h.ModelDesired, h.ModelReady, c.Model, cw, 4, loc), "")
		reps = append(reps, replicaChart(st, "Server", h, h.ServerDesired, h.ServerReady, c.Server, cw, 4, loc)...)
		return sideBySide(rps, reps, cw)
	}
	// Narrow: RPS across, then the twins side by side under it.
	hw := (w - 4) / 2
	out := append(chartOver(st, "RPS", h, rpsSeries, w-2, 8, false, loc), "")
	return append(out, sideBySide(
		replicaChart(st, "Model", h, h.ModelDesired, h.ModelReady, c.Model, hw, 4, loc),
		replicaChart(st, "Server", h, h.ServerDesired, h.ServerReady, c.Server, hw, 4, loc), hw)...)
}

// replicaChart draws one twin's desired replicas as a line and its ready replicas as
// markers under it. Ready equal to desired throughout would be drawn nowhere (the line
// covers it), so it is not listed apart: the line's legend says so.
func replicaChart(st *themes.Styles, side string, h model.PairHistory, desired, ready []float64, color uint8, w, height int, loc *time.Location) []string {
	line := series{name: "desired", data: desired, chars: solidChars, glyph: "─", color: color}
	ss := []series{{name: "ready", data: ready, chars: bulletChar, glyph: "•", color: color}, line}
	if hasData(ready) && covered(ready, desired) {
		line.name = "desired = ready throughout"
		ss = []series{line}
	}
	return chartOver(st, side+" replicas", h, ss, w, height, true, loc)
}

// chartOver titles a chart with the time it covers and plots it from its first sample:
// "over the last 30m" when the history fills its window, "since 09:02" (the viewer's
// clock, as the header's) when it only has data since the dashboard started.
func chartOver(st *themes.Styles, title string, h model.PairHistory, ss []series, w, height int, integer bool, loc *time.Location) []string {
	first, n := -1, 0
	for _, s := range ss {
		n = max(n, len(s.data))
		for i, v := range s.data {
			if finite(v) {
				if first < 0 || i < first {
					first = i
				}
				break
			}
		}
	}
	if first > 0 {
		trimmed := make([]series, len(ss))
		for i, s := range ss {
			trimmed[i] = s
			trimmed[i].data = s.data[min(first, len(s.data)):]
		}
		ss = trimmed
	}
	title += spanText(h, max(first, 0), n, loc)
	return chartBlock(st, title, plot(st, ss, w, height, integer), w)
}

// spanText says what time a chart of n slots from slot first covers.
func spanText(h model.PairHistory, first, n int, loc *time.Location) string {
	if h.Step <= 0 || n == 0 {
		return ""
	}
	covers := time.Duration(n-first) * h.Step
	switch {
	case h.Window > 0 && covers >= h.Window:
		return " over the last " + model.FormatDuration(h.Window)
	case h.Start.IsZero() || (h.Window == 0 && first == 0):
		// Without a window the history's length is all there is to say.
		return " over the last " + model.FormatDuration(covers)
	}
	if loc == nil {
		loc = time.Local
	}
	return " since " + h.Start.Add(time.Duration(first)*h.Step).In(loc).Format("15:04")
}

// hasData reports whether a series has a value to draw.
func hasData(v []float64) bool {
	for _, x := range v {
		if finite(x) {
			return true
		}
	}
	return false
}

// covered reports whether every value of a is drawn over by b's at the same slot.
func covered(a, b []float64) bool {
	for i, x := range a {
		if finite(x) && (i >= len(b) || b[i] != x) {
			return false
		}
	}
	return true
}

// sideBySide puts two blocks of lines next to each other, the left one w+2 wide.
func sideBySide(left, right []string, w int) []string {
	var out []string
	for i := 0; i < max(len(left), len(right)); i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, strings.TrimRight(fitStyled(l, w+2)+r, " "))
	}
	return out
}

// chartBlock titles a chart, or says there is no data for it.
func chartBlock(st *themes.Styles, title string, lines []string, w int) []string {
	out := []string{"  " + st.Bold.Render(title)}
	if lines == nil {
		return append(out, "  "+st.Muted.Render("no data yet"))
	}
	for _, l := range lines {
		out = append(out, "  "+l)
	}
	_ = w
	return out
}
