package record

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// deltaRecords is a dashboard's day in miniature: the same pairs record after record, where a few
// leaves change (the snapshot's time, one pair's metric, new events in front), then pairs are
// reordered, dropped and added, a record has no snapshot, and a NaN appears. A changed pair gets a
// new Rev, as the Tracker gives it.
func deltaRecords() []Record {
	r := rand.New(rand.NewPCG(3, 4))
	base := filledSnapshot(r, 6, false)
	var recs []Record
	add := func(s *model.Snapshot) {
		at := t0.Add(time.Duration(len(recs)) * 5 * time.Second)
		recs = append(recs, Record{At: at, Snapshot: s})
	}
	next := func(prev *model.Snapshot, edit func(s *model.Snapshot)) *model.Snapshot {
		s := *prev
		s.Pairs = slices.Clone(prev.Pairs)
		s.Taken = prev.Taken.Add(5 * time.Second)
		edit(&s)
		return &s
	}
	add(base)
	s := next(base, func(s *model.Snapshot) {})
	add(s)
	s = next(s, func(s *model.Snapshot) { s.Pairs[2].Metric.RPS += 1.5; s.Pairs[2].Rev++ })
	add(s)
	s = next(s, func(s *model.Snapshot) {
		s.Events = append([]model.Event{{Reason: "ScalingReplicaSet", Message: "new"}}, s.Events...)
		s.Pairs[0].Events = append(slices.Clone(s.Pairs[0].Events), model.Event{Reason: "Old"})
		s.Pairs[0].Rev++
	})
	add(s)
	s = next(s, func(s *model.Snapshot) {
		s.Pairs[0], s.Pairs[5] = s.Pairs[5], s.Pairs[0]
		s.Pairs = slices.Delete(s.Pairs, 3, 4)
		extra := filledSnapshot(r, 1, false).Pairs[0]
		extra.Key = "ns/new"
		s.Pairs = append(s.Pairs, extra)
		s.Pairs[1].ModelHPA = nil
		s.Pairs[1].Rev++
	})
	add(s)
	recs = append(recs, Record{At: recs[len(recs)-1].At.Add(time.Second)})
	s = next(s, func(s *model.Snapshot) {})
	add(s)
	s = next(s, func(s *model.Snapshot) { s.Pairs[1].Spark = []float64{1, nanValue(), 3}; s.Pairs[1].Rev++ })
	add(s)
	s = next(s, func(s *model.Snapshot) { s.Pairs = nil })
	add(s)
	return recs
}

func nanValue() float64 { var z float64; return z / z }

// TestSnapshotDeltas: a record stores what changed since the one before, and reads back equal to
// what was written, through reorders, new and dropped pairs, a record without a snapshot and a NaN.
func TestSnapshotDeltas(t *testing.T) {
	recs := deltaRecords()
	path := filepath.Join(t.TempDir(), "rec")
	writeAll(t, path, WriterOptions{}, recs)
	got, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	requireEqualRecords(t, got, recs)

	// Record 1 changes only the snapshot's time: its member is a sliver of the keyframe's.
	off := memberOffsets(t, path)
	key, delta := off[1]-off[0], off[2]-off[1]
	if delta*20 > key {
		t.Errorf("an unchanged snapshot took %d bytes against the keyframe's %d: not a delta", delta, key)
	}

	// Every record replays on its own, decoding from the keyframe.
	rp, _, _ := openReplay(t, recs, WriterOptions{KeyframeEvery: 4}, ReplayOptions{Paused: true})
	for _, i := range []int{8, 3, 5, 0, 7} {
		rp.seekIndexLocked(i)
		if d := diff(recs[i].Snapshot, rp.Record().Snapshot); d != "" && recs[i].Snapshot != nil {
			t.Errorf("seek to record %d: snapshot differs at %s", i, d)
		}
	}
}

func (r *Replay) seekIndexLocked(i int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seekIndex(i)
}

// TestVersion1RecordingReplays: recordings made before snapshot deltas (testdata/v1-mixed.rec, written
// by twinscale --demo --record at format 1) still read, replay, and take new records appended.
func TestVersion1RecordingReplays(t *testing.T) {
	const fixture = "testdata/v1-mixed.rec"
	recs, err := ReadAll(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 {
		t.Fatalf("read %d records, want 6", len(recs))
	}
	s := recs[1].Snapshot
	if s == nil || len(s.Pairs) != 10 || !s.Watch.Synced {
		t.Fatalf("record 1: %+v", s)
	}
	withHPA := 0
	for _, p := range s.Pairs {
		if p.ModelHPA != nil || p.ServerHPA != nil {
			withHPA++
		}
	}
	if withHPA == 0 || len(recs[1].Histories) != 10 {
		t.Errorf("record 1: %d pairs with an HPA, %d histories", withHPA, len(recs[1].Histories))
	}

	// Appending in today's format to a version 1 file keeps both readable.
	path := filepath.Join(t.TempDir(), "rec")
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	more := []Record{recs[5], recs[5]}
	more[1].At = more[1].At.Add(time.Second)
	writeAll(t, path, WriterOptions{}, more)
	all, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	requireEqualRecords(t, all, append(slices.Clone(recs), more...))

	rp, err := OpenReplay(fixture, ReplayOptions{Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	if p := rp.Position(); p.Total != 6 || p.Damage != "" {
		t.Errorf("replay position %+v", p)
	}
}

// TestReplayStartsSynced: the fixture's first record is the dashboard before its watch synced (0
// pairs, "no alerts"); the replay opens on the first synced record instead, and starts there again
// when played past the end.
func TestReplayStartsSynced(t *testing.T) {
	clock := &fakeClock{now: t0}
	rp, err := OpenReplay("testdata/v1-mixed.rec", ReplayOptions{Paused: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	if s := rp.Snapshot(); rp.Position().Index != 1 || !s.Watch.Synced || len(s.Pairs) != 10 {
		t.Fatalf("opened at record %d: synced %v, %d pairs", rp.Position().Index, s.Watch.Synced, len(s.Pairs))
	}
	rp.Resume()
	clock.Add(time.Hour)
	rp.Version()
	if p := rp.Position(); !p.Ended || p.Index != 5 {
		t.Fatalf("after an hour: %+v", p)
	}
	rp.TogglePause() // at the end: plays again from the start
	if i := rp.Position().Index; i != 1 {
		t.Errorf("restarted at record %d, want 1", i)
	}
	rp.Step(-5)
	if i := rp.Position().Index; i != 0 {
		t.Errorf("stepping back stopped at record %d; the pre-sync record stays reachable", i)
	}
}

// TestJunkIsNotARecording: a file that is not a recording says so, not "replayed the 0 records
// before it" nor "truncated", however short it is; a recording cut inside its first gzip
// header is still a cut recording.
func TestJunkIsNotARecording(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"text", []byte("hello, I am a text file\n"), "is not a twinscale recording"},
		{"shorter than a gzip header", []byte("junk\n"), "is not a twinscale recording"},
		{"one byte", []byte("j"), "is not a twinscale recording"},
		{"a cut gzip header", []byte{0x1f, 0x8b, 0x08}, "recording truncated after 0 records"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "junk")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenReplay(path, ReplayOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "records before it") {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}
