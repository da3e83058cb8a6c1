// Package prom polls Prometheus for the infer_rps of every Model/Server pair, its
// average latency and error rate, and backfills their history on start.
//
// Everything here talks to Prometheus through Querier, a narrow interface of our own:
// the Prometheus client library is used in client.go only, so a library bump touches
// one file, and the demo and unit tests can stand in with simulated data.
package prom

import (
	"context"
	"fmt"
	"time"
)

// Querier runs PromQL. Implementations must honour ctx and be safe for concurrent use.
type Querier interface {
	// Instant evaluates expr at one time and returns its instant vector (a scalar
	// result is one Sample without labels).
	Instant(ctx context.Context, expr string, at time.Time) ([]Sample, Warnings, error)
	// Range evaluates expr at start, start+step, ... up to end.
	Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, Warnings, error)
}

// Labels are the label names and values of one series.
type Labels map[string]string

// Sample is one series of an instant vector.
type Sample struct {
	Labels Labels
	Value  float64
}

// Point is one value of a range series.
type Point struct {
	T time.Time
	V float64
}

// Series is one series of a range query, its points in time order.
type Series struct {
	Labels Labels
	Points []Point
}

// Warnings are Prometheus' non-fatal remarks about a query.
type Warnings []string

// QueryError is an error Prometheus itself reported, with its error type
// ("bad_data", "execution", "timeout", ...) and its own text.
type QueryError struct {
	Type string
	Msg  string
}

// Error returns Prometheus' error type and text.
func (e *QueryError) Error() string { return e.Type + ": " + e.Msg }

// HTTPError is a non-success HTTP answer that is not a Prometheus query error:
// 401 and 403 from an auth proxy, 404 for a wrong path, 503 from the API server proxy.
type HTTPError struct {
	Code int
	// Message is the server's explanation when it gave one in a known format
	// (a Kubernetes Status from the API server proxy); never a raw body.
	Message string
}

// Error returns the status and, when known, the server's message.
func (e *HTTPError) Error() string {
	if e.Message != "" {
		return fmt.Sprintf("HTTP %d: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("HTTP %d", e.Code)
}
