package kube

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestVerb(t *testing.T) {
	tests := []struct{ method, url, want string }{
		{"GET", "/api/v1/namespaces/ns/events?fieldSelector=involvedObject.kind%3DModel", VerbList},
		{"GET", "/api/v1/namespaces/ns/events?watch=true&resourceVersion=5", VerbWatch},
		{"GET", "/apis/mlops.seldon.io/v1alpha1/models", VerbList},
		{"GET", "/apis/mlops.seldon.io/v1alpha1/namespaces/ns/models", VerbList},
		{"GET", "/apis/mlops.seldon.io/v1alpha1/namespaces/ns/models/iris", VerbGet},
		{"GET", "/apis/mlops.seldon.io/v1alpha1/namespaces/ns/models/iris/scale", VerbGet},
		{"GET", "/apis/mlops.seldon.io/v1alpha1", VerbDiscovery},
		{"GET", "/apis", VerbDiscovery},
		{"GET", "/api", VerbDiscovery},
		{"GET", "/api/v1", VerbDiscovery},
		{"GET", "/version", VerbDiscovery},
		{"GET", "/api/v1/namespaces", VerbList},
		{"GET", "/api/v1/namespaces/ns", VerbGet},
		{"GET", "/api/v1/watch/namespaces/ns/pods", VerbWatch},
		{"HEAD", "/apis/apps/v1/statefulsets", VerbList},
		{"POST", "/apis/apps/v1/namespaces/ns/statefulsets", VerbWrite},
		{"PATCH", "/apis/mlops.seldon.io/v1alpha1/namespaces/ns/models/iris/scale", VerbWrite},
		{"DELETE", "/api/v1/namespaces/ns/events/e", VerbWrite},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.url, nil)
		if got := RequestVerb(req); got != tt.want {
			t.Errorf("%s %s: got %s, want %s", tt.method, tt.url, got, tt.want)
		}
	}
}

type recordingRT struct{ methods []string }

func (r *recordingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.methods = append(r.methods, req.Method)
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func TestReadOnlyRefusesWrites(t *testing.T) {
	inner := &recordingRT{}
	var counter RequestCounter
	rt := CountingTransport(ReadOnly(inner), &counter)
	for _, m := range []string{"GET", "HEAD"} {
		resp, err := rt.RoundTrip(httptest.NewRequest(m, "/apis/apps/v1/statefulsets", nil))
		if err != nil {
			t.Fatalf("%s refused: %v", m, err)
		}
		resp.Body.Close()
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT"} {
		body := &closeTracker{Reader: strings.NewReader(`{"spec":{"replicas":9}}`)}
		req := httptest.NewRequest(m, "/apis/mlops.seldon.io/v1alpha1/namespaces/ns/models/iris/scale", nil)
		req.Body = body
		_, err := rt.RoundTrip(req)
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: got %v, want ErrReadOnly", m, err)
		}
		if !body.closed {
			t.Errorf("%s: request body not closed", m)
		}
	}
	if strings.Join(inner.methods, ",") != "GET,HEAD" {
		t.Errorf("requests that reached the network: %v", inner.methods)
	}
	c := counter.Counts()
	if c[VerbList] != 2 || c[VerbWrite] != 6 {
		t.Errorf("counts: %v", c)
	}
}
