package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// formatTag marks every line of a recording, so a file that is not one is refused, not overwritten.
// Version 2 writes snapshots as deltas (Snap); version 1 wrote each one whole (Snapshot, Hidden) and
// still replays.
const formatTag = "twinscale-recording/2"

// formatTagV1 marks the lines of recordings made before snapshot deltas.
const formatTagV1 = "twinscale-recording/1"

// knownFormat reports whether tag marks a line this version of twinscale reads.
func knownFormat(tag string) bool { return tag == formatTag || tag == formatTagV1 }

// line is one record as written: one JSON line in its own gzip member.
//
// The snapshot travels as a delta against the previous record of the same file (Snap), with what its
// JSON leaves out (the json:"-" fields of Snapshot and Pair: the projected objects and the sparkline);
// histories travel as deltas too; non-finite floats, which JSON cannot spell, travel as patches.
// Together they make a replayed record equal to the recorded one. Version 1 lines carry the snapshot
// whole in Snapshot and its json:"-" fields in Hidden.
type line struct {
	Format string    `json:"fmt"`
	At     time.Time `json:"at"`
	// Keyframe lines carry the snapshot and every history in full; a file always starts with one.
	Keyframe bool `json:"keyframe,omitempty"`
	// Snap is the snapshot as a delta (version 2); nil when the record has none.
	Snap     *snapDelta      `json:"snap,omitempty"`
	Snapshot *model.Snapshot `json:"snapshot,omitempty"` // version 1
	// Hidden holds version 1's json:"-" fields: "snapshot" for the Snapshot's own, "pair/<i>" for Snapshot.Pairs[i].
	Hidden  map[string]map[string]json.RawMessage `json:"hidden,omitempty"`
	History map[string]*historyDelta              `json:"history,omitempty"`
	// Drop lists history keys gone since the previous record.
	Drop []string           `json:"drop,omitempty"`
	Poll *model.MetricsPoll `json:"poll,omitempty"`
	// NonFinite restores the NaN and ±Inf values that were written as 0.
	NonFinite []patch `json:"nonFinite,omitempty"`
}

// historyDelta is one pair's history: its scalar fields in full, each float series as a delta.
type historyDelta struct {
	// Meta is the PairHistory with its float series left out.
	Meta   json.RawMessage        `json:"meta"`
	Series map[string]seriesDelta `json:"series,omitempty"`
}

// seriesDelta rebuilds a series as the previous one shifted by Shift steps, its first From points kept,
// then Tail. A keyframe has From 0.
type seriesDelta struct {
	Shift int    `json:"shift,omitempty"`
	From  int    `json:"from,omitempty"`
	Tail  floats `json:"tail"`
}

// floats is a float series whose JSON spells NaN as null and infinities as "+Inf"/"-Inf".
type floats []float64

// MarshalJSON writes the series with the shortest exact spelling of each value.
func (f floats) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 2+len(f)*6)
	b = append(b, '[')
	for i, v := range f {
		if i > 0 {
			b = append(b, ',')
		}
		switch {
		case math.IsNaN(v):
			b = append(b, "null"...)
		case math.IsInf(v, 1):
			b = append(b, `"+Inf"`...)
		case math.IsInf(v, -1):
			b = append(b, `"-Inf"`...)
		default:
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (f *floats) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = nil
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(floats, len(raw))
	for i, r := range raw {
		switch string(r) {
		case "null":
			out[i] = math.NaN()
		case `"+Inf"`:
			out[i] = math.Inf(1)
		case `"-Inf"`:
			out[i] = math.Inf(-1)
		default:
			v, err := strconv.ParseFloat(string(r), 64)
			if err != nil {
				return fmt.Errorf("series value %d: %s is not a number", i, r)
			}
			out[i] = v
		}
	}
	*f = out
	return nil
}

var floatSliceType = reflect.TypeFor[[]float64]()

// hiddenFields marshals the exported json:"-" fields of a struct value.
func hiddenFields(v reflect.Value) (map[string]json.RawMessage, error) {
	var out map[string]json.RawMessage
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Tag.Get("json") != "-" {
			continue
		}
		fv := v.Field(i)
		if fv.IsZero() {
			continue
		}
		var b []byte
		var err error
		if sf.Type == floatSliceType {
			b, err = floats(fv.Interface().([]float64)).MarshalJSON()
		} else {
			b, err = marshalFinite(fv.Interface())
		}
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", sf.Name, err)
		}
		if out == nil {
			out = map[string]json.RawMessage{}
		}
		out[sf.Name] = b
	}
	return out, nil
}

// restoreHidden sets the json:"-" fields of the struct v points at from hiddenFields' output.
func restoreHidden(v reflect.Value, hidden map[string]json.RawMessage) error {
	for name, raw := range hidden {
		fv := v.FieldByName(name)
		if !fv.IsValid() || !fv.CanSet() {
			return fmt.Errorf("recorded field %s does not exist in this version of twinscale", name)
		}
		if fv.Type() == floatSliceType {
			var f floats
			if err := f.UnmarshalJSON(raw); err != nil {
				return fmt.Errorf("field %s: %w", name, err)
			}
			fv.Set(reflect.ValueOf([]float64(f)))
			continue
		}
		p := reflect.New(fv.Type())
		if err := unmarshalPatched(raw, p.Interface()); err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
		fv.Set(p.Elem())
	}
	return nil
}

// marshalFinite marshals v, which must not need patches (hidden values are checked by the caller's patches).
func marshalFinite(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err == nil {
		return b, nil
	}
	var uv *json.UnsupportedValueError
	if !errors.As(err, &uv) {
		return nil, err
	}
	clean, patches := sanitize(reflect.ValueOf(v), nil)
	b, err = json.Marshal(clean.Interface())
	if err != nil {
		return nil, err
	}
	// Wrap the value with its patches so it restores by itself.
	return json.Marshal(patchedValue{Value: b, NonFinite: patches})
}

// patchedValue is a hidden value that needed non-finite patches.
type patchedValue struct {
	Value     json.RawMessage `json:"patchedValue"`
	NonFinite []patch         `json:"nonFinite"`
}

// patch puts one non-finite float back: Path walks fields by Go name, "[i]" slice elements and "{k}" map keys.
type patch struct {
	Path  []string `json:"path"`
	Value string   `json:"value"` // NaN, +Inf, -Inf
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
)

// sanitize returns v with every non-finite float64 (that JSON would see) replaced by 0, and the patches
// that restore them. Values without non-finite floats are returned as they are, not copied: the
// snapshot is shared and immutable.
func sanitize(v reflect.Value, path []string) (reflect.Value, []patch) {
	t := v.Type()
	if t != reflect.TypeFor[floats]() && (t.Implements(marshalerType) || t.Implements(textMarshalerType)) {
		return v, nil
	}
	switch v.Kind() {
	case reflect.Float64, reflect.Float32:
		f := v.Float()
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return v, nil
		}
		n := reflect.New(t).Elem()
		return n, []patch{{Path: clonePath(path), Value: nonFiniteName(f)}}
	case reflect.Pointer:
		if v.IsNil() {
			return v, nil
		}
		e, ps := sanitize(v.Elem(), path)
		if ps == nil {
			return v, nil
		}
		n := reflect.New(t.Elem())
		n.Elem().Set(e)
		return n, ps
	case reflect.Struct:
		var out reflect.Value
		var all []patch
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() || sf.Tag.Get("json") == "-" {
				continue
			}
			fv, ps := sanitize(v.Field(i), append(path, sf.Name))
			if ps == nil {
				continue
			}
			if !out.IsValid() {
				out = reflect.New(t).Elem()
				out.Set(v)
			}
			out.Field(i).Set(fv)
			all = append(all, ps...)
		}
		if !out.IsValid() {
			return v, nil
		}
		return out, all
	case reflect.Slice, reflect.Array:
		if t == reflect.TypeFor[floats]() {
			return v, nil // floats spells non-finite values itself
		}
		var out reflect.Value
		var all []patch
		for i := 0; i < v.Len(); i++ {
			ev, ps := sanitize(v.Index(i), append(path, "["+strconv.Itoa(i)+"]"))
			if ps == nil {
				continue
			}
			if !out.IsValid() {
				if v.Kind() == reflect.Slice {
					out = reflect.MakeSlice(t, v.Len(), v.Len())
					reflect.Copy(out, v)
				} else {
					out = reflect.New(t).Elem()
					out.Set(v)
				}
			}
			out.Index(i).Set(ev)
			all = append(all, ps...)
		}
		if !out.IsValid() {
			return v, nil
		}
		return out, all
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return v, nil
		}
		var out reflect.Value
		var all []patch
		iter := v.MapRange()
		for iter.Next() {
			ev, ps := sanitize(iter.Value(), append(path, "{"+iter.Key().String()+"}"))
			if ps == nil {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(t, v.Len())
				for _, k := range v.MapKeys() {
					out.SetMapIndex(k, v.MapIndex(k))
				}
			}
			out.SetMapIndex(iter.Key(), ev)
			all = append(all, ps...)
		}
		if !out.IsValid() {
			return v, nil
		}
		return out, all
	case reflect.Interface:
		if v.IsNil() {
			return v, nil
		}
		e, ps := sanitize(v.Elem(), path)
		if ps == nil {
			return v, nil
		}
		n := reflect.New(t).Elem()
		n.Set(e)
		return n, ps
	}
	return v, nil
}

func clonePath(p []string) []string { return append([]string(nil), p...) }

func nonFiniteName(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return "NaN"
}

// applyPatch walks p.Path from v (addressable) and sets the float it names.
func applyPatch(v reflect.Value, p patch) error {
	var f float64
	switch p.Value {
	case "NaN":
		f = math.NaN()
	case "+Inf":
		f = math.Inf(1)
	case "-Inf":
		f = math.Inf(-1)
	default:
		return fmt.Errorf("patch %s: value %q is not NaN or ±Inf", strings.Join(p.Path, "."), p.Value)
	}
	if err := setPath(v, p.Path, f); err != nil {
		return fmt.Errorf("patch %s: %w", strings.Join(p.Path, "."), err)
	}
	return nil
}

func setPath(v reflect.Value, path []string, f float64) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return errors.New("walks through nil")
		}
		v = v.Elem()
	}
	if len(path) == 0 {
		if v.Kind() != reflect.Float64 && v.Kind() != reflect.Float32 {
			return fmt.Errorf("ends at a %s, not a float", v.Kind())
		}
		v.SetFloat(f)
		return nil
	}
	seg := path[0]
	switch {
	case strings.HasPrefix(seg, "[") && strings.HasSuffix(seg, "]"):
		i, err := strconv.Atoi(seg[1 : len(seg)-1])
		if err != nil || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || i < 0 || i >= v.Len() {
			return fmt.Errorf("bad index %s", seg)
		}
		return setPath(v.Index(i), path[1:], f)
	case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
		if v.Kind() != reflect.Map || v.IsNil() {
			return fmt.Errorf("key %s on a non-map", seg)
		}
		k := reflect.ValueOf(seg[1 : len(seg)-1]).Convert(v.Type().Key())
		e := v.MapIndex(k)
		if !e.IsValid() {
			return fmt.Errorf("missing key %s", seg)
		}
		// Map values are not addressable: patch a copy and store it back.
		c := reflect.New(e.Type()).Elem()
		c.Set(e)
		if err := setPath(c, path[1:], f); err != nil {
			return err
		}
		v.SetMapIndex(k, c)
		return nil
	default:
		if v.Kind() != reflect.Struct {
			return fmt.Errorf("field %s on a %s", seg, v.Kind())
		}
		fv := v.FieldByName(seg)
		if !fv.IsValid() {
			return fmt.Errorf("no field %s", seg)
		}
		return setPath(fv, path[1:], f)
	}
}

// historySeries lists the float series fields of model.PairHistory by Go name, so a series added to
// PairHistory later is recorded without touching this package.
var historySeries = func() []string {
	var names []string
	t := reflect.TypeFor[model.PairHistory]()
	for i := 0; i < t.NumField(); i++ {
		if sf := t.Field(i); sf.IsExported() && sf.Type == floatSliceType {
			names = append(names, sf.Name)
		}
	}
	return names
}()

// encodeHistory encodes h against prev (nil for a keyframe); it returns nil when nothing changed.
func encodeHistory(h, prev *model.PairHistory) (*historyDelta, error) {
	meta := *h
	mv := reflect.ValueOf(&meta).Elem()
	for _, name := range historySeries {
		mv.FieldByName(name).SetZero()
	}
	metaJSON, err := marshalFinite(meta)
	if err != nil {
		return nil, err
	}
	shift, aligned := 0, false
	if prev != nil && prev.Step == h.Step && h.Step > 0 && !h.Start.Before(prev.Start) {
		d := h.Start.Sub(prev.Start)
		if d%h.Step == 0 {
			shift, aligned = int(d/h.Step), true
		}
	}
	if prev != nil && prev.Step == h.Step && h.Start.Equal(prev.Start) {
		shift, aligned = 0, true
	}
	var prevMeta []byte
	if prev != nil {
		pm := *prev
		pv := reflect.ValueOf(&pm).Elem()
		for _, name := range historySeries {
			pv.FieldByName(name).SetZero()
		}
		prevMeta, _ = marshalFinite(pm)
	}
	d := &historyDelta{Meta: metaJSON}
	changed := prev == nil || string(prevMeta) != string(metaJSON)
	hv := reflect.ValueOf(h).Elem()
	var pv reflect.Value
	if prev != nil {
		pv = reflect.ValueOf(prev).Elem()
	}
	for _, name := range historySeries {
		cur := hv.FieldByName(name).Interface().([]float64)
		var old []float64
		if prev != nil {
			old = pv.FieldByName(name).Interface().([]float64)
		}
		sd := seriesDelta{Tail: floats(cur)}
		if aligned && shift <= len(old) {
			from := 0
			for from < len(cur) && shift+from < len(old) && sameBits(cur[from], old[shift+from]) {
				from++
			}
			if from == len(cur) && shift+from == len(old) && (cur == nil) == (old == nil) {
				continue // unchanged
			}
			sd = seriesDelta{Shift: shift, From: from, Tail: floats(cur[from:])}
			if cur == nil {
				sd.Tail = nil
			}
		}
		if d.Series == nil {
			d.Series = map[string]seriesDelta{}
		}
		d.Series[name] = sd
		changed = true
	}
	if !changed {
		return nil, nil
	}
	return d, nil
}

// sameBits compares two samples, treating NaN as equal to NaN (a gap stays a gap).
func sameBits(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// decodeHistory rebuilds a history from its delta and the previous one (nil after a keyframe).
func decodeHistory(d *historyDelta, prev *model.PairHistory) (model.PairHistory, error) {
	var h model.PairHistory
	if err := unmarshalPatched(d.Meta, &h); err != nil {
		return h, fmt.Errorf("history: %w", err)
	}
	hv := reflect.ValueOf(&h).Elem()
	var pv reflect.Value
	if prev != nil {
		pv = reflect.ValueOf(prev).Elem()
	}
	for _, name := range historySeries {
		fv := hv.FieldByName(name)
		var old []float64
		if prev != nil {
			old = pv.FieldByName(name).Interface().([]float64)
		}
		sd, ok := d.Series[name]
		if !ok {
			fv.Set(reflect.ValueOf(old)) // unchanged: shared, both are immutable
			continue
		}
		if sd.Shift < 0 || sd.From < 0 || sd.Shift+sd.From > len(old) {
			return h, fmt.Errorf("history series %s: delta (shift %d, from %d) does not fit the previous %d points", name, sd.Shift, sd.From, len(old))
		}
		if sd.Tail == nil && sd.From == 0 {
			fv.Set(reflect.Zero(fv.Type()))
			continue
		}
		s := make([]float64, 0, sd.From+len(sd.Tail))
		s = append(s, old[sd.Shift:sd.Shift+sd.From]...)
		s = append(s, sd.Tail...)
		fv.Set(reflect.ValueOf(s))
	}
	return h, nil
}

// unmarshalPatched reads a value marshalFinite wrote.
func unmarshalPatched(b []byte, v any) error {
	// A patched object rebuilt from a delta has its keys sorted: "nonFinite" comes first then.
	if strings.HasPrefix(string(b), `{"patchedValue":`) || strings.HasPrefix(string(b), `{"nonFinite":`) {
		var pv patchedValue
		if err := json.Unmarshal(b, &pv); err != nil {
			return err
		}
		if err := json.Unmarshal(pv.Value, v); err != nil {
			return err
		}
		for _, p := range pv.NonFinite {
			if err := applyPatch(reflect.ValueOf(v), p); err != nil {
				return err
			}
		}
		return nil
	}
	return json.Unmarshal(b, v)
}

// Finite returns v with every non-finite float that JSON would see replaced by 0, and the
// Go paths of the values it replaced. v itself is never modified: shared parts are not copied.
func Finite[T any](v T) (T, []string) {
	clean, patches := sanitize(reflect.ValueOf(v), nil)
	paths := make([]string, len(patches))
	for i, p := range patches {
		paths[i] = strings.Join(p.Path, ".")
	}
	return clean.Interface().(T), paths
}
