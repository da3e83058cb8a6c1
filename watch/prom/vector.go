package prom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// decodeInstant reads Prometheus' answer to an instant query straight into Samples.
// client_golang's decoder goes through its own types (a map per series, a reflective
// decode per sample) and was the larger part of a poll at thousands of series; this
// reads the envelope and the vector in one pass over the body and allocates one Labels
// map per series. Any JSON is accepted in any key order; what is not an instant vector
// or a scalar is an error, as with the library.
func decodeInstant(body []byte) ([]Sample, Warnings, error) {
	d := decoder{b: body}
	var (
		status, errType, errMsg string
		warns                   Warnings
		resultType              string
		result                  []byte // the raw result when it came before resultType
		samples                 []Sample
		decoded, sawData        bool
		sawResult               bool
	)
	err := d.object(func(key []byte) error {
		switch fold(key, "status", "errorType", "error", "warnings", "infos", "data") {
		case "status":
			return d.str(&status)
		case "errorType":
			return d.str(&errType)
		case "error":
			return d.str(&errMsg)
		case "warnings", "infos":
			// Infos are checked as the library checks them, and not kept.
			infos := fold(key, "infos") != ""
			if d.null() {
				return nil
			}
			return d.array(func() error {
				var w string
				if err := d.str(&w); err != nil {
					return err
				}
				if !infos {
					warns = append(warns, w)
				}
				return nil
			})
		case "data":
			if d.null() {
				return nil
			}
			sawData = true
			return d.object(func(key []byte) error {
				switch fold(key, "resultType", "result") {
				case "resultType":
					return d.str(&resultType)
				case "result":
					sawResult = true
					if resultType == "" {
						start := d.ws()
						if err := d.skip(); err != nil {
							return err
						}
						result = d.b[start:d.i]
						return nil
					}
					var err error
					samples, err = d.result(resultType)
					decoded = true
					return err
				}
				return d.skip()
			})
		}
		return d.skip()
	})
	if err == nil && d.ws() != len(d.b) {
		err = d.errorf("data after the answer")
	}
	if err != nil {
		return nil, warns, &QueryError{Type: "bad_response", Msg: err.Error()}
	}
	switch status {
	case "success":
	case "error":
		return nil, warns, &QueryError{Type: errType, Msg: errMsg}
	default:
		return nil, warns, &QueryError{Type: "bad_response", Msg: "not a Prometheus API answer (no status)"}
	}
	if sawData {
		switch {
		case resultType != "vector" && resultType != "scalar" && resultType != "matrix":
			return nil, warns, &QueryError{Type: "bad_response", Msg: fmt.Sprintf("unexpected result type %q", resultType)}
		case !sawResult:
			return nil, warns, &QueryError{Type: "bad_response", Msg: "the answer has no result"}
		}
	}
	if !decoded && result != nil {
		inner := decoder{b: result}
		samples, err = inner.result(resultType)
		if err != nil {
			return nil, warns, &QueryError{Type: "bad_response", Msg: err.Error()}
		}
	}
	return samples, warns, nil
}

// fold returns the name among names that key spells, ignoring case as encoding/json
// (and so client_golang) matches fields, or "".
func fold(key []byte, names ...string) string {
	for _, n := range names {
		if len(key) == len(n) && (string(key) == n || bytes.EqualFold(key, []byte(n))) {
			return n
		}
	}
	return ""
}

// decoder is a cursor over one JSON document.
type decoder struct {
	b []byte
	i int
	// keys interns label names: every series repeats the same few.
	keys map[string]string
}

var errSyntax = errors.New("malformed JSON")

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("prometheus answer at byte %d: %s", d.i, fmt.Sprintf(format, args...))
}

// ws skips white space and returns the position of the next byte.
func (d *decoder) ws() int {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return d.i
		}
	}
	return d.i
}

// peek returns the next non-space byte, or 0 at the end.
func (d *decoder) peek() byte {
	if d.ws() < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// null consumes a null if one is next.
func (d *decoder) null() bool {
	if d.peek() == 'n' && d.literal("null") == nil {
		return true
	}
	return false
}

func (d *decoder) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return d.errorf("%v", errSyntax)
	}
	d.i += len(word)
	return nil
}

// object calls field for each key of an object, positioned at its value; field must
// consume the value.
func (d *decoder) object(field func(key []byte) error) error {
	if d.peek() != '{' {
		return d.errorf("want an object")
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		key, err := d.rawString()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.errorf("%v", errSyntax)
		}
		d.i++
		if err := field(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.errorf("%v", errSyntax)
		}
	}
}

// array calls elem for each element of an array; elem must consume it.
func (d *decoder) array(elem func() error) error {
	if d.peek() != '[' {
		return d.errorf("want an array")
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return d.errorf("%v", errSyntax)
		}
	}
}

// rawString returns the bytes of a string: the body itself when it has no escapes
// (valid until the decoder's buffer changes), else a decoded copy.
func (d *decoder) rawString() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.errorf("want a string")
	}
	start := d.i
	d.i++
	escaped, nonASCII := false, false
	for d.i < len(d.b) {
		switch c := d.b[d.i]; {
		case c == '"':
			d.i++
			raw := d.b[start+1 : d.i-1]
			if !escaped && (!nonASCII || utf8.Valid(raw)) {
				return raw, nil
			}
			// Escapes, or invalid UTF-8 that encoding/json replaces with U+FFFD.
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return nil, d.errorf("bad string: %v", err)
			}
			return []byte(s), nil
		case c == '\\':
			escaped = true
			d.i += 2
		case c < 0x20:
			return nil, d.errorf("control character in a string")
		case c >= 0x80:
			nonASCII = true
			d.i++
		default:
			d.i++
		}
	}
	return nil, d.errorf("unterminated string")
}

// str reads a string (or null, which leaves s alone) into s.
func (d *decoder) str(s *string) error {
	if d.null() {
		return nil
	}
	b, err := d.rawString()
	if err != nil {
		return err
	}
	*s = string(b)
	return nil
}

// skip consumes one value of any type.
func (d *decoder) skip() error {
	switch d.peek() {
	case '{':
		return d.object(func([]byte) error { return d.skip() })
	case '[':
		return d.array(d.skip)
	case '"':
		_, err := d.rawString()
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	_, err := d.number()
	return err
}

// number consumes a JSON number and returns its text.
func (d *decoder) number() ([]byte, error) {
	start := d.ws()
	for d.i < len(d.b) {
		c := d.b[d.i]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			d.i++
			continue
		}
		break
	}
	if d.i == start {
		return nil, d.errorf("%v", errSyntax)
	}
	if !json.Valid(d.b[start:d.i]) {
		return nil, d.errorf("bad number %q", d.b[start:d.i])
	}
	return d.b[start:d.i], nil
}

// result decodes data.result of the given type.
func (d *decoder) result(resultType string) ([]Sample, error) {
	if resultType == "matrix" || resultType == "string" {
		return nil, fmt.Errorf("query returned a %s, want an instant vector", resultType)
	}
	if d.null() {
		return nil, nil
	}
	switch resultType {
	case "vector":
		var out []Sample
		err := d.array(func() error {
			s, err := d.sample()
			if err == nil && s.Labels != nil {
				out = append(out, s)
			}
			return err
		})
		return out, err
	case "scalar":
		v, err := d.pair()
		if err != nil {
			return nil, err
		}
		return []Sample{{Labels: Labels{}, Value: v}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", resultType)
}

// sample decodes {"metric":{...},"value":[t,"v"]}. A native-histogram sample (no
// "value") comes back without Labels: it has no float value to show.
func (d *decoder) sample() (Sample, error) {
	var (
		s            Sample
		labels       Labels
		hasValue     bool
		hasHistogram bool
	)
	err := d.object(func(key []byte) error {
		switch fold(key, "metric", "value", "histogram") {
		case "metric":
			labels = make(Labels, 4)
			return d.object(func(name []byte) error {
				v, err := d.rawString()
				if err != nil {
					return err
				}
				labels[d.intern(name)] = string(v)
				return nil
			})
		case "value":
			v, err := d.pair()
			s.Value, hasValue = v, err == nil
			return err
		case "histogram":
			hasHistogram = true
		}
		return d.skip()
	})
	switch {
	case err != nil:
		return Sample{}, err
	case !hasValue && !hasHistogram:
		return Sample{}, d.errorf("a series without a value")
	case !hasValue:
		return Sample{}, nil
	}
	if labels == nil {
		labels = Labels{}
	}
	s.Labels = labels
	return s, nil
}

// pair decodes [timestamp, "value"]; the timestamp is the query's own and is not kept.
func (d *decoder) pair() (float64, error) {
	if d.peek() != '[' {
		return 0, d.errorf("want [time, value]")
	}
	d.i++
	if ts, err := d.number(); err != nil || !validTimestamp(ts) {
		return 0, d.errorf("want a numeric timestamp")
	}
	if d.peek() != ',' {
		return 0, d.errorf("want [time, value]")
	}
	d.i++
	raw, err := d.rawString()
	if err != nil {
		return 0, d.errorf("want the value as a string")
	}
	v, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, d.errorf("bad sample value %q", raw)
	}
	if d.peek() != ']' {
		return 0, d.errorf("want [time, value]")
	}
	d.i++
	return v, nil
}

// validTimestamp accepts what Prometheus' model.Time does: whole seconds, optionally
// with a fraction, no exponent.
func validTimestamp(b []byte) bool {
	base, frac, found := bytes.Cut(b, []byte("."))
	if _, err := strconv.ParseInt(string(base), 10, 64); err != nil {
		return false
	}
	if !found {
		return true
	}
	frac = frac[:min(len(frac), 3)]
	_, err := strconv.ParseInt(string(frac), 10, 32)
	return err == nil
}

// intern returns name as a string shared by every series that has it.
func (d *decoder) intern(name []byte) string {
	if s, ok := d.keys[string(name)]; ok {
		return s
	}
	if d.keys == nil {
		d.keys = make(map[string]string, 8)
	}
	s := string(name)
	d.keys[s] = s
	return s
}
