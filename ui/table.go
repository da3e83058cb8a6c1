package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/model"
)

// sortBy is the main table order.
type sortBy int

// Sort orders, cycled by the `s` key.
const (
	sortAlerts sortBy = iota
	sortName
	sortRPS
	sortSkew
	numSorts
)

// String names the sort order for the header.
func (s sortBy) String() string {
	switch s {
	case sortName:
		return "name"
	case sortRPS:
		return "rps"
	case sortSkew:
		return "skew"
	}
	return "alerts"
}

// tableState is the table's part of a frame: comparable, so the frame cache sees it.
type tableState struct {
	cursor, offset int
	sort           sortBy
	filter         string
	filtering      bool
	alertsOnly     bool
	namespace      string
	events         bool
}

// tableView is the main table: every pair, filtered, sorted and scrolled, with the events
// pane below it when shown.
type tableView struct {
	c  *common
	st tableState
	// visible indexes c.rows.rows after namespace, alerts and filter, sorted.
	visible []int
	// selKey is the selected pair, kept across snapshots and re-sorts.
	selKey string
	lines  *lineCache
}

// tableAction is what a key in the table asks of the router.
type tableAction int

// Table actions.
const (
	tableNone tableAction = iota
	tableOpen
	tablePick
)

// update handles a key of the main table.
func (t *tableView) update(msg tea.KeyPressMsg) tableAction {
	k := &t.c.keys
	switch {
	case key.Matches(msg, k.Up):
		t.move(-1)
	case key.Matches(msg, k.Down):
		t.move(1)
	case key.Matches(msg, k.Top):
		t.move(-len(t.visible))
	case key.Matches(msg, k.Bottom):
		t.move(len(t.visible))
	case key.Matches(msg, k.PageUp):
		t.move(-max(1, t.height()-1))
	case key.Matches(msg, k.PageDown):
		t.move(max(1, t.height()-1))
	case key.Matches(msg, k.Enter):
		return tableOpen
	case key.Matches(msg, k.Back):
		switch {
		case t.st.filter != "":
			t.st.filter = ""
		case t.st.alertsOnly:
			t.st.alertsOnly = false
		case t.st.namespace != "":
			t.st.namespace = ""
		}
		t.refresh()
	case key.Matches(msg, k.Filter):
		t.st.filtering = true
	case key.Matches(msg, k.Sort):
		t.st.sort = (t.st.sort + 1) % numSorts
		t.refresh()
	case key.Matches(msg, k.Alerts):
		t.st.alertsOnly = !t.st.alertsOnly
		t.refresh()
	case key.Matches(msg, k.Events):
		t.st.events = !t.st.events
		t.clampScroll()
	case key.Matches(msg, k.Namespace):
		return tablePick
	}
	return tableNone
}

// filterKey edits the live filter.
func (t *tableView) filterKey(msg tea.KeyPressMsg) {
	k := &t.c.keys
	switch {
	case key.Matches(msg, k.FilterClear):
		t.st.filtering, t.st.filter = false, ""
	case key.Matches(msg, k.FilterKeep):
		t.st.filtering = false
	case key.Matches(msg, k.FilterErase):
		if r := []rune(t.st.filter); len(r) > 0 {
			t.st.filter = string(r[:len(r)-1])
		}
	case key.Matches(msg, k.FilterKill):
		t.st.filter = ""
	case key.Matches(msg, k.FilterUp):
		t.move(-1)
		return
	case key.Matches(msg, k.FilterDown):
		t.move(1)
		return
	default:
		if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
			return
		}
		t.st.filter += msg.Text
	}
	t.refresh()
}

// click selects row i of the visible rows; it reports whether the row was selected already.
func (t *tableView) click(y int) (again, ok bool) {
	i := y - tableTop + t.st.offset
	if y < tableTop || y >= tableTop+t.height() || i < 0 || i >= len(t.visible) {
		return false, false
	}
	if i == t.st.cursor {
		return true, true
	}
	t.st.cursor = i
	t.syncSelection()
	return false, true
}

// refresh recomputes the visible rows from the namespace, alerts-only and filter settings,
// sorts them, and puts the cursor back on the selected pair.
func (t *tableView) refresh() {
	t.visible = t.visible[:0]
	rs := t.c.rows
	if rs == nil {
		t.clampScroll()
		return
	}
	terms := strings.Fields(strings.ToLower(t.st.filter))
	for i := range rs.rows {
		r := &rs.rows[i]
		if !inScope(t.st.namespace, r.pair.Cluster, r.pair.Namespace) {
			continue
		}
		if t.st.alertsOnly && !r.alert {
			continue
		}
		if !matches(r.search, terms) {
			continue
		}
		t.visible = append(t.visible, i)
	}
	rows := rs.rows
	less := t.c.marks.pinFirst(rowOrder(t.st.sort))
	sort.Slice(t.visible, func(i, j int) bool { return less(&rows[t.visible[i]], &rows[t.visible[j]]) })
	t.st.cursor = 0
	for i, idx := range t.visible {
		if rows[idx].key == t.selKey {
			t.st.cursor = i
			break
		}
	}
	t.clampScroll()
	t.syncSelection()
}

// rowOrder is the order of a sort.
func rowOrder(s sortBy) func(x, y *row) bool {
	switch s {
	case sortName:
		return func(x, y *row) bool { return x.key < y.key }
	case sortRPS:
		return func(x, y *row) bool {
			if x.rps != y.rps {
				return x.rps > y.rps
			}
			return x.key < y.key
		}
	case sortSkew:
		return func(x, y *row) bool {
			if x.skewAbs != y.skewAbs {
				return x.skewAbs > y.skewAbs
			}
			if x.skewAge != y.skewAge {
				return x.skewAge > y.skewAge
			}
			return x.key < y.key
		}
	}
	return func(x, y *row) bool {
		if x.health != y.health {
			return x.health > y.health
		}
		if x.worst != y.worst {
			return x.worst > y.worst
		}
		return x.key < y.key
	}
}

// matches reports whether every term occurs in the haystack.
func matches(haystack string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(haystack, t) {
			return false
		}
	}
	return true
}

// move shifts the cursor by delta rows and keeps it on screen.
func (t *tableView) move(delta int) {
	t.st.cursor += delta
	t.clampScroll()
	t.syncSelection()
}

// syncSelection remembers the selected key so it survives re-sorting.
func (t *tableView) syncSelection() {
	if r := t.selected(); r != nil {
		t.selKey = r.key
	}
}

// selected returns the row under the cursor, or nil.
func (t *tableView) selected() *row {
	if t.c.rows == nil || t.st.cursor < 0 || t.st.cursor >= len(t.visible) {
		return nil
	}
	return &t.c.rows.rows[t.visible[t.st.cursor]]
}

// clampScroll keeps cursor and offset inside the visible rows and the table.
func (t *tableView) clampScroll() {
	n := len(t.visible)
	t.st.cursor = max(0, min(t.st.cursor, n-1))
	h := max(1, t.height())
	if t.st.cursor < t.st.offset {
		t.st.offset = t.st.cursor
	}
	if t.st.cursor >= t.st.offset+h {
		t.st.offset = t.st.cursor - h + 1
	}
	t.st.offset = max(0, min(t.st.offset, n-h))
}

// height is the number of rows the table shows.
func (t *tableView) height() int {
	return max(0, t.c.h-headerLines-2-t.eventsHeight())
}

// eventsHeight is the height of the events pane, 0 when hidden.
func (t *tableView) eventsHeight() int {
	if !t.st.events {
		return 0
	}
	// Keep at least three table rows.
	return max(0, min(max(4, t.c.h/3), t.c.h-headerLines-2-3))
}

// Render draws the column titles and the visible rows only: the cost depends on the
// terminal height, not on the number of pairs.
func (t *tableView) Render(w, h int) []string {
	rs := t.c.rows
	if rs == nil {
		return nil
	}
	st := t.c.styles()
	lay := tableLayout(rs, w, t.c.marks.state() != "")
	lines := []string{titleLine(st, &lay, t.st.sort)}
	if len(t.visible) == 0 {
		return append(lines, st.Muted.Render(t.emptyMessage()))
	}
	t.lines.reset(lineKey{lay: lay, theme: t.c.theme, marks: t.c.marks.state()}, h)
	end := min(len(t.visible), t.st.offset+h)
	for i := t.st.offset; i < end; i++ {
		r := &rs.rows[t.visible[i]]
		sel := i == t.st.cursor
		if line, ok := t.lines.get(r, sel); ok {
			lines = append(lines, line)
			continue
		}
		var line string
		if sel {
			// The selected row is plain text in the selection style: its symbols, and the
			// cursor marker, still carry the meaning the colours would.
			line = st.Spans.Selected.Render(fit(rowText(r, &lay, nil, t.c.marks.prefix(r.key), true), w, false))
		} else {
			line = rowText(r, &lay, st, t.c.marks.prefix(r.key), false)
		}
		t.lines.put(r, sel, line)
		lines = append(lines, line)
	}
	return lines
}

// tableLayout is the main table's layout at width w; marked pairs' names carry their mark.
func tableLayout(rs *rowSet, w int, marked bool) layout {
	colW := rs.colW
	if marked {
		colW[colModelName] += cellWidth("◆ ")
	}
	return computeLayout(colW, w)
}

// emptyMessage explains an empty table.
func (t *tableView) emptyMessage() string {
	rs := t.c.rows
	w := rs.snap.Watch
	switch {
	case len(rs.rows) == 0 && w.Access[model.ResourceModels] == model.AccessNotInstalled:
		return "the Seldon CRDs (models." + model.SeldonGroup + ", servers." + model.SeldonGroup +
			") are not installed in this cluster; twinscale picks them up once they are, without a restart"
	case len(rs.rows) == 0 && w.Access[model.ResourceModels] == model.AccessForbidden:
		return "you may not list models." + model.SeldonGroup + " here: see deploy/rbac.yaml for what twinscale needs"
	case len(rs.rows) == 0:
		return "no Seldon Models or Servers found"
	case t.st.filter != "":
		return "no pair matches \"" + t.st.filter + "\" (esc clears)"
	case t.st.alertsOnly:
		return "no alerts ✓ (a shows every pair)"
	}
	return "no pairs in " + scopeText(t.st.namespace) + " (esc shows all)"
}

// lineKey is what a cached table line depends on besides its row.
type lineKey struct {
	lay   layout
	theme int
	marks string
}

// lineCache keeps rendered table lines by pair key, reused while the row's fingerprint and
// the layout are unchanged. It is a memo: filling it changes nothing a frame shows.
type lineCache struct {
	key   lineKey
	lines map[string]cachedLine
	// renders counts the lines rendered (misses), so tests can prove the cache holds.
	renders int
}

// cachedLine is one rendered table line.
type cachedLine struct {
	fp       uint64
	selected bool
	line     string
}

// reset empties the cache when what every line depends on changed (or it grew large).
func (c *lineCache) reset(k lineKey, h int) {
	if c.key != k || c.lines == nil || len(c.lines) > 8192 {
		c.key, c.lines = k, make(map[string]cachedLine, h)
	}
}

// get returns r's line as last rendered, if still valid.
func (c *lineCache) get(r *row, sel bool) (string, bool) {
	l, ok := c.lines[r.key]
	if !ok || l.fp != r.fp || l.selected != sel {
		return "", false
	}
	return l.line, true
}

// put remembers r's line.
func (c *lineCache) put(r *row, sel bool, line string) {
	c.lines[r.key] = cachedLine{fp: r.fp, selected: sel, line: line}
	c.renders++
}
