package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/static"
)

// demoSnapshot runs `twinscale snapshot --demo ... -o json` in-process and decodes it.
func demoSnapshot(t *testing.T, args ...string) model.Snapshot {
	t.Helper()
	isolate(t)
	code, out, errOut := runCLI(t, append([]string{"snapshot", "--demo", "-o", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var snap model.Snapshot
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatal(err)
	}
	return snap
}

func rules(p model.Pair) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.Rule)
	}
	return out
}

// TestDemoHeadless is the demo as CI sees it: the mixed story after a simulated interval,
// through the real informers and poller, with the pairs and alerts the story promises.
func TestDemoHeadless(t *testing.T) {
	snap := demoSnapshot(t, "--demo-advance", "10m", "--seed", "7")
	if !snap.Watch.Synced || snap.Prom.LastSuccess.IsZero() {
		t.Fatalf("watch %+v prometheus %+v", snap.Watch, snap.Prom)
	}
	byKey := map[string]model.Pair{}
	for _, p := range snap.Pairs {
		byKey[p.Key] = p
	}
	for _, key := range []string{"seldon-mesh/irisa0", "seldon-mesh/sentiment-bert", "seldon-mesh/llm-summarizer",
		"seldon-mesh/image-classifier", "payments/kyc-ocr", "seldon-mesh/recsys-ranker-blue", "seldon-mesh/recsys-ranker-green"} {
		p, ok := byKey[key]
		if !ok {
			t.Fatalf("pair %s missing; have %d pairs", key, len(snap.Pairs))
		}
		if !p.Metric.Known {
			t.Errorf("%s: no live metric", key)
		}
	}
	// The misconfigured pairs raise their rules.
	if p := byKey["seldon-mesh/sentiment-bert"]; !slices.Contains(rules(p), model.RuleServerMaxBelowModel) {
		t.Errorf("sentiment-bert (Server HPA max below the Model's) rules = %v", rules(p))
	}
	if p := byKey["seldon-mesh/llm-summarizer"]; !slices.Contains(p.Shape, model.ShapeNoServerHPA) {
		t.Errorf("llm-summarizer (no Server HPA) shape = %v", p.Shape)
	}
	critical := 0
	for _, p := range snap.Pairs {
		if p.Health == model.Critical {
			critical++
		}
	}
	if critical == 0 {
		t.Error("the mixed story has no critical pair")
	}
}

// TestDemoBlueGreenRampWarns: in the blue-green story traffic moves faster than green's
// scale-up policy allows, and the ramp check says so with numbers.
func TestDemoBlueGreenRampWarns(t *testing.T) {
	snap := demoSnapshot(t, "--demo-scenario", "blue-green", "--demo-advance", "6m")
	var blue, green model.Pair
	for _, p := range snap.Pairs {
		switch p.ModelName {
		case "recsys-ranker-blue":
			blue = p
		case "recsys-ranker-green":
			green = p
		}
	}
	if !(green.Metric.RPS > blue.Metric.RPS) {
		t.Fatalf("traffic did not move: blue %.1f rps, green %.1f rps", blue.Metric.RPS, green.Metric.RPS)
	}
	if !slices.Contains(rules(green), model.RuleRampOutruns) {
		t.Fatalf("green rules = %v, ramp = %+v", rules(green), green.Ramp)
	}
	if green.Ramp == nil || !strings.Contains(green.Ramp.Text, "policy allows +1 per 3m") {
		t.Fatalf("ramp text = %+v", green.Ramp)
	}
}

// TestSavedDemoSnapshotReopensAsShown: a snapshot saved from a live source keeps every pair's
// HPAs, sparkline and history, so --snapshot-file shows what the dashboard showed (issue 13 item 8).
func TestSavedDemoSnapshotReopensAsShown(t *testing.T) {
	isolate(t)
	code, out, errOut := runCLI(t, "snapshot", "--demo", "--demo-advance", "5m", "--seed", "7", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	path := filepath.Join(t.TempDir(), "incident.json")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := static.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	snap := src.Snapshot()
	if snap.Watch.File != path {
		t.Errorf("Watch.File = %q, want the file's path", snap.Watch.File)
	}
	withHPAs, withSpark, withHist := 0, 0, 0
	for _, p := range snap.Pairs {
		if p.ModelHPA != nil && p.ServerHPA != nil {
			withHPAs++
		}
		if slices.ContainsFunc(p.Spark, func(v float64) bool { return v > 0 }) {
			withSpark++
		}
		if h := src.History(p.Key); len(h.RPS) > 0 && h.Step > 0 {
			withHist++
		}
	}
	if len(snap.Pairs) < 5 || withHPAs < len(snap.Pairs)-2 || withSpark < len(snap.Pairs)-2 || withHist < len(snap.Pairs)-2 {
		t.Errorf("%d pairs: %d with both HPAs, %d with a sparkline, %d with a history", len(snap.Pairs), withHPAs, withSpark, withHist)
	}
	// The table reads the same from the file as from the source it was saved from.
	code, again, _ := runCLI(t, "snapshot", "--snapshot-file", path)
	if code != exitOK || strings.Contains(again, "–|–") {
		t.Errorf("reopened table: exit %d\n%s", code, again)
	}
}
