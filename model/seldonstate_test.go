package model

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"
)

type seldonCase struct {
	Name      string    `json:"name"`
	Inventory Inventory `json:"inventory"`
	Want      map[string]struct {
		State        PairState   `json:"state"`
		StateText    string      `json:"stateText"`
		Mode         ScalingMode `json:"mode"`
		Health       string      `json:"health"`
		Rules        []string    `json:"rules"`
		ModelgwReady string      `json:"modelgwReady"`
	} `json:"want"`
}

// TestSeldonStates derives state, mode, findings and health of Seldon 2.9-2.11 objects (and
// older ones) through the engine's steps: join, analyzer, rollouts.
func TestSeldonStates(t *testing.T) {
	raw, err := os.ReadFile("testdata/seldon/states.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Cases []seldonCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range fx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			s := BuildSnapshot(now, c.Inventory, WatchState{Synced: true})
			NewAnalyzer().Apply(now, s.Pairs)
			NewRollouts(RolloutOptions{}).Apply(now, c.Inventory, &s, nil)
			for key, want := range c.Want {
				i := slices.IndexFunc(s.Pairs, func(p Pair) bool { return p.Key == key })
				if i < 0 {
					t.Fatalf("no pair %s", key)
				}
				p := s.Pairs[i]
				var rules []string
				for _, f := range p.Findings {
					if !slices.Contains(rules, f.Rule) {
						rules = append(rules, f.Rule)
					}
				}
				if want.Rules == nil {
					want.Rules = []string{}
				}
				if rules == nil {
					rules = []string{}
				}
				if p.State != want.State || p.Mode != want.Mode || p.Health.String() != want.Health || !slices.Equal(rules, want.Rules) ||
					(want.StateText != "" && p.StateText != want.StateText) || p.ModelgwReady != want.ModelgwReady {
					t.Errorf("%s: state %q (%q) mode %q health %s rules %v gw %q\nwant state %q (%q) mode %q health %s rules %v gw %q\nfindings: %+v",
						key, p.State, p.StateText, p.Mode, p.Health, rules, p.ModelgwReady,
						want.State, want.StateText, want.Mode, want.Health, want.Rules, want.ModelgwReady, p.Findings)
				}
			}
		})
	}
}
