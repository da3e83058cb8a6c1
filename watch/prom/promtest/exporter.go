// Package promtest runs a real Prometheus server for tests, scraping an exporter of
// Seldon's per-model counters that grow at rates the test sets.
package promtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Model is one Seldon Model as the exporter serves it.
type Model struct {
	Namespace, Name, Server string
	// Pods spreads the counters over this many server pods (at least 1).
	Pods int
	// RPS is the total requests per second, ErrorRPS the part of it answered non-2xx.
	RPS, ErrorRPS float64
	// LatencySec is the average seconds per request.
	LatencySec float64
}

// counter grows at a constant rate since a point in time; computing the value from
// the clock means no goroutine has to tick.
type counter struct {
	base  float64
	rate  float64
	since time.Time
}

func (c *counter) value(now time.Time) float64 {
	return c.base + c.rate*now.Sub(c.since).Seconds()
}

func (c *counter) setRate(now time.Time, rate float64) {
	c.base, c.since, c.rate = c.value(now), now, rate
}

// Exporter serves seldon_model_infer_total and seldon_model_infer_seconds_total
// with the labels Seldon's agent and Prometheus give them (namespace, model, server,
// pod, code, method_type).
type Exporter struct {
	// Addr is host:port for a scrape config.
	Addr string

	mu       sync.Mutex
	counters map[string]*counter // keyed by the exposition line's metric and labels
	scrapes  int
}

// NewExporter starts an exporter on a loopback port, closed when the test ends.
func NewExporter(t testing.TB) *Exporter {
	t.Helper()
	e := &Exporter{counters: map[string]*counter{}}
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	e.Addr = u.Host
	return e
}

// Set adds a Model or changes its rates; its counters keep their values.
func (e *Exporter) Set(models ...Model) {
	now := time.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range models {
		pods := max(1, m.Pods)
		for p := range pods {
			labels := func(code string) string {
				return fmt.Sprintf(`namespace=%q,model=%q,server=%q,pod="%s-%d",code=%q,method_type="rest"`,
					m.Namespace, m.Name, m.Server, m.Server, p, code)
			}
			ok := (m.RPS - m.ErrorRPS) / float64(pods)
			e.set(now, "seldon_model_infer_total{"+labels("200")+"}", ok)
			e.set(now, "seldon_model_infer_total{"+labels("500")+"}", m.ErrorRPS/float64(pods))
			e.set(now, "seldon_model_infer_seconds_total{"+labels("200")+"}", m.RPS*m.LatencySec/float64(pods))
		}
	}
}

func (e *Exporter) set(now time.Time, series string, rate float64) {
	c := e.counters[series]
	if c == nil {
		e.counters[series] = &counter{rate: rate, since: now}
		return
	}
	c.setRate(now, rate)
}

// Scrapes counts the scrapes served so far.
func (e *Exporter) Scrapes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scrapes
}

func (e *Exporter) serve(w http.ResponseWriter, _ *http.Request) {
	now := time.Now()
	e.mu.Lock()
	e.scrapes++
	lines := make([]string, 0, len(e.counters))
	for series, c := range e.counters {
		lines = append(lines, series+" "+strconv.FormatFloat(c.value(now), 'f', -1, 64))
	}
	e.mu.Unlock()
	sort.Strings(lines)
	var b strings.Builder
	family := ""
	for _, l := range lines {
		if name, _, _ := strings.Cut(l, "{"); name != family {
			family = name
			b.WriteString("# TYPE " + name + " counter\n")
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(b.String()))
}
