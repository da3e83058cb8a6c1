package themes

// Set is the ordered list of themes the dashboard cycles through, with each
// theme's Styles built once, on first use. It belongs to the UI goroutine.
type Set struct {
	themes  []Theme
	styles  []*Styles
	noColor bool
}

// NewSet holds the built-in themes followed by the user themes.
func NewSet(user []Theme, noColor bool) *Set {
	all := append(Builtins(), user...)
	return &Set{themes: all, styles: make([]*Styles, len(all)), noColor: noColor}
}

// Len is the number of themes.
func (s *Set) Len() int { return len(s.themes) }

// Index returns the position of the theme called name, adding t when it is
// not in the set yet (a user theme chosen by --theme).
func (s *Set) Index(t Theme) int {
	for i, have := range s.themes {
		if have.Name == t.Name {
			return i
		}
	}
	s.themes = append(s.themes, t)
	s.styles = append(s.styles, nil)
	return len(s.themes) - 1
}

// Name returns the name of theme i.
func (s *Set) Name(i int) string { return s.themes[s.clamp(i)].Name }

// Styles returns the styles of theme i, building them on first use.
func (s *Set) Styles(i int) *Styles {
	i = s.clamp(i)
	if s.styles[i] == nil {
		s.styles[i] = New(s.themes[i], s.noColor)
	}
	return s.styles[i]
}

// NoColor reports whether the set renders without colour.
func (s *Set) NoColor() bool { return s.noColor }

// clamp keeps an index inside the set.
func (s *Set) clamp(i int) int {
	if i < 0 || i >= len(s.themes) {
		return 0
	}
	return i
}
