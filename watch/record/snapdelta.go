package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/twinscale/twinscale/model"
)

// snapDelta is a snapshot as a patch against the previous record's: its own fields as one object,
// each pair as one object by key. A keyframe patches against nothing, so it carries everything.
type snapDelta struct {
	// Meta patches the snapshot without its pairs; nil when unchanged.
	Meta *objPatch `json:"meta,omitempty"`
	// Keys are the pairs' keys in order; omitted (SameKeys) when they are the previous record's.
	Keys     []string `json:"keys,omitempty"`
	SameKeys bool     `json:"sameKeys,omitempty"`
	// Pairs patches each pair that changed or is new, by key.
	Pairs map[string]*objPatch `json:"pairs,omitempty"`
}

// snapState is the previous record's snapshot as the patches of the next one apply to it.
type snapState struct {
	meta  json.RawMessage
	keys  []string
	pairs map[string]json.RawMessage
	// decoded pairs, reused while unchanged (reader side only)
	decoded map[string]model.Pair
	// revs are the pairs' Revs (writer side): an unchanged non-zero Rev is an unchanged pair, which
	// is then neither marshalled nor compared.
	revs map[string]uint64
}

// objectOf is a struct value as one JSON object: its JSON fields under "v" (non-finite floats
// patched, see marshalFinite) and its json:"-" fields under "hidden".
func objectOf(v reflect.Value) (json.RawMessage, error) {
	js, err := marshalFinite(v.Interface())
	if err != nil {
		return nil, err
	}
	hidden, err := hiddenFields(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		V      json.RawMessage            `json:"v"`
		Hidden map[string]json.RawMessage `json:"hidden,omitempty"`
	}{js, hidden})
}

// fromObject sets the struct v points at from objectOf's output.
func fromObject(obj json.RawMessage, v reflect.Value) error {
	var o struct {
		V      json.RawMessage            `json:"v"`
		Hidden map[string]json.RawMessage `json:"hidden"`
	}
	if err := json.Unmarshal(obj, &o); err != nil {
		return err
	}
	if err := unmarshalPatched(o.V, v.Addr().Interface()); err != nil {
		return err
	}
	return restoreHidden(v, o.Hidden)
}

// encodeSnapshot returns s as a delta against prev (empty for a keyframe) and the state for the next record.
func encodeSnapshot(s *model.Snapshot, prev *snapState) (*snapDelta, *snapState, error) {
	meta := *s
	meta.Pairs = nil
	metaJSON, err := objectOf(reflect.ValueOf(&meta).Elem())
	if err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	next := &snapState{meta: metaJSON, keys: make([]string, len(s.Pairs)), pairs: make(map[string]json.RawMessage, len(s.Pairs)),
		revs: make(map[string]uint64, len(s.Pairs))}
	d := &snapDelta{}
	if d.Meta, err = diffObject(prev.meta, metaJSON); err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	for i := range s.Pairs {
		k := s.Pairs[i].Key
		if _, dup := next.pairs[k]; dup {
			return nil, nil, fmt.Errorf("pair %s appears twice in the snapshot", k)
		}
		next.revs[k] = s.Pairs[i].Rev
		if old, ok := prev.pairs[k]; ok && s.Pairs[i].Rev != 0 && prev.revs[k] == s.Pairs[i].Rev {
			next.keys[i], next.pairs[k] = k, old
			continue
		}
		obj, err := objectOf(reflect.ValueOf(&s.Pairs[i]).Elem())
		if err != nil {
			return nil, nil, fmt.Errorf("pair %s: %w", k, err)
		}
		next.keys[i], next.pairs[k] = k, obj
		p, err := diffObject(prev.pairs[k], obj)
		if err != nil {
			return nil, nil, fmt.Errorf("pair %s: %w", k, err)
		}
		if p != nil {
			setMap(&d.Pairs, k, p)
		}
	}
	if prev.meta != nil && slices.Equal(prev.keys, next.keys) {
		d.SameKeys = true
	} else {
		d.Keys = next.keys
	}
	return d, next, nil
}

// decodeSnapshot rebuilds a snapshot from its delta and the previous state (empty after a keyframe).
func decodeSnapshot(d *snapDelta, prev *snapState) (*model.Snapshot, *snapState, error) {
	if prev.meta == nil && (d.SameKeys || d.Meta == nil) {
		return nil, nil, errors.New("snapshot delta without a previous snapshot")
	}
	next := &snapState{meta: prev.meta, keys: prev.keys}
	if d.Meta != nil {
		m, err := applyPatchJSON(prev.meta, d.Meta)
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot: %w", err)
		}
		next.meta = m
	}
	if !d.SameKeys {
		next.keys = d.Keys
	}
	s := &model.Snapshot{}
	if err := fromObject(next.meta, reflect.ValueOf(s).Elem()); err != nil {
		return nil, nil, fmt.Errorf("snapshot: %w", err)
	}
	next.pairs = make(map[string]json.RawMessage, len(next.keys))
	next.decoded = make(map[string]model.Pair, len(next.keys))
	if len(next.keys) > 0 {
		s.Pairs = make([]model.Pair, len(next.keys))
	}
	for i, k := range next.keys {
		if _, dup := next.pairs[k]; dup {
			return nil, nil, fmt.Errorf("pair %s appears twice in the snapshot", k)
		}
		old, had := prev.pairs[k]
		p := d.Pairs[k]
		if p == nil {
			if !had {
				return nil, nil, fmt.Errorf("pair %s: no fields and not in the previous record", k)
			}
			next.pairs[k], next.decoded[k] = old, prev.decoded[k]
			s.Pairs[i] = prev.decoded[k]
			continue
		}
		obj, err := applyPatchJSON(old, p)
		if err != nil {
			return nil, nil, fmt.Errorf("pair %s: %w", k, err)
		}
		if err := fromObject(obj, reflect.ValueOf(&s.Pairs[i]).Elem()); err != nil {
			return nil, nil, fmt.Errorf("pair %s: %w", k, err)
		}
		next.pairs[k], next.decoded[k] = obj, s.Pairs[i]
	}
	for k := range d.Pairs {
		if _, ok := next.pairs[k]; !ok {
			return nil, nil, fmt.Errorf("fields for pair %s, which the snapshot does not list", k)
		}
	}
	return s, next, nil
}
