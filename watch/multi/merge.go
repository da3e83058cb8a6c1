package multi

import (
	"slices"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Merge joins the snapshots of several clusters, named by their kubeconfig contexts, into
// one: every pair keyed and labelled with its cluster, each cluster's state in Clusters, and
// Watch, Prom and MetricsAPI summing them up so that a header or script that reads only
// those never says "all good" while one cluster is not.
func Merge(names []string, snaps []*model.Snapshot) *model.Snapshot {
	out := &model.Snapshot{Clusters: make([]model.ClusterState, len(names))}
	n, events, changes := 0, 0, 0
	for _, s := range snaps {
		n += len(s.Pairs)
		events += len(s.Events)
		changes += len(s.Changes)
	}
	out.Pairs = make([]model.Pair, 0, n)
	out.Events = make([]model.Event, 0, events)
	out.Changes = make([]model.Change, 0, changes)
	for i, s := range snaps {
		name := names[i]
		if s.Taken.After(out.Taken) {
			out.Taken = s.Taken
		}
		out.Clusters[i] = model.ClusterState{Name: name, Watch: s.Watch, Prom: s.Prom, MetricsAPI: s.MetricsAPI, Pairs: len(s.Pairs)}
		for _, p := range s.Pairs {
			p.Key = model.ClusterKey(name, p.Key)
			p.Cluster = name
			out.Pairs = append(out.Pairs, p)
		}
		for _, e := range s.Events {
			e.Cluster = name
			out.Events = append(out.Events, e)
		}
		for _, c := range s.Changes {
			c.Cluster = name
			if len(c.Pairs) > 0 {
				keys := make([]string, len(c.Pairs))
				for j, k := range c.Pairs {
					keys[j] = model.ClusterKey(name, k)
				}
				c.Pairs = keys
			}
			out.Changes = append(out.Changes, c)
		}
	}
	// Newest first across clusters, as each cluster's own lists are.
	slices.SortStableFunc(out.Events, func(a, b model.Event) int { return b.Last.Compare(a.Last) })
	slices.SortStableFunc(out.Changes, func(a, b model.Change) int { return b.At.Compare(a.At) })
	out.Watch = mergeWatch(out.Clusters)
	out.Prom = mergeProm(out.Clusters)
	out.MetricsAPI = mergeMetricsAPI(out.Clusters)
	return out
}

// mergeWatch sums up the clusters' watches: synced and connected only when all are, the
// kinds counted across clusters, each refusal prefixed with its cluster.
func mergeWatch(cs []model.ClusterState) model.WatchState {
	w := model.WatchState{Synced: true, Connected: true, Access: map[string]model.Access{}}
	var names []string
	nsSeen := map[string]bool{}
	allNamespaces := false
	for _, c := range cs {
		cw := c.Watch
		names = append(names, c.Name)
		w.Synced = w.Synced && cw.Synced
		w.SyncedKinds += cw.SyncedKinds
		w.TotalKinds += cw.TotalKinds
		if !cw.Connected {
			w.Connected = false
			if !cw.DisconnectedSince.IsZero() && (w.DisconnectedSince.IsZero() || cw.DisconnectedSince.Before(w.DisconnectedSince)) {
				w.DisconnectedSince = cw.DisconnectedSince
			}
		}
		if cw.LastError != "" && w.LastError == "" {
			w.LastError = c.Name + ": " + cw.LastError
		}
		for r, a := range cw.Access {
			w.Access[r] = worseAccess(w.Access[r], a)
		}
		for _, f := range cw.Failing {
			w.Failing = append(w.Failing, c.Name+": "+f)
		}
		if len(cw.Namespaces) == 0 {
			allNamespaces = true
		}
		for _, ns := range cw.Namespaces {
			if !nsSeen[ns] {
				nsSeen[ns] = true
				w.Namespaces = append(w.Namespaces, ns)
			}
		}
	}
	if allNamespaces {
		w.Namespaces = nil
	}
	slices.Sort(w.Namespaces)
	w.Context = strings.Join(names, ",")
	w.Cluster = strings.Join(names, ",")
	return w
}

// worseAccess keeps the more limiting of two access states.
func worseAccess(a, b model.Access) model.Access {
	rank := map[model.Access]int{"": 0, model.AccessOK: 1, model.AccessUnknown: 2, model.AccessNotInstalled: 3, model.AccessForbidden: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// mergeProm sums up the clusters' pollers: the first failing one (its error prefixed with
// its cluster), else the one whose last success is oldest; the targets listed once each.
func mergeProm(cs []model.ClusterState) model.PromState {
	var out model.PromState
	picked := -1
	var targets, warnings []string
	for i, c := range cs {
		p := c.Prom
		if !p.Configured {
			continue
		}
		if p.Target != "" && !slices.Contains(targets, p.Target) {
			targets = append(targets, p.Target)
		}
		if p.Warning != "" && !slices.Contains(warnings, p.Warning) {
			warnings = append(warnings, p.Warning)
		}
		switch {
		case picked < 0:
			picked = i
		case failing(p) && !failing(cs[picked].Prom):
			picked = i
		case failing(p) == failing(cs[picked].Prom) && older(p.LastSuccess, cs[picked].Prom.LastSuccess):
			picked = i
		}
	}
	if picked < 0 {
		return out
	}
	out = cs[picked].Prom
	if out.LastError != "" {
		out.LastError = cs[picked].Name + ": " + out.LastError
	}
	out.Target = strings.Join(targets, ", ")
	out.Warning = strings.Join(warnings, "; ")
	for _, c := range cs {
		if c.Prom.Configured && (out.NextPoll.IsZero() || (!c.Prom.NextPoll.IsZero() && c.Prom.NextPoll.Before(out.NextPoll))) {
			out.NextPoll = c.Prom.NextPoll
		}
	}
	return out
}

// failing reports whether a poller's last poll failed or its data is stale.
func failing(p model.PromState) bool { return p.Failures > 0 || p.Stale || p.BadQuery }

// older reports whether a is before b, a zero time being oldest.
func older(a, b time.Time) bool { return a.Before(b) }

// mergeMetricsAPI sums up the clusters' metrics pipelines: the first that is not fully
// readable, else the one read longest ago (zero until every cluster has been read once).
func mergeMetricsAPI(cs []model.ClusterState) model.MetricsAPIState {
	if len(cs) == 0 {
		return model.MetricsAPIState{}
	}
	out := cs[0].MetricsAPI
	for _, c := range cs {
		m := c.MetricsAPI
		if (m.Access != "" && m.Access != model.AccessOK) || (m.ValuesAccess != "" && m.ValuesAccess != "ok") {
			return m
		}
		if m.ReadAt.Before(out.ReadAt) {
			out = m
		}
	}
	return out
}
