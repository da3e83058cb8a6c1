package whatif

import (
	"encoding/json"
	"math"
)

// finite is v, or nil for NaN and ±Inf, which JSON cannot spell (they become null).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// MarshalJSON writes a missing metric and an infinite ratio as null.
func (s Sync) MarshalJSON() ([]byte, error) {
	type plain Sync
	return json.Marshal(struct {
		plain
		Metric *float64 `json:"metric"`
		Ratio  *float64 `json:"ratio"`
	}{plain(s), finite(s.Metric), finite(s.Ratio)})
}

// MarshalJSON writes a missing RPS as null.
func (p Point) MarshalJSON() ([]byte, error) {
	type plain Point
	return json.Marshal(struct {
		plain
		RPS *float64 `json:"rps"`
	}{plain(p), finite(p.RPS)})
}

// MarshalText spells the side as flags do.
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
