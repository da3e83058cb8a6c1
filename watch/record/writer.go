// Package record writes and replays twinscale recordings: the stream of snapshots, histories and metric
// polls a dashboard showed, as gzip-compressed JSON lines.
//
// A recording is a file of concatenated gzip members, one per record, each holding one JSON line, so
// `zcat FILE | jq` reads it. A member is written with a single write after it is complete, so a crash
// loses at most the record being written; the reader skips a truncated last member and says so, and a
// writer reopening the file cuts such a tail off before it appends. Files rotate at a size bound to
// FILE.1 … FILE.N, and every file starts with a keyframe, so each one replays on its own.
package record

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/twinscale/twinscale/model"
)

// Record is one moment of a dashboard: its snapshot, the histories behind the detail view, and the
// Prometheus poll that arrived with it, if any.
type Record struct {
	At       time.Time
	Snapshot *model.Snapshot
	// Histories are the pairs' histories as Source.History returned them, by pair key.
	Histories map[string]model.PairHistory
	// Poll is the raw metric samples of a Prometheus poll taken at At (nil when none).
	Poll *model.MetricsPoll
}

// WriterOptions bound a recording. Zero values take the defaults.
type WriterOptions struct {
	// MaxBytes is the size at which the file rotates (default 64 MiB). A record larger than MaxBytes
	// is still written whole, to a file of its own.
	MaxBytes int64
	// MaxFiles is how many rotated files (FILE.1 … FILE.N) are kept (default 3).
	MaxFiles int
	// KeyframeEvery writes the snapshot and every history in full at least every so many records
	// (default 1000), so a seek never decodes more than that many records. A keyframe also comes
	// once the deltas since the last one add up to KeyframeRatio times its size (default 8), so a
	// seek decodes at most that many keyframes' worth of deltas, and keyframes stay a small share
	// of the file.
	KeyframeEvery int
	KeyframeRatio int
	// Sync calls fsync after every record, for recordings that must survive a power cut.
	Sync bool
}

// Writer appends records to a recording file. It is safe for concurrent use.
type Writer struct {
	mu       sync.Mutex
	path     string
	opts     WriterOptions
	f        *os.File
	size     int64
	sinceKey int
	keySize  int64 // bytes of the last keyframe
	keyDelta int64 // bytes of the deltas written since it
	prev     map[string]model.PairHistory
	prevSnap *snapState
	gz       *gzip.Writer
	buf      bytes.Buffer
	repaired string
	closed   bool
}

// NewWriter opens path for appending, creating it if needed. An existing recording whose last record
// was cut short by a crash is truncated to its last whole record; one damaged in the middle is rotated
// away untouched. A file that is not a twinscale recording is refused.
func NewWriter(path string, opts WriterOptions) (*Writer, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 64 << 20
	}
	if opts.MaxFiles <= 0 {
		opts.MaxFiles = 3
	}
	if opts.KeyframeEvery <= 0 {
		opts.KeyframeEvery = 1000
	}
	if opts.KeyframeRatio <= 0 {
		opts.KeyframeRatio = 8
	}
	w := &Writer{path: path, opts: opts}
	if err := w.repair(); err != nil {
		return nil, err
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	w.gz, _ = gzip.NewWriterLevel(&w.buf, gzip.BestSpeed)
	return w, nil
}

// Repaired describes what NewWriter did to a damaged file ("" when nothing), for the log.
func (w *Writer) Repaired() string { return w.repaired }

func (w *Writer) repair() error {
	st, err := os.Stat(w.path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("record: %s is not a regular file", w.path)
	}
	good, n, damage := scanFile(w.path)
	var d *DamageError
	switch {
	case damage == nil:
		return nil
	case n == 0 && good == 0:
		return fmt.Errorf("record: %s exists and is not a twinscale recording (%v); choose another file", w.path, damage)
	case errors.As(damage, &d) && d.Truncated:
		if err := os.Truncate(w.path, good); err != nil {
			return fmt.Errorf("record: cut the damaged tail of %s: %w", w.path, err)
		}
		w.repaired = fmt.Sprintf("%s: cut a record left unfinished by a crash (kept %d records, %d bytes)", w.path, n, good)
	default:
		if err := w.rotateFiles(); err != nil {
			return err
		}
		w.repaired = fmt.Sprintf("%s: %v; moved it to %s.1 and started a new file", w.path, damage, w.path)
	}
	return nil
}

func (w *Writer) open() error {
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("record: %w", err)
	}
	w.f, w.size = f, st.Size()
	// A new writer knows no previous histories, so its first record is a keyframe either way.
	w.prev, w.prevSnap, w.sinceKey = nil, nil, 0
	return nil
}

// rotateFiles shifts FILE.i to FILE.i+1, drops the oldest and moves FILE to FILE.1.
func (w *Writer) rotateFiles() error {
	n := w.opts.MaxFiles
	if err := os.Remove(w.path + "." + strconv.Itoa(n)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("record: rotate: %w", err)
	}
	for i := n - 1; i >= 1; i-- {
		from := w.path + "." + strconv.Itoa(i)
		if err := os.Rename(from, w.path+"."+strconv.Itoa(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("record: rotate: %w", err)
		}
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("record: rotate: %w", err)
	}
	return nil
}

// Write appends one record as one gzip member. The writer keeps rec's histories to encode the next
// record's as deltas: the caller must not modify them afterwards.
func (w *Writer) Write(rec Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("record: write after close")
	}
	keyframe := w.prev == nil || w.sinceKey >= w.opts.KeyframeEvery || w.keyDelta >= w.keySize*int64(w.opts.KeyframeRatio)
	member, snap, err := w.encode(rec, keyframe)
	if err != nil {
		return err
	}
	if w.size > 0 && w.size+int64(len(member)) > w.opts.MaxBytes {
		if err := w.rotate(); err != nil {
			return err
		}
		// Every file starts with a keyframe so that it replays without the files before it.
		keyframe = true
		if member, snap, err = w.encode(rec, true); err != nil {
			return err
		}
	}
	if _, err := w.f.Write(member); err != nil {
		return fmt.Errorf("record: write %s: %w", w.path, err)
	}
	if w.opts.Sync {
		if err := w.f.Sync(); err != nil {
			return fmt.Errorf("record: sync %s: %w", w.path, err)
		}
	}
	w.size += int64(len(member))
	if keyframe {
		w.sinceKey, w.keySize, w.keyDelta = 0, int64(len(member)), 0
	} else {
		w.keyDelta += int64(len(member))
	}
	w.sinceKey++
	w.prev = rec.Histories
	if snap != nil {
		w.prevSnap = snap
	}
	if w.prev == nil {
		w.prev = map[string]model.PairHistory{}
	}
	return nil
}

func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("record: close %s: %w", w.path, err)
	}
	if err := w.rotateFiles(); err != nil {
		return err
	}
	return w.open()
}

// encode builds the gzip member of rec; keyframe writes the snapshot and every history in full, other
// records what changed since the previous one. It returns the snapshot state the next record's delta
// is made against (nil when rec has no snapshot).
func (w *Writer) encode(rec Record, keyframe bool) ([]byte, *snapState, error) {
	l := line{Format: formatTag, At: rec.At, Keyframe: keyframe, Poll: rec.Poll}
	var next *snapState
	if s := rec.Snapshot; s != nil {
		prev := w.prevSnap
		if keyframe || prev == nil {
			prev = &snapState{}
		}
		d, st, err := encodeSnapshot(s, prev)
		if err != nil {
			return nil, nil, fmt.Errorf("record: %w", err)
		}
		l.Snap, next = d, st
	}
	keys := make([]string, 0, len(rec.Histories))
	for k := range rec.Histories {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h := rec.Histories[k]
		var prev *model.PairHistory
		if !keyframe {
			if p, ok := w.prev[k]; ok {
				prev = &p
			}
		}
		d, err := encodeHistory(&h, prev)
		if err != nil {
			return nil, nil, fmt.Errorf("record: history %s: %w", k, err)
		}
		if d != nil {
			if l.History == nil {
				l.History = map[string]*historyDelta{}
			}
			l.History[k] = d
		}
	}
	if !keyframe {
		for k := range w.prev {
			if _, ok := rec.Histories[k]; !ok {
				l.Drop = append(l.Drop, k)
			}
		}
		slices.Sort(l.Drop)
	}

	js, err := json.Marshal(l)
	var uv *json.UnsupportedValueError
	if errors.As(err, &uv) {
		// Rare: a NaN or ±Inf in the snapshot or poll. Write 0 there and a patch that puts it back.
		clean, patches := sanitize(reflect.ValueOf(l), nil)
		l2 := clean.Interface().(line)
		l2.NonFinite = patches
		js, err = json.Marshal(l2)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("record: encode: %w", err)
	}
	w.buf.Reset()
	w.gz.Reset(&w.buf)
	if _, err := w.gz.Write(js); err != nil {
		return nil, nil, fmt.Errorf("record: compress: %w", err)
	}
	if _, err := w.gz.Write([]byte{'\n'}); err != nil {
		return nil, nil, fmt.Errorf("record: compress: %w", err)
	}
	if err := w.gz.Close(); err != nil {
		return nil, nil, fmt.Errorf("record: compress: %w", err)
	}
	return bytes.Clone(w.buf.Bytes()), next, nil
}

// Close flushes and closes the file. Every written record is already complete on disk.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("record: close %s: %w", w.path, err)
	}
	return nil
}

var _ io.Closer = (*Writer)(nil)
