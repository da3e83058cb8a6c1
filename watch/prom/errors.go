package prom

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// explainer turns query errors into specific, credential-free messages.
type explainer struct {
	target  string // redacted URL or "service ns/name:port (...)"
	rawURL  string // for scrubbing only; never printed
	service string // NAMESPACE/NAME:PORT when going through the API server proxy
	timeout string
	ns      []string
	window  string
	custom  bool // the infer_rps query is the user's --query
}

// explain describes err from the named query ("infer_rps", "backfill", "latency").
func (e explainer) explain(query string, err error) string {
	return scrubString(e.describe(query, err), e.rawURL)
}

func (e explainer) describe(query string, err error) string {
	var (
		qerr    *QueryError
		herr    *HTTPError
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		unkErr  x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s query timed out after %s (--prometheus-timeout): %s is slow or unreachable", query, e.timeout, e.target)
	case errors.As(err, &qerr):
		if qerr.Type == "bad_data" {
			flag := ""
			if e.custom && query != "latency" && query != "errors" {
				flag = " (check --query)"
			}
			return fmt.Sprintf("bad query%s: %s (the %s query)", flag, qerr.Msg, query)
		}
		return fmt.Sprintf("Prometheus could not run the %s query (%s): %s", query, qerr.Type, qerr.Msg)
	case errors.As(err, &herr):
		return e.describeHTTP(query, herr)
	case errors.As(err, &certErr), errors.As(err, &unkErr), errors.As(err, &hostErr), errors.As(err, &invErr):
		return fmt.Sprintf("TLS: cannot verify the certificate of %s: %s; set tls_config.ca_file (or insecure_skip_verify) in --prometheus-config", e.target, tlsReason(err))
	case errors.As(err, &recErr):
		return fmt.Sprintf("TLS handshake with %s failed: the server does not speak TLS (use http://)", e.target)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %q of %s: %s; check --prometheus-url", dnsErr.Name, e.target, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot connect to Prometheus at %s: connection refused (is it running, and is the port right?)", e.target)
	case errors.As(err, &opErr):
		return fmt.Sprintf("cannot reach Prometheus at %s: %v", e.target, opErr.Err)
	}
	return fmt.Sprintf("%s query to %s: %v", query, e.target, err)
}

// tlsReason keeps the verifier's explanation but not the URL around it.
func tlsReason(err error) string {
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return certErr.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

func (e explainer) describeHTTP(query string, herr *HTTPError) string {
	detail := ""
	if herr.Message != "" {
		detail = ": " + herr.Message
	}
	status := fmt.Sprintf("%d %s", herr.Code, http.StatusText(herr.Code))
	if e.service != "" {
		svc := "service " + e.service
		switch herr.Code {
		case http.StatusUnauthorized:
			return fmt.Sprintf("the Kubernetes API server rejected your credentials (%s) for the proxy to %s: log in again or check your kubeconfig", status, svc)
		case http.StatusForbidden:
			return fmt.Sprintf("the Kubernetes API server forbids the service proxy (%s)%s; you need get on services/proxy", status, detail)
		case http.StatusNotFound:
			return fmt.Sprintf("%s not found (%s)%s: check --prometheus-service NAMESPACE/NAME:PORT", svc, status, detail)
		case http.StatusServiceUnavailable, http.StatusBadGateway:
			return fmt.Sprintf("the API server proxy cannot reach Prometheus behind %s (%s)%s: is it running with ready endpoints?", svc, status, detail)
		}
		return fmt.Sprintf("%s query through %s: %s%s", query, e.target, status, detail)
	}
	switch herr.Code {
	case http.StatusUnauthorized:
		return fmt.Sprintf("%s rejected the credentials (%s)%s: check the bearer token, basic auth or http_headers (Mimir's X-Scope-OrgID) in --prometheus-config or the http_config of --config", e.target, status, detail)
	case http.StatusForbidden:
		return fmt.Sprintf("%s refused access (%s)%s: check the credentials in --prometheus-config", e.target, status, detail)
	case http.StatusNotFound:
		return fmt.Sprintf("%s has no Prometheus query API (%s): is it the base URL, with any path prefix?", e.target, status)
	case http.StatusBadRequest:
		return fmt.Sprintf("%s answered %s without a Prometheus error: if it serves HTTPS, use https://", e.target, status)
	}
	return fmt.Sprintf("%s query to %s: %s%s", query, e.target, status, detail)
}

// emptyResult describes a poll that found no series at all.
func (e explainer) emptyResult() string {
	where := "any namespace"
	if len(e.ns) > 0 {
		where = "namespaces " + strings.Join(e.ns, ", ")
	}
	if e.custom {
		return fmt.Sprintf("the --query returns no series for %s", where)
	}
	return fmt.Sprintf("no series for seldon_model_infer_total in %s in the last %s: are the Models receiving requests, and does Prometheus scrape the Seldon agents?", where, e.window)
}
