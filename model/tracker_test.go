package model

import (
	"testing"
	"time"
)

func TestTrackerKeepsHistoryUntilTheWatchSyncs(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tr := NewTracker(TrackerOptions{Metrics: true})
	tr.RecordPoll(MetricsPoll{At: t0, Samples: map[string]MetricSample{"ns/iris": {RPS: 4}}})
	// The informers have not listed the Model yet: its metrics must survive.
	tr.Build(t0, Inventory{}, WatchState{Synced: false})
	inv := Inventory{Models: []SeldonModel{{Meta: Meta{Namespace: "ns", Name: "iris"}, Server: "s"}}}
	snap := tr.Build(t0, inv, WatchState{Synced: true})
	if m := snap.Pairs[0].Metric; !m.Known || m.RPS != 4 {
		t.Fatalf("metric before sync was lost: %+v", m)
	}
	// Once synced, a pair that is gone takes its history with it.
	tr.Build(t0.Add(15*time.Second), Inventory{}, WatchState{Synced: true})
	snap = tr.Build(t0.Add(15*time.Second), inv, WatchState{Synced: true})
	if m := snap.Pairs[0].Metric; m.Known {
		t.Fatalf("history of a deleted pair was kept: %+v", m)
	}
}

// TestTrackerLogsNoChangesWhileSyncing: objects the informers list while they sync were
// there before twinscale looked; only what changes after the sync is a change.
func TestTrackerLogsNoChangesWhileSyncing(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	one := int32(1)
	model := func(name string) SeldonModel {
		return SeldonModel{Meta: Meta{Namespace: "ns", Name: name}, Server: name + "-srv", Replicas: &one}
	}
	tr := NewTracker(TrackerOptions{})
	tr.Build(t0, Inventory{Models: []SeldonModel{model("a")}}, WatchState{Synced: false})
	tr.Build(t0.Add(time.Second), Inventory{Models: []SeldonModel{model("a"), model("b")}}, WatchState{Synced: false})
	snap := tr.Build(t0.Add(2*time.Second), Inventory{Models: []SeldonModel{model("a"), model("b")}}, WatchState{Synced: true})
	if len(snap.Changes) != 0 {
		t.Fatalf("changes logged while syncing: %v", changeLines(snap.Changes))
	}
	snap = tr.Build(t0.Add(3*time.Second), Inventory{Models: []SeldonModel{model("a"), model("b"), model("c")}}, WatchState{Synced: true})
	if len(snap.Changes) != 1 || snap.Changes[0].Name != "c" || snap.Changes[0].Field != FieldCreated {
		t.Fatalf("a Model created after the sync: %v", changeLines(snap.Changes))
	}
}
