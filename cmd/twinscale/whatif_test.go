package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch/traffic"
	"github.com/twinscale/twinscale/watch/traffic/traffictest"
)

// blueGreenRecording is 10 minutes of the demo's blue-green story recorded the way the
// dashboard records, made once per test binary.
func blueGreenRecording(t *testing.T) string {
	return traffictest.Shared(t, "blue-green", 7, 10*time.Minute)
}

// TestWhatifBadInput: each unusable input is one line naming the field, exit code 2.
func TestWhatifBadInput(t *testing.T) {
	isolate(t)
	rec := blueGreenRecording(t)
	pair := "seldon-mesh/recsys-ranker-green"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown field", []string{"--set", "server.maxReplica=5"}, "--set server.maxReplica=5: maxReplica: unknown field"},
		{"unknown side", []string{"--set", "srv.maxReplicas=5"}, "unknown side"},
		{"wrong type", []string{"--set", "model.maxReplicas=five"}, `maxReplicas: want a whole number, got "five"`},
		{"wrong type policy", []string{"--set", "server.behavior.scaleUp.policies[0].value=2.5"}, `want a whole number, got "2.5"`},
		{"min above max", []string{"--set", "server.minReplicas=9"}, "Server HPA after the edits: spec.minReplicas: 9 is more than spec.maxReplicas 5"},
		{"policy period", []string{"--set", "server.behavior.scaleUp.policies[0].periodSeconds=0"}, "spec.behavior.scaleUp.policies[0].periodSeconds: 0: must be between 1 and 1800"},
		{"unknown pair", []string{"seldon-mesh/nope"}, "has no pair seldon-mesh/nope"},
		{"bad output", []string{"-o", "xml"}, `--output "xml"`},
		{"recording and range", []string{"--last", "1h"}, "--recording replays the recording's span"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"whatif", "--recording", rec}
			if !strings.HasPrefix(strings.Join(tc.args, " "), "seldon-mesh/") {
				args = append(args, pair)
			}
			code, out, errOut := runCLI(t, append(args, tc.args...)...)
			if code != exitError || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || out != "" {
				t.Fatalf("exit %d, stderr %q, stdout %d bytes; want exit 2 and one line with %q", code, errOut, len(out), tc.want)
			}
		})
	}
	// A Prometheus range without any infer_rps is bad input too; gaps inside a range are not.
	code, _, errOut := runCLI(t, "whatif", "--demo", "--demo-scenario", "blue-green", pair,
		"--from", "2020-01-01T00:00:00Z", "--to", "2020-01-01T01:00:00Z")
	if code != exitError || !strings.Contains(errOut, "--from/--to: Prometheus has no infer_rps for "+pair) {
		t.Fatalf("empty range: exit %d, stderr %q", code, errOut)
	}
}

// TestWhatifFasterServerPolicy is the README's story: in the blue-green shift, green's Server
// adds one replica per three minutes and the Model waits for it (ScheduleFailed); replayed
// with Pods 2/30s the Server keeps ahead and ScheduleFailed shrinks to the first step.
func TestWhatifFasterServerPolicy(t *testing.T) {
	isolate(t)
	rec := blueGreenRecording(t)
	args := []string{"whatif", "seldon-mesh/recsys-ranker-green", "--recording", rec, "--set", "server.behavior.scaleUp.policies[0]=Pods 2/30s"}
	code, out, errOut := runCLI(t, append(args, "-o", "json")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var run struct {
		Match struct {
			Compared, Matched int
		}
		Baseline, Edited struct {
			Summary struct {
				ScheduleFailed         time.Duration
				ScheduleFailedEpisodes int
				ServerReplicaMinutes   float64
			}
		}
		Verdict string
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatal(err)
	}
	b, e := run.Baseline.Summary, run.Edited.Summary
	if run.Match.Compared < 60 || float64(run.Match.Matched) < 0.99*float64(run.Match.Compared) {
		t.Errorf("baseline matches %d of %d recorded syncs", run.Match.Matched, run.Match.Compared)
	}
	if b.ScheduleFailedEpisodes < 2 || e.ScheduleFailedEpisodes >= b.ScheduleFailedEpisodes || e.ScheduleFailed >= b.ScheduleFailed ||
		e.ServerReplicaMinutes <= b.ServerReplicaMinutes || !strings.HasPrefix(run.Verdict, "ScheduleFailed ") {
		t.Errorf("baseline %+v, edited %+v, verdict %q", b, e, run.Verdict)
	}
	// The text report at 80 columns: no line wider, the match rate and the verdict printed.
	code, out, errOut = runCLI(t, append(args, "--width", "80")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	for _, want := range []string{"baseline matches", "edited: replicas", "ScheduleFailed", "verdict: ScheduleFailed"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, append(args, "-o", "csv")...)
	if code != exitOK || !strings.HasPrefix(out, "time,rps,baseline_model_desired,") || strings.Count(out, "\n") < 40 {
		t.Fatalf("csv: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
}

// TestWhatifLaggedRampStory is the README's story: on the lagged-ramp demo the Model HPA
// (60 s scale-up window) outruns a Server HPA that adds a pod per three minutes, and waits
// in ScheduleFailed; replayed with a Server that scales up at once, two pods per 30 s, the
// Server stays ahead and ScheduleFailed is gone entirely.
func TestWhatifLaggedRampStory(t *testing.T) {
	isolate(t)
	rec := filepath.Join(t.TempDir(), "lagged-ramp.rec")
	if err := traffictest.RecordDemo(rec, "lagged-ramp", 7, 12*time.Minute); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "whatif", "seldon-mesh/iris-morning", "--recording", rec, "-o", "json",
		"--set", "server.behavior.scaleUp.policies[0]=Pods 2/30s", "--set", "server.behavior.scaleUp.stabilizationWindowSeconds=0")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var run struct {
		Match            struct{ Compared, Matched int }
		Baseline, Edited struct {
			Summary struct {
				ScheduleFailed         time.Duration
				ScheduleFailedEpisodes int
			}
		}
		Verdict string
	}
	if err := json.Unmarshal([]byte(out), &run); err != nil {
		t.Fatal(err)
	}
	b, e := run.Baseline.Summary, run.Edited.Summary
	if run.Match.Compared < 60 || float64(run.Match.Matched) < 0.99*float64(run.Match.Compared) {
		t.Errorf("baseline matches %d of %d recorded syncs", run.Match.Matched, run.Match.Compared)
	}
	if b.ScheduleFailed < 30*time.Second || b.ScheduleFailedEpisodes < 1 || e.ScheduleFailed != 0 || e.ScheduleFailedEpisodes != 0 ||
		!strings.HasPrefix(run.Verdict, "ScheduleFailed "+model.FormatDuration(b.ScheduleFailed)+" → 0s") {
		t.Errorf("baseline %+v, edited %+v, verdict %q", b, e, run.Verdict)
	}
}

// TestReplayEditedSpecHistory: an HPA edited during the recording is followed spec by spec
// in the baseline; an edit to that side replaces its history (the edited spec holds
// throughout) while the other side keeps its own, and the notes say so and that the
// outside writes replay as recorded.
func TestReplayEditedSpecHistory(t *testing.T) {
	in, _, err := traffic.FromRecording(blueGreenRecording(t), "seldon-mesh/recsys-ranker-green", 0)
	if err != nil {
		t.Fatal(err)
	}
	old := *in.ServerHPA
	old.MaxReplicas = 3
	in.ServerSpecs = []whatif.SpecChange{{At: in.Start, HPA: &old}, {At: in.Start.Add(5 * time.Minute), HPA: in.ServerHPA}}
	in.ModelSpecs = []whatif.SpecChange{{At: in.Start, HPA: in.ModelHPA}}
	in.Writes = []whatif.ReplicaWrite{{At: in.Start.Add(time.Minute), Side: whatif.SideServer, Replicas: 2, Writer: "kubectl"}}
	e, err := whatif.ParseSet("server.maxReplicas=6")
	if err != nil {
		t.Fatal(err)
	}
	run, err := replay(in, traffic.Notes{}, []whatif.Edit{e}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.edited.ServerSpecs != nil || len(run.edited.ModelSpecs) != 1 || len(run.edited.Writes) != 1 {
		t.Errorf("edited input: server specs %v, model specs %v, writes %v", run.edited.ServerSpecs, run.edited.ModelSpecs, run.edited.Writes)
	}
	notes := strings.Join(run.Notes.Lines, "\n")
	for _, want := range []string{"the Server HPA's spec changed during the recording; the edited run uses the edited spec throughout",
		"the 1 outside writes of spec.replicas replay as recorded"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "Model HPA's spec changed") {
		t.Errorf("the unedited Model side was reset:\n%s", notes)
	}
}
