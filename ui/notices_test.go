package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/watch/static"
)

// TestNotices: a broken theme file was reported in a flash that the first key press cleared, and
// --pairs naming no pair said nothing (issue 13 item 16). Notices stay in the footer until esc
// dismisses them; the --pairs check waits for the pairs to be synced.
func TestNotices(t *testing.T) {
	synced := loadCompareFixture(t).Snapshot()
	if !synced.Watch.Synced {
		t.Fatal("fixture not synced")
	}
	syncing := *synced
	syncing.Watch.Synced = false
	themeNotice := "2 theme files skipped: a.yaml:3, b.yaml:1"
	cases := []struct {
		name    string
		opts    Options
		keys    []string // pressed once synced
		want    []string // in the last line
		none    []string
		keyHelp bool // the last line is the key help again
	}{
		{"theme notice outlives keys", Options{Notices: []string{themeNotice}}, []string{"j", "k", "s"},
			[]string{"esc dismiss", themeNotice}, nil, false},
		{"missing pairs named once synced", Options{Pairs: []string{"shop/search", "x/y", "c/shop/search"}}, nil,
			[]string{"--pairs x/y, c/shop/search match no pair"}, []string{"shop/search,"}, false},
		{"one missing pair", Options{Pairs: []string{"x/y"}}, nil, []string{"--pairs x/y matches no pair"}, nil, false},
		{"every pair exists", Options{Pairs: []string{"shop/search"}}, nil, nil, []string{"--pairs"}, true},
		{"esc dismisses", Options{Notices: []string{themeNotice}, Pairs: []string{"x/y"}}, []string{"esc"},
			nil, []string{themeNotice, "x/y"}, true},
		{"esc clears a filter first", Options{Notices: []string{themeNotice}}, []string{"/", "s", "enter", "esc"},
			[]string{themeNotice}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := static.New(&syncing, nil)
			th, _ := themes.Builtin("dark")
			o := c.opts
			o.Source, o.Theme, o.Location = src, th, time.UTC
			o.Now = func() time.Time { return fixtureTime }
			a := New(o)
			a.ticker = func() tea.Cmd { return nil }
			settle(a, a.Init())
			send(a, tea.WindowSizeMsg{Width: 200, Height: 30})
			if last := lastLine(a); strings.Contains(last, "--pairs") {
				t.Errorf("--pairs checked before the pairs synced: %q", last)
			}
			src.Set(synced)
			send(a, tickMsg{})
			press(a, c.keys...)
			last := lastLine(a)
			checkText(t, "footer", last, c.want, c.none)
			if help := strings.Contains(last, "? help") && !strings.Contains(last, "dismiss"); help != c.keyHelp {
				t.Errorf("footer %q: key help %v, want %v", last, help, c.keyHelp)
			}
		})
	}
}

// lastLine is the screen's footer.
func lastLine(a *App) string {
	lines := strings.Split(screen(a), "\n")
	return lines[len(lines)-1]
}

// TestThemeKeySaysTheme: t changed the colours without saying which theme was on (issue 13
// item 6); the footer names it until the next key.
func TestThemeKeySaysTheme(t *testing.T) {
	cases := []struct {
		name  string
		start string
		keys  []string
		want  string // in the last line; "" for the key help again
	}{
		{"dark to light", "dark", []string{"t"}, "theme light"},
		{"light to high-contrast", "light", []string{"t"}, "theme high-contrast"},
		{"twice", "dark", []string{"t", "t"}, "theme high-contrast"},
		{"wraps to dark", "colorblind", []string{"t"}, "theme dark"},
		{"in the detail view", "dark", []string{"enter", "t"}, "theme light"},
		{"the next key clears it", "dark", []string{"t", "j"}, ""},
	}
	for _, c := range cases {
		for _, w := range []int{80, 120} {
			t.Run(c.name+"/"+strconv.Itoa(w), func(t *testing.T) {
				a := newTestApp(t, loadFixture(t), c.start, w, 24)
				press(a, c.keys...)
				last := lastLine(a)
				if c.want == "" {
					if strings.Contains(last, "theme ") && !strings.Contains(last, "t theme") {
						t.Errorf("footer still names the theme: %q", last)
					}
					return
				}
				if !strings.Contains(last, c.want) {
					t.Errorf("footer = %q, want %q", last, c.want)
				}
				if cellWidth(last) > w {
					t.Errorf("footer %d wide at %d: %q", cellWidth(last), w, last)
				}
			})
		}
	}
}
