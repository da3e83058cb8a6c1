package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
)

// detailState is the detail view's part of a frame. histAt and histLoaded derive from the
// history messages, so a new history is a new state without a counter.
type detailState struct {
	key        string
	scroll     int
	histAt     uint64 // the snapshot version the history was read at
	histLoaded bool
}

// detailView is one pair in full: its state, forecasts, findings, HPA specs, charts and
// timeline. Its body is built when the data, the history, the width or the theme changes,
// so Update knows its length when it scrolls.
type detailView struct {
	c       *common
	st      detailState
	hist    model.PairHistory
	body    []string
	bodyKey detailKey
}

// detailKey is what the detail body depends on.
type detailKey struct {
	version uint64
	st      detailState
	w       int
	theme   int
}

// open shows pair key from its top, with no history until historyCmd's answer arrives.
func (d *detailView) open(key string) {
	d.st = detailState{key: key}
	d.hist = model.PairHistory{Key: key}
	d.body = nil
}

// setHistory takes a fetched history of the pair shown.
func (d *detailView) setHistory(m historyMsg) {
	if m.key != d.st.key {
		return
	}
	d.hist = m.hist
	d.st.histAt, d.st.histLoaded = m.version, true
}

// sync rebuilds the body when what it depends on changed.
func (d *detailView) sync() {
	k := detailKey{st: d.st, w: d.c.w, theme: d.c.theme}
	k.st.scroll = 0
	if d.c.rows != nil {
		k.version = d.c.rows.version
	}
	if d.body != nil && d.bodyKey == k {
		return
	}
	d.body, d.bodyKey = d.buildBody(d.c.styles()), k
	d.clamp()
}

// update scrolls the detail view; it reports whether the view should close.
func (d *detailView) update(msg tea.KeyPressMsg) (back bool) {
	k := &d.c.keys
	page := max(1, d.c.h-3)
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Enter):
		d.st.scroll = 0
		return true
	case key.Matches(msg, k.Up):
		d.st.scroll--
	case key.Matches(msg, k.Down):
		d.st.scroll++
	case key.Matches(msg, k.PageUp):
		d.st.scroll -= page
	case key.Matches(msg, k.PageDown):
		d.st.scroll += page
	case key.Matches(msg, k.Top):
		d.st.scroll = 0
	case key.Matches(msg, k.Bottom):
		d.st.scroll = 1 << 30
	}
	d.clamp()
	return false
}

// wheel scrolls by step lines.
func (d *detailView) wheel(step int) {
	d.st.scroll += step
	d.clamp()
}

// clamp keeps the scroll inside the body.
func (d *detailView) clamp() {
	d.st.scroll = max(0, min(d.st.scroll, len(d.body)-d.height()))
}

// height is the number of body lines the view shows.
func (d *detailView) height() int { return max(1, d.c.h-2) }

// row returns the row of the pair shown, or nil.
func (d *detailView) row() *row {
	if d.c.rows == nil {
		return nil
	}
	i, ok := d.c.rows.byKey[d.st.key]
	if !ok {
		return nil
	}
	return &d.c.rows.rows[i]
}

// Render draws the title, the scrolled body and the footer.
func (d *detailView) Render(_, h int) []string {
	st := d.c.styles()
	body := d.body
	bh := max(1, h-2)
	off := max(0, min(d.st.scroll, len(body)-bh))
	title := st.Key.Render(d.c.keys.Back.Help().Key) + st.Muted.Render(" back  ")
	if r := d.row(); r != nil {
		title += st.HealthSymbol(r.health) + " " + st.Bold.Render(r.pairText) + "  " +
			st.Muted.Render(r.pair.Namespace) + "  " + st.Health(r.health).Render(r.health.String())
	} else {
		title += st.Bold.Render(d.st.key)
	}
	lines := []string{title}
	end := min(len(body), off+bh)
	lines = append(lines, body[off:end]...)
	lines = padTo(lines, h-1)
	pos := ""
	if len(body) > bh {
		pos = st.Muted.Render("  " + itoaInt(off+1) + "-" + itoaInt(end) + "/" + itoaInt(len(body)))
	}
	return append(lines, d.c.keyLine(d.c.keys.DetailHelp(), d.c.w-cellWidth(pos))+pos)
}
