package ui

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
)

// WriteTable prints every pair of a snapshot once, alerts first, with a
// summary line: what `twinscale snapshot` shows. With st nil the output is
// plain text (no escape sequences); otherwise it is coloured like the
// dashboard. Columns are never dropped or truncated.
func WriteTable(w io.Writer, snap *model.Snapshot, st *themes.Styles, loc *time.Location) error {
	return WriteTableWidth(w, snap, st, loc, 0)
}

// WriteTableWidth is WriteTable fitted to width columns as the dashboard fits them (columns give
// way by priority, names shorten); width 0 prints every column whole, for pipes and files.
func WriteTableWidth(w io.Writer, snap *model.Snapshot, st *themes.Styles, loc *time.Location, width int) error {
	return WriteTablePinned(w, snap, st, loc, width, nil)
}

// WriteTablePinned is WriteTableWidth with the pairs of the keys pinned listed first, in
// their order, as the dashboard pins them (--pairs).
func WriteTablePinned(w io.Writer, snap *model.Snapshot, st *themes.Styles, loc *time.Location, width int, pinned []string) error {
	if loc == nil {
		loc = time.Local
	}
	plain := st == nil
	if plain {
		// Zero styles have empty spans: every render is the bare text.
		st = &themes.Styles{}
	}
	rs := buildRows(snap, 0, nil)
	order := make([]int, len(rs.rows))
	for i := range order {
		order[i] = i
	}
	pins := newMarks(pinned)
	less := pins.pinFirst(func(x, y *row) bool {
		if x.health != y.health {
			return x.health > y.health
		}
		return x.key < y.key
	})
	sort.SliceStable(order, func(i, j int) bool { return less(&rs.rows[order[i]], &rs.rows[order[j]]) })

	summary := []seg{{text: "context " + firstNonEmpty(snap.Watch.Context, "—"), tone: toneText}}
	ns := "all namespaces"
	if len(snap.Watch.Namespaces) > 0 {
		ns = "namespaces " + strings.Join(snap.Watch.Namespaces, ",")
	}
	summary = append(summary, seg{text: ns, tone: toneText}, watchSeg(snap.Watch, loc))
	if s, ok := accessSeg(snap.Watch); ok {
		summary = append(summary, s)
	}
	if len(snap.Clusters) > 1 {
		summary = append([]seg{{text: "contexts " + snap.Watch.Context, tone: toneText}}, clusterSegs(snap, loc)...)
	}
	summary = append(summary, promSeg(snap))
	if w := snap.MetricsAPI.Warning(); w != "" {
		summary = append(summary, seg{text: "! " + w, tone: toneWarning})
	}
	summary = append(summary, seg{text: plural(len(rs.rows), "pair"), tone: toneText})
	summary = append(summary, alertSegs(rs.critical, rs.warning, snap.Watch)...)
	summary = append(summary, seg{text: "taken " + snap.Taken.In(loc).Format(time.RFC3339), tone: toneMuted})
	var b strings.Builder
	b.WriteString(joinSegs(st, summary) + "\n")

	lay := wholeLayout(rs.colW, 2)
	if width > 0 {
		lay = computeLayout(rs.colW, width)
	}
	// A printed table has no selection.
	lay = lay.withoutCursor()
	if len(rs.rows) > 0 {
		b.WriteString(strings.TrimRight(titleLine(st, &lay, sortAlerts), " ") + "\n")
	}
	for _, i := range order {
		r := &rs.rows[i]
		line := rowText(r, &lay, st, "", false)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
