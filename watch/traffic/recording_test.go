package traffic

import (
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch/record"
	"github.com/twinscale/twinscale/watch/traffic/traffictest"
)

// mixedRecording is 15 minutes of the demo's mixed story, recorded once per test binary.
func mixedRecording(t *testing.T) string {
	return traffictest.Shared(t, "mixed", 7, 15*time.Minute)
}

// TestBaselineReproducesTheDemo: replayed with the specs as they were, every pair of the demo's
// mixed story (ramps, ScheduleFailed, spikes against a low max, blue-green, twin drift, a Model
// deployed mid-story, a pair without a Server HPA) reproduces the desired replicas its real
// HPAs recorded at ≥ 99% of their syncs, counting every pair: one deployed mid-story, whose
// Server appears (created with its replicas, outside the HPAs) while its HPAs already sync,
// too.
func TestBaselineReproducesTheDemo(t *testing.T) {
	all, err := FromRecordingAll(mixedRecording(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 8 {
		t.Fatalf("recording has %d pairs with HPAs", len(all))
	}
	var compared, matched, changes, writes int
	for _, r := range all {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Input.Key, r.Err)
		}
		in := r.Input
		writes += len(in.Writes)
		m := whatif.Match(in, whatif.Simulate(in))
		// Per pair, a mismatch or two at the start is allowed: the controller's memory from
		// before the recording is only estimated.
		if m.Compared < 50 || m.Rate() < 0.97 {
			t.Errorf("%s: %s; notes %v", in.Key, m, r.Notes.Lines)
		}
		for _, mm := range m.Mismatches {
			t.Logf("%s %s %s sim %d real %d: %s", in.Key, mm.Sync.At.Format(time.TimeOnly), mm.Sync.Side, mm.Sync.Desired, mm.Real, mm.Why)
		}
		compared += m.Compared
		matched += m.Matched
		changes += len(in.RecordedModel) + len(in.RecordedServer)
	}
	t.Logf("%d of %d syncs matched over %d pairs; %d recorded desired changes", matched, compared, len(all), changes)
	if float64(matched) < 0.99*float64(compared) {
		t.Errorf("baseline matches %d of %d syncs, want ≥ 99%%", matched, compared)
	}
	if writes == 0 {
		t.Error("no outside write of spec.replicas replayed: the pair deployed mid-story should have its Server's creation")
	}
	if changes < 3*len(all) {
		t.Fatalf("only %d desired changes recorded: the story does not scale enough to test anything", changes)
	}
}

// TestWrongSpecDoesNotMatch is the control: the same recording replayed with a spec the
// cluster did not have (another target) no longer reproduces the recorded decisions, so the
// match above is not a tautology.
func TestWrongSpecDoesNotMatch(t *testing.T) {
	path := mixedRecording(t)
	in, _, err := FromRecording(path, "seldon-mesh/irisa0", 0)
	if err != nil {
		t.Fatal(err)
	}
	e, err := whatif.ParseSet("both.target=2")
	if err != nil {
		t.Fatal(err)
	}
	in.ModelHPA, in.ServerHPA, err = whatif.Apply(in.ModelHPA, in.ServerHPA, []whatif.Edit{e})
	if err != nil {
		t.Fatal(err)
	}
	if m := whatif.Match(in, whatif.Simulate(in)); m.Rate() > 0.97 {
		t.Fatalf("a wrong target still matches: %s", m)
	}
}

// TestFromRecordingReadsWhatTheHPAsRead: the metric of the replay inside the recording is the
// value each HPA reported at its syncs, on each HPA's sync grid.
func TestFromRecordingReadsWhatTheHPAsRead(t *testing.T) {
	in, notes, err := FromRecording(mixedRecording(t), "seldon-mesh/irisa0", 0)
	if err != nil {
		t.Fatal(err)
	}
	if in.ModelHPA == nil || in.ServerHPA == nil || in.ServerReady <= 0 || !in.End.After(in.Start.Add(14*time.Minute)) {
		t.Fatalf("input %+v, notes %v", in, notes)
	}
	phases := map[time.Duration]bool{}
	for _, s := range in.Metric {
		if !s.At.Before(in.Start) {
			phases[time.Duration(s.At.UnixNano()%int64(model.SyncPeriod))] = true
		}
	}
	if len(phases) != 2 || !phases[in.ModelPhase] || !phases[in.ServerPhase] {
		t.Fatalf("samples inside the recording fall at phases %v, want the HPAs' %s and %s", phases, in.ModelPhase, in.ServerPhase)
	}
	if _, _, err := FromRecording(mixedRecording(t), "seldon-mesh/nope", 0); err == nil {
		t.Fatal("an unknown pair replays")
	}
}

// seldonRecording is 10 minutes of the demo's seldon story, recorded once per test binary.
func seldonRecording(t *testing.T) string {
	return traffictest.Shared(t, "seldon", 7, 10*time.Minute)
}

// TestBaselineReplaysTheSchedulerFight: in the seldon story Seldon's scheduler scales
// mlserver-fight up on ScheduleFailed and its Server HPA (max 2) scales it back. The
// scheduler's writes are in the recording, attributed by the dashboard; replayed as
// recorded, the baseline reproduces the HPAs' decisions and the fight itself: the Server
// HPA scales back after each write, as many times as the recording saw it do so. Without
// the writes the Server would sit at 2 and the replay would show no fight at all.
func TestBaselineReplaysTheSchedulerFight(t *testing.T) {
	path := seldonRecording(t)
	in, notes, err := FromRecording(path, "seldon-mesh/iris-fight", 0)
	if err != nil {
		t.Fatal(err)
	}
	var seldon int
	for _, w := range in.Writes {
		if w.Side == whatif.SideServer && strings.HasPrefix(w.Writer, "Seldon") {
			seldon++
		}
	}
	if seldon < 10 {
		t.Fatalf("%d scheduler writes of the Server in the recording; notes %v", seldon, notes.Lines)
	}
	res := whatif.Simulate(in)
	m := whatif.Match(in, res)
	for _, mm := range m.Mismatches {
		t.Logf("%s %s sim %d real %d: %s", mm.Sync.At.Format(time.TimeOnly), mm.Sync.Side, mm.Sync.Desired, mm.Real, mm.Why)
	}
	if m.Compared < 50 || m.Rate() < 0.99 {
		t.Errorf("with the scheduler's writes: %s", m)
	}
	// The recorded HPA scale-backs: Server spec.replicas changes the dashboard gave the HPA.
	back := map[time.Time]bool{}
	all, err := record.ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range all {
		if rec.Snapshot == nil {
			continue
		}
		for _, c := range rec.Snapshot.Changes {
			if c.Kind == model.KindServer && c.Name == "mlserver-fight" && c.Field == model.FieldReplicas &&
				c.WriterKind == model.WriterHPA && c.At.After(in.Start) {
				back[c.At] = true
			}
		}
	}
	if got := res.Summary.ServerScaleEvents; len(back) < 10 || got < len(back)-1 || got > len(back)+1 {
		t.Errorf("the replay's Server HPA rescaled %d times; the recording saw it %d times", got, len(back))
	}
	without := in
	without.Writes = nil
	// (At most the one scale-back of the replicas the first record found.)
	if got := whatif.Simulate(without).Summary.ServerScaleEvents; got > 1 {
		t.Errorf("without the scheduler's writes the Server HPA still rescaled %d times", got)
	}
}
