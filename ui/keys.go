package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the dashboard, with its help text; the `?` screen and the
// footers are generated from it, and no view matches a raw key string.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Enter, Back                             key.Binding
	Filter, Sort, Namespace, Alerts, Events key.Binding
	Theme, Pause, Help, Quit, ForceQuit     key.Binding

	// The filter input's own keys, while it has the focus.
	FilterKeep, FilterClear, FilterErase, FilterKill, FilterUp, FilterDown key.Binding

	// Marking, pinning and comparing pairs; MarkOnly is the mark key during a replay, where
	// space plays and pauses.
	Mark, MarkOnly, Pin, Compare key.Binding

	// WhatIf opens the what-if of the pair in the detail view; NextPreset and PrevPreset
	// cycle its edits.
	WhatIf, NextPreset, PrevPreset key.Binding

	// Replay controls, live only while a recording plays.
	PlayPause, StepBack, StepFwd, Back1m, Fwd1m, Faster, Slower key.Binding
}

// DefaultKeyMap returns the k9s-like bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("PgUp", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("PgDn", "page down")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Namespace: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "namespace")),
		Alerts:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "alerts only")),
		Events:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "events")),
		Theme:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "theme")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),

		FilterKeep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep")),
		FilterClear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		FilterErase: key.NewBinding(key.WithKeys("backspace", "ctrl+h"), key.WithHelp("⌫", "erase")),
		FilterKill:  key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "erase all")),
		FilterUp:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		FilterDown:  key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),

		Mark:     key.NewBinding(key.WithKeys("space", "m"), key.WithHelp("space", "mark pair (m too)")),
		MarkOnly: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mark pair")),
		Pin:      key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "pin marked")),
		Compare:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare marked")),

		WhatIf:     key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "what-if")),
		NextPreset: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next edit")),
		PrevPreset: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("⇧tab", "prev edit")),

		PlayPause: key.NewBinding(key.WithKeys("space", "p"), key.WithHelp("space", "play/pause (p too)")),
		StepBack:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "record back")),
		StepFwd:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "record on")),
		Back1m:    key.NewBinding(key.WithKeys("["), key.WithHelp("[", "1 min back")),
		Fwd1m:     key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "1 min on")),
		Faster:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "faster")),
		Slower:    key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "slower")),
	}
}

// ShortHelp is the footer line of the main view.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Enter, k.Filter, k.Sort, k.Namespace, k.Alerts, k.Events, k.Theme, k.Pause, k.Quit}
}

// DetailHelp is the footer line of the detail view.
func (k KeyMap) DetailHelp() []key.Binding {
	return []key.Binding{k.Back, k.Up, k.Down, k.PageDown, k.WhatIf, k.Events, k.Theme, k.Pause, k.Help, k.Quit}
}

// WhatIfHelp is the footer line of the what-if view.
func (k KeyMap) WhatIfHelp() []key.Binding {
	return []key.Binding{k.Back, k.NextPreset, k.PrevPreset, k.Theme, k.Help, k.Quit}
}

// CompareHelp is the footer line of the compare view.
func (k KeyMap) CompareHelp() []key.Binding {
	return []key.Binding{k.Back, k.Compare, k.Pin, k.Theme, k.Help, k.Quit}
}

// FullHelp groups every binding for the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Enter, k.Back, k.Filter, k.Sort, k.Namespace, k.Alerts},
		{k.Events, k.Theme, k.Pause, k.Help, k.Quit},
		{k.WhatIf, k.NextPreset, k.PrevPreset},
	}
}

// HelpHelp is the footer line of the help screen.
func (k KeyMap) HelpHelp() []key.Binding {
	return []key.Binding{k.Back, k.Up, k.Down, k.Theme, k.Quit}
}

// ReplayHelp are the replay keys, shown in the footer and help while a recording plays.
func (k KeyMap) ReplayHelp() []key.Binding {
	return []key.Binding{k.PlayPause, k.StepBack, k.StepFwd, k.Back1m, k.Fwd1m, k.Faster, k.Slower}
}
