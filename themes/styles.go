package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
)

// Styles is every style the dashboard uses, built once per theme by New; the
// render loop only reads it.
type Styles struct {
	// Theme names the theme these styles were built from.
	Theme string
	// NoColor is true when the styles carry no colour at all (NO_COLOR).
	NoColor bool

	Text, Muted, Subtle, Accent, Bold lipgloss.Style
	// Title is the product name in the header.
	Title lipgloss.Style
	// ColumnHeader styles the table's column titles.
	ColumnHeader lipgloss.Style
	// Selected styles the whole selected row (its text is rendered plain inside it).
	Selected lipgloss.Style
	// Diff highlights a field that differs between the twin HPAs.
	Diff lipgloss.Style
	// Key and KeyDesc style key hints in the footer and help.
	Key, KeyDesc lipgloss.Style
	// Section styles section titles in the detail view and help.
	Section lipgloss.Style
	// Error styles error and flash messages.
	Error lipgloss.Style
	// Chart holds ANSI 256 colour indexes for asciigraph (0 = terminal default).
	Chart ChartColors
	// Spans are the row styles reduced to escape sequences (see Span).
	Spans Spans

	health    [4]lipgloss.Style
	healthSym [4]string
	severity  [3]lipgloss.Style
	sevSym    [3]string
}

// ChartColors are asciigraph's 256-colour indexes for each series (0 = default).
type ChartColors struct {
	RPS, Capacity, Model, Server uint8
}

// New builds the styles of a theme. noColor drops every colour (NO_COLOR) and
// keeps meaning in symbols, bold, faint and reverse video.
func New(t Theme, noColor bool) *Styles {
	if noColor {
		bold := t.Bold
		t = noColorTheme()
		t.Bold = bold
	}
	c := func(tok Token) color.Color {
		col, err := ParseColor(t.Palette[tok])
		if err != nil {
			return nil
		}
		return col
	}
	fg := func(tok Token) lipgloss.Style {
		s := lipgloss.NewStyle()
		if col := c(tok); col != nil {
			s = s.Foreground(col)
		}
		return s
	}
	s := &Styles{Theme: t.Name, NoColor: noColor}
	s.Text = fg(Text)
	s.Muted = fg(Muted)
	s.Subtle = fg(Subtle)
	if c(Muted) == nil {
		s.Muted = s.Muted.Faint(noColor)
	}
	if c(Subtle) == nil {
		s.Subtle = s.Subtle.Faint(true)
	}
	s.Accent = fg(Accent)
	s.Bold = s.Text.Bold(true)
	s.Title = s.Accent.Bold(true)
	s.ColumnHeader = s.Muted.Bold(true)
	s.Diff = fg(Diff).Bold(true)
	s.Key = s.Accent.Bold(true)
	s.KeyDesc = s.Muted
	s.Section = s.Accent.Bold(true).Underline(noColor)
	s.Error = fg(CriticalC).Bold(true)

	sel := lipgloss.NewStyle().Bold(true)
	if bg := c(SelectionBg); bg != nil {
		sel = sel.Background(bg)
		if f := c(SelectionFg); f != nil {
			sel = sel.Foreground(f)
		}
	} else {
		// Without a background colour the selection is reverse video, which
		// works on any background and under NO_COLOR.
		sel = sel.Reverse(true)
	}
	s.Selected = sel

	for h, tok := range [4]Token{HealthyC, ConvergingC, WarningC, CriticalC} {
		st := fg(tok).Bold(t.Bold || model.Health(h) == model.Critical)
		s.health[h] = st
		s.healthSym[h] = st.Render(model.HealthSymbol(model.Health(h)))
	}
	for sev, tok := range [3]Token{InfoC, WarningC, CriticalC} {
		st := fg(tok).Bold(t.Bold || model.Severity(sev) == model.SeverityCritical)
		if model.Severity(sev) == model.Info && c(tok) == nil {
			st = st.Faint(true)
		}
		s.severity[sev] = st
		s.sevSym[sev] = st.Render(model.SeveritySymbol(model.Severity(sev)))
	}
	s.Chart = ChartColors{
		RPS: ansi256(c(ChartRPS)), Capacity: ansi256(c(ChartCap)),
		Model: ansi256(c(ChartModel)), Server: ansi256(c(ChartServer)),
	}
	s.Spans = newSpans(s)
	return s
}

// ansi256 converts a colour to asciigraph's 256-colour index; 0 keeps the default.
func ansi256(c color.Color) uint8 {
	if c == nil {
		return 0
	}
	idx := uint8(ansi.Convert256(c))
	switch b := c.(type) {
	case ansi.BasicColor:
		// An ANSI 16 index stays one, for the terminal's scheme to draw: converted, bright
		// blue "12" became the cube's pure #0000FF.
		idx = uint8(b)
	case ansi.IndexedColor:
		idx = uint8(b)
	}
	if idx == 0 {
		// Index 0 is asciigraph's "default"; black is the nearest honest stand-in.
		idx = 16
	}
	return idx
}

// Health returns the style of a health level.
func (s *Styles) Health(h model.Health) lipgloss.Style {
	if h < model.Healthy || h > model.Critical {
		return s.Text
	}
	return s.health[h]
}

// HealthSymbol returns the health symbol, already styled.
func (s *Styles) HealthSymbol(h model.Health) string {
	if h < model.Healthy || h > model.Critical {
		return model.HealthSymbol(h)
	}
	return s.healthSym[h]
}

// Severity returns the style of a finding severity.
func (s *Styles) Severity(sev model.Severity) lipgloss.Style {
	if sev < model.Info || sev > model.SeverityCritical {
		return s.Text
	}
	return s.severity[sev]
}

// SeveritySymbol returns the severity symbol, already styled.
func (s *Styles) SeveritySymbol(sev model.Severity) string {
	if sev < model.Info || sev > model.SeverityCritical {
		return model.SeveritySymbol(sev)
	}
	return s.sevSym[sev]
}
