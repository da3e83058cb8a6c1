package model

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// trackerCache is what a Tracker keeps of its last build so that the next one, when only a
// few objects changed, rebuilds just the pairs they belong to and copies the others.
//
// A rebuild is incremental only when the Inventory has the same objects, names and links
// (Model.spec.server and the Server its .status.selector names, HPA targets and the
// objects their metrics describe, workload kinds) in the same order as the last one and
// the access and sync state are unchanged. An object counts as unchanged when its UID and
// resourceVersion are; objects without a resourceVersion (fixtures, hand-made
// inventories) always count as changed. A pair none of whose objects changed is copied
// with its analysis, unless that analysis is older than TrackerOptions.Refresh (a few
// such pairs are analysed again per build), metrics arrived or the history head moved
// (every pair is analysed again, without a join).
type trackerCache struct {
	ok     bool
	inv    Inventory
	plans  []pairPlan
	pairs  []Pair    // the last snapshot's pairs; shared with it, never modified
	joinEv [][]Event // each pair's Events as Join found them, before change entries
	snapEv []Event   // the snapshot's Events as BuildSnapshot found them
	events []Event   // the last snapshot's Events and Changes
	change []Change  //
	// analyzed is when each pair was last derived; cursor is where refreshDue goes on.
	analyzed []time.Time
	cursor   int
	access   map[string]Access
	synced   bool
	// sorted says Models, Servers and HPAs are strictly ordered by namespace and name, so an
	// Event finds its object by binary search.
	sorted bool
	// paired marks the objects a pair holds; BuildSnapshot keeps the Events about those.
	pairedModel, pairedServer, pairedHPA []bool

	// Scratch marks of changed objects, reused from build to build.
	dirtyModel, dirtyServer, dirtyWorkload, dirtyHPA []bool
}

// remember records a full build.
func (c *trackerCache) remember(now time.Time, inv Inventory, w WatchState, snap *Snapshot, plans []pairPlan, joinEv [][]Event, snapEv []Event) {
	c.ok = true
	c.inv, c.plans, c.pairs, c.joinEv, c.snapEv = inv, plans, snap.Pairs, joinEv, snapEv
	c.analyzed = slices.Grow(c.analyzed[:0], len(plans))[:len(plans)]
	for i := range c.analyzed {
		c.analyzed[i] = now
	}
	c.cursor = 0
	c.events, c.change = snap.Events, snap.Changes
	c.access = maps.Clone(inv.Access)
	c.synced = w.Synced
	c.sorted = sortedByMeta(len(inv.Models), func(i int) *Meta { return &inv.Models[i].Meta }) &&
		sortedByMeta(len(inv.Servers), func(i int) *Meta { return &inv.Servers[i].Meta }) &&
		sortedByMeta(len(inv.HPAs), func(i int) *Meta { return &inv.HPAs[i].Meta })
	c.pairedModel = marks(c.pairedModel, len(inv.Models))
	c.pairedServer = marks(c.pairedServer, len(inv.Servers))
	c.pairedHPA = marks(c.pairedHPA, len(inv.HPAs))
	for _, pl := range plans {
		if pl.model >= 0 {
			c.pairedModel[pl.model] = true
		}
		if pl.server >= 0 {
			c.pairedServer[pl.server] = true
		}
		for _, h := range []int32{pl.modelHPA, pl.serverHPA} {
			if h >= 0 {
				c.pairedHPA[h] = true
			}
		}
	}
}

// marks returns a cleared slice of n marks, reusing buf.
func marks(buf []bool, n int) []bool {
	if cap(buf) < n {
		return make([]bool, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

func sortedByMeta(n int, meta func(int) *Meta) bool {
	for i := 1; i < n; i++ {
		a, b := meta(i-1), meta(i)
		if c := strings.Compare(a.Namespace, b.Namespace); c > 0 || c == 0 && a.Name >= b.Name {
			return false
		}
	}
	return true
}

// findMeta finds namespace/name in a slice sorted by sortedByMeta, or -1.
func findMeta(n int, meta func(int) *Meta, ns, name string) int {
	i := sort.Search(n, func(i int) bool {
		m := meta(i)
		return m.Namespace > ns || m.Namespace == ns && m.Name >= name
	})
	if i < n && meta(i).Namespace == ns && meta(i).Name == name {
		return i
	}
	return -1
}

// same reports whether an object is the same object at the same version as before (a
// UID names one object for its life, so its name is the same too).
func same(a, b *Meta) bool {
	return a.ResourceVersion != "" && a.UID != "" && a.ResourceVersion == b.ResourceVersion && a.UID == b.UID
}

func sameName(a, b *Meta) bool { return a.Namespace == b.Namespace && a.Name == b.Name }

// changes is what differs between the cached Inventory and a new one of the same shape.
type changes struct {
	// Indexes of the Models, Servers and HPAs whose spec or status changed (for the change log).
	models, servers, hpas []int32
	events                bool
}

// diff compares inv with the cached Inventory. It marks the changed objects (and the
// objects whose Events changed) and reports false when inv does not have the same shape.
func (c *trackerCache) diff(inv Inventory) (changes, bool) {
	var ch changes
	prev := c.inv
	if len(inv.Models) != len(prev.Models) || len(inv.Servers) != len(prev.Servers) ||
		len(inv.Workloads) != len(prev.Workloads) || len(inv.HPAs) != len(prev.HPAs) {
		return ch, false
	}
	c.dirtyModel = marks(c.dirtyModel, len(inv.Models))
	c.dirtyServer = marks(c.dirtyServer, len(inv.Servers))
	c.dirtyWorkload = marks(c.dirtyWorkload, len(inv.Workloads))
	c.dirtyHPA = marks(c.dirtyHPA, len(inv.HPAs))
	// A slice the watcher handed over again is the same objects: the Inventory's
	// objects are never modified once built (see Join).
	for i := range inv.Models {
		if i == 0 && &inv.Models[0] == &prev.Models[0] {
			break
		}
		a, b := &inv.Models[i], &prev.Models[i]
		if same(&a.Meta, &b.Meta) {
			continue
		}
		// Scheduling writes .status.selector after the Model was created: the pair's
		// Server may move without spec.server changing.
		if !sameName(&a.Meta, &b.Meta) || a.Server != b.Server || ScheduledServer(a.Selector) != ScheduledServer(b.Selector) {
			return ch, false
		}
		c.dirtyModel[i] = true
		ch.models = append(ch.models, int32(i))
	}
	for i := range inv.Servers {
		if i == 0 && &inv.Servers[0] == &prev.Servers[0] {
			break
		}
		a, b := &inv.Servers[i], &prev.Servers[i]
		if same(&a.Meta, &b.Meta) {
			continue
		}
		if !sameName(&a.Meta, &b.Meta) {
			return ch, false
		}
		c.dirtyServer[i] = true
		ch.servers = append(ch.servers, int32(i))
	}
	for i := range inv.Workloads {
		if i == 0 && &inv.Workloads[0] == &prev.Workloads[0] {
			break
		}
		a, b := &inv.Workloads[i], &prev.Workloads[i]
		if same(&a.Meta, &b.Meta) {
			continue
		}
		if !sameName(&a.Meta, &b.Meta) || a.Kind != b.Kind {
			return ch, false
		}
		c.dirtyWorkload[i] = true
	}
	for i := range inv.HPAs {
		if i == 0 && &inv.HPAs[0] == &prev.HPAs[0] {
			break
		}
		a, b := &inv.HPAs[i], &prev.HPAs[i]
		if same(&a.Meta, &b.Meta) {
			continue
		}
		if !sameName(&a.Meta, &b.Meta) || a.Target != b.Target || !sameDescribed(a, b) {
			return ch, false
		}
		c.dirtyHPA[i] = true
		ch.hpas = append(ch.hpas, int32(i))
	}
	if !slices.Equal(inv.Events, prev.Events) {
		ch.events = true
		if !c.sorted || !diffEvents(prev.Events, inv.Events, func(e *Event) { c.markEvent(inv, e) }) {
			return ch, false
		}
	}
	return ch, true
}

// markEvent marks the object an Event is about as changed.
func (c *trackerCache) markEvent(inv Inventory, e *Event) {
	switch e.Object.Kind {
	case KindModel:
		if i := findMeta(len(inv.Models), func(i int) *Meta { return &inv.Models[i].Meta }, e.Namespace, e.Object.Name); i >= 0 {
			c.dirtyModel[i] = true
		}
	case KindServer:
		if i := findMeta(len(inv.Servers), func(i int) *Meta { return &inv.Servers[i].Meta }, e.Namespace, e.Object.Name); i >= 0 {
			c.dirtyServer[i] = true
		}
	case "HorizontalPodAutoscaler":
		if i := findMeta(len(inv.HPAs), func(i int) *Meta { return &inv.HPAs[i].Meta }, e.Namespace, e.Object.Name); i >= 0 {
			c.dirtyHPA[i] = true
		}
	}
}

// pairedEvent reports whether BuildSnapshot keeps an Event: it is about an object of a pair.
func (c *trackerCache) pairedEvent(inv Inventory, e *Event) bool {
	switch e.Object.Kind {
	case KindModel:
		i := findMeta(len(inv.Models), func(i int) *Meta { return &inv.Models[i].Meta }, e.Namespace, e.Object.Name)
		return i >= 0 && c.pairedModel[i]
	case KindServer:
		i := findMeta(len(inv.Servers), func(i int) *Meta { return &inv.Servers[i].Meta }, e.Namespace, e.Object.Name)
		return i >= 0 && c.pairedServer[i]
	case "HorizontalPodAutoscaler":
		i := findMeta(len(inv.HPAs), func(i int) *Meta { return &inv.HPAs[i].Meta }, e.Namespace, e.Object.Name)
		return i >= 0 && c.pairedHPA[i]
	}
	return false
}

// snapshotEvents is BuildSnapshot's Event list for an Inventory whose Events are sorted
// newest first (diff checked that).
func (c *trackerCache) snapshotEvents(inv Inventory) []Event {
	var out []Event
	for i := range inv.Events {
		if c.pairedEvent(inv, &inv.Events[i]) {
			out = append(out, inv.Events[i])
			if len(out) == MaxSnapshotEvents {
				break
			}
		}
	}
	return out
}

// refreshDue picks, round robin from where the last build stopped, up to budget pairs
// whose analysis is at least maxAge old: reused pairs are analysed again at the new time,
// so time-based text (the next sync in ~6 s, for how long) stays close to the clock.
func (c *trackerCache) refreshDue(now time.Time, maxAge time.Duration, budget int) map[int]bool {
	n := len(c.analyzed)
	var due map[int]bool
	start := c.cursor
	for k := 0; k < n && len(due) < budget; k++ {
		i := (start + k) % n
		if now.Sub(c.analyzed[i]) >= maxAge {
			if due == nil {
				due = map[int]bool{}
			}
			due[i] = true
			c.cursor = (i + 1) % n
		}
	}
	return due
}

// dirty reports whether any object of the pair changed.
func (c *trackerCache) dirty(pl pairPlan) bool {
	return pl.model >= 0 && c.dirtyModel[pl.model] || pl.server >= 0 && c.dirtyServer[pl.server] ||
		pl.workload >= 0 && c.dirtyWorkload[pl.workload] || pl.modelHPA >= 0 && c.dirtyHPA[pl.modelHPA] ||
		pl.serverHPA >= 0 && c.dirtyHPA[pl.serverHPA]
}

// diffEvents walks two Event lists sorted newest first (as SortEventsNewestFirst leaves
// them) in step and calls changed for every Event that is in one list and not the other,
// and for both of two Events that sort alike but differ. It reports false, having
// stopped, when either list is not in that order.
func diffEvents(old, cur []Event, changed func(e *Event)) bool {
	i, j := 0, 0
	for i < len(old) || j < len(cur) {
		if i > 0 && i < len(old) && eventOrder(&old[i-1], &old[i]) > 0 {
			return false
		}
		if j > 0 && j < len(cur) && eventOrder(&cur[j-1], &cur[j]) > 0 {
			return false
		}
		switch {
		case i == len(old):
			changed(&cur[j])
			j++
		case j == len(cur):
			changed(&old[i])
			i++
		case old[i] == cur[j]:
			i++
			j++
		default:
			switch c := eventOrder(&old[i], &cur[j]); {
			case c < 0:
				changed(&old[i])
				i++
			case c > 0:
				changed(&cur[j])
				j++
			default:
				changed(&old[i])
				changed(&cur[j])
				i++
				j++
			}
		}
	}
	return true
}

// point sets a pair's object pointers to the plan's objects in inv.
func (pl pairPlan) point(p *Pair, inv Inventory) {
	p.Model, p.Server, p.Workload, p.ModelHPA, p.ServerHPA = nil, nil, nil, nil, nil
	if pl.model >= 0 {
		p.Model = &inv.Models[pl.model]
	}
	if pl.server >= 0 {
		p.Server = &inv.Servers[pl.server]
	}
	if pl.workload >= 0 {
		p.Workload = &inv.Workloads[pl.workload]
	}
	if pl.modelHPA >= 0 {
		p.ModelHPA = &inv.HPAs[pl.modelHPA]
	}
	if pl.serverHPA >= 0 {
		p.ServerHPA = &inv.HPAs[pl.serverHPA]
	}
}

// rejoin is what Join gives for a pair of the same shape as base over a newer inv,
// without its Events and Health: the names, shape flags and the counts that depend on
// access come from base, the rest from the objects.
func (pl pairPlan) rejoin(base *Pair, inv Inventory) Pair {
	p := Pair{
		Key: base.Key, Namespace: base.Namespace, ModelName: base.ModelName, ServerName: base.ServerName,
		Link: base.Link, ScheduledOn: base.ScheduledOn, Elsewhere: base.Elsewhere,
		ModelDesired: base.ModelDesired, ModelReady: base.ModelReady,
		ServerDesired: base.ServerDesired, ServerReady: base.ServerReady,
		Shape: base.Shape, OtherModels: base.OtherModels,
	}
	pl.point(&p, inv)
	if m := p.Model; m != nil {
		p.ModelDesired, p.ModelReady = joinDesired(m.Replicas), Known(m.AvailableReplicas)
	}
	if s := p.Server; s != nil {
		p.ServerDesired = joinDesired(s.Replicas)
		if w := p.Workload; w != nil {
			p.ServerReady = Known(w.ReadyReplicas)
		}
	}
	if pl.kind == rowModel {
		p.ScheduleFailed = DetectScheduleFailed(p.Model)
	}
	return p
}

// buildIncremental rebuilds only the pairs whose objects changed since the last build, or
// reports false when the build must be a full one.
func (t *Tracker) buildIncremental(now time.Time, inv Inventory, w WatchState) (Snapshot, bool) {
	c := &t.cache
	if !c.ok || w.Synced != c.synced || !maps.Equal(inv.Access, c.access) {
		return Snapshot{}, false
	}
	ch, ok := c.diff(inv)
	if !ok {
		return Snapshot{}, false
	}
	// New metrics, or a clock that moved the history head, change every pair's metric,
	// sparkline or staleness: every pair is derived again, but not joined again.
	all := t.metricsDirty || !t.history.headAt(now)
	if t.metricsDirty && w.Synced {
		// A poll may bring series of Models no pair has; the full build drops those too.
		t.history.Retain(func(key string) bool { return t.keep[key] })
	}
	t.metricsDirty = false
	touched := map[string]bool{}
	changesMoved := t.rollouts.applyChanged(now, inv, ch.models, ch.servers, ch.hpas, c.pairsOf, touched)

	var refresh map[int]bool
	if !all {
		refresh = c.refreshDue(now, t.opts.Refresh, t.opts.RefreshBudget)
	}
	var j *joiner
	pairs := make([]Pair, len(c.plans))
	for i, pl := range c.plans {
		old := &c.pairs[i]
		if !all && !c.dirty(pl) && (len(touched) == 0 || !touched[old.Key]) && (len(refresh) == 0 || !refresh[i]) {
			pairs[i] = *old
			pl.point(&pairs[i], inv)
			continue
		}
		c.analyzed[i] = now
		p := &pairs[i]
		*p = pl.rejoin(old, inv)
		if ch.events {
			if j == nil {
				j = &joiner{events: joinEvents(inv.Events)}
			}
			c.joinEv[i] = j.pairEvents(p)
		}
		p.Events = c.joinEv[i]
		joinSeldon(p)
		p.Health = joinHealth(p)
		t.derive(now, p)
		t.analyzer.applyPair(now, p)
		t.rollouts.annotateChanged(now, p, t.recentRPS)
	}

	snap := Snapshot{Taken: now, Watch: w, Pairs: pairs, Events: c.events, Changes: c.change, Prom: t.prom, MetricsAPI: t.metricsAPI.State}
	if ch.events {
		c.snapEv = c.snapshotEvents(inv)
	}
	if ch.events || changesMoved {
		snap.Changes = t.rollouts.snapshotChanges()
		snap.Events = mergeChangeEvents(c.snapEv, snap.Changes, MaxSnapshotEvents)
	}
	c.inv, c.pairs, c.events, c.change = inv, pairs, snap.Events, snap.Changes
	t.rollouts.setPairs(pairs)
	return snap, true
}

// pairsOf returns the sorted keys of the pairs that hold an object ("Model", "Server" or
// "HPA" at index i of the cached Inventory).
func (c *trackerCache) pairsOf(kind string, i int32) []string {
	var out []string
	for j, pl := range c.plans {
		var in bool
		switch kind {
		case "Model":
			in = pl.model == i
		case "Server":
			in = pl.server == i
		case "HPA":
			in = pl.modelHPA == i || pl.serverHPA == i
		}
		if in {
			out = append(out, c.pairs[j].Key)
		}
	}
	sort.Strings(out)
	return out
}
