package ui

import (
	"strings"

	"github.com/twinscale/twinscale/model"
)

// Columns of the main table, in display order. STATUS is last: it takes whatever width the
// others leave, so its badges never push a column sideways.
const (
	colSym = iota
	colCluster
	colNS
	colModelName
	colServerName
	colModelDR
	colServerDR
	colHPA
	colRPS
	colPerRep
	colSkew
	colSpark
	colStatus
	numCols
)

// sparkWidth is the number of points the inline sparkline shows.
const sparkWidth = 16

// colKind is how a column's cells are sized and drawn.
type colKind int8

// Column kinds.
const (
	// kindSymbol is the cursor marker and the health symbol.
	kindSymbol colKind = iota
	// kindName is as wide as its longest name (up to its width); when narrowed it keeps
	// both ends, so the distinguishing suffix (-blue, -green, -0042) survives.
	kindName
	// kindNumber is right-aligned in a fixed width that fits what its format prints.
	kindNumber
	// kindText is left-aligned in a fixed width.
	kindText
	// kindSpark is the sparkline; narrowed, it keeps its newest points.
	kindSpark
	// kindBadges is the status badges, each in its own colour; the last column.
	kindBadges
)

// column is everything about one column of the main table: its title (the name the help
// uses too), how it is sized, and its cell.
type column struct {
	// title is the header; short replaces it when the column is narrowed.
	title, short string
	// help says what the column shows, on the help screen.
	help string
	kind colKind
	// width is a value column's fixed width (the widest text its format prints in normal
	// use; a wider cell widens the column until the set of pairs changes), or the most a
	// name column takes.
	width int
	// sortable columns keep a cell for the sort mark after their title.
	sortable bool
	// cell formats the column's cell of a row; fillRow has set r.model, r.server and
	// r.badges before.
	cell func(r *row, p *model.Pair, snap *model.Snapshot) (string, tone)
}

// columns is the main table, indexed by the col constants.
var columns = [numCols]column{
	colSym: {kind: kindSymbol, width: 2,
		help: "▶ the selected row, then its health: ✓ healthy, ~ converging, ! warning, ✗ critical",
		cell: func(r *row, p *model.Pair, _ *model.Snapshot) (string, tone) {
			return healthSymbolPlain(p.Health), healthTone(p.Health)
		}},
	colCluster: {title: "CLUSTER", short: "CLUSTER", kind: kindName, width: 20,
		help: "the kubeconfig context, when several are watched",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) { return p.Cluster, toneText }},
	colNS: {title: "NAMESPACE", short: "NS", kind: kindName, width: 20,
		help: "the pair's namespace",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) { return p.Namespace, toneText }},
	colModelName: {title: "MODEL", short: "MODEL", kind: kindName, width: 32, sortable: true,
		help: "the Seldon Model; ◆ before it: marked (space), ▲: pinned to the top (P); c compares marked pairs",
		cell: func(r *row, _ *model.Pair, _ *model.Snapshot) (string, tone) { return r.model, toneText }},
	colServerName: {title: "SERVER", short: "SERVER", kind: kindName, width: 32,
		help: "the Server the Model is scheduled on (the first column to give way)",
		cell: func(r *row, _ *model.Pair, _ *model.Snapshot) (string, tone) { return r.server, toneText }},
	colModelDR: {title: "MODEL D/R", short: "M D/R", kind: kindNumber, width: 5,
		help: "Model spec.replicas / status.availableReplicas (? = unknown)",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) {
			return countCell(p.ModelDesired, p.ModelReady)
		}},
	colServerDR: {title: "SERVER D/R", short: "S D/R", kind: kindNumber, width: 5,
		help: "Server spec.replicas / ready pods of its StatefulSet",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) {
			return countCell(p.ServerDesired, p.ServerReady)
		}},
	colHPA: {title: "HPA M|S", short: "HPA", kind: kindNumber, width: 5,
		help: "desired replicas of the Model HPA | the Server HPA (– = no HPA)",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) {
			t := toneText
			if p.ModelHPA != nil && p.ServerHPA != nil && p.ModelHPA.DesiredReplicas != p.ServerHPA.DesiredReplicas {
				t = toneConverging
			}
			return hpaDesired(p.ModelHPA) + "|" + hpaDesired(p.ServerHPA), t
		}},
	colRPS: {title: "RPS", short: "RPS", kind: kindNumber, width: 6, sortable: true,
		help: "live requests per second from Prometheus, all replicas (n/a: none, bad: not a number)",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) { return rpsNumber(p.Metric) }},
	colPerRep: {title: "PER REPLICA", short: "PER REP", kind: kindNumber, width: 9,
		help: "RPS per ready Server replica / the HPA target (0 ready: none serves)",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) { return perReplicaCell(p) }},
	colSkew: {title: "SKEW", short: "SKEW", kind: kindText, width: 10, sortable: true,
		help: "Model HPA desired - Server HPA desired, for how long (= same, ~ normal, ! too long, – not two HPA decisions to compare)",
		cell: func(_ *row, p *model.Pair, snap *model.Snapshot) (string, tone) { return skewCell(p, snap) }},
	colSpark: {title: "RPS TREND", short: "TREND", kind: kindSpark, width: sparkWidth,
		help: "recent RPS, ▁ low to █ high; a blank is a gap",
		cell: func(_ *row, p *model.Pair, _ *model.Snapshot) (string, tone) {
			return spark(p.Spark, sparkWidth), toneAccent
		}},
	colStatus: {title: "STATUS", short: "STATUS", kind: kindBadges, sortable: true,
		help: "badges, worst first: SchedFail, drift, max, stale, bad-metric, shape (info findings: detail view)",
		cell: func(r *row, _ *model.Pair, _ *model.Snapshot) (string, tone) {
			parts := make([]string, 0, len(r.badges))
			for _, b := range r.badges {
				parts = append(parts, toneSymbol(b.tone)+b.text)
			}
			return strings.Join(parts, " "), toneText
		}},
}

// giveWayStep is one step of narrowing the table: column c shrinks to width to, takes its
// short title (narrowTitle), or is dropped (dropCol).
type giveWayStep struct{ c, to int }

// Special targets of a give-way step.
const (
	dropCol     = 0
	narrowTitle = -1
)

// allValues as a step's column is every value column at once: their titles shorten
// together, so the title line never mixes "MODEL D/R" with "S D/R".
const allValues = -1

// giveWay is the priority order of the columns as the terminal narrows, first step first:
// the table takes steps until it fits. What an on-call engineer needs at 80 columns (health,
// the Model's name, Model and Server D/R, skew, status) gives way last; the Model's name
// stays whole while anything else can give way.
var giveWay = []giveWayStep{
	{colSpark, 8},
	{allValues, narrowTitle},
	{colServerName, 16},
	{colSpark, dropCol},
	{colNS, 14}, {colCluster, 12},
	{colPerRep, dropCol},
	{colServerName, dropCol},
	{colRPS, dropCol},
	{colNS, 10}, {colCluster, 10},
	{colHPA, dropCol},
	{colStatus, statusMin},
	{colNS, dropCol},
	// Before the cluster goes, a long Model name narrows: the same Model in two clusters
	// would otherwise read as one pair twice.
	{colModelName, 16},
	{colCluster, dropCol},
	{colStatus, 8},
	{colModelName, 8},
	{colStatus, 6},
	{colModelName, 7},
}

// narrowest is the least width column c takes while shown: its last give-way step's.
func narrowest(c, colW int) int {
	w := naturalWidth(c, colW)
	for _, s := range giveWay {
		switch {
		case (s.c != c && (s.c != allValues || columns[c].kind != kindNumber)) || s.to == dropCol:
		case s.to == narrowTitle:
			w = min(w, narrowWidth(c, colW))
		default:
			w = min(w, s.to)
		}
	}
	return w
}

// statusWant is the width the status column is counted at until it gives way to statusMin;
// whatever is left over at the end goes to it too.
const (
	statusMin  = 14
	statusWant = 24
)
