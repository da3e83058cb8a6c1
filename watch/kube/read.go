package kube

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/twinscale/twinscale/model"
)

// reader walks an unstructured object and records every missing or ill-typed field it
// was asked for, so projection never panics and never hides bad input.
type reader struct {
	problems []string
}

func (r *reader) problem(path, format string, args ...any) {
	r.problems = append(r.problems, path+": "+fmt.Sprintf(format, args...))
}

// typeName names a decoded JSON value's type in the words an operator would use.
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return "integer"
	case float32, float64:
		return "number"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// object returns the map at key, or nil when the key is absent (or null). A value of
// another type is recorded as a problem.
func (r *reader) object(m map[string]any, path, key string) map[string]any {
	if m == nil {
		return nil
	}
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		r.problem(join(path, key), "expected object, got %s", typeName(v))
		return nil
	}
	return obj
}

// requiredObject is object that also records an absent value.
func (r *reader) requiredObject(m map[string]any, path, key string) map[string]any {
	if v, ok := m[key]; !ok || v == nil {
		r.problem(join(path, key), "missing")
		return nil
	}
	return r.object(m, path, key)
}

// list returns the slice at key, or nil when absent.
func (r *reader) list(m map[string]any, path, key string) []any {
	if m == nil {
		return nil
	}
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		r.problem(join(path, key), "expected array, got %s", typeName(v))
		return nil
	}
	return l
}

// str returns the string at key, "" when absent.
func (r *reader) str(m map[string]any, path, key string) string {
	if m == nil {
		return ""
	}
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.problem(join(path, key), "expected string, got %s", typeName(v))
		return ""
	}
	return s
}

// requiredStr is str that also records a missing or empty value.
func (r *reader) requiredStr(m map[string]any, path, key string) string {
	if m != nil {
		if v, ok := m[key]; ok && v != nil {
			s := r.str(m, path, key)
			if s == "" {
				if _, isStr := v.(string); isStr {
					r.problem(join(path, key), "empty")
				}
			}
			return s
		}
	}
	r.problem(join(path, key), "missing")
	return ""
}

// int64p returns the integer at key, nil when absent or ill-typed (recorded).
func (r *reader) int64p(m map[string]any, path, key string, lo, hi int64) *int64 {
	if m == nil {
		return nil
	}
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	n, ok := toInt64(v)
	if !ok {
		if f, isFloat := toFloat(v); isFloat {
			r.problem(join(path, key), "expected integer, got %s", strconv.FormatFloat(f, 'g', -1, 64))
		} else {
			r.problem(join(path, key), "expected integer, got %s", typeName(v))
		}
		return nil
	}
	if n < lo || n > hi {
		r.problem(join(path, key), "integer %d out of range [%d, %d]", n, lo, hi)
		return nil
	}
	return &n
}

// int32p returns the int32 at key, nil when absent or ill-typed.
func (r *reader) int32p(m map[string]any, path, key string) *int32 {
	n := r.int64p(m, path, key, math.MinInt32, math.MaxInt32)
	if n == nil {
		return nil
	}
	v := int32(*n)
	return &v
}

// int32v returns the int32 at key, 0 when absent or ill-typed.
func (r *reader) int32v(m map[string]any, path, key string) int32 {
	if p := r.int32p(m, path, key); p != nil {
		return *p
	}
	return 0
}

// int64v returns the int64 at key, 0 when absent or ill-typed.
func (r *reader) int64v(m map[string]any, path, key string) int64 {
	if p := r.int64p(m, path, key, math.MinInt64, math.MaxInt64); p != nil {
		return *p
	}
	return 0
}

// timestamp parses an RFC 3339 time at key; zero when absent or unparsable (recorded).
func (r *reader) timestamp(m map[string]any, path, key string) time.Time {
	s := r.str(m, path, key)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		r.problem(join(path, key), "expected RFC 3339 time, got %q", truncate(s, 40))
		return time.Time{}
	}
	return t.UTC()
}

// stringMap returns a map of strings at key; non-string values are recorded and skipped.
func (r *reader) stringMap(m map[string]any, path, key string) map[string]string {
	obj := r.object(m, path, key)
	if len(obj) == 0 {
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		s, ok := v.(string)
		if !ok {
			r.problem(join(join(path, key), k), "expected string, got %s", typeName(v))
			continue
		}
		out[k] = s
	}
	return out
}

// conditions reads a Knative/Kubernetes style condition list.
func (r *reader) conditions(m map[string]any, path, key string) []model.Condition {
	items := r.list(m, path, key)
	if len(items) == 0 {
		return nil
	}
	out := make([]model.Condition, 0, len(items))
	for i, it := range items {
		p := fmt.Sprintf("%s[%d]", join(path, key), i)
		c, ok := it.(map[string]any)
		if !ok {
			r.problem(p, "expected object, got %s", typeName(it))
			continue
		}
		cond := model.Condition{
			Type:    r.requiredStr(c, p, "type"),
			Status:  r.requiredStr(c, p, "status"),
			Reason:  r.str(c, p, "reason"),
			Message: r.str(c, p, "message"),
			Since:   r.timestamp(c, p, "lastTransitionTime"),
		}
		out = append(out, cond)
	}
	return out
}

// toInt64 converts the numeric types a JSON or YAML decoder produces, accepting a float
// only when it holds an exact integer.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float32:
		return floatToInt(float64(n))
	case float64:
		return floatToInt(n)
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return floatToInt(f)
		}
	}
	return 0, false
}

func floatToInt(f float64) (int64, bool) {
	// 2^63 is exactly representable, and anything at or above it does not fit.
	if f != math.Trunc(f) || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return 0, false
	}
	return int64(f), true
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
