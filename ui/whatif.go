package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch"
)

// whatifMsg carries one what-if run of a pair: its history replayed with the specs as they
// are and with one preset edit.
type whatifMsg struct {
	key     string
	preset  int
	version uint64
	presets int
	run     whatif.Run
	in      whatif.Input
	notes   []string
	err     string
}

// whatifCmd reads the pair's history and runs the baseline and the preset's edit off the UI
// goroutine; the engine is model/whatif, the same as `twinscale whatif`.
func whatifCmd(src watch.Source, p model.Pair, preset int, version uint64) tea.Cmd {
	return func() tea.Msg {
		m := whatifMsg{key: p.Key, preset: preset, version: version}
		in, notes, err := whatif.FromHistory(p, src.History(p.Key))
		if err != nil {
			m.err = err.Error()
			return m
		}
		ps := whatif.Presets(in)
		if len(ps) == 0 {
			m.err = "no preset edit applies to " + p.Key + "'s HPAs"
			return m
		}
		m.presets, m.preset = len(ps), preset%len(ps)
		if m.run, err = whatif.RunPreset(in, ps[m.preset]); err != nil {
			m.err = err.Error()
		}
		m.in, m.notes = in, notes
		return m
	}
}

// whatifState is the what-if view's part of a frame; at and loaded derive from its messages.
type whatifState struct {
	key    string
	preset int
	at     uint64 // the snapshot version the run was made at
	loaded bool
}

// whatifView replays the selected pair's history through its HPAs as they are and with a
// preset edit the user cycles through: the verdict, both summaries and the Server replicas
// of both runs.
type whatifView struct {
	c  *common
	st whatifState
	m  whatifMsg
}

// open shows the pair's what-if with its first preset, until whatifCmd's answer arrives.
func (v *whatifView) open(key string) {
	v.st = whatifState{key: key}
	v.m = whatifMsg{}
}

// set takes a run of the pair and preset shown.
func (v *whatifView) set(m whatifMsg) {
	if m.key != v.st.key || (v.m.presets > 0 && m.err == "" && m.preset != v.st.preset) {
		return // another pair's, or a preset the user already cycled past
	}
	v.m = m
	v.st.preset, v.st.at, v.st.loaded = m.preset, m.version, true
}

// whatifAction is what a key asks of the App.
type whatifAction int

const (
	whatifNone whatifAction = iota
	whatifBack
	whatifRerun
)

// update cycles the presets; it reports whether to close or to run again.
func (v *whatifView) update(msg tea.KeyPressMsg) whatifAction {
	k := &v.c.keys
	n := max(1, v.m.presets)
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.WhatIf):
		return whatifBack
	case key.Matches(msg, k.NextPreset):
		v.st.preset, v.st.loaded = (v.st.preset+1)%n, false
		return whatifRerun
	case key.Matches(msg, k.PrevPreset):
		v.st.preset, v.st.loaded = (v.st.preset+n-1)%n, false
		return whatifRerun
	}
	return whatifNone
}

// Render draws the title, the edit, the verdict, both summaries side by side, the match
// rate and the Server replicas of both runs in the height left, then the footer.
func (v *whatifView) Render(w, h int) []string {
	st := v.c.styles()
	k := &v.c.keys
	title := st.Key.Render(k.Back.Help().Key) + st.Muted.Render(" back  ") + st.Section.Render("What-if") + "  " + st.Bold.Render(v.st.key)
	out := []string{title}
	m := v.m
	switch {
	case m.err != "":
		out = append(out, "", "  "+toneStyle(st, toneWarning).Render("! ")+clean(m.err))
	case m.presets == 0:
		out = append(out, "", "  "+st.Muted.Render("replaying the history…"))
	default:
		out = append(out, v.body(st, w, h-len(out)-1)...)
	}
	out = padTo(out, h-1)
	return append(out[:h-1], v.c.keyLine(k.WhatIfHelp(), v.c.w))
}

// body is everything between the title and the footer, in h lines at most.
func (v *whatifView) body(st *themes.Styles, w, h int) []string {
	m := v.m
	r := m.run
	edit := st.Muted.Render("edit "+strconv.Itoa(m.preset+1)+"/"+strconv.Itoa(m.presets)+": ") + st.Bold.Render(r.Preset.Name)
	var raws []string
	for _, e := range r.Preset.Edits {
		raws = append(raws, e.Raw)
	}
	out := []string{"", edit}
	out = append(out, styledWrap(muted(st), "--set "+strings.Join(raws, " --set "), w, 2, 4)...)
	if v.st.loaded {
		out = append(out, styledWrap(toneStyle(st, verdictTone(r)).Render, "verdict: "+r.Verdict, w, 0, 2)...)
	} else {
		out = append(out, st.Muted.Render("replaying…"))
	}
	out = append(out, "")

	nameW := 16
	colW := min(30, max(12, (w-nameW-2)/2))
	out = append(out, st.ColumnHeader.Render(fit(fit("", nameW, false)+" "+fit("baseline", colW, false)+" edited", w, false)))
	eRows := r.Edited.Summary.Rows()
	for i, row := range r.Baseline.Summary.Rows() {
		line := fit(row.Name, nameW, false) + " " + fit(row.Value, colW, false) + " "
		ev := eRows[i].Value
		if ev != row.Value {
			ev = st.Bold.Render(ev)
		}
		out = append(out, line+ev)
	}
	out = append(out, styledWrap(muted(st), r.Match.String()+" (the history's replicas, at its step)", w, 0, 2)...)
	for _, n := range m.notes {
		out = append(out, styledWrap(muted(st), n, w, 0, 2)...)
	}
	left := h - len(out) - 1
	if left >= 5 {
		out = append(out, "")
		out = append(out, v.chart(st, w, left-1)...)
	}
	return out
}

// verdictTone colours the verdict by what the edit did to ScheduleFailed.
func verdictTone(r whatif.Run) tone {
	b, e := r.Baseline.Summary.ScheduleFailed, r.Edited.Summary.ScheduleFailed
	switch {
	case e < b:
		return toneHealthy
	case e > b:
		return toneCritical
	}
	return toneText
}

// chart plots the Server replicas of both runs and the edited Model's, one point per step.
func (v *whatifView) chart(st *themes.Styles, w, h int) []string {
	r := v.m.run
	// One column per point at most; a short replay is stretched to the chart's width.
	cols := max(len(r.Baseline.Points), w-2-chartLabelWidth-chartOffset-1)
	pick := func(ps []whatif.Point, f func(p whatif.Point) int32) []float64 {
		if len(ps) == 0 {
			return nil
		}
		out := make([]float64, cols)
		for i := range out {
			out[i] = float64(f(ps[i*len(ps)/cols]))
		}
		return out
	}
	server := func(p whatif.Point) int32 { return p.ServerReplicas }
	ss := []series{
		{name: "Server, baseline", data: pick(r.Baseline.Points, server), chars: dotChars, glyph: "·", color: st.Chart.Capacity},
		{name: "Server, edited", data: pick(r.Edited.Points, server), chars: solidChars, glyph: "─", color: st.Chart.Server},
		{name: "Model, edited", data: pick(r.Edited.Points, func(p whatif.Point) int32 { return p.ModelReplicas }), chars: doubleChars, glyph: "═", color: st.Chart.Model},
	}
	title := st.Section.Render("Replicas") + st.Muted.Render(" over "+model.FormatDuration(v.m.in.End.Sub(v.m.in.Start)))
	lines := plot(st, ss, w-2, max(2, h-2), true)
	if lines == nil {
		return nil
	}
	out := []string{title}
	for _, l := range lines {
		out = append(out, "  "+l)
	}
	return out
}

// styledWrap wraps plain text and styles each line, so a continuation keeps the style.
func styledWrap(render func(string) string, s string, w, first, rest int) []string {
	lines := indentWrap(s, w, first, rest)
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		lines[i] = l[:len(l)-len(body)] + render(body)
	}
	return lines
}

// muted is the theme's muted style as a one-string renderer.
func muted(st *themes.Styles) func(string) string {
	return func(s string) string { return st.Muted.Render(s) }
}
