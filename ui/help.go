package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
)

// helpState is the help screen's part of a frame.
type helpState struct{ scroll int }

// helpView is the `?` screen. Its body is built when the width, the theme or the replay
// changes, so Update knows its length when it scrolls.
type helpView struct {
	c       *common
	st      helpState
	body    []string
	bodyKey helpKey
}

// helpKey is what the help body depends on.
type helpKey struct {
	w, theme int
	replay   bool
}

// sync rebuilds the body when what it depends on changed.
func (v *helpView) sync() {
	k := helpKey{w: v.c.w, theme: v.c.theme, replay: v.c.replay.on()}
	if v.body != nil && v.bodyKey == k {
		return
	}
	v.body, v.bodyKey = helpBody(v.c, v.c.w), k
	v.clamp()
}

// update scrolls the help screen; it reports whether the view should close.
func (v *helpView) update(msg tea.KeyPressMsg) (back bool) {
	k := &v.c.keys
	switch {
	case key.Matches(msg, k.Back):
		return true
	case key.Matches(msg, k.Up):
		v.st.scroll--
	case key.Matches(msg, k.Down):
		v.st.scroll++
	case key.Matches(msg, k.Top):
		v.st.scroll = 0
	}
	v.clamp()
	return false
}

// clamp keeps the scroll inside the body.
func (v *helpView) clamp() {
	v.st.scroll = max(0, min(v.st.scroll, len(v.body)-(v.c.h-1)))
}

// Render draws the help screen with its footer.
func (v *helpView) Render(_, h int) []string {
	body := v.body
	off := max(0, min(v.st.scroll, len(body)-(h-1)))
	body = body[off:]
	lines := padTo(append([]string(nil), body[:min(len(body), h-1)]...), h-1)
	return append(lines, v.c.keyLine(v.c.keys.HelpHelp(), v.c.w))
}

// helpBody is the body of the help screen at width w: keys, then what every symbol, column
// and badge means, so the dashboard reads without colour.
func helpBody(c *common, w int) []string {
	st := c.styles()
	lines := []string{st.Title.Render("twinscale") + st.Muted.Render(" · every Seldon Model and its Server, with their twin HPAs"), ""}
	lines = append(lines, st.Section.Render("Keys"))
	groups := append(c.keys.FullHelp(), []key.Binding{markBinding(&c.keys, c.replay.on()), c.keys.Pin, c.keys.Compare})
	if c.replay.on() {
		groups = append(groups, c.keys.ReplayHelp())
	}
	colW := 22
	perLine := max(1, min(len(groups), w/colW))
	for start := 0; start < len(groups); start += perLine {
		if start > 0 {
			lines = append(lines, "")
		}
		rows := 0
		for _, g := range groups[start:min(len(groups), start+perLine)] {
			rows = max(rows, len(g))
		}
		for r := 0; r < rows; r++ {
			var b strings.Builder
			for gi := start; gi < min(len(groups), start+perLine); gi++ {
				cell := ""
				if r < len(groups[gi]) {
					h := groups[gi][r].Help()
					cell = st.Key.Render(fit(h.Key, 6, false)) + " " + st.KeyDesc.Render(h.Desc)
				}
				b.WriteString(fitStyled(cell, colW))
			}
			lines = append(lines, strings.TrimRight(b.String(), " "))
		}
	}
	lines = append(lines, "", st.Section.Render("Symbols")+st.Muted.Render(" (colour is only a second cue)"))
	var sym []string
	for h := model.Healthy; h <= model.Critical; h++ {
		sym = append(sym, st.HealthSymbol(h)+" "+h.String())
	}
	sym = append(sym, st.SeveritySymbol(model.Info)+" info")
	lines = append(lines, "  "+strings.Join(sym, "   "))
	lines = append(lines, "", st.Section.Render("Columns"))
	for c := range numCols {
		col := &columns[c]
		name, desc := col.title, col.help
		if c == colSym {
			name = cursorMark + " ✓"
		}
		if col.short != col.title {
			// The name a narrow terminal shows, so every title on screen is found here.
			desc = "(" + col.short + " when narrow) " + desc
		}
		wrapped := strings.Split(ansi.Wrap(desc, max(10, w-16), " "), "\n")
		for i, l := range wrapped {
			lbl := strings.Repeat(" ", 12)
			if i == 0 {
				lbl = st.Bold.Render(fit(name, 12, false))
			}
			lines = append(lines, "  "+lbl+" "+l)
		}
	}
	return lines
}

// fitStyled pads a styled string to w cells (it never truncates).
func fitStyled(s string, w int) string {
	if sw := visibleWidth(s); sw < w {
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}
