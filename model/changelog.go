package model

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Change is one spec change of a Model, Server or HPA seen by the watch: a timeline entry with before → after.
type Change struct {
	At time.Time `json:"at"`
	// Cluster is the kubeconfig context of the object when several clusters are watched.
	Cluster   string `json:"cluster,omitempty"`
	Kind      string `json:"kind"` // Model, Server or HPA
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Pairs are the keys of the pairs the object belongs to (a Server or HPA can belong to several).
	Pairs  []string `json:"pairs,omitempty"`
	Field  string   `json:"field"` // storageUri, artifactVersion, server, replicas, minReplicas, ..., created, deleted
	Before string   `json:"before,omitempty"`
	After  string   `json:"after,omitempty"`
	// Note qualifies the change ("by hand: Model HPA wants 3").
	Note string `json:"note,omitempty"`
	// Writer names who changed spec.replicas ("Model HPA irisa0-hpa", "Seldon", "kubectl",
	// "Argo CD"); WriterKind classifies it. Empty for other fields, or when nothing tells.
	Writer     string     `json:"writer,omitempty"`
	WriterKind WriterKind `json:"writerKind,omitempty"`
}

// Text renders the change on one line: "Model irisa0: storageUri gs://m/v1 → gs://m/v2".
func (c Change) Text() string {
	var b strings.Builder
	b.WriteString(c.Kind + " " + c.Name + ": ")
	switch c.Field {
	case FieldCreated, FieldDeleted:
		b.WriteString(c.Field)
	default:
		b.WriteString(c.Field + " " + unsetIfEmpty(c.Before) + " → " + unsetIfEmpty(c.After))
	}
	switch {
	case c.Writer != "" && c.Note != "":
		b.WriteString(" (by " + c.Writer + ", " + c.Note + ")")
	case c.Writer != "":
		b.WriteString(" (by " + c.Writer + ")")
	case c.Note != "":
		b.WriteString(" (" + c.Note + ")")
	}
	return b.String()
}

// Event turns the change into an Event so the events pane can merge it with the cluster's Events.
func (c Change) Event() Event {
	reason := "SpecChanged"
	switch {
	case c.Field == FieldReplicas && c.WriterKind == WriterHPA:
		reason = "ReplicasByHPA"
	case c.Field == FieldReplicas && c.WriterKind == WriterSeldon:
		reason = "ReplicasBySeldon"
	case c.Field == FieldReplicas:
		reason = "ReplicasByHand"
	case c.Field == FieldCreated:
		reason = "Created"
	case c.Field == FieldDeleted:
		reason = "Deleted"
	}
	return Event{
		Namespace: c.Namespace, Object: CrossRef{Kind: c.Kind, Name: c.Name},
		Type: "Normal", Reason: reason, Message: c.Text(), Count: 1,
		First: c.At, Last: c.At, Source: "twinscale",
	}
}

func unsetIfEmpty(s string) string {
	if s == "" {
		return "<unset>"
	}
	return s
}

// Change fields with a special meaning.
const (
	FieldCreated  = "created"
	FieldDeleted  = "deleted"
	FieldReplicas = "replicas"
)

// ChangeLogOptions bounds a ChangeLog. Zero values take the defaults.
type ChangeLogOptions struct {
	// PerPair is the ring size per pair (default 50).
	PerPair int
	// Total caps the global ring behind Recent (default 1000).
	Total int
	// HandGrace is how long a replica change may wait for its HPA's desiredReplicas to catch up before it is
	// called a change by hand (default 30 s: the HPA writes the scale before its status, and a snapshot may
	// fall between the two writes).
	HandGrace time.Duration
}

// ChangeLog turns successive Inventories into a bounded timeline of spec changes. Not safe for concurrent use.
//
// It keeps the last Inventory it observed (and its pairs), which the last snapshot holds
// anyway, rather than a copy of every object's fields: an object whose UID and
// resourceVersion did not change is not compared at all, and the fields of the others
// are rendered only to be compared.
type ChangeLog struct {
	opts      ChangeLogOptions
	seen      bool
	prev      Inventory // the last Inventory observed; never modified
	prevPairs []Pair    // its pairs
	pending   map[string]pendingReplicas
	perPair   map[string][]Change
	global    []Change // ring, oldest first
	// added counts entries ever added; touched, when not nil, collects the pair keys that
	// gained one (the Tracker rebuilds those pairs).
	added   int
	touched map[string]bool
	// baseline, while set, makes every observation a new baseline: what the watch lists
	// while it syncs was there before twinscale looked, and is not a change.
	baseline bool
	// cur is the Inventory being observed: its Events and Models explain replica changes.
	cur Inventory
}

type objectFields struct {
	kind, ns, name string
	fields         []field
	pairs          []string
	replicas       string // spec.replicas as text ("" when unset); HPAs use none
	writer         *FieldWriter
}

type field struct{ name, value string }

type pendingReplicas struct {
	change Change
	hpa    string // "Kind/ns/name" of the target whose HPA is expected to explain it
}

// NewChangeLog returns an empty change log.
func NewChangeLog(opts ChangeLogOptions) *ChangeLog {
	if opts.PerPair <= 0 {
		opts.PerPair = 50
	}
	if opts.Total <= 0 {
		opts.Total = 1000
	}
	if opts.HandGrace <= 0 {
		opts.HandGrace = 30 * time.Second
	}
	return &ChangeLog{opts: opts, pending: map[string]pendingReplicas{}, perPair: map[string][]Change{}}
}

// Observe compares inv with the previous Inventory and records every spec change. The first call only
// takes a baseline: what exists when twinscale starts is not a change.
func (l *ChangeLog) Observe(now time.Time, inv Inventory) { l.ObservePairs(now, inv, Join(inv)) }

// ObservePairs is Observe for a caller that has already joined inv: pairs must be Join(inv).
func (l *ChangeLog) ObservePairs(now time.Time, inv Inventory, pairs []Pair) {
	l.observePairs(now, inv, pairs, true)
}

// observePairs is ObservePairs; memo false compares every object, whatever its version (the
// tests' reference).
func (l *ChangeLog) observePairs(now time.Time, inv Inventory, pairs []Pair, memo bool) {
	l.cur = inv
	defer func() { l.cur = Inventory{} }()
	cur := objectIndex(inv)
	pairsOf := pairsOfObjects(pairs)
	hpaDesired := map[string]int32{} // "Kind/ns/target" → desiredReplicas of the HPA scaling it
	hpaOf := map[string]string{}
	for _, h := range inv.HPAs {
		if h.DesiredReplicas == 0 {
			continue // 0 until the HPA's first successful computation
		}
		t := h.Target.Kind + "/" + h.Namespace + "/" + h.Target.Name
		hpaDesired[t] = h.DesiredReplicas
		hpaOf[t] = h.Name
	}
	want := func(target string) (int32, string, bool) {
		n, ok := hpaDesired[target]
		return n, hpaOf[target], ok
	}

	if l.seen && !l.baseline {
		old := objectIndex(l.prev)
		// Walk in key order so entries at the same instant come out in a stable order.
		keys := make([]string, 0, len(cur))
		for k := range cur {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r := cur[k]
			pr, ok := old[k]
			if !ok {
				o := render(inv, r, pairsOf[k])
				l.add(Change{At: now, Kind: o.kind, Namespace: o.ns, Name: o.name, Pairs: o.pairs, Field: FieldCreated})
				continue
			}
			if memo && sameVersion(r.meta(inv), pr.meta(l.prev)) {
				continue
			}
			l.compare(now, k, render(l.prev, pr, nil), render(inv, r, pairsOf[k]), want)
		}
		var oldKeys []string
		for k := range old {
			if _, ok := cur[k]; !ok {
				oldKeys = append(oldKeys, k)
			}
		}
		sort.Strings(oldKeys)
		var oldPairsOf map[string][]string
		for _, k := range oldKeys {
			if oldPairsOf == nil {
				oldPairsOf = pairsOfObjects(l.prevPairs)
			}
			o := render(l.prev, old[k], oldPairsOf[k])
			l.add(Change{At: now, Kind: o.kind, Namespace: o.ns, Name: o.name, Pairs: o.pairs, Field: FieldDeleted})
			delete(l.pending, k)
		}
	}
	l.resolvePending(now, func(k string) (objectFields, bool) {
		r, ok := cur[k]
		if !ok {
			return objectFields{}, false
		}
		return render(inv, r, nil), true
	}, want)
	l.prev, l.prevPairs, l.seen = inv, pairs, true

	// Forget the rings of pairs that no longer exist; the global ring still remembers their last entries.
	live := map[string]bool{}
	for _, ks := range pairsOf {
		for _, k := range ks {
			live[k] = true
		}
	}
	for k := range l.perPair {
		if !live[k] {
			delete(l.perPair, k)
		}
	}
}

// sameVersion reports whether two objects are one object at one version: their fields
// are the same and need no comparing.
func sameVersion(a, b *Meta) bool {
	return a.UID != "" && a.ResourceVersion != "" && a.UID == b.UID && a.ResourceVersion == b.ResourceVersion
}

// objRef locates a Model, Server or HPA in an Inventory.
type objRef struct {
	kind string // Model, Server or HPA
	i    int
}

func (r objRef) meta(inv Inventory) *Meta {
	switch r.kind {
	case "Model":
		return &inv.Models[r.i].Meta
	case "Server":
		return &inv.Servers[r.i].Meta
	}
	return &inv.HPAs[r.i].Meta
}

// objectIndex maps "Kind/ns/name" to the Models, Servers and HPAs of inv.
func objectIndex(inv Inventory) map[string]objRef {
	out := make(map[string]objRef, len(inv.Models)+len(inv.Servers)+len(inv.HPAs))
	for i := range inv.Models {
		out["Model/"+inv.Models[i].Key()] = objRef{"Model", i}
	}
	for i := range inv.Servers {
		out["Server/"+inv.Servers[i].Key()] = objRef{"Server", i}
	}
	for i := range inv.HPAs {
		out["HPA/"+inv.HPAs[i].Key()] = objRef{"HPA", i}
	}
	return out
}

// render flattens the fields of one object worth a timeline entry.
func render(inv Inventory, r objRef, pairs []string) objectFields {
	switch r.kind {
	case "Model":
		return modelFields(&inv.Models[r.i], pairs)
	case "Server":
		return serverFields(&inv.Servers[r.i], pairs)
	}
	return hpaFields(&inv.HPAs[r.i], pairs)
}

// pairsOfObjects files the keys of the pairs Join put each object in under "Kind/ns/name", sorted.
func pairsOfObjects(pairs []Pair) map[string][]string {
	out := map[string][]string{}
	add := func(k, key string) {
		if !slices.Contains(out[k], key) {
			out[k] = append(out[k], key)
		}
	}
	for _, p := range pairs {
		if p.Model != nil {
			add("Model/"+p.Model.Key(), p.Key)
		}
		if p.Server != nil {
			add("Server/"+p.Server.Key(), p.Key)
		}
		if p.ModelHPA != nil {
			add("HPA/"+p.ModelHPA.Key(), p.Key)
		}
		if p.ServerHPA != nil {
			add("HPA/"+p.ServerHPA.Key(), p.Key)
		}
	}
	for _, ks := range out {
		sort.Strings(ks)
	}
	return out
}

// compare records the changes between an object's last fields and its current ones.
func (l *ChangeLog) compare(now time.Time, k string, old, o objectFields, want hpaLookup) {
	for i, f := range o.fields {
		before := ""
		if i < len(old.fields) && old.fields[i].name == f.name {
			before = old.fields[i].value
		}
		if before != f.value {
			l.add(Change{At: now, Kind: o.kind, Namespace: o.ns, Name: o.name, Pairs: o.pairs,
				Field: f.name, Before: before, After: f.value})
		}
	}
	if o.kind != "HPA" && old.replicas != o.replicas {
		l.replicaChange(now, k, o, old, want)
	}
}

// hpaLookup returns the desiredReplicas and name of the HPA scaling "Kind/ns/target", or false.
type hpaLookup func(target string) (int32, string, bool)

// observeChanged is ObservePairs for an Inventory with the same objects, names and links
// in the same places as the last one observed, in which only the objects at the given
// indexes changed; pairsOf gives the sorted keys of the pairs an object is in. Entries
// come out in the same order ObservePairs would give them. Call setPairs with the new
// pairs afterwards.
func (l *ChangeLog) observeChanged(now time.Time, inv Inventory, models, servers, hpas []int32,
	pairsOf func(kind string, i int32) []string) {
	type item struct {
		key string
		ref objRef
	}
	items := make([]item, 0, len(models)+len(servers)+len(hpas))
	for _, i := range models {
		items = append(items, item{"Model/" + inv.Models[i].Key(), objRef{"Model", int(i)}})
	}
	for _, i := range servers {
		items = append(items, item{"Server/" + inv.Servers[i].Key(), objRef{"Server", int(i)}})
	}
	for _, i := range hpas {
		items = append(items, item{"HPA/" + inv.HPAs[i].Key(), objRef{"HPA", int(i)}})
	}
	sort.Slice(items, func(a, b int) bool { return items[a].key < items[b].key })
	want := scanHPAs(inv)
	l.cur = inv
	defer func() { l.cur = Inventory{} }()
	if l.baseline {
		items = nil
	}
	for _, it := range items {
		l.compare(now, it.key, render(l.prev, it.ref, nil), render(inv, it.ref, pairsOf(it.ref.kind, int32(it.ref.i))), want)
	}
	l.resolvePending(now, func(k string) (objectFields, bool) { return findObject(inv, k) }, want)
	l.prev = inv
}

// setPairs records the pairs of the Inventory observeChanged last saw.
func (l *ChangeLog) setPairs(pairs []Pair) { l.prevPairs = pairs }

// findObject renders the object of "Kind/ns/name" in inv, scanning: pending changes are few.
func findObject(inv Inventory, key string) (objectFields, bool) {
	kind, rest, _ := strings.Cut(key, "/")
	ns, name, _ := strings.Cut(rest, "/")
	found := -1
	match := func(m *Meta, i int) {
		if m.Namespace == ns && m.Name == name {
			found = i
		}
	}
	switch kind {
	case "Model":
		for i := range inv.Models {
			match(&inv.Models[i].Meta, i)
		}
	case "Server":
		for i := range inv.Servers {
			match(&inv.Servers[i].Meta, i)
		}
	case "HPA":
		for i := range inv.HPAs {
			match(&inv.HPAs[i].Meta, i)
		}
	}
	if found < 0 {
		return objectFields{}, false
	}
	return render(inv, objRef{kind, found}, nil), true
}

// scanHPAs looks a target's HPA up the way ObservePairs' maps do (the last HPA in the
// Inventory's order with a desired count wins), scanning instead of indexing: it is
// asked only about the few targets whose replicas changed.
func scanHPAs(inv Inventory) hpaLookup {
	return func(target string) (int32, string, bool) {
		var n int32
		var name string
		found := false
		for i := range inv.HPAs {
			h := &inv.HPAs[i]
			if h.DesiredReplicas == 0 || len(target) != len(h.Target.Kind)+len(h.Namespace)+len(h.Target.Name)+2 {
				continue
			}
			if h.Target.Kind+"/"+h.Namespace+"/"+h.Target.Name == target {
				n, name, found = h.DesiredReplicas, h.Name, true
			}
		}
		return n, name, found
	}
}

// replicaChange records a spec.replicas change with who made it: the object's HPA (its
// SuccessfulRescale event or its desiredReplicas), the managedFields entry that took
// spec.replicas with this write, or Seldon's scheduler by what preceded it. A change the
// HPA may still explain waits up to HandGrace for the HPA's status.
func (l *ChangeLog) replicaChange(now time.Time, key string, o objectFields, old objectFields, want hpaLookup) {
	before := old.replicas
	c := Change{At: now, Kind: o.kind, Namespace: o.ns, Name: o.name, Pairs: o.pairs,
		Field: FieldReplicas, Before: before, After: o.replicas}
	if p, ok := l.pending[key]; ok {
		// The earlier change was never explained by the HPA before this one replaced it.
		l.add(p.change)
		delete(l.pending, key)
	}
	target := o.kind + "/" + o.ns + "/" + o.name
	n, name, hasHPA := want(target)
	if hpa, ok := l.rescaledBy(o, now); ok {
		c.Writer, c.WriterKind = o.kind+" HPA "+hpa, WriterHPA
		l.add(c)
		return
	}
	if w := o.writer; w != nil && newWrite(old.writer, w) {
		kind, who := ClassifyManager(w.Manager)
		if kind == WriterHPA && hasHPA {
			who = o.kind + " HPA " + name
		}
		c.Writer, c.WriterKind = who, kind
		l.add(c)
		return
	}
	if !hasHPA {
		if cue, ok := l.seldonBy(o, before); ok {
			c.Writer, c.WriterKind, c.Note = "Seldon's scheduler", WriterSeldon, cue
		} else {
			c.Note = "by hand: no " + o.kind + " HPA"
		}
		l.add(c)
		return
	}
	if strconv.Itoa(int(n)) == o.replicas {
		c.Writer, c.WriterKind = o.kind+" HPA "+name, WriterHPA
		l.add(c)
		return
	}
	c.Note = fmt.Sprintf("by hand: %s HPA %s wants %d", o.kind, name, n)
	l.pending[key] = pendingReplicas{change: c, hpa: target}
}

// newWrite reports whether the managedFields entry owning spec.replicas is a newer write
// than the one seen before: another manager, or the same one at a later time.
func newWrite(old, cur *FieldWriter) bool {
	if old == nil {
		return true
	}
	return old.Manager != cur.Manager || cur.Time.After(old.Time)
}

// rescaledBy finds a SuccessfulRescale Event of the HPA scaling o to its new size, at most
// two sync periods old: the controller's own word that it made the change.
func (l *ChangeLog) rescaledBy(o objectFields, now time.Time) (string, bool) {
	size, err := strconv.Atoi(o.replicas)
	if err != nil {
		return "", false
	}
	hpas := map[string]bool{}
	for i := range l.cur.HPAs {
		h := &l.cur.HPAs[i]
		if h.Namespace == o.ns && h.Target.Kind == o.kind && h.Target.Name == o.name {
			hpas[h.Name] = true
		}
	}
	for _, e := range l.cur.Events {
		if e.Reason != "SuccessfulRescale" || e.Namespace != o.ns || !hpas[e.Object.Name] ||
			e.Last.After(now.Add(SyncPeriod)) || now.Sub(e.Last) > 2*SyncPeriod {
			continue
		}
		if n, ok := parseRescale(e.Message); ok && int(n) == size {
			return e.Object.Name, true
		}
	}
	return "", false
}

// seldonBy attributes a Server change no HPA explains to Seldon's scheduler when what
// preceded it is the scheduler's cue: a Model of the Server ScheduleFailed (scale up), or
// a Server scaled down with no HPA at all (empty replicas are removed).
func (l *ChangeLog) seldonBy(o objectFields, before string) (string, bool) {
	if o.kind != KindServer {
		return "", false
	}
	from, err1 := strconv.Atoi(before)
	to, err2 := strconv.Atoi(o.replicas)
	if err1 != nil || err2 != nil {
		return "", false
	}
	most, served := int32(0), false
	for i := range l.cur.Models {
		m := &l.cur.Models[i]
		if m.Namespace != o.ns || m.Server != o.name {
			continue
		}
		served = true
		most = max(most, joinDesired(m.Replicas).Value)
		if to > from && DetectScheduleFailed(m) != nil {
			return "after ScheduleFailed", true
		}
	}
	if to < from && served && int32(to) >= most {
		return "empty replica removed", true
	}
	return "", false
}

func (l *ChangeLog) resolvePending(now time.Time, cur func(key string) (objectFields, bool), want hpaLookup) {
	if len(l.pending) == 0 {
		return
	}
	keys := make([]string, 0, len(l.pending))
	for k := range l.pending {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := l.pending[k]
		o, ok := cur(k)
		if !ok {
			delete(l.pending, k)
			continue
		}
		n, name, hasHPA := want(p.hpa)
		if hasHPA && strconv.Itoa(int(n)) == o.replicas {
			// The HPA's status caught up: it was the HPA after all.
			p.change.Note, p.change.Writer, p.change.WriterKind = "", o.kind+" HPA "+name, WriterHPA
			l.add(p.change)
			delete(l.pending, k)
			continue
		}
		if now.Sub(p.change.At) >= l.opts.HandGrace {
			if hasHPA {
				p.change.Note = fmt.Sprintf("by hand: %s HPA %s wants %d", o.kind, name, n)
			}
			l.add(p.change)
			delete(l.pending, k)
		}
	}
}

func (l *ChangeLog) add(c Change) {
	l.added++
	for _, k := range c.Pairs {
		if l.touched != nil {
			l.touched[k] = true
		}
		l.perPair[k] = insertBounded(l.perPair[k], c, l.opts.PerPair)
	}
	l.global = insertBounded(l.global, c, l.opts.Total)
}

// insertBounded keeps ring in time order (a change by hand is confirmed after its grace, later than
// changes seen meanwhile) and drops the oldest entries beyond limit.
func insertBounded(ring []Change, c Change, limit int) []Change {
	i := len(ring)
	for i > 0 && ring[i-1].At.After(c.At) {
		i--
	}
	ring = slices.Insert(ring, i, c)
	if len(ring) > limit {
		// Copy instead of reslicing so the dropped entries can be collected.
		ring = append(ring[:0:0], ring[len(ring)-limit:]...)
	}
	return ring
}

// Entries returns the changes of one pair, newest first (a copy).
func (l *ChangeLog) Entries(key string) []Change {
	return reversed(l.perPair[key])
}

// Recent returns the n newest changes across all pairs, newest first (a copy); n <= 0 means all kept.
func (l *ChangeLog) Recent(n int) []Change {
	g := l.global
	if n > 0 && n < len(g) {
		g = g[len(g)-n:]
	}
	return reversed(g)
}

func reversed(in []Change) []Change {
	if len(in) == 0 {
		return nil
	}
	out := make([]Change, len(in))
	for i, c := range in {
		out[len(in)-1-i] = c
	}
	return out
}

// Annotate stores each pair's recent changes on the pair and the newest changes on the snapshot.
// The caller owns s and calls this before publishing it.
func (l *ChangeLog) Annotate(s *Snapshot, perPair, total int) {
	for i := range s.Pairs {
		e := l.Entries(s.Pairs[i].Key)
		if perPair > 0 && len(e) > perPair {
			e = e[:perPair]
		}
		s.Pairs[i].Changes = e
	}
	s.Changes = l.Recent(total)
}

// modelFields are the fields of a Model worth a timeline entry.
func modelFields(m *SeldonModel, pairs []string) objectFields {
	return objectFields{
		kind: "Model", ns: m.Namespace, name: m.Name, pairs: pairs,
		replicas: optInt32(m.Replicas), writer: m.ReplicasWriter,
		fields: []field{
			{"storageUri", m.StorageURI},
			{"artifactVersion", optInt64(m.ArtifactVersion)},
			{"server", m.Server},
			{"minReplicas", optInt32(m.MinReplicas)},
			{"maxReplicas", optInt32(m.MaxReplicas)},
		},
	}
}

// serverFields are the fields of a Server worth a timeline entry.
func serverFields(s *SeldonServer, pairs []string) objectFields {
	return objectFields{
		kind: "Server", ns: s.Namespace, name: s.Name, pairs: pairs,
		replicas: optInt32(s.Replicas), writer: s.ReplicasWriter,
		fields: []field{
			{"serverConfig", s.ServerConfig},
			{"minReplicas", optInt32(s.MinReplicas)},
			{"maxReplicas", optInt32(s.MaxReplicas)},
		},
	}
}

// hpaFields are the fields of an HPA worth a timeline entry.
func hpaFields(h *HPA, pairs []string) objectFields {
	f := []field{
		{"target", h.Target.Kind + "/" + h.Target.Name},
		{"minReplicas", strconv.Itoa(int(h.MinReplicas))},
		{"maxReplicas", strconv.Itoa(int(h.MaxReplicas))},
		{"metrics", MetricsText(h.Metrics)},
	}
	var up, down *ScalingRules
	if h.Behavior != nil {
		up, down = h.Behavior.ScaleUp, h.Behavior.ScaleDown
	}
	f = append(f, field{"behavior.scaleUp", RulesText(up)}, field{"behavior.scaleDown", RulesText(down)})
	return objectFields{kind: "HPA", ns: h.Namespace, name: h.Name, pairs: pairs, fields: f}
}

func optInt32(p *int32) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(int(*p))
}

func optInt64(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// MetricsText renders an HPA's metric targets on one line: "Object infer_rps on Model/irisa0 AverageValue 3".
func MetricsText(ms []MetricTarget) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		s := m.Type + " " + m.Name
		if m.DescribedObject.Name != "" {
			s += " on " + m.DescribedObject.Kind + "/" + m.DescribedObject.Name
		}
		s += " " + m.TargetType + " " + strconv.FormatFloat(m.Target, 'g', -1, 64)
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

// RulesText renders one direction of an HPA's behavior on one line; nil reads "default".
func RulesText(r *ScalingRules) string {
	if r == nil {
		return "default"
	}
	var parts []string
	if r.StabilizationWindowSeconds != nil {
		parts = append(parts, "window "+FormatDuration(time.Duration(*r.StabilizationWindowSeconds)*time.Second))
	}
	if r.SelectPolicy != "" {
		parts = append(parts, "select "+r.SelectPolicy)
	}
	for _, p := range r.Policies {
		parts = append(parts, p.String())
	}
	if r.Tolerance != nil {
		parts = append(parts, "tolerance "+strconv.FormatFloat(*r.Tolerance, 'g', -1, 64))
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, ", ")
}
