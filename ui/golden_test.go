package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// views are the screens pinned by golden files, each reached by key presses
// from the main view (alerts sort puts the structural ScheduleFailed pair first).
var views = []struct {
	name string
	keys []string
}{
	{"main", nil},
	{"detail", []string{"enter"}},
	{"help", []string{"?"}},
	{"alerts", []string{"a"}},
	{"whatif", whatifKeys},
}

var sizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// TestGolden pins every view at three sizes in the dark and light themes,
// ANSI stripped: what a person reads without colour. Regenerate with
// `go test ./ui/... -update`.
func TestGolden(t *testing.T) {
	for _, v := range views {
		t.Run(v.name, func(t *testing.T) {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
					for _, theme := range []string{"dark", "light"} {
						t.Run(theme, func(t *testing.T) {
							a := newTestApp(t, loadFixture(t), theme, sz[0], sz[1])
							press(a, v.keys...)
							out := screen(a)
							checkFits(t, out, sz[0], sz[1])
							golden.RequireEqual(t, out)
						})
					}
				})
			}
		})
	}
}

// TestGoldenColour keeps one coloured frame per built-in theme, so a change
// of palette or of what is coloured shows up in review.
func TestGoldenColour(t *testing.T) {
	for _, theme := range []string{"dark", "light", "high-contrast", "colorblind"} {
		t.Run(theme, func(t *testing.T) {
			a := newTestApp(t, loadFixture(t), theme, 120, 40)
			out := a.View().Content
			checkFits(t, ansi.Strip(out), 120, 40)
			golden.RequireEqual(t, out)
		})
	}
}

// checkFits asserts a frame has exactly h lines of at most w cells.
func checkFits(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := splitLines(out)
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got > w {
			t.Fatalf("line %d is %d cells wide, more than %d: %q", i, got, w, l)
		}
	}
}

// splitLines splits on newlines, keeping empty lines.
func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
