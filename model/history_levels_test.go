package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// denseLevels is the plain model of the replica series: every slot stored, a slot
// written only by RecordReplicas, the head's value carried into every new slot.
type denseLevels struct {
	capacity int64
	head     int64
	started  bool
	rings    map[string]map[int64][numLevels]float32
}

func (d *denseLevels) advance(idx int64) {
	if !d.started {
		d.head, d.started = idx, true
		return
	}
	for idx > d.head {
		for _, r := range d.rings {
			r[d.head+1] = d.value(r, d.head)
		}
		d.head++
	}
}

func (d *denseLevels) value(r map[int64][numLevels]float32, idx int64) [numLevels]float32 {
	if v, ok := r[idx]; ok {
		return v
	}
	nan := float32(math.NaN())
	return [numLevels]float32{nan, nan, nan, nan}
}

func (d *denseLevels) ring(key string) map[int64][numLevels]float32 {
	if d.rings[key] == nil {
		d.rings[key] = map[int64][numLevels]float32{}
	}
	return d.rings[key]
}

func (d *denseLevels) inWindow(idx int64) bool { return idx <= d.head && idx > d.head-d.capacity }

// TestHistoryLevelsMatchDense replays random polls and replica records, in order and out
// of order, and checks that the replica series History keeps as changes read exactly as
// slot-by-slot storage would.
func TestHistoryLevelsMatchDense(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 3))
			capacity := 1 + r.IntN(12)
			h := NewHistory(capacity, step)
			d := &denseLevels{capacity: int64(capacity), rings: map[string]map[int64][numLevels]float32{}}
			keys := []string{"ns/a", "ns/b", "ns/c"}
			slot := 0
			for op := range 300 {
				key := keys[r.IntN(len(keys))]
				switch k := r.IntN(10); {
				case k < 2: // a poll, sometimes a slot or two ahead
					slot += r.IntN(3)
					h.RecordPoll(MetricsPoll{At: slotAt(slot), Samples: map[string]MetricSample{key: {RPS: 1}}})
					d.advance(int64(slot) + histT0.UnixNano()/int64(step))
					if d.inWindow(int64(slot) + histT0.UnixNano()/int64(step)) {
						d.ring(key)
					}
				case k < 3: // the clock jumps past the whole window
					slot += capacity + r.IntN(3)
				default: // replicas, now or a little in the past
					at := slot
					if r.IntN(4) == 0 {
						at -= r.IntN(capacity + 2)
					}
					counts := func() Count {
						if r.IntN(5) == 0 {
							return UnknownCount("x")
						}
						return Known(int32(r.IntN(3)))
					}
					md, mr, sd, sr := counts(), counts(), counts(), counts()
					h.RecordReplicas(slotAt(at), key, md, mr, sd, sr)
					idx := int64(at) + histT0.UnixNano()/int64(step)
					d.advance(idx)
					if d.inWindow(idx) {
						d.ring(key)[idx] = [numLevels]float32{countValue(md), countValue(mr), countValue(sd), countValue(sr)}
					}
				}
				for _, key := range keys {
					ph := h.Pair(key)
					if len(ph.ModelDesired) == 0 {
						continue
					}
					from := ph.Start.UnixNano() / int64(step)
					ring := d.rings[key]
					for i := range ph.ModelDesired {
						want := d.value(ring, from+int64(i))
						got := [numLevels]float32{float32(ph.ModelDesired[i]), float32(ph.ModelReady[i]),
							float32(ph.ServerDesired[i]), float32(ph.ServerReady[i])}
						if !sameLevel(got, want) {
							t.Fatalf("op %d: %s slot %d: got %v, want %v", op, key, i, got, want)
						}
					}
				}
			}
		})
	}
}
