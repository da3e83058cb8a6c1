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
	// noCursor leaves out the cursor marker's cell, for output without a selection.
	noCursor bool
}

// withoutCursor is l without the cursor marker's cell; the status column gets it.
func (l layout) withoutCursor() layout {
	l.noCursor = true
	l.widths[colSym] -= cursorMarkW
	if l.total > 0 && l.shown[colStatus] {
		l.widths[colStatus] += cursorMarkW
	}
	return l
}

// titleWidth is the width a title needs in column c: sortable columns keep a cell for the
// sort mark whatever the sort, so changing the sort moves nothing.
func titleWidth(c int, title string) int {
	w := cellWidth(title)
	if columns[c].sortable {
		w++
	}
	return w
}

// naturalWidth is column c's width with room to spare, for cells at most colW wide: a value
// column at its fixed width and full title, a name column as wide as its longest name up to
// its cap, the badges at statusWant (their width never moves another column).
func naturalWidth(c, colW int) int {
	col := &columns[c]
	switch col.kind {
	case kindSymbol, kindSpark:
		return col.width
	case kindName:
		return min(max(colW, titleWidth(c, col.short)), col.width)
	case kindBadges:
		return statusWant
	}
	return max(col.width, colW, titleWidth(c, col.title))
}

// narrowWidth is a value column's width under its short title.
func narrowWidth(c, colW int) int {
	col := &columns[c]
	return max(col.width, colW, titleWidth(c, col.short))
}

// computeLayout sizes the columns for a terminal width from colW, the widest cell of each
// column (rowSet.colW; 0 for CLUSTER hides it). The columns give way in the order of giveWay
// until the table fits; the width left over goes back to them in reverse order, then to the
// names longer than their caps, and STATUS, the last column, takes the rest. Only colW and
// the terminal's width decide where a column starts, never a changing value or badge.
func computeLayout(colW [numCols]int, width int) layout {
	l := layoutSep(colW, width, 1)
	if width >= 160 {
		// Wide terminals space the columns further apart, unless that costs a column.
		if wide := layoutSep(colW, width, 2); wide.count() >= l.count() {
			return wide
		}
	}
	return l
}

// stepCols is the columns a give-way step acts on.
func stepCols(c int) []int {
	if c != allValues {
		return []int{c}
	}
	var cs []int
	for v := range numCols {
		if columns[v].kind == kindNumber {
			cs = append(cs, v)
		}
	}
	return cs
}

// count is the number of columns shown.
func (l *layout) count() int {
	n := 0
	for _, s := range l.shown {
		if s {
			n++
		}
	}
	return n
}

// layoutSep is computeLayout with sep blanks between columns.
func layoutSep(colW [numCols]int, width, sep int) layout {
	l := layout{sep: sep}
	var natural [numCols]int
	for c := range numCols {
		natural[c] = naturalWidth(c, colW[c])
		l.shown[c] = c != colCluster || colW[c] > 0
		l.widths[c] = natural[c]
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
	taken := 0
	for _, s := range giveWay {
		if sum() <= width {
			break
		}
		taken++
		switch s.to {
		case dropCol:
			l.shown[s.c] = false
		case narrowTitle:
			for _, c := range stepCols(s.c) {
				l.widths[c] = min(l.widths[c], narrowWidth(c, colW[c]))
			}
		default:
			l.widths[s.c] = min(l.widths[s.c], s.to)
		}
	}
	// Undo the steps in reverse while there is width to spare: the last to give way is the
	// first to get its width back, and a column that had to go comes back when it fits.
	spare := width - sum()
	for i := taken - 1; i >= 0 && spare > 0; i-- {
		s := giveWay[i]
		switch {
		case s.to == narrowTitle:
			// A full title comes back whole or not at all: a wider column under the same
			// short title would only push the others right.
			g := 0
			for _, c := range stepCols(s.c) {
				if l.shown[c] {
					g += natural[c] - l.widths[c]
				}
			}
			if g <= spare {
				for _, c := range stepCols(s.c) {
					l.widths[c] = max(l.widths[c], natural[c])
				}
				spare -= g
			}
		case s.to != dropCol:
			if g := min(spare, natural[s.c]-l.widths[s.c]); l.shown[s.c] && g > 0 {
				l.widths[s.c] += g
				spare -= g
			}
		case !l.shown[s.c] && (s.c != colCluster || colW[s.c] > 0):
			if nw := narrowest(s.c, colW[s.c]); nw+l.sep <= spare {
				l.shown[s.c], l.widths[s.c] = true, nw
				spare -= nw + l.sep
			}
		}
	}
	// Past their caps, the names grow whole before the badges take the rest.
	for _, c := range []int{colModelName, colServerName, colNS, colCluster} {
		if g := min(spare, colW[c]-l.widths[c]); l.shown[c] && g > 0 {
			l.widths[c] += g
			spare -= g
		}
	}
	if spare > 0 {
		l.widths[colStatus] += spare
	}
	l.total = sum()
	return l
}

// wholeLayout shows every column whole, for output that is not fitted to a terminal.
func wholeLayout(colW [numCols]int, sep int) layout {
	l := layout{sep: sep}
	for c := range numCols {
		l.shown[c] = c != colCluster || colW[c] > 0
		if k := columns[c].kind; k == kindName || k == kindBadges {
			l.widths[c] = max(colW[c], titleWidth(c, columns[c].title))
		} else {
			l.widths[c] = max(naturalWidth(c, colW[c]), titleWidth(c, columns[c].title))
		}
	}
	n := 0
	for c := range numCols {
		if l.shown[c] {
			l.total += l.widths[c]
			n++
		}
	}
	l.total += sep * max(0, n-1)
	return l
}

// midTrunc fits a name into w cells keeping both ends: the distinguishing suffix of
// recsys-ranker-blue and recsys-ranker-green, or of many-classifier-0042, survives. The
// last dash-, dot- or underscore-separated part is kept whole when it leaves room for a head.
func midTrunc(s string, w int) string {
	sw := cellWidth(s)
	if sw <= w {
		return s
	}
	if w < 4 {
		return ansi.Truncate(s, w, "…")
	}
	tail := (w - 1) / 2
	if i := strings.LastIndexAny(s, "-._"); i > 0 {
		if seg := cellWidth(s[i:]); seg <= w-3 {
			tail = seg
		}
	}
	head := w - 1 - tail
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, sw-tail, "")
}

// fitPair fits "model → server" into w cells. The Model's name is what the pair is about:
// it stays whole while it fits, and the Server's name, cut in its middle, takes what is left
// when that is enough to recognise it (8 cells); else the Model's name shows alone, cut in
// its middle if it must be.
func fitPair(model, server string, w int) string {
	const arrow = " → "
	const serverMin = 8
	mw, sw := cellWidth(model), cellWidth(server)
	switch {
	case mw+sw+3 <= w:
		return fit(model+arrow+server, w, false)
	case mw+3+serverMin <= w:
		return fit(model+arrow+midTrunc(server, w-mw-3), w, false)
	}
	return fit(midTrunc(model, w), w, false)
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

// sortColumn is the column a sort order sorts by.
func sortColumn(by sortBy) int {
	switch by {
	case sortName:
		return colModelName
	case sortRPS:
		return colRPS
	case sortSkew:
		return colSkew
	}
	return colStatus
}

// columnTitle is column c's title in w cells: the full one when it fits, else the short one.
func columnTitle(c, w int) string {
	t := columns[c].title
	if titleWidth(c, t) > w {
		t = columns[c].short
	}
	return t
}

// titleLine draws the column titles, marking the sort column.
func titleLine(st *themes.Styles, lay *layout, by sortBy) string {
	sortCol := sortColumn(by)
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
		t := columnTitle(c, lay.widths[c])
		if c == sortCol {
			t += "▼"
		}
		w := lay.widths[c]
		b.WriteString(st.Spans.ColumnHeader.Render(fit(t, w, columns[c].kind == kindNumber)))
	}
	return b.String()
}

// Text twins of the cursor: the selected row starts with the marker, every other row with
// a space, so the selection shows without colour too.
const (
	cursorMark  = "▶"
	cursorBlank = " "
	cursorMarkW = 1
)

// rowText draws one row; mark is its mark prefix ("◆ ", "▲ " or "") and sel says whether it
// is the selected row. With st nil it is plain (for the selected row, which is styled as a
// whole).
func rowText(r *row, lay *layout, st *themes.Styles, mark string, sel bool) string {
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
		var txt string
		switch columns[c].kind {
		case kindBadges:
			b.WriteString(badgeCell(r.badges, w, st))
			continue
		case kindSymbol:
			if !lay.noCursor {
				// The marker stays unstyled: it is the selection's twin, not the health's.
				cur := cursorBlank
				if sel {
					cur = cursorMark
				}
				b.WriteString(cur)
				w -= cursorMarkW
			}
			txt = fit(r.cells[c], w, false)
		case kindName:
			if c == colModelName {
				txt = fit(mark+midTrunc(r.cells[c], w-cellWidth(mark)), w, false)
			} else {
				txt = fit(midTrunc(r.cells[c], w), w, false)
			}
		case kindSpark:
			txt = newest(r.cells[c], w)
		default:
			txt = fit(r.cells[c], w, columns[c].kind == kindNumber)
		}
		if st == nil || r.tones[c] == toneText {
			b.WriteString(txt)
		} else {
			b.WriteString(toneStyle(st, r.tones[c]).Render(txt))
		}
	}
	return b.String()
}

// badgeCell draws as many whole badges as fit in w cells, each in its own colour with its
// symbol (plain with st nil), and "+N" for the N that did not fit: a badge is never cut
// mid-word unless even the first does not fit.
func badgeCell(bs []badge, w int, st *themes.Styles) string {
	render := func(t tone, s string) string {
		if st == nil {
			return s
		}
		return toneStyle(st, t).Render(s)
	}
	var b strings.Builder
	used := 0
	for i, bd := range bs {
		txt := toneSymbol(bd.tone) + bd.text
		tw := cellWidth(txt)
		gap := min(i, 1)
		rest := ""
		if i < len(bs)-1 {
			// Room for the "+N" of the badges after this one.
			rest = " +" + itoaInt(len(bs)-i-1)
		}
		if used+gap+tw+cellWidth(rest) > w && (i < len(bs)-1 || used+gap+tw > w) {
			more := " +" + itoaInt(len(bs)-i)
			switch {
			case used == 0:
				txt = ansi.Truncate(txt, w, "…")
				b.WriteString(render(bd.tone, txt))
				used = cellWidth(txt)
			case used+cellWidth(more) <= w:
				b.WriteString(render(toneMuted, more))
				used += cellWidth(more)
			}
			break
		}
		b.WriteString(strings.Repeat(" ", gap))
		b.WriteString(render(bd.tone, txt))
		used += gap + tw
	}
	if used < w {
		b.WriteString(strings.Repeat(" ", w-used))
	}
	return b.String()
}
