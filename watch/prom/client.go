package prom

// This is the only file that imports github.com/prometheus/client_golang: it adapts
// its v1.API to our Querier. Note that in client_golang v1.25.0 Query and QueryRange
// return four values (value, warnings, infos, error); v1.24.0 returned three.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	pmodel "github.com/prometheus/common/model"
)

// clientQuerier is a Querier over the Prometheus HTTP API: client_golang sends every
// request; instant answers are decoded by decodeInstant, range answers by the library.
type clientQuerier struct {
	client api.Client
	api    v1.API
}

// newClientQuerier returns a Querier for the Prometheus at address, sending requests
// through hc (which carries any authentication).
func newClientQuerier(address string, hc *http.Client) (Querier, error) {
	c, err := api.NewClient(api.Config{Address: address, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus client: %w", scrubError(err))
	}
	sc := statusClient{c}
	return &clientQuerier{client: sc, api: v1.NewAPI(sc)}, nil
}

// Instant implements Querier. It sends the same GET as the library's Query and decodes
// the answer itself (decodeInstant).
func (q *clientQuerier) Instant(ctx context.Context, expr string, at time.Time) ([]Sample, Warnings, error) {
	u := q.client.URL("/api/v1/query", nil)
	args := u.Query()
	args.Set("query", expr)
	if !at.IsZero() {
		args.Set("time", strconv.FormatFloat(float64(at.Unix())+float64(at.Nanosecond())/1e9, 'f', -1, 64))
	}
	if d := timeoutParam(ctx); d > 0 {
		args.Set("timeout", d.String())
	}
	u.RawQuery = args.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("prometheus query: %w", scrubError(err))
	}
	_, body, err := q.client.Do(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	return decodeInstant(body)
}

// Range implements Querier.
func (q *clientQuerier) Range(ctx context.Context, expr string, start, end time.Time, step time.Duration) ([]Series, Warnings, error) {
	r := v1.Range{Start: start, End: end, Step: step}
	val, warns, _, err := q.api.QueryRange(ctx, expr, r, serverTimeout(ctx)...)
	if err != nil {
		return nil, Warnings(warns), convertError(err)
	}
	switch v := val.(type) {
	case pmodel.Matrix:
		out := make([]Series, len(v))
		for i, s := range v {
			pts := make([]Point, len(s.Values))
			for j, p := range s.Values {
				pts[j] = Point{T: p.Timestamp.Time(), V: float64(p.Value)}
			}
			out[i] = Series{Labels: labels(s.Metric), Points: pts}
		}
		return out, Warnings(warns), nil
	case nil:
		return nil, Warnings(warns), nil
	default:
		return nil, Warnings(warns), fmt.Errorf("range query returned a %s, want a matrix", val.Type())
	}
}

// serverTimeout passes the context deadline to Prometheus too, so it stops evaluating
// a query nobody waits for. The library sends Duration.String(), and Prometheus 2.x
// rejects fractions such as "4.99s", so only whole seconds are sent.
func serverTimeout(ctx context.Context) []v1.Option {
	if d := timeoutParam(ctx); d > 0 {
		return []v1.Option{v1.WithTimeout(d)}
	}
	return nil
}

// timeoutParam is the context's remaining time in whole seconds, or 0 below a second.
func timeoutParam(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if d := time.Until(dl).Truncate(time.Second); d >= time.Second {
			return d
		}
	}
	return 0
}

func labels(m pmodel.Metric) Labels {
	out := make(Labels, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}

// convertError turns the library's error into ours, so callers never see its types.
func convertError(err error) error {
	var apiErr *v1.Error
	if errors.As(err, &apiErr) {
		return &QueryError{Type: string(apiErr.Type), Msg: apiErr.Msg}
	}
	return scrubError(err)
}

// statusClient turns every non-success answer into our own error type: the library
// would reduce a 401 to "client error: 401" and drop the API server's explanation.
type statusClient struct{ api.Client }

// Do implements api.Client. The library POSTs queries first (falling back to GET on 403,
// 405 or 501); twinscale sends them as GET, so every request it makes is a read: through
// the API server's service proxy a POST would need create on services/proxy, and the
// read-only transport refuses it.
func (c statusClient) Do(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	if req.Method == http.MethodPost && req.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		get, err := asGet(req)
		if err != nil {
			return nil, nil, err
		}
		req = get
	}
	resp, body, err := c.Client.Do(ctx, req)
	if err != nil {
		return resp, body, scrubError(err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, body, nil
	}
	// Prometheus' own error body: {"status":"error","errorType":"bad_data","error":"..."}.
	var promErr struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}
	if json.Unmarshal(body, &promErr) == nil && promErr.Status == "error" && promErr.ErrorType != "" {
		return resp, body, &QueryError{Type: promErr.ErrorType, Msg: promErr.Error}
	}
	// The API server proxy answers with a Kubernetes Status (no credentials in it).
	var status struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &status) == nil && status.Kind == "Status" {
		return resp, body, &HTTPError{Code: resp.StatusCode, Message: status.Message}
	}
	// Mimir and Thanos' auth proxies answer in one short line of text ("no org id").
	if msg := strings.TrimSpace(string(body)); strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") &&
		msg != "" && len(msg) <= 200 && !strings.ContainsAny(msg, "\r\n") && !strings.EqualFold(msg, http.StatusText(resp.StatusCode)) {
		return resp, body, &HTTPError{Code: resp.StatusCode, Message: msg}
	}
	return resp, body, &HTTPError{Code: resp.StatusCode}
}

// asGet turns a form POST into the same query as a GET with the form in the URL.
func asGet(req *http.Request) (*http.Request, error) {
	var form []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("prometheus query: %w", err)
		}
		form = b
	}
	u := *req.URL
	if u.RawQuery != "" && len(form) > 0 {
		u.RawQuery += "&" + string(form)
	} else if len(form) > 0 {
		u.RawQuery = string(form)
	}
	get, err := http.NewRequestWithContext(req.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("prometheus query: %w", err)
	}
	for k, v := range req.Header {
		if k != "Content-Type" && k != "Idempotency-Key" {
			get.Header[k] = v
		}
	}
	return get, nil
}

// scrubError removes credentials and query strings from URLs inside err: Go's HTTP
// client hides a password but keeps the user name and the query.
func scrubError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &url.Error{Op: uerr.Op, URL: RedactURL(uerr.URL), Err: uerr.Err}
	}
	return err
}
