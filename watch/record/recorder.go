package record

import (
	"context"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch"
)

// Recorder writes what a Source shows: every new snapshot version, with the histories of its pairs.
// It reads the Source like the dashboard does, so a replay shows what the dashboard showed.
type Recorder struct {
	src  watch.Source
	w    *Writer
	last uint64
	// OnError is called with each write error (the recording goes on); nil ignores them.
	OnError func(error)
}

// NewRecorder returns a Recorder of src into w.
func NewRecorder(src watch.Source, w *Writer) *Recorder { return &Recorder{src: src, w: w} }

// Capture writes a record if the Source has a new version; it reports whether it wrote one.
func (r *Recorder) Capture(now time.Time) (bool, error) {
	v := r.src.Version()
	if v == r.last {
		return false, nil
	}
	snap := r.src.Snapshot()
	rec := Record{At: snap.Taken, Snapshot: snap}
	if rec.At.IsZero() {
		rec.At = now
	}
	if len(snap.Pairs) > 0 {
		rec.Histories = make(map[string]model.PairHistory, len(snap.Pairs))
		for _, p := range snap.Pairs {
			rec.Histories[p.Key] = r.src.History(p.Key)
		}
	}
	if err := r.w.Write(rec); err != nil {
		return false, err
	}
	r.last = v
	return true, nil
}

// Run captures every interval until ctx ends, then closes the writer. Versions in between coalesce,
// as they do on screen.
func (r *Recorder) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 250 * time.Millisecond
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.Capture(time.Now()); err != nil && r.OnError != nil {
			r.OnError(err)
		}
		select {
		case <-ctx.Done():
			if _, err := r.Capture(time.Now()); err != nil && r.OnError != nil {
				r.OnError(err)
			}
			return r.w.Close()
		case <-t.C:
		}
	}
}
