package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch/record"
	"github.com/twinscale/twinscale/watch/static"
)

// writeRecording records n versions of a small snapshot through --record's code path.
func writeRecording(t *testing.T, path string, n int) {
	t.Helper()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	snap := func(i int) *model.Snapshot {
		return &model.Snapshot{Taken: t0.Add(time.Duration(i) * time.Second), Pairs: []model.Pair{{Key: "ns/m", Namespace: "ns", ModelName: "m", ServerName: "s"}}}
	}
	hist := func(i int) model.PairHistory {
		return model.PairHistory{Key: "ns/m", Start: t0, Step: 15 * time.Second, RPS: []float64{float64(i)}}
	}
	src := static.New(snap(0), map[string]model.PairHistory{"ns/m": hist(0)})
	f := rollFlags{record: path, recordMaxMB: 1, recordFiles: 2}
	if err := f.validate(); err != nil {
		t.Fatal(err)
	}
	stop, err := f.startRecording(context.Background(), src, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			src.Set(snap(i)) // one version per snapshot, so the record count is exact
		}
		// Wait until the recorder has taken this version: it polls every 250 ms.
		deadline := time.Now().Add(10 * time.Second)
		for {
			recs, _ := record.ReadAll(path)
			if len(recs) > 0 && recs[len(recs)-1].Snapshot.Taken.Equal(snap(i).Taken) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("record %d never written", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRecordFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.gz")
	writeRecording(t, path, 3)
	recs, err := record.ReadAll(path)
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if got := recs[2].Histories["ns/m"].RPS; len(got) != 1 || got[0] != 0 {
		t.Errorf("history of the last record = %v", got)
	}
}

func TestRollFlagsValidate(t *testing.T) {
	for _, tc := range []struct {
		f    rollFlags
		want string
	}{
		{rollFlags{pairs: []string{"irisa0"}}, `--pairs "irisa0": want NAMESPACE/MODEL`},
		{rollFlags{pairs: []string{"ctx//m"}}, `--pairs "ctx//m"`},
		{rollFlags{record: "x", recordMaxMB: 0, recordFiles: 1}, "--record-max-size 0"},
		{rollFlags{record: "x", recordMaxMB: 1, recordFiles: 0}, "--record-files 0"},
	} {
		err := tc.f.validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.f, err, tc.want)
		}
	}
	ok := rollFlags{pairs: []string{"seldon-mesh/irisa0", " ns/m ", "arn:aws:eks:x:1:cluster/prod/ns/m"}}
	if err := ok.validate(); err != nil {
		t.Errorf("valid flags: %v", err)
	}
}

// runReplay runs the command line in-process with input on stdin, logs to a temp file.
func runReplay(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	isolate(t)
	var out bytes.Buffer
	cmd := newRootCmd(&out, &out)
	cmd.SetArgs(append(args, "--log-file", filepath.Join(t.TempDir(), "twinscale.log")))
	cmd.SetIn(strings.NewReader(input))
	err := cmd.Execute()
	return out.String(), err
}

func TestReplayCommandErrors(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	writeRecording(t, rec, 1)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"replay", dir}, "is a directory"},
		{[]string{"replay", rec, "--speed", "0"}, "--speed 0: want a number from 1/16 to 64"},
		{[]string{"replay", rec, "--speed", "NaN"}, "--speed NaN"},
		{[]string{"replay", rec, "--theme", "neon"}, `theme: `},
		{[]string{"replay", rec, "--pairs", "nope"}, `--pairs "nope"`},
		{[]string{"replay"}, "accepts 1 arg"},
		{[]string{"--snapshot-file", fixture, "--pairs", "nope"}, `--pairs "nope"`},
		{[]string{"--snapshot-file", fixture, "--record", filepath.Join(dir, "r2"), "--record-files", "0"}, "--record-files 0"},
	} {
		_, err := runReplay(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestReplayCommandRuns plays a recording in the real dashboard program and quits with q.
func TestReplayCommandRuns(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "rec")
	writeRecording(t, rec, 2)
	out, err := runReplay(t, "q", "replay", rec, "--theme", "dark", "--paused", "--pairs", "ns/m")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
}

// settle runs cmd and feeds its messages back into the model until nothing is left.
func settle(m tea.Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			settle(m, c)
		}
	default:
		_, next := m.Update(msg)
		settle(m, next)
	}
}

// TestReplayInDashboard opens a recording as `twinscale replay` does and drives the dashboard:
// the first record shows paused with the pinned pair, → steps to the next one.
func TestReplayInDashboard(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "rec")
	writeRecording(t, rec, 2)
	f := replayFlags{speed: 1, paused: true, pairs: []string{"ns/m"}}
	rp, opts, err := f.open(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	th, _ := themes.Builtin("dark")
	opts.Theme = th
	app := ui.New(opts)
	// The tick re-arms forever; drive polls by hand instead.
	settle(app, func() tea.Msg { return tea.WindowSizeMsg{Width: 120, Height: 20} })
	for _, c := range []tea.Cmd{app.Init()} {
		if b, ok := c().(tea.BatchMsg); ok {
			for _, cc := range b[1:] { // skip the tick
				settle(app, cc)
			}
		}
	}
	screen := func() string { return ansi.Strip(app.View().Content) }
	if s := screen(); !strings.Contains(s, "replay 1/2") || !strings.Contains(s, "paused") || !strings.Contains(s, "▲ m") {
		t.Fatalf("first frame:\n%s", s)
	}
	_, cmd := app.Update(tea.KeyPressMsg{Code: tea.KeyRight})
	settle(app, cmd)
	if s := screen(); !strings.Contains(s, "replay 2/2") {
		t.Fatalf("after →:\n%s", s)
	}
}
