package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// objPatch turns one JSON object into the next: keys set whole, keys deleted, objects patched in
// place and arrays rebuilt from a slice of the old one. Snapshots change a few leaves between records
// (a forecast's time, a count), so a patch is a small fraction of the object it rebuilds.
type objPatch struct {
	Set map[string]json.RawMessage `json:"set,omitempty"`
	Del []string                   `json:"del,omitempty"`
	Sub map[string]*objPatch       `json:"sub,omitempty"`
	Arr map[string]*arrPatch       `json:"arr,omitempty"`
}

// arrPatch rebuilds an array as Head, then the old array's elements From to To, then Tail: events
// newest first gain a head and lose a tail, lists oldest first the reverse.
type arrPatch struct {
	Head []json.RawMessage `json:"head,omitempty"`
	From int               `json:"from,omitempty"`
	To   int               `json:"to"`
	Tail []json.RawMessage `json:"tail,omitempty"`
}

// diffObject returns the patch from old to cur, both JSON objects (old nil for none); nil when equal.
func diffObject(old, cur json.RawMessage) (*objPatch, error) {
	if bytes.Equal(old, cur) {
		return nil, nil
	}
	var o, c map[string]json.RawMessage
	if len(old) > 0 {
		if err := json.Unmarshal(old, &o); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal(cur, &c); err != nil {
		return nil, err
	}
	var p objPatch
	for k, cv := range c {
		ov, ok := o[k]
		switch {
		case ok && bytes.Equal(ov, cv):
		case ok && isObject(ov) && isObject(cv):
			sub, err := diffObject(ov, cv)
			if err != nil {
				return nil, err
			}
			if sub != nil {
				setMap(&p.Sub, k, sub)
			}
		case ok && isArray(ov) && isArray(cv):
			ap, err := diffArray(ov, cv)
			if err != nil {
				return nil, err
			}
			if ap != nil {
				setMap(&p.Arr, k, ap)
			} else {
				setMap(&p.Set, k, cv)
			}
		default:
			setMap(&p.Set, k, cv)
		}
	}
	for k := range o {
		if _, ok := c[k]; !ok {
			p.Del = append(p.Del, k)
		}
	}
	slices.Sort(p.Del)
	if p.Set == nil && p.Del == nil && p.Sub == nil && p.Arr == nil {
		return nil, nil
	}
	return &p, nil
}

func setMap[V any](m *map[string]V, k string, v V) {
	if *m == nil {
		*m = map[string]V{}
	}
	(*m)[k] = v
}

func isObject(b json.RawMessage) bool { return len(b) > 0 && b[0] == '{' }
func isArray(b json.RawMessage) bool  { return len(b) > 0 && b[0] == '[' }

// diffArray finds the longest run of the old array in the new one that starts at either one's first
// element; nil when no element is kept (the array is then set whole).
func diffArray(old, cur json.RawMessage) (*arrPatch, error) {
	var o, c []json.RawMessage
	if err := json.Unmarshal(old, &o); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(cur, &c); err != nil {
		return nil, err
	}
	best := arrPatch{}
	bestLen := 0
	run := func(ci, oi int) int {
		n := 0
		for ci+n < len(c) && oi+n < len(o) && bytes.Equal(c[ci+n], o[oi+n]) {
			n++
		}
		return n
	}
	// Old's first element somewhere in the new array: items were put in front.
	if len(o) > 0 {
		for ci := range c {
			if n := run(ci, 0); n > bestLen {
				bestLen, best = n, arrPatch{Head: c[:ci], From: 0, To: n, Tail: c[ci+n:]}
			}
		}
	}
	// New's first element somewhere in the old array: items were dropped from the front.
	if len(c) > 0 {
		for oi := range o {
			if n := run(0, oi); n > bestLen {
				bestLen, best = n, arrPatch{From: oi, To: oi + n, Tail: c[n:]}
			}
		}
	}
	if bestLen == 0 {
		return nil, nil
	}
	return &best, nil
}

// applyPatchJSON rebuilds the object p was made against old (nil for none).
func applyPatchJSON(old json.RawMessage, p *objPatch) (json.RawMessage, error) {
	if p == nil {
		return old, nil
	}
	m := map[string]json.RawMessage{}
	if len(old) > 0 {
		if err := json.Unmarshal(old, &m); err != nil {
			return nil, err
		}
	}
	for _, k := range p.Del {
		delete(m, k)
	}
	for k, v := range p.Set {
		m[k] = v
	}
	for k, sub := range p.Sub {
		ov, ok := m[k]
		if !ok || !isObject(ov) {
			return nil, fmt.Errorf("patch of %q, which the previous record does not have as an object", k)
		}
		nv, err := applyPatchJSON(ov, sub)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		m[k] = nv
	}
	for k, ap := range p.Arr {
		ov, ok := m[k]
		if !ok || !isArray(ov) {
			return nil, fmt.Errorf("array patch of %q, which the previous record does not have as an array", k)
		}
		var o []json.RawMessage
		if err := json.Unmarshal(ov, &o); err != nil {
			return nil, err
		}
		if ap.From < 0 || ap.To < ap.From || ap.To > len(o) {
			return nil, fmt.Errorf("array patch of %q: elements %d to %d of %d", k, ap.From, ap.To, len(o))
		}
		out := make([]json.RawMessage, 0, len(ap.Head)+ap.To-ap.From+len(ap.Tail))
		out = append(out, ap.Head...)
		out = append(out, o[ap.From:ap.To]...)
		out = append(out, ap.Tail...)
		b, err := json.Marshal(out)
		if err != nil {
			return nil, err
		}
		m[k] = b
	}
	return json.Marshal(m)
}
