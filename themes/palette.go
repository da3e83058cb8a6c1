// Package themes turns a palette of semantic colour tokens into the one Styles
// struct the dashboard renders with. Built-in themes are dark, light,
// high-contrast and a colour-blind-safe palette; users add their own as YAML
// files in the user config dir. Every colour the UI uses has a text or symbol
// twin (see Symbol), so nothing depends on colour alone.
package themes

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Token names one semantic colour slot of a palette.
type Token string

// The semantic tokens, as user theme files spell them.
const (
	Text        Token = "text"         // main foreground; "default" keeps the terminal's own
	Muted       Token = "muted"        // secondary text: labels, column headers
	Subtle      Token = "subtle"       // barely there: separators, gaps
	Accent      Token = "accent"       // title, key hints, focus
	SelectionFg Token = "selection-fg" // selected row text
	SelectionBg Token = "selection-bg" // selected row background; "default" selects by reverse video
	HealthyC    Token = "healthy"      // ✓ healthy pair
	ConvergingC Token = "converging"   // ~ scaling toward a new size
	WarningC    Token = "warning"      // ! needs a look
	CriticalC   Token = "critical"     // ✗ broken now
	InfoC       Token = "info"         // · informational finding
	Diff        Token = "diff"         // a difference between the twin HPAs
	ChartRPS    Token = "chart-rps"    // RPS series
	ChartCap    Token = "chart-capacity"
	ChartModel  Token = "chart-model"  // Model replica series
	ChartServer Token = "chart-server" // Server replica series
)

// Tokens lists every token in the order the README documents them.
var Tokens = []Token{
	Text, Muted, Subtle, Accent, SelectionFg, SelectionBg,
	HealthyC, ConvergingC, WarningC, CriticalC, InfoC, Diff,
	ChartRPS, ChartCap, ChartModel, ChartServer,
}

// Palette maps every token to a colour spelling: "#rgb", "#rrggbb", an ANSI
// index "0".."255", or "default" (the terminal's own colour).
type Palette map[Token]string

// Clone returns an independent copy of the palette.
func (p Palette) Clone() Palette {
	out := make(Palette, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// isToken reports whether s names a known token.
func isToken(s string) bool {
	for _, t := range Tokens {
		if string(t) == s {
			return true
		}
	}
	return false
}

// tokenNames lists the tokens for error messages.
func tokenNames() string {
	names := make([]string, len(Tokens))
	for i, t := range Tokens {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// ParseColor validates one colour spelling and returns the colour, or nil for
// "default" (and the empty string), which means "leave the terminal's colour".
func ParseColor(s string) (color.Color, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "default", "none":
		return nil, nil
	}
	if strings.HasPrefix(s, "#") {
		hex := s[1:]
		if len(hex) != 3 && len(hex) != 6 {
			return nil, fmt.Errorf("colour %q: want #rgb or #rrggbb", s)
		}
		if _, err := strconv.ParseUint(hex, 16, 32); err != nil {
			return nil, fmt.Errorf("colour %q: not hexadecimal", s)
		}
		return lipgloss.Color(s), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return nil, fmt.Errorf("colour %q: want #rgb, #rrggbb, an ANSI index 0-255 or default", s)
	}
	return lipgloss.Color(s), nil
}
