package prom

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// recorder is a Sink that keeps everything and feeds a History, as the engine will.
type recorder struct {
	mu        sync.Mutex
	hist      *model.History
	backfills []model.Backfill
	polls     []model.MetricsPoll
	states    []model.PromState
}

func newRecorder(o Options) *recorder {
	return &recorder{hist: model.NewHistory(o.Capacity(), o.PollInterval)}
}

func (r *recorder) Backfill(b model.Backfill) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.backfills = append(r.backfills, b)
	r.hist.ApplyBackfill(b)
}

func (r *recorder) Poll(p model.MetricsPoll) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.polls = append(r.polls, p)
	r.hist.RecordPoll(p)
}

func (r *recorder) State(s model.PromState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, s)
}

func (r *recorder) state() model.PromState {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.states) == 0 {
		return model.PromState{}
	}
	return r.states[len(r.states)-1]
}

func (r *recorder) lastPoll() (model.MetricsPoll, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.polls) == 0 {
		return model.MetricsPoll{}, 0
	}
	return r.polls[len(r.polls)-1], len(r.polls)
}

// history runs f on the History under the recorder's lock.
func (r *recorder) history(f func(h *model.History)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r.hist)
}

// queryCounter is an http.RoundTripper that counts Prometheus API requests by
// endpoint and expression.
type queryCounter struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    map[string]int // "instant " + expr or "range " + expr
}

func countQueries(next http.RoundTripper) *queryCounter {
	return &queryCounter{next: next, n: map[string]int{}}
}

func (c *queryCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	kind := ""
	switch {
	case strings.HasSuffix(req.URL.Path, "/api/v1/query"):
		kind = "instant "
	case strings.HasSuffix(req.URL.Path, "/api/v1/query_range"):
		kind = "range "
	}
	if kind != "" {
		form := req.URL.Query()
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err == nil {
				b, _ := io.ReadAll(body)
				if f, err := url.ParseQuery(string(b)); err == nil {
					form = f
				}
			}
		}
		c.mu.Lock()
		c.n[kind+form.Get("query")]++
		c.mu.Unlock()
	}
	return c.next.RoundTrip(req)
}

func (c *queryCounter) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *queryCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

// logBuffer captures a poller's logs so tests can check they hold no secret.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// runPoller runs p until the test ends and waits for Run to return.
func runPoller(t *testing.T, p *Poller) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
}

// testOptions are fast options for a real Prometheus scraping every second.
func testOptions(url string) Options {
	o := DefaultOptions()
	o.URL = url
	o.RateWindow = 5 * time.Second
	o.PollInterval = time.Second
	o.History = 10 * time.Second
	o.Timeout = 5 * time.Second
	o.MaxBackoff = 2 * time.Second
	return o
}
