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
	if integer && hi >= 1 && hi <= float64(height) {
		// One row per replica keeps every axis label a whole number.
		height = int(math.Ceil(hi))
	}
	opts := []asciigraph.Option{
		asciigraph.Height(height),
		asciigraph.Offset(chartOffset),
		asciigraph.LowerBound(0),
		asciigraph.YAxisValueFormatter(func(v float64) string {
			if integer {
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

// charts draws RPS against capacity and the replica counts over time.
func (d *detailView) charts(st *themes.Styles, w int) []string {
	h := d.hist
	n := len(h.RPS)
	for _, s := range [][]float64{h.Capacity, h.ModelDesired, h.ModelReady, h.ServerDesired, h.ServerReady} {
		n = max(n, len(s))
	}
	if n == 0 || h.Key != d.st.key {
		return []string{"  " + st.Muted.Render("no history recorded yet")}
	}
	span := ""
	if h.Step > 0 {
		span = " over the last " + model.FormatDuration(time.Duration(n)*h.Step)
	}
	c := st.Chart
	rpsSeries := []series{
		{name: "rps", data: h.RPS, chars: solidChars, glyph: "─", color: c.RPS},
		{name: "capacity (target × ready servers)", data: h.Capacity, chars: dotChars, glyph: "·", color: c.Capacity},
	}
	// Ready first, desired on top: where ready matches desired only the line
	// shows, and a gap (replicas not ready yet) stands out as markers below it.
	replicaSeries := []series{
		{name: "model ready", data: h.ModelReady, chars: bulletChar, glyph: "•", color: c.Model},
		{name: "server ready", data: h.ServerReady, chars: crossChars, glyph: "×", color: c.Server},
		{name: "model desired", data: h.ModelDesired, chars: solidChars, glyph: "─", color: c.Model},
		{name: "server desired", data: h.ServerDesired, chars: doubleChars, glyph: "═", color: c.Server},
	}
	side := w >= 120
	cw := w - 2
	if side {
		cw = (w - 4) / 2
	}
	left := chartBlock(st, "RPS"+span, plot(st, rpsSeries, cw, 8, false), cw)
	right := chartBlock(st, "Replicas"+span, plot(st, replicaSeries, cw, 8, true), cw)
	if !side {
		return append(append(left, ""), right...)
	}
	var out []string
	for i := 0; i < max(len(left), len(right)); i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, fitStyled(l, cw+2)+r)
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
