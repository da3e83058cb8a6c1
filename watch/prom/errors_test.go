package prom

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestExplain(t *testing.T) {
	const secretURL = "https://alice:hunter2@prom.example:9090/prefix?token=s3cr3t"
	byURL := NewPoller(nil, Options{URL: secretURL, Timeout: 3e9}, []string{"seldon"}, nil).why
	bySvc := NewPoller(nil, Options{Service: "monitoring/prometheus:9090"}, nil, nil).why
	refused := &url.Error{Op: "Post", URL: "https://alice:***@prom.example:9090/prefix/api/v1/query",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	tests := []struct {
		name string
		e    explainer
		err  error
		want string
	}{
		{"refused", byURL, refused, "cannot connect to Prometheus at https://prom.example:9090/prefix?…: connection refused"},
		{"dns", byURL, &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Name: "prom.example", Err: "no such host", IsNotFound: true}}},
			`cannot resolve host "prom.example" of https://prom.example:9090/prefix?…: no such host; check --prometheus-url`},
		{"other network error", byURL, &net.OpError{Op: "read", Err: fmt.Errorf("connection reset by peer")}, "cannot reach Prometheus at https://prom.example:9090/prefix?…: connection reset by peer"},
		{"timeout", byURL, fmt.Errorf("post: %w", context.DeadlineExceeded), "infer_rps query timed out after 3s (--prometheus-timeout)"},
		{"bad_data", byURL, &QueryError{Type: "bad_data", Msg: `1:5: parse error: unclosed left parenthesis`}, "bad query: 1:5: parse error: unclosed left parenthesis (the infer_rps query)"},
		{"execution", byURL, &QueryError{Type: "execution", Msg: "too many samples"}, "Prometheus could not run the infer_rps query (execution): too many samples"},
		{"unknown CA", byURL, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, "TLS: cannot verify the certificate of https://prom.example:9090/prefix?…: x509: certificate signed by unknown authority; set tls_config.ca_file"},
		{"not TLS", byURL, tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, "the server does not speak TLS (use http://)"},
		{"401", byURL, &HTTPError{Code: 401}, "https://prom.example:9090/prefix?… rejected the credentials (401 Unauthorized): check the bearer token, basic auth or http_headers (Mimir's X-Scope-OrgID) in --prometheus-config or the http_config of --config"},
		{"403", byURL, &HTTPError{Code: 403}, "refused access (403 Forbidden)"},
		{"404", byURL, &HTTPError{Code: 404}, "has no Prometheus query API (404 Not Found): is it the base URL, with any path prefix?"},
		{"plain HTTP to HTTPS", byURL, &HTTPError{Code: 400}, "if it serves HTTPS, use https://"},
		{"502", byURL, &HTTPError{Code: 502}, "infer_rps query to https://prom.example:9090/prefix?…: 502 Bad Gateway"},
		{"service 401", bySvc, &HTTPError{Code: 401}, "the Kubernetes API server rejected your credentials (401 Unauthorized)"},
		{"service 403", bySvc, &HTTPError{Code: 403, Message: `services "prometheus:9090" is forbidden: User "bob" cannot get resource "services/proxy"`},
			`forbids the service proxy (403 Forbidden): services "prometheus:9090" is forbidden: User "bob" cannot get resource "services/proxy"; you need get on services/proxy`},
		{"service 404", bySvc, &HTTPError{Code: 404, Message: `services "prometheus" not found`}, `service monitoring/prometheus:9090 not found (404 Not Found): services "prometheus" not found: check --prometheus-service`},
		{"service 503", bySvc, &HTTPError{Code: 503, Message: `no endpoints available for service "prometheus"`}, "the API server proxy cannot reach Prometheus behind service monitoring/prometheus:9090 (503 Service Unavailable): no endpoints"},
		{"unknown error is scrubbed", byURL, fmt.Errorf("weird failure for alice:hunter2"), "weird failure for ***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.e.explain("infer_rps", tt.err)
			if !strings.Contains(got, tt.want) {
				t.Errorf("explain = %q\nwant it to contain %q", got, tt.want)
			}
			for _, secret := range []string{"hunter2", "alice", "s3cr3t"} {
				if strings.Contains(got, secret) {
					t.Errorf("message %q leaks %q", got, secret)
				}
			}
		})
	}
}

func TestEmptyResultMessage(t *testing.T) {
	e := NewPoller(nil, Options{URL: "http://p:9090", RateWindow: 5 * 60e9}, []string{"b", "a"}, nil).why
	want := "no series for seldon_model_infer_total in namespaces a, b in the last 5m"
	if got := e.emptyResult(); !strings.HasPrefix(got, want) {
		t.Errorf("emptyResult = %q, want prefix %q", got, want)
	}
}
