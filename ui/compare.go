package ui

import (
	"strconv"
	"strings"

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

// compareState is the compare view's part of a frame; at and loaded derive from the
// history messages.
type compareState struct {
	keys   string // the compared pairs, one per line
	at     uint64 // the snapshot version the histories were read at
	loaded bool
}

// compareView shows the marked pairs side by side: their traffic, shares, replicas and
// scale-up checks, then their histories as charts.
type compareView struct {
	c     *common
	st    compareState
	keys  []string
	hists map[string]model.PairHistory
}

// open shows keys, with no history until compareCmd's answer arrives.
func (v *compareView) open(keys []string) {
	v.setKeys(keys)
	v.hists = nil
	v.st.at, v.st.loaded = 0, false
}

// setKeys changes the compared pairs (after a new snapshot).
func (v *compareView) setKeys(keys []string) {
	v.keys = keys
	v.st.keys = strings.Join(keys, "\n")
}

// set takes fetched histories unless a newer snapshot's are due.
func (v *compareView) set(m compareMsg) {
	if v.c.rows != nil && m.version < v.c.rows.version && v.hists != nil {
		return
	}
	v.hists = m.hists
	v.st.at, v.st.loaded = m.version, true
}

// shown are the compared pairs that the current snapshot holds.
func (v *compareView) shown() []string {
	out := make([]string, 0, len(v.keys))
	for _, k := range v.keys {
		if _, ok := v.c.rows.byKey[k]; ok {
			out = append(out, k)
		}
	}
	return out
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

// compareBody is the title, one row per pair plus the total, the ramp warnings, then the charts in
// the height left.
func (v *compareView) Render(w, h int) []string {
	st := v.c.styles()
	keys := v.shown()
	pairs := make([]model.Pair, 0, len(keys))
	for _, k := range keys {
		pairs = append(pairs, *v.c.rows.rows[v.c.rows.byKey[k]].pair)
	}
	cmp := model.Compare(pairs)
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
		hists = append(hists, v.hists[k])
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
	out = append(out, v.charts(st, hists, keys, w, left)...)
	return out
}
