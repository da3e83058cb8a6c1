package ui

import (
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// header draws the two header lines above the table, the picker and the compare view: where
// we look and how fresh the data is, then counts and the table's settings.
func header(c *common, t *tableView) []string {
	st := c.styles()
	var snap *model.Snapshot
	if c.rows != nil {
		snap = c.rows.snap
	}
	line1 := []seg{}
	title := st.Title.Render("twinscale")
	if snap == nil {
		return []string{title + "  " + st.Muted.Render("loading…"), ""}
	}
	w := snap.Watch
	ctx := seg{text: "ctx " + firstNonEmpty(w.Context, "—"), tone: toneText}
	if w.Cluster != "" && w.Cluster != w.Context {
		ctx.short = ctx.text
		ctx.text += " (" + w.Cluster + ")"
	}
	line1 = append(line1, ctx, nsSeg(w.Namespaces))
	line1 = append(line1, watchSeg(w, c.loc))
	if s, ok := accessSeg(w); ok {
		line1 = append(line1, s)
	}
	if len(snap.Clusters) > 1 {
		line1 = clusterSegs(snap, c.loc)
	}
	line1 = append(line1, promSeg(snap))

	line2 := []seg{{text: plural(len(snap.Pairs), "pair"), tone: toneText}}
	// A replay's position and damage come first: they say what the rest of the screen is.
	line2 = append(line2, c.replay.segs()...)
	line2 = append(line2, alertSegs(c.rows.critical, c.rows.warning, w)...)
	if m := snap.MetricsAPI.Short(); m != "" {
		// The second line has room: the first is full of context at 80 and 120 columns.
		// Narrow, the provider goes: the detail view names it.
		line2 = append(line2, seg{text: "! " + m, tone: toneWarning, short: "! " + snap.MetricsAPI.Brief()})
	}
	line2 = append(line2, seg{text: "sort " + t.st.sort.String(), tone: toneMuted, drop: dropEarly})
	if t.st.namespace != "" {
		line2 = append(line2, seg{text: "view " + scopeText(t.st.namespace), tone: toneAccent, drop: dropLate})
	}
	if t.st.alertsOnly {
		line2 = append(line2, seg{text: "alerts only", tone: toneAccent, drop: dropLate})
	}
	if t.st.filter != "" {
		line2 = append(line2, seg{text: "filter \"" + t.st.filter + "\" " + matchCount(len(t.visible)), tone: toneAccent, drop: dropLate})
	}
	if c.paused {
		p := seg{text: "⏸ PAUSED", tone: toneWarning}
		if c.behind {
			p.short = p.text
			p.text += " (new data waiting)"
		}
		line2 = append(line2, p)
	}
	if n := c.rows.overdue; n > 0 {
		// "controller behind: 212 HPAs overdue, oldest 1m14s"; the count and age alone when narrow.
		txt, age := plural(n, "HPA")+" overdue", model.FormatDuration(c.rows.oldestOverdue)
		line2 = append(line2, seg{text: "! controller behind: " + txt + ", oldest " + age, tone: toneWarning, short: "! " + txt + " " + age})
	}
	line2 = append(line2, seg{text: "updated " + clock(snap.Taken, c.loc), tone: toneMuted, drop: dropEarly})
	if age := c.dataAge(); age != "" {
		line2 = append(line2, seg{text: "! " + age, tone: toneWarning})
	}
	return []string{title + "  " + fitSegs(st, line1, c.w-cellWidth("twinscale  ")), fitSegs(st, line2, c.w)}
}

// alertSegs counts the pairs in alert, naming only the levels that have some (a "✗ 0
// critical" would cry wolf); none says "✓ no alerts" only when the pairs could be read.
func alertSegs(critical, warning int, w model.WatchState) []seg {
	var out []seg
	if critical > 0 {
		out = append(out, seg{text: "✗ " + itoaInt(critical) + " critical", tone: toneCritical})
	}
	if warning > 0 {
		out = append(out, seg{text: "! " + itoaInt(warning) + " warning", tone: toneWarning})
	}
	if critical+warning > 0 {
		return out
	}
	// Never a green verdict while the API server refuses the lists or the watch has not synced.
	why := w.Blind()
	switch {
	case why == "":
		return []seg{{text: "✓ no alerts", tone: toneHealthy}}
	case len(w.Failing) > 0:
		return []seg{{text: "✗ " + why, tone: toneCritical}}
	}
	return []seg{{text: "? no verdict: " + why, tone: toneWarning}}
}

// matchCount prints "no match", "1 match", "15 matches".
func matchCount(n int) string {
	switch n {
	case 0:
		return "no match"
	case 1:
		return "1 match"
	}
	return itoaInt(n) + " matches"
}

// watchSeg describes the cluster watch.
func watchSeg(w model.WatchState, loc *time.Location) seg {
	switch {
	case !w.Connected && !w.DisconnectedSince.IsZero():
		s := "✗ disconnected since " + clock(w.DisconnectedSince, loc)
		if w.LastError != "" {
			s += ": " + w.LastError
		}
		return seg{text: s, tone: toneCritical}
	case !w.Connected && w.TotalKinds > 0:
		return seg{text: "✗ not connected", tone: toneCritical}
	case !w.Synced && w.TotalKinds > 0:
		return seg{text: "~ syncing " + itoaInt(w.SyncedKinds) + "/" + itoaInt(w.TotalKinds), tone: toneConverging}
	case !w.Synced:
		return seg{text: "~ syncing", tone: toneConverging}
	}
	return seg{text: "✓ synced", tone: toneHealthy}
}

// accessSeg lists the resources the watch may not read. Missing Seldon CRDs are named
// in full, so the operator knows what to install.
func accessSeg(w model.WatchState) (seg, bool) {
	var bad, missing []string
	for res, acc := range w.Access {
		switch {
		case acc == model.AccessOK || acc == "" || acc == model.AccessUnknown:
		case acc == model.AccessNotInstalled && (res == model.ResourceModels || res == model.ResourceServers):
			missing = append(missing, res+"."+model.SeldonGroup)
		default:
			bad = append(bad, res+" "+string(acc))
		}
	}
	sort.Strings(bad)
	sort.Strings(missing)
	if len(missing) > 0 {
		crds := "Seldon CRD " + missing[0]
		if len(missing) > 1 {
			crds = "Seldon CRDs " + strings.Join(missing, ", ")
		}
		bad = append([]string{crds + " not installed"}, bad...)
	}
	if len(bad) == 0 {
		return seg{}, false
	}
	return seg{text: "! " + strings.Join(bad, ", "), tone: toneWarning}, true
}

// promSeg describes the Prometheus poller as of the snapshot.
func promSeg(s *model.Snapshot) seg {
	p := s.Prom
	switch {
	case !p.Configured:
		// No symbol: the segment separator is a dot already ("· · prometheus off").
		return seg{text: "prometheus off", tone: toneMuted}
	case p.BadQuery:
		// Prometheus answered: it is up, the query is wrong, and the error says so itself.
		return seg{text: "✗ prometheus: " + firstNonEmpty(p.LastError, "bad query"), tone: toneCritical}
	case p.Failures > 0 && (p.LastSuccess.IsZero() || p.Stale):
		reason := firstNonEmpty(p.LastError, "no answer")
		return seg{text: "✗ prometheus down: " + reason, tone: toneCritical}
	case p.Stale:
		return seg{text: "! prometheus stale for " + firstNonEmpty(since(s.Taken, p.LastSuccess), "?"), tone: toneWarning}
	case p.Warning != "":
		return seg{text: "! prometheus: " + p.Warning, tone: toneWarning}
	}
	return seg{text: "✓ prometheus ok", tone: toneHealthy}
}

// dataAge says how old the displayed snapshot is, once that matters. A live source
// with a connected, synced watch rebuilds on every change, so there an old snapshot
// only means a quiet cluster: saying so would redraw the header every second for
// nothing.
func (c *common) dataAge() string {
	if c.rows == nil || c.rows.snap.Taken.IsZero() {
		return ""
	}
	if w := c.rows.snap.Watch; c.live && w.Connected && w.Synced {
		return ""
	}
	someLive := anyClusterLive(c.rows.snap)
	if c.live && someLive {
		return "" // each cluster's own state says which is behind
	}
	since := c.rows.snap.Taken
	// While the watch is down the pairs are as of the disconnection, however often the
	// snapshot is rebuilt.
	if w := c.rows.snap.Watch; !someLive && !w.Connected && !w.DisconnectedSince.IsZero() && w.DisconnectedSince.Before(since) {
		since = w.DisconnectedSince
	}
	age := c.now().Sub(since)
	if age < staleAfter {
		return ""
	}
	return "data " + model.FormatDuration(age.Truncate(time.Second)) + " old"
}

// seg is one header segment.
type seg struct {
	text string
	tone tone
	// short stands for text when the line is too narrow ("all ns"); empty: text only.
	short string
	// drop is how early fitSegs leaves the segment out on a narrow line: dropNever (a state:
	// never), dropLate (where we look, the view's settings) or dropEarly (sort, update time).
	drop dropRank
}

// dropRank orders the segments fitSegs leaves out.
type dropRank int

const (
	dropNever dropRank = iota
	dropLate
	dropEarly
)

// toneStyle maps a tone to the theme's precomputed span.
func toneStyle(st *themes.Styles, t tone) themes.Span {
	sp := &st.Spans
	switch t {
	case toneMuted:
		return sp.Muted
	case toneInfo:
		return sp.Severity[model.Info]
	case toneHealthy:
		return sp.Health[model.Healthy]
	case toneConverging:
		return sp.Health[model.Converging]
	case toneWarning:
		return sp.Health[model.Warning]
	case toneCritical:
		return sp.Health[model.Critical]
	case toneAccent:
		return sp.Accent
	}
	return sp.Text
}

// joinSegs renders segments separated by a muted dot.
func joinSegs(st *themes.Styles, segs []seg) string {
	var b strings.Builder
	sep := st.Subtle.Render(" · ")
	for i, s := range segs {
		if i > 0 {
			b.WriteString(sep)
		}
		if s.tone == toneText {
			b.WriteString(s.text)
		} else {
			b.WriteString(toneStyle(st, s.tone).Render(s.text))
		}
	}
	return b.String()
}

// footer draws the one-line key help, the filter input or a flash.
func footer(c *common, t *tableView, keys []key.Binding) string {
	st := c.styles()
	if t.st.filtering {
		return st.Key.Render("/") + t.st.filter + st.Accent.Render("█") + "  " + st.Muted.Render("enter keep · esc clear")
	}
	if c.flash != "" {
		return st.Error.Render(c.flash)
	}
	if n := c.noticeLine(); n != "" {
		return n
	}
	return c.keyLine(keys, c.w)
}

// keyLine is helpLineFit in w cells memoised per theme, binding list and width: footers are
// the same on every frame.
func (c *common) keyLine(keys []key.Binding, w int) string {
	return c.foot.line(c.styles(), footKey{theme: c.theme, first: keys[0].Help().Key, n: len(keys), w: w}, keys, c.keys.Help.Help().Key)
}

// footCache memoises key lines.
type footCache map[footKey]string

// line returns the key line of keys, drawing it on first use.
func (f footCache) line(st *themes.Styles, k footKey, keys []key.Binding, help string) string {
	if l, ok := f[k]; ok {
		return l
	}
	l := helpLineFit(st, keys, help, k.w)
	f[k] = l
	return l
}

// footKey identifies a memoised key line.
type footKey struct {
	theme int
	first string
	n     int
	w     int
}
