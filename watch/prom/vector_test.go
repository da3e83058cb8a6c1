package prom

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	pmodel "github.com/prometheus/common/model"
)

// libraryInstant is the instant query as client_golang decodes it, the way twinscale
// did before decodeInstant: the reference the decoder is compared with.
func libraryInstant(ctx context.Context, client api.Client, expr string, at time.Time) ([]Sample, Warnings, error) {
	val, warns, _, err := v1.NewAPI(statusClient{client}).Query(ctx, expr, at)
	if err != nil {
		return nil, Warnings(warns), err
	}
	switch v := val.(type) {
	case pmodel.Vector:
		out := make([]Sample, 0, len(v))
		for _, s := range v {
			if s.Histogram != nil {
				continue
			}
			l := make(Labels, len(s.Metric))
			for k, v := range s.Metric {
				l[string(k)] = string(v)
			}
			out = append(out, Sample{Labels: l, Value: float64(s.Value)})
		}
		return out, Warnings(warns), nil
	case *pmodel.Scalar:
		return []Sample{{Labels: Labels{}, Value: float64(v.Value)}}, Warnings(warns), nil
	case nil:
		return nil, Warnings(warns), nil
	}
	return nil, Warnings(warns), &QueryError{Type: "bad_response", Msg: "query returned a " + val.Type().String()}
}

// both decodes body with decodeInstant and with client_golang.
func both(t testing.TB, body []byte) (ours, lib []Sample, ourWarn, libWarn Warnings, ourErr, libErr error) {
	c := &canned{status: 200, body: body}
	client, err := api.NewClient(api.Config{Address: "http://prometheus.test", RoundTripper: c})
	if err != nil {
		t.Fatal(err)
	}
	lib, libWarn, libErr = libraryInstant(context.Background(), client, "up", time.Unix(1700000000, 0))
	ours, ourWarn, ourErr = decodeInstant(body)
	return
}

// sameSamples compares samples, NaN equal to NaN.
func sameSamples(a, b []Sample) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		va, vb := a[i].Value, b[i].Value
		if !(va == vb || math.IsNaN(va) && math.IsNaN(vb)) || !reflect.DeepEqual(a[i].Labels, b[i].Labels) {
			return false
		}
	}
	return true
}

// TestDecodeInstantAgreesWithClientGolang decodes real-shaped answers (testdata/instant:
// vectors, scalars, warnings, escapes, key orders, native histograms, errors) with our
// decoder and with client_golang's, and wants the same samples, warnings and verdict.
func TestDecodeInstantAgreesWithClientGolang(t *testing.T) {
	files, err := filepath.Glob("testdata/instant/*.json")
	if err != nil || len(files) < 8 {
		t.Fatalf("testdata/instant: %d files, %v", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ours, lib, ow, lw, oe, le := both(t, body)
			if (oe == nil) != (le == nil) {
				t.Fatalf("error: ours %v, client_golang %v", oe, le)
			}
			if !sameSamples(ours, lib) {
				t.Errorf("samples:\nours %v\nlib  %v", ours, lib)
			}
			if strings.Join(ow, "|") != strings.Join(lw, "|") {
				t.Errorf("warnings: ours %q, client_golang %q", ow, lw)
			}
			if strings.HasPrefix(filepath.Base(f), "ok-") && oe != nil {
				t.Errorf("want success: %v", oe)
			}
		})
	}
}

// FuzzDecodeInstant: whatever the body, the decoder does not panic and agrees with
// client_golang on the samples, and accepts nothing the library refuses, except inside
// native-histogram samples, which twinscale skips rather than decodes.
func FuzzDecodeInstant(f *testing.F) {
	files, _ := filepath.Glob("testdata/instant/*.json")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ours, lib, _, _, oe, le := both(t, body)
		if oe == nil && le == nil && !sameSamples(ours, lib) {
			t.Errorf("samples differ:\nours %v\nlib  %v", ours, lib)
		}
		if oe == nil && le != nil && !bytes.Contains(bytes.ToLower(body), []byte("histogram")) {
			t.Errorf("ours accepted what client_golang refused (%v): %v", le, ours)
		}
	})
}

var _ http.RoundTripper = (*canned)(nil)
