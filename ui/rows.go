package ui

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// tone is the semantic colour of a cell; every tone but text and muted has a
// symbol or text twin in the cell itself.
type tone int8

// Tones, from plain text to critical.
const (
	toneText tone = iota
	toneMuted
	toneInfo
	toneHealthy
	toneConverging
	toneWarning
	toneCritical
	toneAccent
)

// toneSymbol is the text twin of a badge tone.
func toneSymbol(t tone) string {
	switch t {
	case toneHealthy:
		return "✓"
	case toneConverging:
		return "~"
	case toneWarning:
		return "!"
	case toneCritical:
		return "✗"
	}
	return "·"
}

// badge is one status badge of a row.
type badge struct {
	text string
	tone tone
}

// row is one pair, formatted once per snapshot so frames only pad and style.
type row struct {
	key  string
	pair *model.Pair
	// model and server are the pair's names, each its own column.
	model, server string
	health        model.Health
	alert         bool
	cells         [numCols]string
	tones         [numCols]tone
	badges        []badge
	// search is the lower-case text the filter matches: names and labels.
	search string
	// pairText is "model → server", for titles.
	pairText string
	// Sort keys.
	worst   int
	rps     float64
	skewAbs int32
	skewAge int64
	// fp fingerprints everything a rendered line depends on.
	fp uint64
	// rev is the pair's Rev when the row was formatted; w holds each cell's width.
	rev uint64
	w   [numCols]int
}

// nsCount is one scope of the picker (a namespace; with several clusters, a cluster or
// one of its namespaces) and how many pairs it holds.
type nsCount struct {
	name  string
	pairs int
}

// rowSet is every row of one snapshot plus what the header needs.
type rowSet struct {
	version uint64
	snap    *model.Snapshot
	rows    []row
	byKey   map[string]int
	// cellW is the widest cell of each column.
	cellW [numCols]int
	// colW is what the layout sizes columns by: cellW, but never narrower than the previous
	// snapshot's while the set of pairs is the same, so columns do not move as values change.
	colW       [numCols]int
	namespaces []nsCount
	critical   int
	warning    int
	// overdue and oldestOverdue count the HPAs whose controller is behind (TS215) for the header.
	overdue       int
	oldestOverdue time.Duration
}

// shapeBadges are the short names of the shape flags.
var shapeBadges = map[model.ShapeFlag]string{
	model.ShapeMultiModelServer:   "multi-model",
	model.ShapeNoModelHPA:         "no-model-hpa",
	model.ShapeNoServerHPA:        "no-server-hpa",
	model.ShapeHPATargetMissing:   "hpa-target?",
	model.ShapeServerMissing:      "no-server",
	model.ShapeScheduledElsewhere: "sched-elsewhere",
	model.ShapeServerHPAElsewhere: "hpa-elsewhere",
	model.ShapeServerWithoutModel: "no-model",
	model.ShapeHPAUnknownTarget:   "hpa-kind?",
}

// buildRows formats every pair of a snapshot. It runs in a Cmd, off the UI
// goroutine, and reads the snapshot and prev (the rows of an earlier snapshot, or
// nil) only: a pair whose Rev is the one prev formatted keeps its row, and only its
// skew cell, which counts from the snapshot's time, is formatted again.
func buildRows(snap *model.Snapshot, version uint64, prev *rowSet) *rowSet {
	if snap == nil {
		snap = &model.Snapshot{}
	}
	rs := &rowSet{version: version, snap: snap, rows: make([]row, len(snap.Pairs)), byKey: make(map[string]int, len(snap.Pairs))}
	ns := map[string]int{}
	for i := range snap.Pairs {
		p := &snap.Pairs[i]
		r := &rs.rows[i]
		if !reuseRow(r, p, snap, prev) {
			fillRow(r, p, snap)
		}
		rs.byKey[r.key] = i
		ns[nsScope(p.Cluster, p.Namespace)]++
		if p.Cluster != "" {
			ns[clusterScope(p.Cluster)]++
		}
		switch {
		case p.Health >= model.Critical:
			rs.critical++
		case p.Health >= model.Warning:
			rs.warning++
		}
		for c := range numCols {
			rs.cellW[c] = max(rs.cellW[c], r.w[c])
		}
	}
	rs.colW = rs.cellW
	if sameKeys(rs, prev) {
		for c := range numCols {
			rs.colW[c] = max(rs.colW[c], prev.colW[c])
		}
	}
	for name, n := range ns {
		rs.namespaces = append(rs.namespaces, nsCount{name, n})
	}
	sort.Slice(rs.namespaces, func(i, j int) bool { return rs.namespaces[i].name < rs.namespaces[j].name })
	rs.overdue, rs.oldestOverdue = model.OverdueSummary(snap.Pairs)
	return rs
}

// reuseRow copies prev's row of the same derivation of p, with its skew cell brought to
// the snapshot's time, and reports whether there was one.
func reuseRow(r *row, p *model.Pair, snap *model.Snapshot, prev *rowSet) bool {
	if prev == nil || p.Rev == 0 {
		return false
	}
	j, ok := prev.byKey[p.Key]
	if !ok || prev.rows[j].rev != p.Rev {
		return false
	}
	*r = prev.rows[j]
	r.pair = p
	if !p.Skew.DifferentSince.IsZero() {
		r.cells[colSkew], r.tones[colSkew] = columns[colSkew].cell(r, p, snap)
		r.skewAge = int64(snap.Taken.Sub(p.Skew.DifferentSince))
		r.w[colSkew] = cellWidth(r.cells[colSkew])
		r.fp = fingerprint(r)
	}
	return true
}

// fillRow formats one pair.
func fillRow(r *row, p *model.Pair, snap *model.Snapshot) {
	*r = row{rev: p.Rev}
	r.key, r.pair, r.health = p.Key, p, p.Health
	if r.key == "" {
		r.key = p.Namespace + "/" + firstNonEmpty(p.ModelName, p.ServerName)
	}
	r.alert = p.Health >= model.Warning
	r.model, r.server = firstNonEmpty(p.ModelName, "(no model)"), serverLabel(p)
	if _, hpa, ok := strings.Cut(p.Key, "/hpa:"); ok && p.ModelName == "" && p.ServerName == "" {
		// An HPA of a kind twinscale does not pair: name it and what it scales.
		r.model = "HPA " + hpa
		if h := firstNonNil(p.ModelHPA, p.ServerHPA); h != nil && h.Target.Kind != "" {
			r.server = h.Target.Kind + " " + h.Target.Name
		}
	}
	r.pairText = r.model + " → " + r.server
	r.badges = badgesOf(p)
	for _, b := range r.badges {
		r.worst = max(r.worst, worstOf(b.tone))
	}
	for c := range numCols {
		r.cells[c], r.tones[c] = columns[c].cell(r, p, snap)
	}

	r.rps = -1
	if p.Metric.Known && p.Metric.Problem == "" && finite(p.Metric.RPS) {
		r.rps = p.Metric.RPS
	}
	r.skewAbs = p.Skew.DesiredDiff
	if r.skewAbs < 0 {
		r.skewAbs = -r.skewAbs
	}
	if !p.Skew.DifferentSince.IsZero() {
		r.skewAge = int64(snap.Taken.Sub(p.Skew.DifferentSince))
	}

	r.search = searchText(p)
	r.fp = fingerprint(r)
	for c := range numCols {
		r.w[c] = cellWidth(r.cells[c])
	}
}

// sameKeys reports whether rs holds the pairs prev held, no more and no fewer.
func sameKeys(rs, prev *rowSet) bool {
	if prev == nil || len(prev.rows) != len(rs.rows) {
		return false
	}
	for k := range rs.byKey {
		if _, ok := prev.byKey[k]; !ok {
			return false
		}
	}
	return true
}

// searchText is what the filter matches: namespace, names and labels.
func searchText(p *model.Pair) string {
	var b strings.Builder
	if p.Cluster != "" {
		b.WriteString(p.Cluster + " ")
	}
	b.WriteString(p.Namespace + "/" + p.ModelName + " " + p.ServerName)
	labels := func(m map[string]string) {
		for k, v := range m {
			b.WriteString(" " + k + "=" + v)
		}
	}
	if p.Model != nil {
		labels(p.Model.Labels)
	}
	if p.Server != nil {
		labels(p.Server.Labels)
	}
	if p.ModelHPA != nil {
		b.WriteString(" " + p.ModelHPA.Name)
		labels(p.ModelHPA.Labels)
	}
	if p.ServerHPA != nil {
		b.WriteString(" " + p.ServerHPA.Name)
		labels(p.ServerHPA.Labels)
	}
	return strings.ToLower(b.String())
}

// fingerprint hashes a row's rendered content, so an unchanged pair reuses
// its rendered line across snapshots.
func fingerprint(r *row) uint64 {
	h := fnv.New64a()
	for c := range numCols {
		h.Write([]byte(r.cells[c]))
		h.Write([]byte{0, byte(r.tones[c])})
	}
	for _, b := range r.badges {
		h.Write([]byte(b.text))
		h.Write([]byte{byte(b.tone)})
	}
	return h.Sum64()
}

// firstNonEmpty returns a unless it is empty.
func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// itoa prints an int32.
func itoa(v int32) string { return strconv.Itoa(int(v)) }

// signed prints an int32 with its sign: +1, -2.
func signed(v int32) string {
	if v > 0 {
		return "+" + itoa(v)
	}
	return itoa(v)
}

// firstNonNil returns the first HPA that is set.
func firstNonNil(hs ...*model.HPA) *model.HPA {
	for _, h := range hs {
		if h != nil {
			return h
		}
	}
	return nil
}
