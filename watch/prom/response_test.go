package prom

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// canned answers every request with one status and body, in memory, and records the
// requests' methods and queries.
type canned struct {
	status int
	body   []byte

	mu      sync.Mutex
	methods []string
	queries []string
}

func (c *canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	c.mu.Lock()
	c.methods = append(c.methods, req.Method)
	c.queries = append(c.queries, req.URL.Query().Get("query"))
	c.mu.Unlock()
	return &http.Response{
		StatusCode: c.status, Status: http.StatusText(c.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": []string{"application/json"}},
		Body:    io.NopCloser(bytes.NewReader(c.body)),
		Request: req,
	}, nil
}

// cannedQuerier is a Querier over the real client whose HTTP answers are c's.
func cannedQuerier(t testing.TB, c *canned) Querier {
	t.Helper()
	o := DefaultOptions()
	o.URL = "http://prometheus.test:9090"
	o.WrapTransport = func(http.RoundTripper) http.RoundTripper { return c }
	q, err := NewQuerier(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestQueriesAreGETs(t *testing.T) {
	c := &canned{status: 200, body: []byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`)}
	q := cannedQuerier(t, c)
	if _, _, err := q.Instant(context.Background(), `sum(rate(x[2m]))`, time.Now()); err != nil {
		t.Fatal(err)
	}
	c.body = []byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`)
	if _, _, err := q.Range(context.Background(), `sum(rate(x[2m]))`, time.Now().Add(-time.Minute), time.Now(), 15*time.Second); err != nil {
		t.Fatal(err)
	}
	for i, m := range c.methods {
		if m != http.MethodGet || c.queries[i] != `sum(rate(x[2m]))` {
			t.Errorf("request %d: %s with query %q, want GET with the query in the URL", i, m, c.queries[i])
		}
	}
	if len(c.methods) != 2 {
		t.Errorf("%d requests, want 2: %v", len(c.methods), c.methods)
	}
}

// sinkRecorder keeps everything a poller delivers, for the fuzz test.
type sinkRecorder struct {
	polls    []model.MetricsPoll
	backfill []model.Backfill
	states   []model.PromState
}

func (s *sinkRecorder) Backfill(b model.Backfill)  { s.backfill = append(s.backfill, b) }
func (s *sinkRecorder) Poll(p model.MetricsPoll)   { s.polls = append(s.polls, p) }
func (s *sinkRecorder) State(st model.PromState)   { s.states = append(s.states, st) }
func (s *sinkRecorder) last() (st model.PromState) { return s.states[len(s.states)-1] }

// FuzzPrometheusResponse feeds arbitrary API answers through the real client, the
// poller and the history: whatever Prometheus (or a proxy in front of it) returns, the
// poller either records samples or a failure with a message, and never panics. The
// seeds in testdata/fuzz/FuzzPrometheusResponse are real answers: vectors, NaN, ±Inf,
// negative and huge values, matrices, scalars, Prometheus and Kubernetes errors, HTML.
func FuzzPrometheusResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		c := &canned{status: status, body: body}
		o := unitOptions()
		sink := &sinkRecorder{}
		p := NewPoller(cannedQuerier(t, c), o, []string{"ns"}, sink)
		p.Log = (&logBuffer{}).logger()
		p.Now = func() time.Time { return time.Unix(1700000000, 0) }
		p.cycle(context.Background())
		p.cycle(context.Background())
		st := p.state
		switch {
		case st.Failures > 0:
			if st.LastError == "" || strings.Contains(st.LastError, "\n") {
				t.Errorf("failure without a one-line message: %q", st.LastError)
			}
		case len(sink.polls) == 0:
			t.Errorf("success without a poll: %+v", st)
		}
		// Whatever came in goes through the history and the snapshot without panicking,
		// and what the snapshot keeps is finite or flagged.
		h := model.NewHistory(8, o.PollInterval)
		for _, b := range sink.backfill {
			h.ApplyBackfill(b)
		}
		for _, pl := range sink.polls {
			h.RecordPoll(pl)
			for key := range pl.Samples {
				s, _, ok := h.Latest(key)
				if ok && s.Problem == "" && (math.IsNaN(s.RPS) || math.IsInf(s.RPS, 0) || s.RPS < 0) {
					t.Errorf("%s: unusable rps %v kept without a problem", key, s.RPS)
				}
			}
		}
	})
}
