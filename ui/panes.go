package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// renderPicker draws the namespace picker below the header.
func (a *App) renderPicker(st *themes.Styles) []string {
	lines := []string{st.Section.Render("Namespace") + st.Muted.Render("  ↑↓ move · enter select · esc cancel")}
	total := 0
	if a.rows != nil {
		total = len(a.rows.rows)
	}
	entries := []nsCount{{name: "all namespaces", pairs: total}}
	entries = append(entries, a.namespaces()...)
	h := max(1, a.h-pickerTop-1)
	off := pickerOffset(a.st.pickerCursor, h)
	for i := off; i < len(entries) && i < off+h; i++ {
		e := entries[i]
		mark := "  "
		if (i == 0 && a.st.namespace == "") || (i > 0 && e.name == a.st.namespace) {
			mark = "● "
		}
		txt := fit(mark+e.name, 40, false) + " " + fit(plural(e.pairs, "pair"), 10, true)
		if i == a.st.pickerCursor {
			lines = append(lines, st.Selected.Render(txt))
		} else {
			lines = append(lines, txt)
		}
	}
	return lines
}

// pickerOffset scrolls the picker so the cursor stays visible.
func pickerOffset(cursor, h int) int { return max(0, cursor-h+1) }

// helpLines is the body of the help screen: keys, then what every symbol,
// column and badge means, so the dashboard reads without colour.
func (a *App) helpLines(st *themes.Styles) []string {
	lines := []string{st.Title.Render("twinscale") + st.Muted.Render(" · every Seldon Model and its Server, with their twin HPAs"), ""}
	lines = append(lines, st.Section.Render("Keys"))
	groups := append(a.keys.FullHelp(), a.markKeys())
	if a.roll.player != nil {
		groups = append(groups, a.roll.keys.replayKeys())
	}
	colW := 22
	perLine := max(1, min(len(groups), a.w/colW))
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
	for _, c := range [][2]string{
		{"MODEL D/R", "Model spec.replicas / status.availableReplicas (? = unknown)"},
		{"SERVER D/R", "Server spec.replicas / ready pods of its StatefulSet"},
		{"HPA M|S", "desired replicas of the Model HPA | the Server HPA (– = no HPA)"},
		{"RPS", "live infer_rps from Prometheus, total"},
		{"PER REPLICA", "RPS per ready Server replica / the HPA target"},
		{"SKEW", "Model HPA desired - Server HPA desired, for how long (~ normal, ! too long)"},
		{"STATUS", "badges, worst first: SchedFail, drift, max, stale, bad-metric, shape"},
		{"RPS TREND", "recent RPS, ▁ low to █ high; a blank is a gap"},
		{"◆ ▲", "before a pair's name: marked (space) or pinned to the top (P); c compares marked pairs"},
	} {
		wrapped := strings.Split(ansi.Wrap(c[1], max(10, a.w-16), " "), "\n")
		for i, l := range wrapped {
			lbl := strings.Repeat(" ", 12)
			if i == 0 {
				lbl = st.Bold.Render(fit(c[0], 12, false))
			}
			lines = append(lines, "  "+lbl+" "+l)
		}
	}
	return lines
}

// renderHelp draws the help screen with its footer.
func (a *App) renderHelp(st *themes.Styles) []string {
	body := a.helpLines(st)
	a.helpN = len(body)
	h := a.h - 1
	off := max(0, min(a.st.helpScroll, len(body)-h))
	body = body[off:]
	lines := padTo(append([]string(nil), body[:min(len(body), h)]...), h)
	return append(lines, a.keyLine(st, a.keys.HelpHelp()))
}

// fitStyled pads a styled string to w cells (it never truncates).
func fitStyled(s string, w int) string {
	if sw := visibleWidth(s); sw < w {
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}
