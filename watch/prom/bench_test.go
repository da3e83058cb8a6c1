package prom

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/modeltest"
)

// vectorBody is Prometheus' answer to an instant query grouped by (namespace, model) over
// modeltest's n pairs.
func vectorBody(n int, at time.Time) []byte {
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		ns, m, _ := modeltest.Names(i)
		fmt.Fprintf(&b, `{"metric":{"model":%q,"namespace":%q},"value":[%d.000,"%g"]}`, m, ns, at.Unix(), modeltest.RPS(i, 0))
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

// promServer answers every instant query with body and counts the queries.
func promServer(tb testing.TB, body []byte, queries *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// BenchmarkPromInstant measures one infer_rps query over HTTP: the request, decoding
// Prometheus' JSON and converting n series.
func BenchmarkPromInstant(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("series=%d", n), func(b *testing.B) {
			var queries atomic.Int64
			srv := promServer(b, vectorBody(n, modeltest.T0), &queries)
			q, err := NewQuerier(Options{URL: srv.URL}, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := q.Instant(context.Background(), DefaultQuery, modeltest.T0)
				if err != nil || len(s) != n {
					b.Fatalf("%d samples, %v", len(s), err)
				}
			}
		})
	}
}

// BenchmarkPromInstantClientGolang is BenchmarkPromInstant through client_golang's own
// decoder, as twinscale decoded answers before decodeInstant: run both in the same
// conditions to compare them (go test -bench PromInstant -count 10).
func BenchmarkPromInstantClientGolang(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("series=%d", n), func(b *testing.B) {
			var queries atomic.Int64
			srv := promServer(b, vectorBody(n, modeltest.T0), &queries)
			client, err := api.NewClient(api.Config{Address: srv.URL})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s, _, err := libraryInstant(context.Background(), client, DefaultQuery, modeltest.T0)
				if err != nil || len(s) != n {
					b.Fatalf("%d samples, %v", len(s), err)
				}
			}
		})
	}
}

// pollSink keeps the last poll.
type pollSink struct{ last model.MetricsPoll }

func (s *pollSink) Backfill(model.Backfill)  {}
func (s *pollSink) Poll(p model.MetricsPoll) { s.last = p }
func (s *pollSink) State(model.PromState)    {}

// BenchmarkPromPoll measures one whole poll of n pairs (infer_rps, latency and error
// rate) into a MetricsPoll, and reports how many queries it sent: three, whatever n.
func BenchmarkPromPoll(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		b.Run(fmt.Sprintf("pairs=%d", n), func(b *testing.B) {
			var queries atomic.Int64
			srv := promServer(b, vectorBody(n, modeltest.T0), &queries)
			o := DefaultOptions()
			o.URL = srv.URL
			q, err := NewQuerier(o, nil)
			if err != nil {
				b.Fatal(err)
			}
			sink := &pollSink{}
			p := NewPoller(q, o, nil, sink)
			queries.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.poll(context.Background(), modeltest.T0); err != nil {
					b.Fatal(err)
				}
			}
			if len(sink.last.Samples) != n {
				b.Fatalf("%d samples, want %d", len(sink.last.Samples), n)
			}
			b.ReportMetric(float64(queries.Load())/float64(b.N), "queries/poll")
		})
	}
}
