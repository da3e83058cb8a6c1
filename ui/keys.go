package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding of the dashboard, with its help text; the `?`
// screen and the footer are generated from it.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Enter, Back                             key.Binding
	Filter, Sort, Namespace, Alerts, Events key.Binding
	Theme, Pause, Help, Quit                key.Binding
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
	}
}

// ShortHelp is the footer line of the main view.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Enter, k.Filter, k.Sort, k.Namespace, k.Alerts, k.Events, k.Theme, k.Pause, k.Quit}
}

// DetailHelp is the footer line of the detail view.
func (k KeyMap) DetailHelp() []key.Binding {
	return []key.Binding{k.Back, k.Up, k.Down, k.PageDown, k.Events, k.Theme, k.Pause, k.Help, k.Quit}
}

// FullHelp groups every binding for the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Enter, k.Back, k.Filter, k.Sort, k.Namespace, k.Alerts},
		{k.Events, k.Theme, k.Pause, k.Help, k.Quit},
	}
}

// HelpHelp is the footer line of the help screen.
func (k KeyMap) HelpHelp() []key.Binding {
	return []key.Binding{k.Back, k.Up, k.Down, k.Theme, k.Quit}
}
