package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/themes"
)

// minCut is the fewest cells a segment is cut to: less reads as noise, so the last
// segment goes instead.
const minCut = 12

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

// fitSegs joins segs into at most w cells (w <= 0: no limit) without cutting a word. In
// turn, until they fit: the dropEarly segments go (the update time, the sort), last
// first; the segments with a short form take it, the dropLate ones first; the dropLate
// ones go. Then what went comes back where it fits, dropLate first. A state (dropNever)
// stays: if still too wide, the widest segment is cut at a word with "…", or, when that
// would leave fewer than minCut cells of it, the last one goes. The first segment says
// what the line is about and is never left out.
func fitSegs(st *themes.Styles, segs []seg, w int) string {
	if w <= 0 || segsWidth(segs) <= w {
		return joinSegs(st, segs)
	}
	all := slices.Clone(segs)
	out := make([]bool, len(all))
	kept := func() []seg {
		var k []seg
		for i, s := range all {
			if !out[i] {
				k = append(k, s)
			}
		}
		return k
	}
	wide := func() bool { return segsWidth(kept()) > w }
	drop := func(rank dropRank) {
		for i := len(all) - 1; i > 0 && wide(); i-- {
			if all[i].drop == rank {
				out[i] = true
			}
		}
	}
	drop(dropEarly)
	// The short forms: first of what could go anyway (the namespaces), last first; then all
	// the others together, so that like segments (the clusters) read alike.
	for i := len(all) - 1; i >= 0 && wide(); i-- {
		if !out[i] && all[i].short != "" && all[i].drop == dropLate {
			all[i].text = all[i].short
		}
	}
	if wide() {
		for i := range all {
			if all[i].short != "" {
				all[i].text = all[i].short
			}
		}
	}
	drop(dropLate)
	for _, rank := range []dropRank{dropLate, dropEarly} {
		for i := range all {
			if out[i] && all[i].drop == rank {
				out[i] = false
				out[i] = wide()
			}
		}
	}
	keep := kept()
	for over := segsWidth(keep) - w; over > 0; over = segsWidth(keep) - w {
		i := widest(keep)
		if cut := wordTrunc(keep[i].text, cellWidth(keep[i].text)-over); cellWidth(cut) >= minCut || len(keep) == 1 {
			keep[i].text = cut
			break
		}
		keep = keep[:len(keep)-1]
	}
	return joinSegs(st, keep)
}

// widest is the index of the widest segment, the first of equals.
func widest(segs []seg) int {
	best := 0
	for i, s := range segs {
		if cellWidth(s.text) > cellWidth(segs[best].text) {
			best = i
		}
	}
	return best
}

// wordTrunc cuts s to at most w cells after a whole word (words end at a space or a
// comma), ending in "…". A single word longer than w is cut where it must.
func wordTrunc(s string, w int) string {
	if cellWidth(s) <= w {
		return s
	}
	if w < 2 {
		return strings.Repeat("…", max(w, 0))
	}
	cut := ansi.Truncate(s, w-1, "")
	// A cut that falls just before a space or a comma ends a whole word already.
	if rest := s[len(cut):]; !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, ",") {
		if i := strings.LastIndexAny(cut, " ,"); i > 0 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, " ,:;(·-") + "…"
}

// helpLineFit is helpLine with only the whole key hints that fit in w cells (w <= 0: all),
// in order. The first and the one whose key is help (it lists the rest) always show.
func helpLineFit(st *themes.Styles, keys []key.Binding, help string, w int) string {
	if w <= 0 || len(keys) == 0 {
		return helpLine(st, keys)
	}
	hintW := func(k key.Binding) int { h := k.Help(); return cellWidth(h.Key) + 1 + cellWidth(h.Desc) }
	in := make([]bool, len(keys))
	in[0] = true
	used := hintW(keys[0])
	if i := slices.IndexFunc(keys, func(k key.Binding) bool { return k.Help().Key == help }); i > 0 {
		in[i] = true
		used += 2 + hintW(keys[i])
	}
	for i := 1; i < len(keys); i++ {
		if in[i] {
			continue
		}
		if used+2+hintW(keys[i]) > w {
			break
		}
		in[i] = true
		used += 2 + hintW(keys[i])
	}
	var shown []key.Binding
	for i, k := range keys {
		if in[i] {
			shown = append(shown, k)
		}
	}
	return helpLine(st, shown)
}
