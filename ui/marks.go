package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// marks are the marked pairs, in the order they were marked, and which of them are pinned to
// the top of the table. The compare view shows the marked pairs.
type marks struct {
	keys   []string
	pinned map[string]bool
}

// newMarks starts with keys marked and pinned (--pairs).
func newMarks(keys []string) marks {
	m := marks{pinned: map[string]bool{}}
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" && !slices.Contains(m.keys, k) {
			m.keys = append(m.keys, k)
			m.pinned[k] = true
		}
	}
	return m
}

// state is the comparable form of the marks, for the frame and line caches: it changes
// exactly when the marks or pins do.
func (m *marks) state() string {
	var b strings.Builder
	for _, k := range m.keys {
		b.WriteString(k)
		if m.pinned[k] {
			b.WriteString("\x00P")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// toggle marks or unmarks a pair; unmarking also unpins it.
func (m *marks) toggle(k string) {
	if i := slices.Index(m.keys, k); i >= 0 {
		m.keys = slices.Delete(m.keys, i, i+1)
		delete(m.pinned, k)
		return
	}
	m.keys = append(m.keys, k)
}

// togglePins pins the marked pairs to the top, or unpins them when they all are pinned
// already. It reports false when nothing is marked.
func (m *marks) togglePins() bool {
	all := len(m.keys) > 0
	for _, k := range m.keys {
		all = all && m.pinned[k]
	}
	for _, k := range m.keys {
		if all {
			delete(m.pinned, k)
		} else {
			m.pinned[k] = true
		}
	}
	return len(m.keys) > 0
}

// pinFirst wraps a row order so that pinned pairs come first, in the order they were marked.
func (m *marks) pinFirst(less func(x, y *row) bool) func(x, y *row) bool {
	if len(m.pinned) == 0 {
		return less
	}
	return func(x, y *row) bool {
		px, py := m.pinned[x.key], m.pinned[y.key]
		switch {
		case px && py:
			return slices.Index(m.keys, x.key) < slices.Index(m.keys, y.key)
		case px != py:
			return px
		}
		return less(x, y)
	}
}

// prefix is the text twin of a row's mark: "▲ " pinned, "◆ " marked.
func (m *marks) prefix(k string) string {
	switch {
	case m.pinned[k]:
		return "▲ "
	case slices.Contains(m.keys, k):
		return "◆ "
	}
	return ""
}

// markBinding is the mark key as help shows it: during a replay space pauses, so only m marks.
func markBinding(k *KeyMap, replaying bool) key.Binding {
	if replaying {
		return k.MarkOnly
	}
	return k.Mark
}

// markKeyName names the mark key in messages.
func markKeyName(k *KeyMap, replaying bool) string { return markBinding(k, replaying).Help().Key }

// markKey handles marking, pinning and comparing, in the table and the compare view; ok is
// false when the key is none of them.
func (a *App) markKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if a.mode != modeMain && a.mode != modeCompare {
		return nil, false
	}
	k := &a.c.keys
	switch {
	case key.Matches(msg, markBinding(k, a.c.replay.on())):
		if a.mode == modeMain {
			if r := a.table.selected(); r != nil {
				a.c.marks.toggle(r.key)
				a.table.refresh()
			}
		}
		return nil, true
	case key.Matches(msg, k.Pin):
		if !a.c.marks.togglePins() {
			a.c.flash = "mark pairs with " + markKeyName(k, a.c.replay.on()) + " first, then P pins them to the top"
		}
		a.table.refresh()
		return nil, true
	case key.Matches(msg, k.Compare):
		if a.mode == modeCompare {
			a.mode = modeMain
			return nil, true
		}
		return a.openCompare(), true
	case a.mode == modeCompare && key.Matches(msg, k.Back):
		a.mode = modeMain
		return nil, true
	}
	return nil, false
}

// compareKeys are the pairs the compare view shows: the marked pairs of the current snapshot in the
// order they were marked, else the selected pair.
func (a *App) compareKeys() []string {
	if a.c.rows == nil {
		return nil
	}
	var out []string
	for _, k := range a.c.marks.keys {
		if _, ok := a.c.rows.byKey[k]; ok {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		if r := a.table.selected(); r != nil {
			out = append(out, r.key)
		}
	}
	return out
}

// openCompare switches to the compare view and fetches the histories.
func (a *App) openCompare() tea.Cmd {
	keys := a.compareKeys()
	if len(keys) == 0 {
		a.c.flash = "no pair to compare"
		return nil
	}
	if len(a.c.marks.keys) == 0 {
		a.c.flash = "comparing the selected pair: mark pairs with " + markKeyName(&a.c.keys, a.c.replay.on()) + " to compare several"
	}
	a.mode = modeCompare
	a.compare.open(keys)
	return compareCmd(a.src, keys, a.c.rows.version)
}
