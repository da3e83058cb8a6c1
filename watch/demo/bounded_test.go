package demo

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Hours of virtual time must not grow the fake clientsets or the simulation's own
// state: Events are capped and expire, metric samples are kept for the history only.
func TestMemoryStaysBounded(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 5, func(o *Options) { o.MaxEvents = 50; o.History = 10 * time.Minute })
	for i := 0; i < 6; i++ {
		c.Step(30 * time.Minute)
	}
	_, cs := c.Clients()
	evs, err := cs.CoreV1().Events("").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(evs.Items); n == 0 || n > 50 {
		t.Fatalf("%d events stored, want 1..50", n)
	}
	for _, e := range evs.Items {
		if c.Now().Sub(e.LastTimestamp.Time) > EventTTL {
			t.Fatalf("event %s is older than the TTL", e.Name)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.events.recs) != len(evs.Items) || len(c.events.byKey) != len(evs.Items) {
		t.Fatalf("event log %d/%d entries for %d stored events", len(c.events.recs), len(c.events.byKey), len(evs.Items))
	}
	keep := int((c.opts.History+leadIn+10*time.Minute)/ScrapeInterval) + 1
	for _, p := range c.pairs {
		if n := len(p.series.samples); n > 2*keep {
			t.Fatalf("%s keeps %d samples, retention allows %d", p.key(), n, keep)
		}
	}
	if n := len(c.sched.tasks); n > 20*len(c.pairs) {
		t.Fatalf("%d pending tasks for %d pairs", n, len(c.pairs))
	}
	for gvr, l := range c.kubeStore.log {
		if len(l) > logCap {
			t.Fatalf("%s watch log holds %d changes", gvr.Resource, len(l))
		}
	}
}

func BenchmarkStepMixed(b *testing.B) {
	c := newCluster(b, ScenarioMixed, 1, func(o *Options) { o.History = 0 })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Step(time.Second)
	}
}

func BenchmarkStepMany500(b *testing.B) {
	c := newCluster(b, ScenarioMany, 1, func(o *Options) { o.Pairs = 500; o.History = 0 })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Step(time.Second)
	}
}

func BenchmarkNewMixedWithHistory(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		newCluster(b, ScenarioMixed, uint64(i))
	}
}
