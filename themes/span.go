package themes

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Span is a style reduced to its escape sequences, for the hot path: table
// cells are styled with two string concatenations instead of a full
// lipgloss render. Only colours and text attributes survive (no padding,
// borders or width), which is all an inline cell needs.
type Span struct{ pre, post string }

// NewSpan captures a style's opening and closing sequences.
func NewSpan(s lipgloss.Style) Span {
	// SGR sequences never contain the letter x, so the first x is the text.
	r := s.Render("x")
	i := strings.IndexByte(r, 'x')
	if i < 0 {
		return Span{}
	}
	return Span{pre: r[:i], post: r[i+1:]}
}

// Render wraps text in the span's sequences.
func (s Span) Render(text string) string {
	if s.pre == "" {
		return text
	}
	return s.pre + text + s.post
}

// Spans are the precomputed spans of the styles the table rows use.
type Spans struct {
	Text, Muted, Accent, Selected, ColumnHeader Span
	// Health is indexed by model.Health, Severity by model.Severity.
	Health   [4]Span
	Severity [3]Span
}

// newSpans derives the row spans from built styles.
func newSpans(s *Styles) Spans {
	sp := Spans{
		Text: NewSpan(s.Text), Muted: NewSpan(s.Muted), Accent: NewSpan(s.Accent),
		Selected: NewSpan(s.Selected), ColumnHeader: NewSpan(s.ColumnHeader),
	}
	for i := range sp.Health {
		sp.Health[i] = NewSpan(s.health[i])
	}
	for i := range sp.Severity {
		sp.Severity[i] = NewSpan(s.severity[i])
	}
	return sp
}
