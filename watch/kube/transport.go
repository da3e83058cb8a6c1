package kube

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
)

// ErrReadOnly is returned for every request that would change the cluster.
var ErrReadOnly = errors.New("twinscale is read-only")

// ReadOnly wraps a transport so that only GET and HEAD requests reach the cluster: any
// other method fails with ErrReadOnly before a byte is sent. twinscale never writes, and
// this makes that a property of the client rather than a promise of the code.
func ReadOnly(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return readOnly{next: rt}
}

type readOnly struct{ next http.RoundTripper }

// RoundTrip refuses writes.
func (r readOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		if req.Body != nil {
			_ = req.Body.Close() // a RoundTripper must close the body, even on error
		}
		return nil, fmt.Errorf("refusing %s %s: %w", req.Method, req.URL.Path, ErrReadOnly)
	}
	return r.next.RoundTrip(req)
}

// Request kinds counted by RequestCounter.
const (
	VerbList      = "list"
	VerbWatch     = "watch"
	VerbGet       = "get"
	VerbDiscovery = "discovery"
	VerbWrite     = "write"
)

// RequestCounter counts API requests by kind (list, watch, get, discovery, write). It is
// safe for concurrent use.
type RequestCounter struct {
	list, watch, get, discovery, write atomic.Int64
}

// Counts returns the number of requests seen so far, by kind.
func (c *RequestCounter) Counts() map[string]int64 {
	return map[string]int64{
		VerbList:      c.list.Load(),
		VerbWatch:     c.watch.Load(),
		VerbGet:       c.get.Load(),
		VerbDiscovery: c.discovery.Load(),
		VerbWrite:     c.write.Load(),
	}
}

// Count returns the number of requests of one kind.
func (c *RequestCounter) Count(verb string) int64 { return c.Counts()[verb] }

// CountingTransport wraps a transport and counts every request it sends into c, by
// kind. Writes are counted even when an inner transport refuses them.
func CountingTransport(rt http.RoundTripper, c *RequestCounter) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return counting{next: rt, c: c}
}

type counting struct {
	next http.RoundTripper
	c    *RequestCounter
}

// RoundTrip counts and forwards.
func (t counting) RoundTrip(req *http.Request) (*http.Response, error) {
	switch RequestVerb(req) {
	case VerbList:
		t.c.list.Add(1)
	case VerbWatch:
		t.c.watch.Add(1)
	case VerbGet:
		t.c.get.Add(1)
	case VerbDiscovery:
		t.c.discovery.Add(1)
	default:
		t.c.write.Add(1)
	}
	return t.next.RoundTrip(req)
}

// RequestVerb classifies an API request as list, watch, get, discovery or write, from its
// method and path (/api/v1/namespaces/NS/RESOURCE[/NAME[/SUB]] and
// /apis/GROUP/VERSION/...).
func RequestVerb(req *http.Request) string {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return VerbWrite
	}
	q := req.URL.Query()
	if w := q.Get("watch"); w == "true" || w == "1" {
		return VerbWatch
	}
	segs := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	var rest []string
	switch {
	case len(segs) >= 2 && segs[0] == "api":
		rest = segs[2:]
	case len(segs) >= 3 && segs[0] == "apis":
		rest = segs[3:]
	default:
		return VerbDiscovery // /api, /apis, /apis/GROUP, /version, /openapi...
	}
	if len(rest) > 0 && rest[0] == "watch" {
		return VerbWatch // the deprecated /watch/ paths
	}
	if len(rest) > 2 && rest[0] == "namespaces" {
		rest = rest[2:]
	}
	switch {
	case len(rest) == 0:
		return VerbDiscovery // /api/v1, /apis/GROUP/VERSION
	case len(rest) == 1:
		return VerbList
	default:
		return VerbGet
	}
}

// connObserver wraps a transport and reports, for every request, whether the API server
// answered: the watcher's Connected state follows it.
type connObserver struct {
	next     http.RoundTripper
	observed func(err error)
}

// RoundTrip forwards and reports the outcome.
func (t connObserver) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if req.Context().Err() == nil {
		t.observed(err)
	}
	return resp, err
}
