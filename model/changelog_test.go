package model

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

type changeFixture struct {
	Name  string `json:"name"`
	Steps []struct {
		At        int       `json:"at"` // seconds after the base time
		Inventory Inventory `json:"inventory"`
	} `json:"steps"`
	Recent []string            `json:"recent"`
	Pairs  map[string][]string `json:"pairs"`
}

var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func changeLines(cs []Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%d %s", int(c.At.Sub(base)/time.Second), c.Text()))
	}
	return out
}

// TestChangeLogFixtures replays object sequences from testdata/changelog and checks the timeline.
func TestChangeLogFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/changelog/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var fx changeFixture
			if err := json.Unmarshal(raw, &fx); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			l := NewChangeLog(ChangeLogOptions{})
			for _, s := range fx.Steps {
				l.Observe(base.Add(time.Duration(s.At)*time.Second), s.Inventory)
			}
			if got := changeLines(l.Recent(0)); !reflect.DeepEqual(got, fx.Recent) {
				t.Errorf("%s\nRecent:\n got %q\nwant %q", fx.Name, got, fx.Recent)
			}
			for key, want := range fx.Pairs {
				if got := changeLines(l.Entries(key)); !reflect.DeepEqual(got, want) {
					t.Errorf("Entries(%s):\n got %q\nwant %q", key, got, want)
				}
			}
		})
	}
}

func replicasInv(modelReplicas int32, version int64) Inventory {
	r := modelReplicas
	v := version
	return Inventory{Models: []SeldonModel{{Meta: Meta{Namespace: "ns", Name: "m"}, Server: "s", Replicas: &r, ArtifactVersion: &v}}}
}

// TestChangeLogBounds checks the per-pair ring, the global cap, and that a deleted pair's ring is forgotten.
func TestChangeLogBounds(t *testing.T) {
	l := NewChangeLog(ChangeLogOptions{PerPair: 3, Total: 5})
	for i := 0; i < 20; i++ {
		l.Observe(base.Add(time.Duration(i)*time.Second), replicasInv(1, int64(i)))
	}
	if got := len(l.Entries("ns/m")); got != 3 {
		t.Fatalf("per-pair ring holds %d, want 3", got)
	}
	if got := l.Entries("ns/m")[0].After; got != "19" {
		t.Errorf("newest entry After = %q, want 19", got)
	}
	if got := len(l.Recent(0)); got != 5 {
		t.Fatalf("global ring holds %d, want 5", got)
	}
	if got := len(l.Recent(2)); got != 2 {
		t.Errorf("Recent(2) returned %d", got)
	}
	l.Observe(base.Add(time.Minute), Inventory{})
	if got := l.Entries("ns/m"); got != nil {
		t.Errorf("deleted pair still has %d entries", len(got))
	}
	if got := l.Recent(1); len(got) != 1 || got[0].Field != FieldDeleted {
		t.Errorf("Recent(1) = %v, want the deletion", got)
	}
	if len(l.prev.Models) != 0 || len(l.prevPairs) != 0 || len(l.perPair) != 0 {
		t.Errorf("state not forgotten: %d objects, %d pairs, %d rings", len(l.prev.Models), len(l.prevPairs), len(l.perPair))
	}
}

// TestChangeLogSuperseded: a change by hand that the HPA overrides before its grace ends is still logged,
// and so is the HPA's write back.
func TestChangeLogSuperseded(t *testing.T) {
	inv := func(spec, desired int32) Inventory {
		return Inventory{
			Models: []SeldonModel{{Meta: Meta{Namespace: "ns", Name: "m"}, Server: "s", Replicas: &spec}},
			HPAs:   []HPA{{Meta: Meta{Namespace: "ns", Name: "h"}, Target: CrossRef{Kind: "Model", Name: "m"}, DesiredReplicas: desired}},
		}
	}
	l := NewChangeLog(ChangeLogOptions{})
	l.Observe(base, inv(2, 2))
	l.Observe(base.Add(time.Second), inv(5, 2)) // by hand
	l.Observe(base.Add(2*time.Second), inv(2, 2))
	got := changeLines(l.Recent(0))
	want := []string{"2 Model m: replicas 5 → 2 (by Model HPA h)", "1 Model m: replicas 2 → 5 (by hand: Model HPA h wants 2)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestChangeEventAndAnnotate(t *testing.T) {
	c := Change{At: base, Kind: "Model", Namespace: "ns", Name: "m", Pairs: []string{"ns/m"}, Field: "storageUri", Before: "a", After: ""}
	if got := c.Text(); got != "Model m: storageUri a → <unset>" {
		t.Errorf("Text = %q", got)
	}
	e := c.Event()
	if e.Reason != "SpecChanged" || e.Object.Kind != "Model" || e.Last != base || e.Message != c.Text() {
		t.Errorf("Event = %+v", e)
	}
	l := NewChangeLog(ChangeLogOptions{})
	l.Observe(base, replicasInv(1, 1))
	l.Observe(base.Add(time.Second), replicasInv(1, 2))
	s := &Snapshot{Pairs: []Pair{{Key: "ns/m"}, {Key: "ns/other"}}}
	l.Annotate(s, 10, 10)
	if len(s.Pairs[0].Changes) != 1 || s.Pairs[1].Changes != nil || len(s.Changes) != 1 {
		t.Errorf("Annotate: %+v / %+v / %+v", s.Pairs[0].Changes, s.Pairs[1].Changes, s.Changes)
	}
}

// TestChangeLogTimeOrder: a change by hand confirmed after its grace still sorts at the time it happened.
func TestChangeLogTimeOrder(t *testing.T) {
	inv := func(spec int32, uri string) Inventory {
		return Inventory{
			Models: []SeldonModel{{Meta: Meta{Namespace: "ns", Name: "m"}, Server: "s", Replicas: &spec, StorageURI: uri}},
			HPAs:   []HPA{{Meta: Meta{Namespace: "ns", Name: "h"}, Target: CrossRef{Kind: "Model", Name: "m"}, DesiredReplicas: 2}},
		}
	}
	l := NewChangeLog(ChangeLogOptions{HandGrace: 30 * time.Second})
	l.Observe(base, inv(2, "v1"))
	l.Observe(base.Add(time.Second), inv(4, "v1"))
	l.Observe(base.Add(10*time.Second), inv(4, "v2"))
	if got := len(l.Recent(0)); got != 1 {
		t.Fatalf("before the grace: %d entries, want only the storageUri change", got)
	}
	l.Observe(base.Add(40*time.Second), inv(4, "v2"))
	got := changeLines(l.Recent(0))
	want := []string{"10 Model m: storageUri v1 → v2", "1 Model m: replicas 2 → 4 (by hand: Model HPA h wants 2)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
