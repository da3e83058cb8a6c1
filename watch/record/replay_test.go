package record

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/static"
)

// fakeClock is the wall clock a replay reads, moved by the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recordsAt returns makeRecords' records re-timed to the given offsets from t0.
func recordsAt(offsets ...time.Duration) []Record {
	recs := makeRecords(len(offsets), true)
	for i, o := range offsets {
		recs[i].At = t0.Add(o)
	}
	return recs
}

func openReplay(t *testing.T, recs []Record, wopts WriterOptions, ropts ReplayOptions) (*Replay, *fakeClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec")
	writeAll(t, path, wopts, recs)
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	ropts.Now = clock.Now
	r, err := OpenReplay(path, ropts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, clock, path
}

// requireAt checks that the replay shows record i exactly: snapshot and every history.
func requireAt(t *testing.T, r *Replay, recs []Record, i int) {
	t.Helper()
	if p := r.Position(); p.Index != i {
		t.Fatalf("at record %d, want %d", p.Index, i)
	}
	if d := diff(recs[i].Snapshot, r.Snapshot()); d != "" {
		t.Fatalf("record %d snapshot differs at %s", i, d)
	}
	for k, h := range recs[i].Histories {
		if d := diff(h, r.History(k)); d != "" {
			t.Fatalf("record %d history %s differs at %s", i, k, d)
		}
	}
	if h := r.History("ns/nowhere"); h.Key != "ns/nowhere" || h.RPS != nil {
		t.Errorf("unknown key history = %+v", h)
	}
}

func TestReplayPlaysInRecordedTime(t *testing.T) {
	recs := recordsAt(0, time.Second, 2*time.Second, 3*time.Second, 10*time.Minute, 10*time.Minute+time.Second)
	r, clock, _ := openReplay(t, recs, WriterOptions{KeyframeEvery: 2}, ReplayOptions{MaxGap: 30 * time.Second})
	v := r.Version()
	requireAt(t, r, recs, 0)

	clock.Add(1500 * time.Millisecond)
	if r.Version() == v {
		t.Fatal("version did not change as playback moved")
	}
	requireAt(t, r, recs, 1)

	r.SetSpeed(2)
	clock.Add(500 * time.Millisecond) // one recorded second at ×2
	r.Version()
	requireAt(t, r, recs, 2)

	// A ten-minute quiet stretch plays as MaxGap, not ten minutes.
	clock.Add(time.Second)
	r.Version()
	requireAt(t, r, recs, 3)
	clock.Add(16 * time.Second)
	r.Version()
	requireAt(t, r, recs, 4)

	clock.Add(time.Second)
	r.Version()
	requireAt(t, r, recs, 5)
	if p := r.Position(); !p.Ended || !strings.HasSuffix(p.Text(), "end") {
		t.Errorf("at the end: %+v %q", p, p.Text())
	}
	// Resuming at the end starts over.
	if r.TogglePause() {
		t.Fatal("TogglePause at the end should resume")
	}
	requireAt(t, r, recs, 0)
}

func TestReplayControls(t *testing.T) {
	offsets := make([]time.Duration, 30)
	for i := range offsets {
		offsets[i] = time.Duration(i) * 5 * time.Second
	}
	recs := recordsAt(offsets...)
	r, clock, _ := openReplay(t, recs, WriterOptions{KeyframeEvery: 4}, ReplayOptions{Paused: true})

	clock.Add(time.Hour)
	r.Version()
	requireAt(t, r, recs, 0) // paused: the clock does not move playback

	r.Step(7)
	requireAt(t, r, recs, 7)
	r.Step(-3)
	requireAt(t, r, recs, 4)
	r.Step(-100)
	requireAt(t, r, recs, 0)
	r.Step(1000)
	requireAt(t, r, recs, 29)

	r.SeekTime(t0.Add(62 * time.Second)) // between records 12 (60 s) and 13 (65 s)
	requireAt(t, r, recs, 12)
	r.SeekTime(t0.Add(-time.Hour))
	requireAt(t, r, recs, 0)
	r.SeekBy(11 * time.Second)
	requireAt(t, r, recs, 2)
	r.SeekBy(time.Second) // less than a record apart still moves one record
	requireAt(t, r, recs, 3)
	r.SeekBy(-10 * time.Second)
	requireAt(t, r, recs, 1)

	// Random seeks decode from the right keyframe every time.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 60 {
		i := rng.IntN(len(recs))
		r.SeekTime(recs[i].At)
		requireAt(t, r, recs, i)
	}

	r.SetSpeed(1000)
	if r.Speed() != MaxSpeed {
		t.Errorf("speed %v, want clamped to %v", r.Speed(), MaxSpeed)
	}
	r.SetSpeed(1)
	r.Slower()
	r.Slower()
	if r.Speed() != 0.25 || !strings.Contains(r.Position().Text(), "×1/4") {
		t.Errorf("speed %v text %q", r.Speed(), r.Position().Text())
	}
	r.Faster()
	if r.Speed() != 0.5 {
		t.Errorf("speed %v", r.Speed())
	}

	r.SeekTime(t0)
	if !r.Position().Paused {
		t.Fatal("seeking resumed playback")
	}
	r.Resume()
	clock.Add(10 * time.Second) // ×0.5: 5 recorded seconds
	r.Version()
	requireAt(t, r, recs, 1)
	r.Pause()
	clock.Add(time.Hour)
	r.Version()
	requireAt(t, r, recs, 1)
}

// TestReplayEveryRecord: stepping through a replay shows every recorded snapshot and history, in order.
func TestReplayEveryRecord(t *testing.T) {
	recs := makeRecords(24, true)
	r, _, _ := openReplay(t, recs, WriterOptions{MaxBytes: 8 << 10, MaxFiles: 1000, KeyframeEvery: 7}, ReplayOptions{Paused: true})
	if p := r.Position(); p.Total != len(recs) || p.Damage != "" {
		t.Fatalf("position %+v", p)
	}
	for i := range recs {
		requireAt(t, r, recs, i)
		r.Step(1)
	}
}

func TestReplayDamage(t *testing.T) {
	recs := makeRecords(10, false)
	path := filepath.Join(t.TempDir(), "rec")
	writeAll(t, path, WriterOptions{}, recs)
	offs := memberOffsets(t, path)
	st, _ := os.Stat(path)
	os.Truncate(path, offs[9]+(st.Size()-offs[9])/2)

	clock := &fakeClock{now: t0}
	r, err := OpenReplay(path, ReplayOptions{Now: clock.Now, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := r.Position()
	if p.Total != 9 || !strings.Contains(p.Damage, "cut short at record 9") {
		t.Fatalf("position %+v", p)
	}
	r.Step(100)
	requireAt(t, r, recs, 8)

	// Damage the snapshot of record 4 in a way only a full decode sees: the replay ends before it
	// (one keyframe, so stepping on decodes through record 4).
	writeAll(t, path+"2", WriterOptions{KeyframeRatio: 1 << 20}, recs)
	b, _ := os.ReadFile(path + "2")
	offs = memberOffsets(t, path+"2")
	bad := gzipLine(`{"fmt":"twinscale-recording/1","at":"2026-03-01T12:00:04Z","hidden":{"pair/99":{"Spark":[1]}}}`)
	out := append(append(append([]byte{}, b[:offs[4]]...), bad...), b[offs[5]:]...)
	os.WriteFile(path+"2", out, 0o644)
	r2, err := OpenReplay(path+"2", ReplayOptions{Now: clock.Now, Paused: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	r2.Step(6)
	p = r2.Position()
	var d *DamageError
	if p.Index != 3 || p.Total != 4 || !strings.Contains(p.Damage, "damaged at record 5") || !errors.As(r2.damage, &d) {
		t.Fatalf("position %+v", p)
	}
	requireAt(t, r2, recs, 3)
}

func gzipLine(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s + "\n"))
	w.Close()
	return b.Bytes()
}

// TestRecorderReplaysTheSource: what a Recorder captures from a Source replays as that Source showed it.
func TestRecorderReplaysTheSource(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	src := static.New(filledSnapshot(rng, 2, true), nil)
	path := filepath.Join(t.TempDir(), "rec")
	w, err := NewWriter(path, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(src, w)
	var shown []*model.Snapshot
	var hist []map[string]model.PairHistory
	for i := 0; i < 8; i++ {
		snap := filledSnapshot(rng, 1+i%3, true)
		snap.Taken = t0.Add(time.Duration(i) * time.Second)
		for k, h := range histories(i, rng) {
			src.SetHistory(k, h)
		}
		src.Set(snap)
		wrote, err := rec.Capture(time.Now())
		if err != nil || !wrote {
			t.Fatalf("capture %d: %v %v", i, wrote, err)
		}
		if wrote, _ := rec.Capture(time.Now()); wrote {
			t.Fatal("captured an unchanged version twice")
		}
		shown = append(shown, src.Snapshot())
		h := map[string]model.PairHistory{}
		for _, p := range snap.Pairs {
			h[p.Key] = src.History(p.Key)
		}
		hist = append(hist, h)
	}
	w.Close()
	got, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(shown) {
		t.Fatalf("%d records, want %d", len(got), len(shown))
	}
	for i := range shown {
		if d := diff(shown[i], got[i].Snapshot); d != "" {
			t.Fatalf("record %d: %s", i, d)
		}
		if d := diff(hist[i], got[i].Histories); d != "" {
			t.Fatalf("record %d histories: %s", i, d)
		}
	}
}
