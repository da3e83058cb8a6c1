package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/themes"
)

// TestWordTrunc: a cut ends after a whole word with "…", never inside one (issue 13 item 2).
func TestWordTrunc(t *testing.T) {
	cases := []struct {
		s    string
		w    int
		want string
	}{
		{"✓ prometheus ok", 20, "✓ prometheus ok"},
		{"✓ prometheus ok", 15, "✓ prometheus ok"},
		{"✓ prometheus ok", 14, "✓ prometheus…"},
		{"✓ prometheus ok", 12, "✓…"},
		{"external metrics API down (keda/keda-operator)", 33, "external metrics API down…"},
		{"dial tcp: connect: refused", 20, "dial tcp: connect…"},
		{"ns a,bb,ccc", 9, "ns a,bb…"},
		{"abc def ghi", 8, "abc def…"},
		{"supercalifragilistic", 8, "superca…"}, // one word: cut where it must
		{"abc", 1, "…"},
		{"abc", 0, ""},
		{"abc", -3, ""},
	}
	for _, c := range cases {
		got := wordTrunc(c.s, c.w)
		if got != c.want {
			t.Errorf("wordTrunc(%q, %d) = %q, want %q", c.s, c.w, got, c.want)
		}
		if c.w >= 0 && cellWidth(got) > c.w {
			t.Errorf("wordTrunc(%q, %d) = %q is %d cells wide", c.s, c.w, got, cellWidth(got))
		}
	}
}

// TestFitSegs: at 80 columns the header keeps its states whole; the update time and the
// sort go first, the namespaces shorten, the metrics API warning drops its provider
// (issue 13 item 2, issue 14).
func TestFitSegs(t *testing.T) {
	st := newTestApp(t, loadFixture(t), "dark", 80, 24).c.styles()
	ctx := seg{text: "ctx demo (mixed, simulated)", tone: toneText, short: "ctx demo"}
	ns := nsSeg(nil)
	synced := seg{text: "✓ synced", tone: toneHealthy}
	prom := seg{text: "✓ prometheus ok", tone: toneHealthy}
	pairs := seg{text: "7 pairs", tone: toneText}
	crit := seg{text: "✗ 2 critical", tone: toneCritical}
	metrics := seg{text: "! external metrics API down (keda/keda-operator-metrics-apiserver)", tone: toneWarning,
		short: "! external metrics API down"}
	sort := seg{text: "sort alerts", tone: toneMuted, drop: dropEarly}
	updated := seg{text: "updated 12:46:59", tone: toneMuted, drop: dropEarly}
	filter := seg{text: `filter "kyc" 1 match`, tone: toneAccent, drop: dropLate}
	cases := []struct {
		name string
		segs []seg
		w    int
		want string
	}{
		{"fits", []seg{ctx, ns, synced, prom}, 120,
			"ctx demo (mixed, simulated) · all namespaces · ✓ synced · ✓ prometheus ok"},
		{"no limit", []seg{ctx, ns, synced, prom}, 0,
			"ctx demo (mixed, simulated) · all namespaces · ✓ synced · ✓ prometheus ok"},
		{"namespaces shorten first", []seg{ctx, ns, synced, prom}, 69,
			"ctx demo (mixed, simulated) · all ns · ✓ synced · ✓ prometheus ok"},
		{"then the context", []seg{ctx, ns, synced, prom}, 50,
			"ctx demo · all ns · ✓ synced · ✓ prometheus ok"},
		{"namespaces go before states", []seg{ctx, ns, synced, prom}, 40,
			"ctx demo · ✓ synced · ✓ prometheus ok"},
		{"update time goes first", []seg{pairs, crit, sort, updated}, 40,
			"7 pairs · ✗ 2 critical · sort alerts"},
		{"short form before the sort goes", []seg{pairs, crit, metrics, sort, updated}, 80,
			"7 pairs · ✗ 2 critical · ! external metrics API down · sort alerts"},
		{"long form when it fits", []seg{pairs, crit, metrics, sort, updated}, 120,
			"7 pairs · ✗ 2 critical · ! external metrics API down (keda/keda-operator-metrics-apiserver) · sort alerts"},
		{"filter goes after the sort", []seg{pairs, crit, sort, filter}, 45,
			`7 pairs · ✗ 2 critical · filter "kyc" 1 match`},
		{"what went comes back where it fits", []seg{pairs, crit, sort, filter}, 40,
			"7 pairs · ✗ 2 critical · sort alerts"},
		{"both go", []seg{pairs, crit, sort, filter}, 30,
			"7 pairs · ✗ 2 critical"},
		{"a state is cut at a word", []seg{pairs, {text: "✗ prometheus down: dial tcp: connection refused", tone: toneCritical}}, 40,
			"7 pairs · ✗ prometheus down: dial tcp…"},
		{"clusters shorten alike", []seg{ns,
			{text: "✓ prod-eu-west-1 synced", tone: toneHealthy, short: "✓ prod-eu-west-1"},
			{text: "✓ prod-us-east-2 synced", tone: toneHealthy, short: "✓ prod-us-east-2"}, prom}, 69,
			"all ns · ✓ prod-eu-west-1 · ✓ prod-us-east-2 · ✓ prometheus ok"},
		{"too little left: the last goes", []seg{pairs, crit, prom}, 30,
			"7 pairs · ✗ 2 critical"},
	}
	for _, c := range cases {
		got := ansi.Strip(fitSegs(st, c.segs, c.w))
		if got != c.want {
			t.Errorf("%s: fitSegs(w=%d) =\n  %q\nwant\n  %q", c.name, c.w, got, c.want)
		}
		if c.w > 0 && cellWidth(got) > c.w {
			t.Errorf("%s: %q is %d cells wide, more than %d", c.name, got, cellWidth(got), c.w)
		}
	}
}

// TestHelpLineFit: the footer shows whole key hints only, "? help" always among them
// (issue 13 item 2).
func TestHelpLineFit(t *testing.T) {
	a := newTestApp(t, loadFixture(t), "dark", 80, 24)
	st, k := a.c.styles(), a.c.keys
	help := k.Help.Help().Key
	cases := []struct {
		name string
		keys []key.Binding
		w    int
		want string
	}{
		{"main at 80", k.ShortHelp(), 80,
			"? help  enter detail  / filter  s sort  n namespace  a alerts only  e events"},
		{"main, no limit", k.ShortHelp(), 0,
			"? help  enter detail  / filter  s sort  n namespace  a alerts only  e events  t theme  p pause  q quit"},
		{"main at 20", k.ShortHelp(), 20, "? help  enter detail"},
		{"first alone", k.ShortHelp(), 3, "? help"},
		{"detail keeps help", k.DetailHelp(), 60, "esc back  ↑/k up  ↓/j down  PgDn page down  ? help"},
	}
	for _, c := range cases {
		got := ansi.Strip(helpLineFit(st, c.keys, help, c.w))
		if got != c.want {
			t.Errorf("%s: helpLineFit(w=%d) =\n  %q\nwant\n  %q", c.name, c.w, got, c.want)
		}
		if c.w >= cellWidth("? help") && cellWidth(got) > c.w {
			t.Errorf("%s: %d cells, more than %d", c.name, cellWidth(got), c.w)
		}
		if !strings.Contains(got, "? help") {
			t.Errorf("%s: no \"? help\" in %q", c.name, got)
		}
	}
}

// TestNoticeLineFits: at 80 columns the footer's notices end at a whole word with "…",
// not where the screen cuts them (issue 13 item 2).
func TestNoticeLineFits(t *testing.T) {
	th, _ := themes.Builtin("dark")
	notice := "3 theme files skipped (reasons in the log): a.yaml:3, b.yml:3, c.yaml:3"
	a := New(Options{Source: loadFixture(t), Theme: th, Location: time.UTC, Notices: []string{notice, notice}})
	a.ticker = func() tea.Cmd { return nil }
	settle(a, a.Init())
	send(a, tea.WindowSizeMsg{Width: 80, Height: 24})
	last := lastLine(a)
	want := "esc dismiss  ! 3 theme files skipped (reasons in the log): a.yaml:3, b.yml:3…"
	if last != want {
		t.Errorf("footer\n  %q\nwant\n  %q", last, want)
	}
}
