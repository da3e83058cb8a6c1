package ui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch"
)

// compareMsg carries the compared pairs' histories.
type compareMsg struct {
	version uint64
	hists   map[string]model.PairHistory
}

// compareCmd copies the histories of the compared pairs off the UI goroutine.
func compareCmd(src watch.Source, keys []string, version uint64) tea.Cmd {
	return func() tea.Msg {
		m := compareMsg{version: version, hists: make(map[string]model.PairHistory, len(keys))}
		for _, k := range keys {
			m.hists[k] = src.History(k)
		}
		return m
	}
}

// compareKeys are the pairs the compare view shows: the marked pairs of the current snapshot in the
// order they were marked, else the selected pair.
func (a *App) compareKeys() []string {
	if a.rows == nil {
		return nil
	}
	var out []string
	for _, k := range a.roll.marks {
		if _, ok := a.rows.byKey[k]; ok {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		if r := a.selected(); r != nil {
			out = append(out, r.key)
		}
	}
	return out
}

// openCompare switches to the compare view and fetches the histories.
func (a *App) openCompare() tea.Cmd {
	keys := a.compareKeys()
	if len(keys) == 0 {
		a.st.flash = "no pair to compare"
		return nil
	}
	if len(a.roll.marks) == 0 {
		a.st.flash = "comparing the selected pair: mark pairs with " + a.markKeyName() + " to compare several"
	}
	a.st.mode = modeCompare
	a.roll.compare = nil
	a.histVer++
	return compareCmd(a.src, keys, a.rows.version)
}

// compareRefresh fetches the histories again after a new snapshot while the compare view is open.
func (a *App) compareRefresh() tea.Cmd {
	if a.st.mode != modeCompare || a.rows == nil {
		return nil
	}
	return compareCmd(a.src, a.compareKeys(), a.rows.version)
}

// setCompare takes fetched histories unless a newer snapshot's are due.
func (a *App) setCompare(m compareMsg) {
	if a.rows != nil && m.version < a.rows.version && a.roll.compare != nil {
		return
	}
	a.roll.compare = m.hists
	a.histVer++
}

// compareStyle tells compared pairs apart without colour: a glyph set each, shown in the table too.
var compareStyle = []struct {
	chars asciigraph.CharSet
	glyph string
}{
	{solidChars, "─"}, {doubleChars, "═"}, {bulletChar, "•"}, {crossChars, "×"},
	{asciigraph.CreateCharSet("+"), "+"}, {asciigraph.CreateCharSet("o"), "o"},
}

// compareColor picks a theme chart colour per pair.
func compareColor(c themes.ChartColors, i int) uint8 {
	return []uint8{c.RPS, c.Server, c.Model, c.Capacity}[i%4]
}

// renderCompare draws the header, the compare body and the footer.
func (a *App) renderCompare(st *themes.Styles) []string {
	lines := a.renderHeader(st)
	body := a.compareBody(st, a.h-len(lines)-1)
	lines = append(lines, body...)
	lines = padTo(lines, a.h-1)
	keys := a.replayFooter([]key.Binding{a.keys.Back, a.roll.keys.Compare, a.roll.keys.Pin, a.keys.Theme, a.keys.Help, a.keys.Quit})
	return append(lines, a.renderFooter(st, keys))
}

// compareBody is the title, one row per pair plus the total, the ramp warnings, then the charts in
// the height left.
func (a *App) compareBody(st *themes.Styles, h int) []string {
	keys := a.compareKeys()
	pairs := make([]model.Pair, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, *a.rows.rows[a.rows.byKey[k]].pair)
	}
	cmp := model.Compare(pairs)
	w := a.w
	title := st.Section.Render("Compare") + st.Muted.Render(" · "+strconv.Itoa(len(pairs))+" pairs · total ") +
		st.Bold.Render(rps(cmp.Total))
	if cmp.Known < len(pairs) {
		title += st.Muted.Render(" (" + strconv.Itoa(len(pairs)-cmp.Known) + " without a live value)")
	}
	out := []string{title}

	// Column widths: the pair name takes what the numbers leave, the scale-up text the rest.
	const rpsW, countW = 9, 7
	shareW, trendW := 11, 0
	if w >= 100 {
		shareW, trendW = 15, 12
	}
	fixed := 2 + rpsW + 1 + shareW + 1 + 2*(countW+1)
	if trendW > 0 {
		fixed += trendW + 1
	}
	pairW := max(12, min(36, (w-fixed)/2))
	rampW := max(0, w-fixed-pairW-1)
	if rampW < 10 {
		pairW, rampW = max(12, w-fixed), 0
	}
	head := "  " + fit("PAIR", pairW, false) + " " + fit("RPS", rpsW, true) + " " + fit("SHARE", shareW, false)
	if trendW > 0 {
		head += " " + fit("SHARE TREND", trendW, false)
	}
	head += " " + fit("MODEL", countW, true) + " " + fit("SERVER", countW, true)
	if rampW > 0 {
		head += " " + fit("SCALE-UP", rampW, false)
	}
	out = append(out, st.ColumnHeader.Render(fit(head, w, false)))

	var hists []model.PairHistory
	for _, k := range keys {
		hists = append(hists, a.roll.compare[k])
	}
	shares := model.CompareHistories(hists, trendW)
	var warnings []string
	for i, r := range cmp.Rows {
		p := &pairs[i]
		glyph := compareStyle[i%len(compareStyle)].glyph
		g := glyph
		if !st.NoColor {
			g = lipgloss.NewStyle().Foreground(ansi.IndexedColor(compareColor(st.Chart, i))).Render(glyph)
		}
		name := fitPair(firstNonEmpty(p.ModelName, "(no model)"), serverLabel(p), pairW)
		line := g + " " + name + " " + fit(rpsText(r), rpsW, true) + " " + shareCell(st, r.Share, shareW)
		if trendW > 0 {
			line += " " + st.Accent.Render(fit(shareSpark(shares.Share[i], trendW), trendW, false))
		}
		line += " " + fit(desiredReady(r.ModelDesired, r.ModelReady), countW, true) +
			" " + fit(desiredReady(r.ServerDesired, r.ServerReady), countW, true)
		if rampW > 0 {
			line += " " + rampCell(st, p.Ramp, rampW)
		}
		out = append(out, line)
		if p.Ramp != nil && p.Ramp.Known && !p.Ramp.KeepsUp {
			warnings = append(warnings, toneStyle(st, toneWarning).Render("! ")+st.Bold.Render(p.Key)+": "+clean(p.Ramp.Text))
		}
	}
	total := "Σ " + fit("total", pairW, false) + " " + fit(rps(cmp.Total), rpsW, true) + " " + fit(shareTotal(cmp), shareW, false)
	if trendW > 0 {
		total += " " + fit("", trendW, false)
	}
	total += " " + fit("", countW, true) + " " + fit(itoa(cmp.ServerReady)+" rdy", countW, true)
	out = append(out, st.Bold.Render(total))
	for _, wl := range warnings {
		out = append(out, indentWrap(wl, w, 0, 2)...)
	}

	left := h - len(out) - 1
	out = append(out, a.compareCharts(st, hists, keys, w, left)...)
	return out
}

// compareCharts draws, in height h, the pairs' RPS with their total and each pair's share, then their
// ready Server replicas when there is room: side by side from 120 columns, stacked below.
func (a *App) compareCharts(st *themes.Styles, hists []model.PairHistory, keys []string, w, h int) []string {
	if a.roll.compare == nil {
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
		if r, ok := a.rows.byKey[k]; ok {
			name = firstNonEmpty(a.rows.rows[r].pair.ModelName, k)
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
	span := " over the last " + dur(sh.Step*time.Duration(len(sh.Total)))
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
		asciigraph.YAxisValueFormatter(func(v float64) string { return fit(num(math.Round(v))+"%", chartLabelWidth, true) }),
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
		return "+" + num(v)
	}
	return num(v)
}
