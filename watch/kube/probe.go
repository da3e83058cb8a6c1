package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// DefaultProbeTimeout bounds Probe when the config sets no timeout of its own.
const DefaultProbeTimeout = 10 * time.Second

// ProbeFailure says why Probe failed, so the CLI can pick an exit code.
type ProbeFailure int

// Probe failures.
const (
	// ProbeUnreachable: no answer (refused, unresolvable, timed out, not TLS).
	ProbeUnreachable ProbeFailure = iota + 1
	// ProbeCredentials: the server answered but rejected the credentials (401), or its
	// certificate does not match the kubeconfig's certificate authority.
	ProbeCredentials
)

// ProbeError is a failed Probe, with a message that names the server but never a
// credential.
type ProbeError struct {
	Failure ProbeFailure
	Msg     string
	Err     error
}

// Error returns the message.
func (e *ProbeError) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *ProbeError) Unwrap() error { return e.Err }

// Probe asks the API server of cfg for its version, once, within timeout (zero means
// cfg.Timeout, else DefaultProbeTimeout), through a read-only client. It lets the CLI
// fail fast on a server it cannot reach, where informers would retry forever.
func Probe(ctx context.Context, cfg *rest.Config, timeout time.Duration) (string, error) {
	if timeout <= 0 {
		timeout = cfg.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = timeout
	cfg.Wrap(ReadOnly)
	host := redactHost(cfg.Host)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "", &ProbeError{Failure: ProbeCredentials, Msg: fmt.Sprintf("kubeconfig: client for %s: %v", host, err), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := dc.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
	if err == nil {
		return string(body), nil
	}
	return "", classifyProbe(host, timeout, err)
}

// classifyProbe turns a failed version request into a ProbeError.
func classifyProbe(host string, timeout time.Duration, err error) error {
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   *tls.CertificateVerificationError
		recErr    tls.RecordHeaderError
		dnsErr    *net.DNSError
		opErr     *net.OpError
	)
	reach := func(why string) error {
		return &ProbeError{Failure: ProbeUnreachable, Err: err,
			Msg: fmt.Sprintf("cannot reach the Kubernetes API server at %s: %s", host, why)}
	}
	switch {
	case apierrors.IsUnauthorized(err):
		return &ProbeError{Failure: ProbeCredentials, Err: err, Msg: fmt.Sprintf(
			"the Kubernetes API server at %s rejected the kubeconfig's credentials (401 Unauthorized): log in again or check the user of the context", host)}
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &certErr):
		return &ProbeError{Failure: ProbeCredentials, Err: err, Msg: fmt.Sprintf(
			"cannot verify the certificate of the Kubernetes API server at %s: check certificate-authority in the kubeconfig", host)}
	case errors.As(err, &recErr):
		return reach("it does not speak TLS (check the server URL's scheme)")
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return reach(fmt.Sprintf("no answer within %s (a firewall, a VPN that is down, or a stopped cluster?)", timeout))
	case errors.As(err, &dnsErr):
		return reach(fmt.Sprintf("cannot resolve host %q", dnsErr.Name))
	case errors.Is(err, syscall.ECONNREFUSED):
		return reach("connection refused (is the cluster running, and is the port right?)")
	case errors.As(err, &opErr):
		return reach(opErr.Err.Error())
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		// Any other answer (403 on /version, a 5xx) means the server is there: go on.
		return nil
	}
	return reach(scrubURLs(err))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redactHost drops any user info and query from the server URL.
func redactHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return strings.TrimSuffix(u.String(), "/")
}

// scrubURLs prints err with the URLs inside it reduced to scheme and host.
func scrubURLs(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}
