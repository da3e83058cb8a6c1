package ui

import (
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

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
			s := num(v)
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
