package ui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// compareCharts draws, in height h, the pairs' RPS with their total and each pair's share, then their
// ready Server replicas when there is room: side by side from 120 columns, stacked below.
func (v *compareView) charts(st *themes.Styles, hists []model.PairHistory, keys []string, w, h int) []string {
	if v.hists == nil {
		return []string{"", "  " + st.Muted.Render("loading history…")}
	}
	side := w >= 120
	cw := w - 2
	if side {
		cw = (w - 4) / 2
	}
	sh := model.CompareHistories(hists, cw-chartLabelWidth-chartOffset-1)
	if sh.Step == 0 {
		return []string{"", "  " + st.Muted.Render("no history recorded yet")}
	}
	var rpsSeries, shareSeries, readySeries []series
	for i, k := range keys {
		cs := compareStyle[i%len(compareStyle)]
		name := k
		if r, ok := v.c.rows.byKey[k]; ok {
			name = firstNonEmpty(v.c.rows.rows[r].pair.ModelName, k)
		}
		color := compareColor(st.Chart, i)
		rpsSeries = append(rpsSeries, series{name: name, data: sh.RPS[i], chars: cs.chars, glyph: cs.glyph, color: color})
		pct := make([]float64, len(sh.Share[i]))
		for j, v := range sh.Share[i] {
			pct[j] = v * 100
		}
		shareSeries = append(shareSeries, series{name: name, data: pct, chars: cs.chars, glyph: cs.glyph, color: color})
		ready := alignSeries(hists[i], hists[i].ServerReady, sh.Start, sh.Step, len(sh.Total))
		readySeries = append(readySeries, series{name: name, data: ready, chars: cs.chars, glyph: cs.glyph, color: color})
	}
	if len(keys) > 1 {
		rpsSeries = append(rpsSeries, series{name: "total", data: sh.Total, chars: dotChars, glyph: "·", color: st.Chart.Capacity})
	}
	span := " over the last " + model.FormatDuration(sh.Step*time.Duration(len(sh.Total)))
	legend := 1 + len(rpsSeries)/4
	// Each block is a title, the plot and its legend; blocks are separated by a blank line.
	type block struct {
		title string
		draw  func(ph int) []string
	}
	blocks := []block{{"RPS" + span, func(ph int) []string { return plot(st, rpsSeries, cw, ph, false) }}}
	if len(keys) > 1 {
		blocks = append(blocks, block{"Share of the total traffic, %", func(ph int) []string { return plotPercent(st, shareSeries, cw, ph) }})
	}
	blocks = append(blocks, block{"Ready Server replicas", func(ph int) []string { return plot(st, readySeries, cw, ph, true) }})

	perRow := 1
	if side {
		perRow = 2
	}
	// Take as many rows of charts as fit with a plot at least 4 lines high.
	rows := (len(blocks) + perRow - 1) / perRow
	for ; rows > 0; rows-- {
		if (h-rows)/rows-2-legend >= 4 {
			break
		}
	}
	if rows == 0 {
		return nil
	}
	ph := min((h-rows)/rows-2-legend, 16)
	blocks = blocks[:min(len(blocks), rows*perRow)]
	out := []string{}
	for r := 0; r < rows; r++ {
		out = append(out, "")
		var cols [][]string
		for c := 0; c < perRow && r*perRow+c < len(blocks); c++ {
			b := blocks[r*perRow+c]
			cols = append(cols, chartBlock(st, b.title, b.draw(ph), cw))
		}
		if len(cols) == 1 {
			out = append(out, cols[0]...)
			continue
		}
		for i := 0; i < max(len(cols[0]), len(cols[1])); i++ {
			l, rr := "", ""
			if i < len(cols[0]) {
				l = cols[0][i]
			}
			if i < len(cols[1]) {
				rr = cols[1][i]
			}
			out = append(out, fitStyled(l, cw+2)+rr)
		}
	}
	if len(out) > h {
		out = out[:max(0, h)]
	}
	return out
}

// alignSeries reads one of h's series on the grid start + i*step (n points), NaN outside it.
func alignSeries(h model.PairHistory, vals []float64, start time.Time, step time.Duration, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
		at := start.Add(time.Duration(i) * step)
		if h.Step <= 0 || at.Before(h.Start) {
			continue
		}
		if j := int(at.Sub(h.Start) / h.Step); j < len(vals) {
			out[i] = vals[j]
		}
	}
	return out
}

// plotPercent plots shares on a fixed 0-100 axis, so a shift from one pair to another reads as lines
// crossing rather than as noise rescaled. It guards asciigraph as plot does.
func plotPercent(st *themes.Styles, ss []series, width, height int) []string {
	var data [][]float64
	var charsets []asciigraph.CharSet
	var colors []asciigraph.AnsiColor
	n := 0
	for _, s := range ss {
		clean := make([]float64, len(s.data))
		ok := false
		for i, v := range s.data {
			clean[i] = math.NaN()
			if finite(v) {
				clean[i], ok = math.Max(0, math.Min(100, v)), true
			}
		}
		if ok {
			data = append(data, clean)
			charsets = append(charsets, s.chars)
			colors = append(colors, asciigraph.AnsiColor(s.color))
			n = max(n, len(clean))
		}
	}
	cols := width - chartLabelWidth - chartOffset - 1
	if len(data) == 0 || cols < 2 || height < 2 {
		return nil
	}
	opts := []asciigraph.Option{
		asciigraph.Height(height), asciigraph.Offset(chartOffset),
		asciigraph.LowerBound(0), asciigraph.UpperBound(100),
		asciigraph.YAxisValueFormatter(func(v float64) string { return fit(model.FormatNumber(math.Round(v))+"%", chartLabelWidth, true) }),
		asciigraph.SeriesChars(charsets...),
	}
	if n > cols {
		opts = append(opts, asciigraph.Width(cols))
	}
	if !st.NoColor {
		opts = append(opts, asciigraph.SeriesColors(colors...))
	}
	out := strings.Split(asciigraph.PlotMany(data, opts...), "\n")
	for i, l := range out {
		if ansi.StringWidth(l) > width {
			out[i] = ansi.Truncate(l, width, "")
		}
	}
	return out
}

// rpsText prints a compare row's RPS, "n/a" when there is no usable value.
func rpsText(r model.CompareRow) string {
	if !r.Known {
		return "n/a"
	}
	return rps(r.RPS)
}

// shareCell prints a share as a percentage and a bar: "75% ███████░░".
func shareCell(st *themes.Styles, share float64, w int) string {
	if !finite(share) {
		return fit("—", w, false)
	}
	pct := strconv.Itoa(int(math.Round(share*100))) + "%"
	barW := max(0, w-5)
	full := int(math.Round(share * float64(barW)))
	bar := strings.Repeat("█", full) + strings.Repeat("░", barW-full)
	return fit(pct, 4, true) + " " + st.Accent.Render(bar)
}

func shareTotal(c model.Comparison) string {
	if c.Total > 0 {
		return "100%"
	}
	return "—"
}

// shareSpark draws a share series (0 to 1) on a fixed scale, newest right.
func shareSpark(vals []float64, w int) string {
	if len(vals) > w {
		vals = vals[len(vals)-w:]
	}
	var b strings.Builder
	for i := len(vals); i < w; i++ {
		b.WriteByte(' ')
	}
	for _, v := range vals {
		if !finite(v) {
			b.WriteByte(' ')
			continue
		}
		idx := int(math.Round(math.Max(0, math.Min(1, v)) * float64(len(sparkRunes)-1)))
		b.WriteRune(sparkRunes[idx])
	}
	return b.String()
}

// rampCell is the scale-up column: "✓ keeps up +3 rps/min", "! outruns scale-up +6 rps/min",
// "· no ramp"; the rate goes when it does not fit (the full text is below the table).
func rampCell(st *themes.Styles, r *model.RampCheck, w int) string {
	var txt string
	tn := toneMuted
	switch {
	case r == nil:
		txt = "—"
	case !r.Known:
		txt = "· unknown"
	case !r.Ramping:
		txt = "· no ramp"
	case r.KeepsUp:
		txt, tn = "✓ keeps up", toneHealthy
	default:
		txt, tn = "! outruns scale-up", toneWarning
	}
	if r != nil && r.Known {
		if full := txt + " " + signedNum(r.RampPerMin) + " rps/min"; ansi.StringWidth(full) <= w {
			txt = full
		}
	}
	return toneStyle(st, tn).Render(fit(txt, w, false))
}

func signedNum(v float64) string {
	if v > 0 {
		return "+" + model.FormatNumber(v)
	}
	return model.FormatNumber(v)
}
