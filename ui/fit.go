package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/themes"
)

// segsWidth is the width of segs joined by " · ".
func segsWidth(segs []seg) int {
	w := 0
	for i, s := range segs {
		if i > 0 {
			w += 3
		}
		w += cellWidth(s.text)
	}
	return w
}

// fitSegs joins segs into at most w cells (w <= 0: no limit) without cutting a word: muted
// segments (the sort, the update time) go first, then plain ones (the namespaces), last
// first; a warning or an alert stays, cut at a word with "…" if it alone is too long.
func fitSegs(st *themes.Styles, segs []seg, w int) string {
	if w <= 0 || segsWidth(segs) <= w {
		return joinSegs(st, segs)
	}
	keep := slices.Clone(segs)
	for _, drop := range []tone{toneMuted, toneText, toneAccent, toneHealthy} {
		for i := len(keep) - 1; i > 0 && segsWidth(keep) > w; i-- {
			if keep[i].tone == drop {
				keep = slices.Delete(keep, i, i+1)
			}
		}
	}
	// Still too wide: the last segment is cut at a word, or goes when too little of it
	// would be left to read.
	for len(keep) > 1 {
		over := segsWidth(keep) - w
		if over <= 0 || cellWidth(keep[len(keep)-1].text)-over >= 12 {
			break
		}
		keep = keep[:len(keep)-1]
	}
	if over := segsWidth(keep) - w; over > 0 {
		last := &keep[len(keep)-1]
		last.text = wordTrunc(last.text, cellWidth(last.text)-over)
	}
	return joinSegs(st, keep)
}

// wordTrunc cuts s to at most w cells at a word boundary, ending in "…".
func wordTrunc(s string, w int) string {
	if cellWidth(s) <= w {
		return s
	}
	if w < 2 {
		return strings.Repeat("…", max(w, 0))
	}
	cut := ansi.Truncate(s, w-1, "")
	if i := strings.LastIndexAny(cut, " (/,"); i > 0 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " (/,·") + "…"
}

// helpLineFit is helpLine with only the whole keys that fit in w cells (w <= 0: all); the
// first, "? help", leads to the rest.
func helpLineFit(st *themes.Styles, keys []key.Binding, w int) string {
	n, used := 0, 0
	for i, k := range keys {
		h := k.Help()
		kw := cellWidth(h.Key) + 1 + cellWidth(h.Desc)
		if i > 0 {
			kw += 2
		}
		if w > 0 && used+kw > w && i > 0 {
			break
		}
		used += kw
		n++
	}
	return helpLine(st, keys[:n])
}
