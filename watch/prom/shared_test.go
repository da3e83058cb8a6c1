package prom

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// twoClusters answers every query with iris in clusters a and b, slowly enough that
// callers overlap, and counts the calls.
type twoClusters struct{ calls atomic.Int64 }

func (q *twoClusters) Instant(ctx context.Context, _ string, _ time.Time) ([]Sample, Warnings, error) {
	q.calls.Add(1)
	time.Sleep(20 * time.Millisecond)
	return []Sample{
		{Labels: Labels{"cluster": "a", "namespace": "ns", "model": "iris"}, Value: 6},
		{Labels: Labels{"cluster": "b", "namespace": "ns", "model": "iris"}, Value: 20},
	}, Warnings{"partial response"}, nil
}

func (q *twoClusters) Range(ctx context.Context, _ string, _, _ time.Time, _ time.Duration) ([]Series, Warnings, error) {
	q.calls.Add(1)
	return []Series{{Labels: Labels{"cluster": "b"}}}, nil, nil
}

// TestSharedOneRequestForAllClusters: the pollers of clusters a and b ask the same
// question at the same step; the endpoint is asked once, each sees only its series,
// and both get the endpoint's warnings.
func TestSharedOneRequestForAllClusters(t *testing.T) {
	fake := &twoClusters{}
	s := NewShared(fake)
	qa, qb := ForCluster(s, "cluster", "a"), ForCluster(s, "cluster", "b")
	at := time.Unix(1700000000, 0)
	for poll := range 3 {
		var wg sync.WaitGroup
		got := map[string][]Sample{}
		var mu sync.Mutex
		for name, q := range map[string]Querier{"a": qa, "b": qb} {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				samples, warns, err := q.Instant(ctx, "sum by (cluster, namespace, model) (x)", at)
				if err != nil || len(warns) != 1 {
					t.Errorf("cluster %s: %v, warnings %q", name, err, warns)
				}
				mu.Lock()
				got[name] = samples
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(got["a"]) != 1 || got["a"][0].Value != 6 || len(got["b"]) != 1 || got["b"][0].Value != 20 {
			t.Fatalf("poll %d: a %v, b %v", poll, got["a"], got["b"])
		}
		if n := fake.calls.Load(); n != int64(poll+1) {
			t.Fatalf("after poll %d: %d requests to the endpoint, want %d", poll, n, poll+1)
		}
		at = at.Add(15 * time.Second)
	}
	series, _, err := qa.Range(context.Background(), "x", at, at, time.Second)
	if err != nil || len(series) != 0 {
		t.Errorf("cluster a's range: %v, %v", series, err)
	}
}
