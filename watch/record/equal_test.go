package record

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/twinscale/twinscale/model"
)

var timeType = reflect.TypeFor[time.Time]()

// diff returns the first difference between a and b as a path, or "" when they are equal for the
// dashboard: NaN equals NaN, times are equal instants, and a nil slice or map equals an empty one.
func diff(a, b any) string {
	return diffValue(reflect.ValueOf(a), reflect.ValueOf(b), "")
}

func diffValue(a, b reflect.Value, path string) string {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			return path + ": one side missing"
		}
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type())
	}
	if a.Type() == timeType {
		ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
		if !ta.Equal(tb) {
			return fmt.Sprintf("%s: %v vs %v", path, ta, tb)
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if x != y && !(math.IsNaN(x) && math.IsNaN(y)) {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": nil vs non-nil"
			}
			return ""
		}
		return diffValue(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if d := diffValue(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diffValue(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d keys vs %d", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s{%v}: missing", path, k)
			}
			if d := diffValue(a.MapIndex(k), bv, fmt.Sprintf("%s{%v}", path, k)); d != "" {
				return d
			}
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: %v vs %v", path, a.Interface(), b.Interface())
		}
	}
	return ""
}

// filler sets every exported field of a value, json:"-" ones included, from a seeded generator, with
// NaN and ±Inf among the floats: if a field ever stops surviving a recording, the round trip fails.
type filler struct {
	r *rand.Rand
	// nonFinite makes some floats NaN or ±Inf.
	nonFinite bool
}

var severityType = reflect.TypeFor[model.Severity]()

func (f *filler) fill(v reflect.Value, depth int) {
	if v.Type() == timeType {
		v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(f.r.IntN(1e6)) * time.Millisecond)))
		return
	}
	if v.Type() == severityType {
		v.SetInt(int64(f.r.IntN(3)))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.r.IntN(1000)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.r.IntN(1000)))
	case reflect.Float32, reflect.Float64:
		x := f.r.Float64() * 100
		if f.nonFinite {
			switch f.r.IntN(8) {
			case 0:
				x = math.NaN()
			case 1:
				x = math.Inf(1)
			case 2:
				x = math.Inf(-1)
			}
		}
		v.SetFloat(x)
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.r.IntN(1000)))
	case reflect.Pointer:
		if depth > 6 {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		if depth > 6 {
			return
		}
		n := 1 + f.r.IntN(2)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if depth > 6 || v.Type().Key().Kind() != reflect.String {
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 1+f.r.IntN(2); i++ {
			k := reflect.New(v.Type().Key()).Elem()
			k.SetString(fmt.Sprintf("k%d", i))
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// filledSnapshot returns a snapshot with every field set, pairs keyed p0, p1, ...
func filledSnapshot(r *rand.Rand, pairs int, nonFinite bool) *model.Snapshot {
	f := &filler{r: r, nonFinite: nonFinite}
	s := &model.Snapshot{}
	f.fill(reflect.ValueOf(s).Elem(), 0)
	s.Pairs = make([]model.Pair, pairs)
	for i := range s.Pairs {
		f.fill(reflect.ValueOf(&s.Pairs[i]).Elem(), 1)
		s.Pairs[i].Key = fmt.Sprintf("ns/p%d", i)
	}
	return s
}

// hiddenFieldPaths lists json:"-" fields reachable from t outside Snapshot and Pair, which a recording
// would lose.
func hiddenFieldPaths(t reflect.Type, path string, seen map[reflect.Type]bool, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] || t == timeType {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		p := path + "." + sf.Name
		if sf.Tag.Get("json") == "-" && t != reflect.TypeFor[model.Snapshot]() && t != reflect.TypeFor[model.Pair]() {
			*out = append(*out, p)
		}
		hiddenFieldPaths(sf.Type, p, seen, out)
	}
}
