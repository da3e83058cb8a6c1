package ui

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
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

// frameKey is everything a frame depends on.
type frameKey struct {
	version uint64
	histVer uint64
	st      uiState
	w, h    int
	age     string
}

// frameCache holds the last frame.
type frameCache struct {
	ok   bool
	key  frameKey
	view tea.View
}

// lineKey is what a cached table line depends on besides its row.
type lineKey struct {
	lay   layout
	theme int
	marks int
}

// lineCache keeps rendered table lines by pair key, reused while the row's
// fingerprint and the layout are unchanged.
type lineCache struct {
	key   lineKey
	lines map[string]cachedLine
}

// cachedLine is one rendered table line.
type cachedLine struct {
	fp       uint64
	selected bool
	line     string
}

// View returns the frame, rebuilding it only when its key changed.
func (a *App) View() tea.View {
	k := frameKey{st: a.st, w: a.w, h: a.h, histVer: a.histVer, age: a.dataAge()}
	if a.rows != nil {
		k.version = a.rows.version
	}
	if a.frame.ok && a.frame.key == k {
		return a.frame.view
	}
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "twinscale"
	a.frame = frameCache{ok: true, key: k, view: v}
	a.stats.frames++
	return v
}

// dataAge says how old the displayed snapshot is, once that matters. A live source
// with a connected, synced watch rebuilds on every change, so there an old snapshot
// only means a quiet cluster: saying so would redraw the header every second for
// nothing.
func (a *App) dataAge() string {
	if a.rows == nil || a.rows.snap.Taken.IsZero() {
		return ""
	}
	if w := a.rows.snap.Watch; a.live && w.Connected && w.Synced {
		return ""
	}
	since := a.rows.snap.Taken
	// While the watch is down the pairs are as of the disconnection, however often the
	// snapshot is rebuilt.
	if w := a.rows.snap.Watch; !w.Connected && !w.DisconnectedSince.IsZero() && w.DisconnectedSince.Before(since) {
		since = w.DisconnectedSince
	}
	age := a.now().Sub(since)
	if age < staleAfter {
		return ""
	}
	return "data " + dur(age.Truncate(time.Second)) + " old"
}

// styles returns the current theme's styles.
func (a *App) styles() *themes.Styles { return a.set.Styles(a.st.theme) }

// render builds the whole screen as exactly h lines of at most w cells.
func (a *App) render() string {
	if a.w <= 0 || a.h <= 0 {
		return ""
	}
	if a.w < minWidth || a.h < minHeight {
		return fitLines(tooSmall(a.w, a.h), a.w, a.h)
	}
	st := a.styles()
	var lines []string
	switch a.st.mode {
	case modeDetail:
		lines = a.renderDetail(st)
	case modeHelp:
		lines = a.renderHelp(st)
	case modeCompare:
		lines = a.renderCompare(st)
	case modePicker:
		lines = append(a.renderHeader(st), a.renderPicker(st)...)
		lines = padTo(lines, a.h-1)
		lines = append(lines, a.renderFooter(st, a.keys.ShortHelp()))
	default:
		lines = a.renderMain(st)
	}
	return fitLines(lines, a.w, a.h)
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

// tableHeight is the number of rows the main table shows.
func (a *App) tableHeight() int {
	return max(0, a.h-headerLines-2-a.eventsHeight())
}

// eventsHeight is the height of the events pane, 0 when hidden.
func (a *App) eventsHeight() int {
	if !a.st.events {
		return 0
	}
	// Keep at least three table rows.
	return max(0, min(max(4, a.h/3), a.h-headerLines-2-3))
}

// detailHeight is the number of body lines the detail view shows.
func (a *App) detailHeight() int { return max(1, a.h-2) }

// renderMain draws the header, the table, the events pane and the footer.
func (a *App) renderMain(st *themes.Styles) []string {
	lines := a.renderHeader(st)
	lines = append(lines, a.renderTable(st)...)
	if eh := a.eventsHeight(); eh > 0 {
		lines = padTo(lines, a.h-1-eh)
		lines = append(lines, a.renderEvents(st, eh)...)
	}
	lines = padTo(lines, a.h-1)
	return append(lines, a.renderFooter(st, a.replayFooter(a.keys.ShortHelp())))
}

// seg is one header segment.
type seg struct {
	text string
	tone tone
}

// toneStyle maps a tone to the theme's precomputed span.
func toneStyle(st *themes.Styles, t tone) themes.Span {
	sp := &st.Spans
	switch t {
	case toneMuted:
		return sp.Muted
	case toneInfo:
		return sp.Severity[model.Info]
	case toneHealthy:
		return sp.Health[model.Healthy]
	case toneConverging:
		return sp.Health[model.Converging]
	case toneWarning:
		return sp.Health[model.Warning]
	case toneCritical:
		return sp.Health[model.Critical]
	case toneAccent:
		return sp.Accent
	}
	return sp.Text
}

// joinSegs renders segments separated by a muted dot.
func joinSegs(st *themes.Styles, segs []seg) string {
	var b strings.Builder
	sep := st.Subtle.Render(" · ")
	for i, s := range segs {
		if i > 0 {
			b.WriteString(sep)
		}
		if s.tone == toneText {
			b.WriteString(s.text)
		} else {
			b.WriteString(toneStyle(st, s.tone).Render(s.text))
		}
	}
	return b.String()
}

// renderHeader draws the two header lines: where we look and how fresh the
// data is, then counts and the view settings.
func (a *App) renderHeader(st *themes.Styles) []string {
	var snap *model.Snapshot
	if a.rows != nil {
		snap = a.rows.snap
	}
	line1 := []seg{}
	title := st.Title.Render("twinscale")
	if snap == nil {
		return []string{title + "  " + st.Muted.Render("loading…"), ""}
	}
	w := snap.Watch
	ctx := firstNonEmpty(w.Context, "—")
	if w.Cluster != "" && w.Cluster != w.Context {
		ctx += " (" + w.Cluster + ")"
	}
	line1 = append(line1, seg{"ctx " + ctx, toneText})
	ns := "all namespaces"
	if len(w.Namespaces) > 0 {
		ns = "ns " + strings.Join(w.Namespaces, ",")
	}
	line1 = append(line1, seg{ns, toneText})
	line1 = append(line1, watchSeg(w, a.loc))
	if s, ok := accessSeg(w); ok {
		line1 = append(line1, s)
	}
	line1 = append(line1, promSeg(snap))

	line2 := []seg{{plural(len(snap.Pairs), "pair"), toneText}}
	if a.rows.critical > 0 {
		line2 = append(line2, seg{"✗ " + itoaInt(a.rows.critical) + " critical", toneCritical})
	}
	if a.rows.warning > 0 {
		line2 = append(line2, seg{"! " + itoaInt(a.rows.warning) + " warning", toneWarning})
	}
	if a.rows.critical+a.rows.warning == 0 {
		line2 = append(line2, seg{"✓ no alerts", toneHealthy})
	}
	line2 = append(line2, seg{"sort " + a.st.sort.String(), toneMuted})
	if a.st.namespace != "" {
		line2 = append(line2, seg{"view ns " + a.st.namespace, toneAccent})
	}
	if a.st.alertsOnly {
		line2 = append(line2, seg{"alerts only", toneAccent})
	}
	if a.st.filter != "" {
		line2 = append(line2, seg{"filter \"" + a.st.filter + "\" " + itoaInt(len(a.visible)) + " match", toneAccent})
	}
	if a.st.paused {
		p := "⏸ PAUSED"
		if a.st.behind {
			p += " (new data waiting)"
		}
		line2 = append(line2, seg{p, toneWarning})
	}
	line2 = append(line2, a.replaySeg()...)
	if n := a.rows.overdue; n > 0 {
		// "controller behind: 212 HPAs overdue, oldest 1m14s"; the count and age alone when narrow.
		txt := plural(n, "HPA") + " overdue"
		if a.w >= 100 {
			txt = "! controller behind: " + txt + ", oldest " + dur(a.rows.oldestOverdue)
		} else {
			txt = "! " + txt + " " + dur(a.rows.oldestOverdue)
		}
		line2 = append(line2, seg{txt, toneWarning})
	}
	line2 = append(line2, seg{"updated " + clock(snap.Taken, a.loc), toneMuted})
	if age := a.dataAge(); age != "" {
		line2 = append(line2, seg{"! " + age, toneWarning})
	}
	return []string{title + "  " + joinSegs(st, line1), joinSegs(st, line2)}
}

// watchSeg describes the cluster watch.
func watchSeg(w model.WatchState, loc *time.Location) seg {
	switch {
	case !w.Connected && !w.DisconnectedSince.IsZero():
		s := "✗ disconnected since " + clock(w.DisconnectedSince, loc)
		if w.LastError != "" {
			s += ": " + w.LastError
		}
		return seg{s, toneCritical}
	case !w.Connected && w.TotalKinds > 0:
		return seg{"✗ not connected", toneCritical}
	case !w.Synced && w.TotalKinds > 0:
		return seg{"~ syncing " + itoaInt(w.SyncedKinds) + "/" + itoaInt(w.TotalKinds), toneConverging}
	case !w.Synced:
		return seg{"~ syncing", toneConverging}
	}
	return seg{"✓ synced", toneHealthy}
}

// accessSeg lists the resources the watch may not read. Missing Seldon CRDs are named
// in full, so the operator knows what to install.
func accessSeg(w model.WatchState) (seg, bool) {
	var bad, missing []string
	for res, acc := range w.Access {
		switch {
		case acc == model.AccessOK || acc == "" || acc == model.AccessUnknown:
		case acc == model.AccessNotInstalled && (res == model.ResourceModels || res == model.ResourceServers):
			missing = append(missing, res+"."+model.SeldonGroup)
		default:
			bad = append(bad, res+" "+string(acc))
		}
	}
	sort.Strings(bad)
	sort.Strings(missing)
	if len(missing) > 0 {
		crds := "Seldon CRD " + missing[0]
		if len(missing) > 1 {
			crds = "Seldon CRDs " + strings.Join(missing, ", ")
		}
		bad = append([]string{crds + " not installed"}, bad...)
	}
	if len(bad) == 0 {
		return seg{}, false
	}
	return seg{"! " + strings.Join(bad, ", "), toneWarning}, true
}

// promSeg describes the Prometheus poller as of the snapshot.
func promSeg(s *model.Snapshot) seg {
	p := s.Prom
	switch {
	case !p.Configured:
		return seg{"· prometheus off", toneMuted}
	case p.Failures > 0 && (p.LastSuccess.IsZero() || p.Stale):
		reason := firstNonEmpty(p.LastError, "no answer")
		return seg{"✗ prometheus down: " + reason, toneCritical}
	case p.Stale:
		return seg{"! prometheus stale for " + firstNonEmpty(since(s.Taken, p.LastSuccess), "?"), toneWarning}
	}
	return seg{"✓ prometheus ok", toneHealthy}
}

// renderFooter draws the one-line key help, the filter input or a flash.
func (a *App) renderFooter(st *themes.Styles, keys []key.Binding) string {
	if a.st.filtering {
		return st.Key.Render("/") + a.st.filter + st.Accent.Render("█") + "  " + st.Muted.Render("enter keep · esc clear")
	}
	if a.st.flash != "" {
		return st.Error.Render(a.st.flash)
	}
	return a.keyLine(st, keys)
}

// keyLine is helpLine memoised per theme and binding list: footers are the
// same on every frame.
func (a *App) keyLine(st *themes.Styles, keys []key.Binding) string {
	k := footKey{theme: a.st.theme, first: keys[0].Help().Key, n: len(keys)}
	if l, ok := a.foot[k]; ok {
		return l
	}
	if a.foot == nil {
		a.foot = map[footKey]string{}
	}
	l := helpLine(st, keys)
	a.foot[k] = l
	return l
}

// footKey identifies a memoised key line.
type footKey struct {
	theme int
	first string
	n     int
}

// itoaInt prints an int.
func itoaInt(v int) string { return strconv.Itoa(v) }
