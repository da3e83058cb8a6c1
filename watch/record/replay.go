package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

// ReplayOptions tune a Replay. Zero values take the defaults.
type ReplayOptions struct {
	// Now is the wall clock (default time.Now); tests drive playback with their own.
	Now func() time.Time
	// MaxGap is the longest stretch of recorded time without records that plays in real time; longer
	// gaps (twinscale was not running, or nothing changed) are skipped. Default 30 s.
	MaxGap time.Duration
	// Paused starts the replay paused on the first record.
	Paused bool
}

// Replay plays a recording as a watch.Source, with pause, seek and speed controls for the UI.
// It loads one record at a time, decoding forward from the nearest keyframe when it seeks.
type Replay struct {
	path    string
	opts    ReplayOptions
	files   []string
	version atomic.Uint64
	snap    atomic.Pointer[model.Snapshot]

	mu     sync.Mutex
	index  []entry
	damage error
	pos    int
	first  int // the first synced record, where playback starts and restarts
	cur    Record
	rd     *Reader // positioned after pos, for cheap forward steps
	paused bool
	ended  bool
	speed  float64
	wall0  time.Time // wall time of the anchor
	rec0   time.Time // recorded time at the anchor
}

type entry struct {
	at       time.Time
	file     int
	offset   int64
	line     int
	keyframe int // index of the keyframe this record decodes from
}

var _ watch.Source = (*Replay)(nil)

// OpenReplay indexes the recording at path (every file, every record's time) and loads its first
// record. Damage found while indexing does not fail: the replay stops there and Position says why.
func OpenReplay(path string, opts ReplayOptions) (*Replay, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxGap <= 0 {
		opts.MaxGap = 30 * time.Second
	}
	files, err := Files(path)
	if err != nil {
		return nil, err
	}
	r := &Replay{path: path, opts: opts, files: files, speed: 1, paused: opts.Paused}
	r.index, r.damage = indexFiles(files)
	if len(r.index) == 0 {
		var d *DamageError
		if errors.As(r.damage, &d) && d.Records == 0 && !d.Truncated {
			// Not one record reads: this is not a damaged recording but some other file.
			return nil, fmt.Errorf("%s is not a twinscale recording (%v)", d.File, d.Err)
		}
		if r.damage != nil {
			return nil, r.damage
		}
		return nil, fmt.Errorf("recording %s: no records", path)
	}
	r.snap.Store(&model.Snapshot{})
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.load(0); err != nil {
		return nil, err
	}
	r.first = r.firstSynced()
	if err := r.load(r.first); err != nil {
		return nil, err
	}
	r.anchor(r.opts.Now())
	return r, nil
}

// maxPreSync bounds how many records the replay reads looking for the first synced one.
const maxPreSync = 200

// firstSynced is the index of the first record whose watch had synced (0 when none did within
// maxPreSync records): the frames before it show an empty cluster, not what the dashboard knew.
// Called with mu held, at record 0.
func (r *Replay) firstSynced() int {
	for i := 0; i < len(r.index) && i < maxPreSync; i++ {
		if r.load(i) != nil {
			return 0
		}
		if s := r.cur.Snapshot; s != nil && s.Watch.Synced {
			return i
		}
	}
	return 0
}

// indexFiles reads every record's time and place without decoding snapshots.
func indexFiles(files []string) ([]entry, error) {
	var out []entry
	key := -1
	for fi, path := range files {
		m, err := openMembers(path, 0)
		if err != nil {
			return out, err
		}
		first := true
		for {
			data, start, err := m.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				m.close()
				var d *DamageError
				if errors.As(err, &d) {
					d.Records = len(out)
				}
				return out, err
			}
			line := 0
			for len(data) > 0 {
				var l []byte
				l, data, _ = bytes.Cut(data, []byte{'\n'})
				if len(bytes.TrimSpace(l)) == 0 {
					continue
				}
				var head struct {
					Format   string    `json:"fmt"`
					At       time.Time `json:"at"`
					Keyframe bool      `json:"keyframe"`
				}
				err := json.Unmarshal(l, &head)
				switch {
				case err != nil:
					err = fmt.Errorf("bad JSON: %w", err)
				case !knownFormat(head.Format):
					err = fmt.Errorf("not a twinscale recording line (format %q)", head.Format)
				case first && !head.Keyframe:
					err = errors.New("the file does not start with a keyframe")
				}
				if err != nil {
					m.close()
					return out, &DamageError{File: path, Records: len(out), Offset: start, Err: err}
				}
				first = false
				if head.Keyframe {
					key = len(out)
				}
				out = append(out, entry{at: head.At, file: fi, offset: start, line: line, keyframe: key})
				line++
			}
		}
		m.close()
	}
	return out, nil
}

// load makes record i current. Called with mu held.
func (r *Replay) load(i int) error {
	if i == r.pos && r.cur.Snapshot != nil {
		return nil
	}
	// Read forward from where the open reader stands when that is no further than from the keyframe.
	if r.rd == nil || r.rd.n > i || r.rd.n < r.index[i].keyframe {
		if r.rd != nil {
			r.rd.Close()
		}
		k := r.index[i].keyframe
		e := r.index[k]
		rd, err := openAt(r.files, e.file, e.offset, e.line, k)
		if err != nil {
			return r.fail(i, err)
		}
		r.rd = rd
	}
	var rec Record
	for r.rd.n <= i {
		var err error
		if rec, err = r.rd.Next(); err != nil {
			return r.fail(r.rd.n, err)
		}
	}
	r.pos, r.cur = i, rec
	snap := rec.Snapshot
	if snap == nil {
		snap = &model.Snapshot{Taken: rec.At}
	}
	r.snap.Store(snap)
	r.version.Add(1)
	return nil
}

// fail records damage met while loading record i: the replay ends before it.
func (r *Replay) fail(i int, err error) error {
	if r.rd != nil {
		r.rd.Close()
		r.rd = nil
	}
	// Record 0 loaded when the replay opened, so at least it stays playable.
	if i = max(i, 1); i < len(r.index) {
		r.index = r.index[:i]
	}
	r.damage = err
	if r.pos >= len(r.index) {
		r.pos = max(len(r.index)-1, 0)
	}
	return err
}

// anchor restarts the playback clock at the current record. Called with mu held.
func (r *Replay) anchor(now time.Time) {
	r.wall0 = now
	r.rec0 = r.index[r.pos].at
}

// recordedNow is the recorded time the playback clock shows. Called with mu held.
func (r *Replay) recordedNow(now time.Time) time.Time {
	if r.paused || r.ended {
		return r.rec0
	}
	return r.rec0.Add(time.Duration(float64(now.Sub(r.wall0)) * r.speed))
}

// advance moves playback to the record the clock has reached. Called with mu held.
func (r *Replay) advance() {
	if r.paused || r.ended || len(r.index) == 0 {
		return
	}
	now := r.opts.Now()
	at := r.recordedNow(now)
	i := r.pos
	for i+1 < len(r.index) && !r.index[i+1].at.After(at) {
		i++
	}
	if i+1 < len(r.index) && at.Sub(r.index[i].at) > r.opts.MaxGap {
		// Nothing was recorded for a long while: skip to the next record instead of waiting it out.
		i++
		if r.load(i) != nil {
			_ = r.load(len(r.index) - 1)
			r.ended = true
			return
		}
		r.anchor(now)
		return
	}
	if i != r.pos {
		if r.load(i) != nil {
			_ = r.load(len(r.index) - 1)
			r.ended = true
			return
		}
	}
	if i == len(r.index)-1 {
		r.ended = true
		r.rec0 = r.index[i].at
	}
}

// Version advances playback to the wall clock and returns the version of the current record.
func (r *Replay) Version() uint64 {
	r.mu.Lock()
	r.advance()
	r.mu.Unlock()
	return r.version.Load()
}

// Snapshot returns the current record's snapshot; never nil.
func (r *Replay) Snapshot() *model.Snapshot { return r.snap.Load() }

// History returns a copy of one pair's history as recorded with the current snapshot.
func (r *Replay) History(key string) model.PairHistory {
	r.mu.Lock()
	h, ok := r.cur.Histories[key]
	r.mu.Unlock()
	if !ok {
		return model.PairHistory{Key: key}
	}
	return h.Clone()
}

// Record returns the current record (shared: do not modify).
func (r *Replay) Record() Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

// TogglePause pauses or resumes playback and returns whether it is now paused. Resuming at the end
// starts again from the first record.
func (r *Replay) TogglePause() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setPaused(!(r.paused || r.ended))
	return r.paused
}

// Pause stops playback on the current record.
func (r *Replay) Pause() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setPaused(true)
}

// Resume continues playback from the current record.
func (r *Replay) Resume() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setPaused(false)
}

func (r *Replay) setPaused(p bool) {
	now := r.opts.Now()
	if !p && r.ended {
		r.ended = false
		if r.pos == len(r.index)-1 {
			_ = r.load(min(r.first, len(r.index)-1))
		}
	}
	r.paused = p
	r.anchor(now)
}

// Step moves n records forward (or back when negative), clamped to the recording, and pauses there
// when playback was paused.
func (r *Replay) Step(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seekIndex(r.pos + n)
}

// SeekTime moves to the last record taken at or before t (the first record when t is earlier).
func (r *Replay) SeekTime(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := sort.Search(len(r.index), func(i int) bool { return r.index[i].at.After(t) }) - 1
	r.seekIndex(i)
}

// SeekBy moves the playback clock by d of recorded time (negative to go back).
func (r *Replay) SeekBy(d time.Duration) {
	r.mu.Lock()
	at := r.index[r.pos].at.Add(d)
	r.mu.Unlock()
	if d < 0 {
		r.SeekTime(at)
		return
	}
	// Forward: at least one record, so a short step over a quiet stretch still moves.
	r.mu.Lock()
	defer r.mu.Unlock()
	i := sort.Search(len(r.index), func(i int) bool { return r.index[i].at.After(at) }) - 1
	r.seekIndex(max(i, r.pos+1))
}

func (r *Replay) seekIndex(i int) {
	i = min(max(i, 0), len(r.index)-1)
	if r.load(i) != nil {
		// Damage on the way: stop on the last record before it.
		i = min(i, len(r.index)-1)
		_ = r.load(i)
	}
	r.ended = i == len(r.index)-1 && !r.paused
	r.anchor(r.opts.Now())
}

// Speeds a replay can play at.
const (
	MinSpeed = 1.0 / 16
	MaxSpeed = 64.0
)

// SetSpeed sets the playback speed (1 is real time), clamped to [MinSpeed, MaxSpeed].
func (r *Replay) SetSpeed(x float64) {
	if math.IsNaN(x) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.advance()
	r.rec0 = r.recordedNow(r.opts.Now())
	r.wall0 = r.opts.Now()
	r.speed = min(max(x, MinSpeed), MaxSpeed)
}

// Faster doubles the speed.
func (r *Replay) Faster() { r.SetSpeed(r.Speed() * 2) }

// Slower halves the speed.
func (r *Replay) Slower() { r.SetSpeed(r.Speed() / 2) }

// Speed returns the playback speed.
func (r *Replay) Speed() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.speed
}

// Position is where a replay stands, for the header.
type Position struct {
	Index int // 0-based index of the current record
	Total int
	At    time.Time // when the current record was taken
	Start time.Time // first and last record times
	End   time.Time
	// Now is the recorded time the playback clock shows: the "now" ages are measured against.
	Now    time.Time
	Paused bool
	Ended  bool
	Speed  float64
	// Damage says in a few words where the recording stops being readable ("" when it is whole).
	Damage string
}

// Position reports the replay's state.
func (r *Replay) Position() Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := Position{Index: r.pos, Total: len(r.index), At: r.index[r.pos].at,
		Start: r.index[0].at, End: r.index[len(r.index)-1].at,
		Paused: r.paused, Ended: r.ended, Speed: r.speed}
	p.Now = r.recordedNow(r.opts.Now())
	if p.Now.Before(p.At) || r.ended {
		p.Now = p.At
	}
	var d *DamageError
	switch {
	case errors.As(r.damage, &d):
		p.Damage = d.Brief()
	case r.damage != nil:
		p.Damage = r.damage.Error()
	}
	return p
}

// Text renders the position on one line: "replay 12/340 12:03:04 ×2 paused".
func (p Position) Text() string {
	s := fmt.Sprintf("replay %d/%d %s ×%s", p.Index+1, p.Total, p.At.Format("15:04:05"), speedText(p.Speed))
	switch {
	case p.Ended:
		s += " end"
	case p.Paused:
		s += " paused"
	}
	return s
}

func speedText(x float64) string {
	if x >= 1 {
		return fmt.Sprintf("%g", x)
	}
	return fmt.Sprintf("1/%g", 1/x)
}

// Close releases the open recording file.
func (r *Replay) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rd != nil {
		err := r.rd.Close()
		r.rd = nil
		return err
	}
	return nil
}

// StatusText is Position().Text(), for the dashboard header.
func (r *Replay) StatusText() string { return r.Position().Text() }

// Paused reports whether playback is paused (or has ended).
func (r *Replay) Paused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paused || r.ended
}

// Damage says in a few words where the recording stops being readable ("" when it is whole).
func (r *Replay) Damage() string { return r.Position().Damage }

// Notice is the damage in a sentence for the footer ("" when the recording is whole).
func (r *Replay) Notice() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d *DamageError
	switch {
	case errors.As(r.damage, &d):
		return d.Notice()
	case r.damage != nil:
		return r.damage.Error()
	}
	return ""
}

// Now is the recorded time playback has reached: the dashboard's clock during a replay, so ages read
// as they did when the recording was made.
func (r *Replay) Now() time.Time { return r.Position().Now }

// Info says the replay is a recording on its own clock, played by itself.
func (r *Replay) Info() watch.SourceInfo { return watch.SourceInfo{Now: r.Now, Player: r} }
