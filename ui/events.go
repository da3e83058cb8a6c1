package ui

import (
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// renderEvents draws the events pane in h lines: recent Events of namespace ns ("" for all).
func renderEvents(c *common, ns string, h int) []string {
	st := c.styles()
	title := st.Section.Render("Events") + st.Muted.Render(" (newest first · e hides)")
	lines := []string{title}
	if c.rows == nil {
		return lines
	}
	for _, ev := range c.rows.snap.Events {
		if len(lines) >= h {
			break
		}
		if !inScope(ns, ev.Cluster, ev.Namespace) {
			continue
		}
		lines = append(lines, eventLine(st, ev, c.loc))
	}
	if len(lines) == 1 {
		lines = append(lines, st.Muted.Render(noEvents(c.rows.snap.Watch)))
	}
	return lines
}

// noEvents explains an empty events list: none, or none readable.
func noEvents(w model.WatchState) string {
	if w.Access[model.ResourceEvents] == model.AccessForbidden {
		return "events forbidden: twinscale may not list and watch events here"
	}
	return "no recent events"
}

// eventLine draws one Event: time, symbol and reason, object, count, message.
func eventLine(st *themes.Styles, ev model.Event, loc *time.Location) string {
	t := ev.Last
	if t.IsZero() {
		t = ev.First
	}
	sym, tn := "·", toneMuted
	if ev.Type == "Warning" {
		sym, tn = "!", toneWarning
	}
	kind := ev.Object.Kind
	if kind == "HorizontalPodAutoscaler" {
		kind = "HPA"
	}
	obj := kind + "/" + ev.Object.Name
	if ev.Count > 1 {
		obj += " ×" + itoa(ev.Count)
	}
	return st.Muted.Render(clock(t, loc)) + " " + toneStyle(st, tn).Render(sym+" "+clean(ev.Reason)) + " " + obj + " " +
		st.Muted.Render(clean(ev.Message))
}

// helpLine draws key bindings as "key desc" pairs.
func helpLine(st *themes.Styles, keys []key.Binding) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("  ")
		}
		h := k.Help()
		b.WriteString(st.Key.Render(h.Key) + " " + st.KeyDesc.Render(h.Desc))
	}
	return b.String()
}

// timelineEntry is one line of the merged timeline.
type timelineEntry struct {
	at   time.Time
	line string
}

// timeline merges the pair's Events with its ScheduleFailed episode.
func (d *detailView) timeline(st *themes.Styles, p *model.Pair, ref time.Time) []string {
	var es []timelineEntry
	for _, ev := range p.Events {
		t := ev.Last
		if t.IsZero() {
			t = ev.First
		}
		es = append(es, timelineEntry{t, "  " + eventLine(st, ev, d.c.loc)})
	}
	if sf := p.ScheduleFailed; sf != nil && !sf.Since.IsZero() {
		kind, tn := "structural", toneCritical
		if sf.Transient {
			kind, tn = "transient", toneConverging
		}
		sym := toneSymbol(tn)
		es = append(es, timelineEntry{sf.Since, "  " + st.Muted.Render(clock(sf.Since, d.c.loc)) + " " +
			toneStyle(st, tn).Render(sym+" ScheduleFailed began ("+kind+")") + " Model/" + p.ModelName + " " +
			st.Muted.Render(clean(sf.Reason))})
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].at.After(es[j].at) })
	if len(es) == 0 {
		var w model.WatchState
		if d.c.rows != nil {
			w = d.c.rows.snap.Watch
		}
		return []string{"  " + st.Muted.Render(noEvents(w))}
	}
	const maxEntries = 20
	out := make([]string, 0, min(len(es), maxEntries))
	for i, e := range es {
		if i == maxEntries {
			break
		}
		l := e.line
		if cellWidth(l) > d.c.w {
			l = ansi.Truncate(l, d.c.w, "…")
		}
		out = append(out, l)
	}
	return out
}
