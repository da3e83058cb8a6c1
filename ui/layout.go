package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/themes"
)

// layout is the set of shown columns and their widths for one terminal width.
type layout struct {
	shown  [numCols]bool
	widths [numCols]int
	sep    int
	total  int
}

// Column width limits: the flexible columns shrink to their minimum before
// any column is dropped, and never grow past their maximum.
var (
	colMin = map[int]int{colPair: 24, colBadges: 10, colNS: 10, colSpark: 8}
	colMax = map[int]int{colPair: 56, colBadges: 44, colNS: 20}
)

// rightAligned columns hold numbers.
var rightAligned = [numCols]bool{colModel: true, colServer: true, colHPA: true, colRPS: true, colPerRep: true}

// computeLayout drops columns by priority until the table fits width, then
// hands the spare width out. A column's minimum fits its cells and short
// title; its natural width fits its full title too.
func computeLayout(cellW [numCols]int, width int) layout {
	var l layout
	l.sep = 1
	if width >= 160 {
		l.sep = 2
	}
	var minW, natural [numCols]int
	for c := range numCols {
		// +1 leaves room for the sort mark.
		natural[c] = max(cellW[c], cellWidth(colTitles[c])+1)
		minW[c] = max(cellW[c], cellWidth(colShort[c])+1)
		if m, ok := colMin[c]; ok {
			minW[c] = min(natural[c], m)
		}
		if c == colSym {
			minW[c], natural[c] = 1, 1
		}
		l.shown[c] = true
		l.widths[c] = minW[c]
	}
	sum := func() int {
		t, n := 0, 0
		for c := range numCols {
			if l.shown[c] {
				t += l.widths[c]
				n++
			}
		}
		return t + l.sep*max(0, n-1)
	}
	for sum() > width {
		drop, worst := -1, 0
		for c := range numCols {
			if l.shown[c] && colPriority[c] >= worst && colPriority[c] > 0 {
				drop, worst = c, colPriority[c]
			}
		}
		if drop < 0 {
			break
		}
		l.shown[drop] = false
	}
	// Spare width goes in rounds, so no flexible column starves the others:
	// first a comfortable size, then full titles, then each maximum.
	spare := width - sum()
	grow := func(c, upto int) {
		if !l.shown[c] || spare <= 0 {
			return
		}
		if g := min(spare, upto-l.widths[c]); g > 0 {
			l.widths[c] += g
			spare -= g
		}
	}
	grow(colBadges, min(natural[colBadges], 24))
	// Names come before history: a sparkline narrowed to its newest points still reads.
	grow(colPair, min(natural[colPair], 48))
	grow(colNS, min(natural[colNS], 14))
	for _, c := range []int{colSpark, colModel, colServer, colHPA, colPerRep} {
		grow(c, natural[c])
	}
	for _, c := range []int{colBadges, colPair, colNS} {
		grow(c, min(natural[c], colMax[c]))
	}
	l.total = sum()
	return l
}

// fitPair fits "model → server" into w cells, truncating each name on its
// own so both stay recognisable.
func fitPair(model, server string, w int) string {
	const arrow = " → "
	mw, sw := cellWidth(model), cellWidth(server)
	if mw+sw+3 <= w {
		return fit(model+arrow+server, w, false)
	}
	room := w - 3
	if room < 4 {
		return fit(model, w, false)
	}
	half := room / 2
	switch {
	case mw <= half:
		sw = room - mw
	case sw <= room-half:
		mw = room - sw
	default:
		mw, sw = half, room-half
	}
	return fit(ansi.Truncate(model, mw, "…")+arrow+ansi.Truncate(server, sw, "…"), w, false)
}

// newest keeps the last w cells of a sparkline (its newest points), padding on the left.
func newest(spark string, w int) string {
	r := []rune(spark)
	if len(r) >= w {
		return string(r[len(r)-w:])
	}
	return strings.Repeat(" ", w-len(r)) + spark
}

// fit pads or truncates s to exactly w cells.
func fit(s string, w int, right bool) string {
	sw := cellWidth(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	pad := strings.Repeat(" ", w-sw)
	if right {
		return pad + s
	}
	return s + pad
}

// titleLine draws the column titles, marking the sort column.
func titleLine(st *themes.Styles, lay *layout, by sortBy) string {
	sortCol := map[sortBy]int{sortAlerts: colBadges, sortName: colPair, sortRPS: colRPS, sortSkew: colSkew}[by]
	var b strings.Builder
	first := true
	for c := range numCols {
		if !lay.shown[c] {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", lay.sep))
		}
		first = false
		t := colTitles[c]
		if cellWidth(t)+1 > lay.widths[c] {
			t = colShort[c]
		}
		if c == sortCol {
			t += "▼"
		}
		b.WriteString(st.Spans.ColumnHeader.Render(fit(t, lay.widths[c], rightAligned[c])))
	}
	return b.String()
}

// rowText draws one row after its mark prefix ("◆ ", "▲ " or ""); with st nil it is plain
// (for the selected row, which is styled as a whole).
func rowText(r *row, lay *layout, st *themes.Styles, mark string) string {
	var b strings.Builder
	first := true
	for c := range numCols {
		if !lay.shown[c] {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", lay.sep))
		}
		first = false
		w := lay.widths[c]
		if c == colBadges && st != nil {
			b.WriteString(badgeCell(r.badges, w, st))
			continue
		}
		var txt string
		switch c {
		case colPair:
			txt = fitPair(mark+r.model, r.server, w)
		case colSpark:
			txt = newest(r.cells[c], w)
		default:
			txt = fit(r.cells[c], w, rightAligned[c])
		}
		if st == nil || r.tones[c] == toneText {
			b.WriteString(txt)
		} else {
			b.WriteString(toneStyle(st, r.tones[c]).Render(txt))
		}
	}
	return b.String()
}

// badgeCell draws as many badges as fit in w cells, each in its own colour
// with its symbol, and "…" when some did not fit.
func badgeCell(bs []badge, w int, st *themes.Styles) string {
	var b strings.Builder
	used := 0
	for i, bd := range bs {
		txt := toneSymbol(bd.tone) + bd.text
		tw := cellWidth(txt)
		gap := 0
		if i > 0 {
			gap = 1
		}
		if used+gap+tw > w {
			switch {
			case used == 0:
				txt = ansi.Truncate(txt, w, "…")
				b.WriteString(toneStyle(st, bd.tone).Render(txt))
				used = cellWidth(txt)
			case used+2 <= w:
				b.WriteString(" …")
				used += 2
			}
			break
		}
		b.WriteString(strings.Repeat(" ", gap))
		b.WriteString(toneStyle(st, bd.tone).Render(txt))
		used += gap + tw
	}
	if used < w {
		b.WriteString(strings.Repeat(" ", w-used))
	}
	return b.String()
}
