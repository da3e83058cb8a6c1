package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// pickerState is the picker's part of a frame.
type pickerState struct {
	cursor int
	// shown is the namespace the table showed when the picker opened ("" for all).
	shown string
}

// pickerView chooses the namespace the table shows (with several clusters, a cluster or one
// of its namespaces: see scope.go); entry 0 is "all namespaces".
type pickerView struct {
	c  *common
	st pickerState
}

// pickerAction is what a key in the picker asks of the router.
type pickerAction int

// Picker actions.
const (
	pickerNone pickerAction = iota
	pickerPick
	pickerCancel
)

// open puts the cursor on the namespace shown now ("" for all).
func (p *pickerView) open(current string) {
	p.st.cursor, p.st.shown = 0, current
	for i, ns := range p.namespaces() {
		if ns.name == current {
			p.st.cursor = i + 1
		}
	}
}

// namespaces lists the namespaces of the current snapshot.
func (p *pickerView) namespaces() []nsCount {
	if p.c.rows == nil {
		return nil
	}
	return p.c.rows.namespaces
}

// name is the namespace of entry i ("" for all namespaces, or out of range).
func (p *pickerView) name(i int) string {
	if ns := p.namespaces(); i > 0 && i <= len(ns) {
		return ns[i-1].name
	}
	return ""
}

// update moves through the picker.
func (p *pickerView) update(msg tea.KeyPressMsg) pickerAction {
	k := &p.c.keys
	n := len(p.namespaces()) + 1 // "all namespaces" first
	switch {
	case key.Matches(msg, k.Up):
		p.st.cursor = max(0, p.st.cursor-1)
	case key.Matches(msg, k.Down):
		p.st.cursor = min(n-1, p.st.cursor+1)
	case key.Matches(msg, k.Top):
		p.st.cursor = 0
	case key.Matches(msg, k.Bottom):
		p.st.cursor = n - 1
	case key.Matches(msg, k.Enter):
		return pickerPick
	case key.Matches(msg, k.Back), key.Matches(msg, k.Namespace):
		return pickerCancel
	}
	return pickerNone
}

// wheel moves the cursor by one entry per wheel notch.
func (p *pickerView) wheel(step int) {
	p.st.cursor = max(0, min(len(p.namespaces()), p.st.cursor+step))
}

// click is the entry under screen row y, if any.
func (p *pickerView) click(y int) (int, bool) {
	i := y - pickerTop
	return i, i >= 0 && i <= len(p.namespaces())
}

// Render draws the picker in h lines.
func (p *pickerView) Render(_, h int) []string {
	shown := p.st.shown
	st := p.c.styles()
	title, all := "Namespace", "all namespaces"
	if p.c.rows != nil && len(p.c.rows.snap.Clusters) > 1 {
		title, all = "Cluster or namespace", "all clusters"
	}
	lines := []string{st.Section.Render(title) + st.Muted.Render("  ↑↓ move · enter select · esc cancel")}
	total := 0
	if p.c.rows != nil {
		total = len(p.c.rows.rows)
	}
	entries := []nsCount{{name: all, pairs: total}}
	entries = append(entries, p.namespaces()...)
	h = max(1, h-1)
	off := max(0, p.st.cursor-h+1)
	for i := off; i < len(entries) && i < off+h; i++ {
		e := entries[i]
		mark := "  "
		if (i == 0 && shown == "") || (i > 0 && e.name == shown) {
			mark = "● "
		}
		name := e.name
		switch {
		case i == 0:
		case strings.HasSuffix(name, "/"):
			name = scopeText(name)
		case strings.Contains(name, "/"):
			name = "  " + name[strings.LastIndexByte(name, '/')+1:] // a namespace holds no slash
		}
		txt := fit(mark+name, 40, false) + " " + fit(plural(e.pairs, "pair"), 10, true)
		if i == p.st.cursor {
			lines = append(lines, st.Selected.Render(txt))
		} else {
			lines = append(lines, txt)
		}
	}
	return lines
}
