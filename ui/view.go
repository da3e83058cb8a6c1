package ui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/themes"
)

// Screen geometry.
const (
	minWidth    = 40
	minHeight   = 8
	headerLines = 2
	tableTop    = headerLines + 1 // first row, below the column titles
	pickerTop   = headerLines + 1 // first picker entry, below its title
	// staleAfter is how old the displayed snapshot may get before the header says so.
	staleAfter = 10 * time.Second
)

// common is what every view reads and none owns: the data, the size, the theme, the clock,
// the keys, the marks and the replay. The App writes it in Update; views hold a pointer
// and only read it.
type common struct {
	rows   *rowSet
	set    *themes.Set
	theme  int
	w, h   int
	loc    *time.Location
	now    func() time.Time
	keys   KeyMap
	marks  marks
	replay replayControls
	// live is true for a source whose snapshots follow the cluster (see dataAge).
	live           bool
	paused, behind bool
	flash          string
	// themeNote names the theme t switched to in the footer until the next key: the colours
	// alone do not say which theme is on.
	themeNote bool
	foot      footCache
	// notices stay in the footer until dismissed; wantPairs are the --pairs still to check.
	notices   []string
	wantPairs []string
}

// styles returns the current theme's styles.
func (c *common) styles() *themes.Styles { return c.set.Styles(c.theme) }

// uiState is every piece of UI state a frame depends on, gathered from the views; it is
// comparable, so it is part of the frame cache key as a whole and cannot be forgotten.
type uiState struct {
	mode, back     mode
	theme          int
	paused, behind bool
	flash          string
	themeNote      bool
	notices        int
	table          tableState
	detail         detailState
	help           helpState
	picker         pickerState
	compare        compareState
	whatif         whatifState
	marks          string
	replay         replayState
}

// state gathers the views' states.
func (a *App) state() uiState {
	return uiState{
		mode: a.mode, back: a.back, theme: a.c.theme, paused: a.c.paused, behind: a.c.behind, flash: a.c.flash, themeNote: a.c.themeNote, notices: len(a.c.notices),
		table: a.table.st, detail: a.detail.st, help: a.help.st, picker: a.picker.st, compare: a.compare.st, whatif: a.whatif.st,
		marks: a.c.marks.state(), replay: a.c.replay.state(),
	}
}

// frameKey is everything a frame depends on.
type frameKey struct {
	version uint64
	st      uiState
	w, h    int
	age     string
}

// frameCache holds the last frame. It is a memo: filling it changes nothing a frame shows.
type frameCache struct {
	ok    bool
	key   frameKey
	view  tea.View
	built int // frames built (misses), so tests can prove the cache holds
}

// View returns the frame, rebuilding it only when its key changed.
func (a *App) View() tea.View {
	k := frameKey{st: a.state(), w: a.c.w, h: a.c.h, age: a.c.dataAge()}
	if a.c.rows != nil {
		k.version = a.c.rows.version
	}
	if a.frame.ok && a.frame.key == k {
		return a.frame.view
	}
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "twinscale"
	a.frame.remember(k, v)
	return v
}

// remember keeps v as the frame of k.
func (f *frameCache) remember(k frameKey, v tea.View) {
	f.ok, f.key, f.view = true, k, v
	f.built++
}

// render builds the whole screen as exactly h lines of at most w cells: the view of the
// mode, with the header and footer where that view has them.
func (a *App) render() string {
	w, h := a.c.w, a.c.h
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < minWidth || h < minHeight {
		return fitLines(tooSmall(w, h), w, h)
	}
	k := &a.c.keys
	var lines []string
	switch a.mode {
	case modeDetail:
		lines = a.detail.Render(w, h)
	case modeHelp:
		lines = a.help.Render(w, h)
	case modeWhatif:
		lines = a.whatif.Render(w, h)
	case modePicker:
		lines = a.framed(a.picker.Render(w, h-headerLines-1), k.ShortHelp())
	case modeCompare:
		lines = a.framed(a.compare.Render(w, h-headerLines-1), a.c.replay.footer(k.CompareHelp()))
	default:
		lines = a.mainLines(w, h)
	}
	if a.c.themeNote {
		// Every view's footer gives way to the theme's name, as t works in every view.
		// A copy: a view may hand back lines it keeps.
		lines = padTo(append([]string(nil), lines[:min(len(lines), h)]...), h)
		lines[h-1] = a.c.themeLine()
	}
	return fitLines(lines, w, h)
}

// framed puts a body between the header and the footer.
func (a *App) framed(body []string, keys []key.Binding) []string {
	lines := append(header(&a.c, &a.table), body...)
	lines = padTo(lines, a.c.h-1)
	return append(lines, footer(&a.c, &a.table, keys))
}

// mainLines draws the header, the table, the events pane and the footer.
func (a *App) mainLines(w, h int) []string {
	lines := header(&a.c, &a.table)
	lines = append(lines, a.table.Render(w, a.table.height())...)
	if eh := a.table.eventsHeight(); eh > 0 {
		lines = padTo(lines, h-1-eh)
		lines = append(lines, renderEvents(&a.c, a.table.st.namespace, eh)...)
	}
	lines = padTo(lines, h-1)
	return append(lines, footer(&a.c, &a.table, a.c.replay.footer(a.c.keys.ShortHelp())))
}

// tooSmall is the message for a terminal below the minimum size.
func tooSmall(w, h int) []string {
	return []string{"terminal too small", ansi.Truncate(itoaInt(w)+"x"+itoaInt(h)+", need at least "+itoaInt(minWidth)+"x"+itoaInt(minHeight), w, "…"), "q quits"}
}

// fitLines makes exactly h lines, each truncated to w cells.
func fitLines(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	size := h
	for _, l := range lines {
		size += len(l)
	}
	b.Grow(size)
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			l := lines[i]
			if cellWidth(l) > w {
				l = ansi.Truncate(l, w, "…")
			}
			b.WriteString(l)
		}
	}
	return b.String()
}

// padTo appends empty lines up to n lines.
func padTo(lines []string, n int) []string {
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// itoaInt prints an int.
func itoaInt(v int) string { return strconv.Itoa(v) }
