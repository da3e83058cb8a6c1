// Package multi shows several clusters on one screen: a Source that composes one Source per
// kubeconfig context, each with its own informers, credentials and Prometheus, and merges
// their snapshots. Nothing is shared between the clusters but the merged snapshot, and
// reading it never waits for a cluster: each member's snapshot is an atomic load.
package multi

import (
	"sync"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

// Member is one cluster's source, named by its kubeconfig context.
type Member struct {
	Name   string
	Source watch.Source
}

// Source merges its members' snapshots; pair keys carry the cluster (model.ClusterKey).
type Source struct {
	members []Member
	names   []string

	mu   sync.Mutex // guards seen and snap
	seen []uint64
	snap *model.Snapshot
}

// New returns a Source over the members, shown in their order.
func New(members []Member) *Source {
	s := &Source{members: members, seen: make([]uint64, len(members))}
	for _, m := range members {
		s.names = append(s.names, m.Name)
	}
	return s
}

// Members returns the clusters in their order.
func (s *Source) Members() []Member { return s.members }

// Version changes whenever a member's does: it is the sum of theirs, which only grow.
func (s *Source) Version() uint64 {
	var v uint64
	for _, m := range s.members {
		v += m.Source.Version()
	}
	return v
}

// Snapshot returns the merged snapshot, merging again only when a member has a newer one.
func (s *Source) Snapshot() *model.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := s.snap == nil
	for i, m := range s.members {
		if v := m.Source.Version(); v != s.seen[i] {
			s.seen[i], changed = v, true
		}
	}
	if changed {
		snaps := make([]*model.Snapshot, len(s.members))
		for i, m := range s.members {
			snaps[i] = m.Source.Snapshot()
		}
		s.snap = Merge(s.names, snaps)
	}
	return s.snap
}

// History routes the key to its cluster's source.
func (s *Source) History(key string) model.PairHistory {
	cluster, own := model.SplitClusterKey(key)
	for _, m := range s.members {
		if m.Name == cluster {
			h := m.Source.History(own)
			h.Key = key
			return h
		}
	}
	return model.PairHistory{Key: key}
}

// Info is live when every member is, on the first member's clock.
func (s *Source) Info() watch.SourceInfo {
	info := watch.SourceInfo{Live: true, Now: time.Now}
	for i, m := range s.members {
		mi := m.Source.Info()
		if i == 0 {
			info.Now = mi.Now
		}
		info.Live = info.Live && mi.Live
	}
	return info
}
