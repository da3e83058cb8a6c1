package prom

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/config"
	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
)

// Defaults of the Prometheus flags.
const (
	DefaultRateWindow   = 2 * time.Minute
	DefaultPollInterval = 15 * time.Second
	DefaultHistory      = 30 * time.Minute
	DefaultTimeout      = 10 * time.Second
	// DefaultMaxBackoff caps the delay between polls while Prometheus fails.
	DefaultMaxBackoff = 2 * time.Minute
	// MaxHistoryPoints bounds the history per series (24 h at 15 s).
	MaxHistoryPoints = 5760
)

// ErrNotConfigured means neither --prometheus-url nor --prometheus-service was given.
var ErrNotConfigured = errors.New("prometheus is not configured: set --prometheus-url, PROMETHEUS_URL or --prometheus-service")

// Options says how to reach Prometheus and what to ask it.
type Options struct {
	// URL is Prometheus' base URL (http or https, any path prefix included).
	URL string
	// Service is NAMESPACE/NAME:PORT of an in-cluster Prometheus reached through the
	// Kubernetes API server's service proxy with the user's own credentials.
	Service string
	// ConfigFile is a Prometheus HTTP client configuration (auth, TLS, proxy) for URL.
	ConfigFile string
	// RateWindow is the window of rate(), the [2m] of the prometheus-adapter rule.
	RateWindow time.Duration
	// PollInterval is the time between polls and the step of the history.
	PollInterval time.Duration
	// History is how far back the start-up range query and the history reach.
	History time.Duration
	// Timeout bounds each query.
	Timeout time.Duration
	// Query is a text/template of the infer_rps query over QueryData; empty means DefaultQuery.
	Query string
	// MaxBackoff caps the delay between failing polls; zero means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// ClusterLabel is the external label that tells clusters apart when one endpoint
	// (Thanos Query, Mimir) serves several; empty for a Prometheus of one cluster.
	ClusterLabel string
	// Cluster is this cluster's value of ClusterLabel: the poller keeps only its series.
	Cluster string
	// Clusters are every value of ClusterLabel the endpoint is asked for in one query
	// (the clusters that share it); empty means just Cluster.
	Clusters []string
	// WrapTransport, when set, wraps the HTTP transport (tests count requests with it).
	WrapTransport func(http.RoundTripper) http.RoundTripper
}

// DefaultOptions returns the options every flag defaults to, without a target.
func DefaultOptions() Options {
	return Options{
		RateWindow:   DefaultRateWindow,
		PollInterval: DefaultPollInterval,
		History:      DefaultHistory,
		Timeout:      DefaultTimeout,
		Query:        DefaultQuery,
	}
}

// AddFlags registers the Prometheus flags on fs, writing into o.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	// The default URL comes from the environment after registration, so --help never
	// prints it: it may carry credentials.
	fs.StringVar(&o.URL, "prometheus-url", "", "Prometheus base URL, e.g. http://localhost:9090 (default $PROMETHEUS_URL)")
	o.URL = os.Getenv("PROMETHEUS_URL")
	fs.StringVar(&o.Service, "prometheus-service", "", "in-cluster Prometheus as NAMESPACE/NAME:PORT, reached through the Kubernetes API server proxy with your kube credentials")
	fs.StringVar(&o.ConfigFile, "prometheus-config", "", "Prometheus HTTP client config file for --prometheus-url (bearer token, basic auth, TLS, proxy)")
	fs.DurationVar(&o.RateWindow, "rate-window", DefaultRateWindow, "rate() window of the infer_rps query (at least twice the scrape interval)")
	fs.StringVar(&o.Query, "query", DefaultQuery, "infer_rps query, a Go template over {{.Namespaces}} (regex), {{.Window}}, {{.By}} and {{.ClusterMatcher}}; must group by (namespace, model), and by the cluster label behind Thanos or Mimir")
	fs.DurationVar(&o.PollInterval, "poll-interval", DefaultPollInterval, "time between Prometheus polls, also the history step")
	fs.DurationVar(&o.History, "history", DefaultHistory, "history fetched at start and kept for the charts")
	fs.DurationVar(&o.Timeout, "prometheus-timeout", DefaultTimeout, "timeout of each Prometheus query")
}

// labelName is a valid Prometheus label name.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// clusterValues are the cluster label values one query asks for.
func (o Options) clusterValues() []string {
	if len(o.Clusters) > 0 {
		return o.Clusters
	}
	return []string{o.Cluster}
}

// Enabled reports whether a Prometheus target was given.
func (o Options) Enabled() bool { return o.URL != "" || o.Service != "" }

// Capacity is the number of history points per series: History / PollInterval.
func (o Options) Capacity() int {
	if o.PollInterval <= 0 {
		return 1
	}
	return max(1, int(o.History/o.PollInterval))
}

// Target names the Prometheus for messages and the header, without credentials.
func (o Options) Target() string {
	switch {
	case o.Service != "":
		return "service " + o.Service + " via the Kubernetes API server"
	case o.URL != "":
		return RedactURL(o.URL)
	}
	return ""
}

// Validate checks every option and reports all problems at once, never echoing a
// credential.
func (o Options) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if o.URL != "" && o.Service != "" {
		add("--prometheus-url and --prometheus-service both given: use one")
	}
	if o.URL != "" {
		if err := checkURL(o.URL); err != nil {
			errs = append(errs, err)
		}
	}
	if o.Service != "" {
		if _, err := parseService(o.Service); err != nil {
			errs = append(errs, err)
		}
	}
	if o.ConfigFile != "" {
		switch {
		case o.Service != "":
			add("--prometheus-config applies to --prometheus-url; --prometheus-service uses your kubeconfig credentials")
		case o.URL == "":
			add("--prometheus-config needs --prometheus-url")
		default:
			if _, err := httpClientFromFile(o.ConfigFile); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if o.RateWindow < time.Second {
		add("--rate-window %s: want at least 1s (and at least twice the scrape interval)", o.RateWindow)
	}
	if o.PollInterval < time.Second {
		add("--poll-interval %s: want at least 1s", o.PollInterval)
	}
	if o.Timeout <= 0 {
		add("--prometheus-timeout %s: want a positive duration", o.Timeout)
	}
	if o.History < 0 {
		add("--history %s: want zero or more", o.History)
	} else if o.PollInterval >= time.Second && o.History/o.PollInterval > MaxHistoryPoints {
		add("--history %s at --poll-interval %s keeps %d points per series; the limit is %d",
			o.History, o.PollInterval, o.History/o.PollInterval, MaxHistoryPoints)
	}
	if o.ClusterLabel != "" && !labelName.MatchString(o.ClusterLabel) {
		add("cluster_label %q is not a Prometheus label name", o.ClusterLabel)
	}
	if o.ClusterLabel != "" && o.Cluster == "" {
		add("cluster_label %s needs the cluster's value of it", o.ClusterLabel)
	}
	if _, err := o.render([]string{"example"}); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// NewQuerier connects to the Prometheus the options name. restCfg is only used for
// --prometheus-service. It returns ErrNotConfigured when no target was given.
func NewQuerier(o Options, restCfg *rest.Config) (Querier, error) {
	var (
		address string
		hc      *http.Client
		err     error
	)
	switch {
	case o.Service != "":
		if restCfg == nil {
			return nil, errors.New("--prometheus-service needs a Kubernetes connection (kubeconfig)")
		}
		ref, err := parseService(o.Service)
		if err != nil {
			return nil, err
		}
		if hc, err = rest.HTTPClientFor(restCfg); err != nil {
			return nil, fmt.Errorf("kubernetes client for the service proxy: %w", err)
		}
		base, _, err := rest.DefaultServerUrlFor(restCfg)
		if err != nil {
			return nil, fmt.Errorf("kubernetes API server URL: %w", err)
		}
		base.Path = path.Join(base.Path, "/api/v1/namespaces", ref.namespace, "services", ref.proxySegment(), "proxy")
		address = base.String()
	case o.URL != "":
		if err := checkURL(o.URL); err != nil {
			return nil, err
		}
		address = o.URL
		if o.ConfigFile != "" {
			if hc, err = httpClientFromFile(o.ConfigFile); err != nil {
				return nil, err
			}
		} else {
			hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		}
	default:
		return nil, ErrNotConfigured
	}
	if o.WrapTransport != nil {
		wrapped := *hc
		rt := wrapped.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		wrapped.Transport = o.WrapTransport(rt)
		hc = &wrapped
	}
	return newClientQuerier(address, hc)
}

// checkURL validates a Prometheus URL without repeating it (it may hold a password).
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("--prometheus-url is not a valid URL: %s", scrubString(err.Error(), raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("--prometheus-url %s: want an http:// or https:// URL", RedactURL(raw))
	}
	if u.Host == "" {
		return fmt.Errorf("--prometheus-url %s: no host", RedactURL(raw))
	}
	return nil
}

// RedactURL returns raw without user info, query or fragment, for messages and logs.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.User = nil
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "…", false
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// scrubString replaces anything that looks like a credential of rawURL inside s.
func scrubString(s, rawURL string) string {
	u, err := url.Parse(rawURL)
	var secrets []string
	if err == nil && u.User != nil {
		secrets = append(secrets, u.User.String(), u.User.Username())
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	} else if at := strings.LastIndex(rawURL, "@"); at >= 0 {
		// Unparseable: treat everything between the scheme and the last @ as secret.
		start := strings.Index(rawURL, "://") + 3
		if start >= 3 && start < at {
			secrets = append(secrets, rawURL[start:at])
		}
	}
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// serviceRef is a parsed --prometheus-service.
type serviceRef struct {
	namespace, scheme, name, port string
}

// proxySegment is the service part of the proxy path: [scheme:]name:port.
func (s serviceRef) proxySegment() string {
	if s.scheme != "" {
		return s.scheme + ":" + s.name + ":" + s.port
	}
	return s.name + ":" + s.port
}

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	portName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// parseService parses NAMESPACE/NAME:PORT, optionally NAMESPACE/https:NAME:PORT.
func parseService(s string) (serviceRef, error) {
	bad := func(why string) (serviceRef, error) {
		return serviceRef{}, fmt.Errorf("--prometheus-service %q: %s; want NAMESPACE/NAME:PORT, e.g. monitoring/prometheus-operated:9090", s, why)
	}
	ns, rest, ok := strings.Cut(s, "/")
	if !ok {
		return bad("no namespace")
	}
	var ref serviceRef
	ref.namespace = ns
	parts := strings.Split(rest, ":")
	switch len(parts) {
	case 2:
		ref.name, ref.port = parts[0], parts[1]
	case 3:
		ref.scheme, ref.name, ref.port = parts[0], parts[1], parts[2]
		if ref.scheme != "http" && ref.scheme != "https" {
			return bad("scheme " + strconv.Quote(ref.scheme) + " is not http or https")
		}
	default:
		return bad("no port")
	}
	if len(ns) > 63 || !dnsLabel.MatchString(ns) {
		return bad("namespace is not a valid name")
	}
	if len(ref.name) > 63 || !dnsLabel.MatchString(ref.name) {
		return bad("service name is not a valid name")
	}
	if n, err := strconv.Atoi(ref.port); err == nil {
		if n < 1 || n > 65535 {
			return bad("port out of range")
		}
	} else if len(ref.port) > 15 || !portName.MatchString(ref.port) {
		return bad("port is neither a number nor a port name")
	}
	return ref, nil
}

// yamlValue matches the values the YAML decoder quotes in its errors (`hunter2`).
var yamlValue = regexp.MustCompile("`[^`]*`")

// httpClientFromFile loads a Prometheus HTTP client config and builds its client. Its
// errors never quote the file's contents, which hold secrets.
func httpClientFromFile(file string) (*http.Client, error) {
	cfg, _, err := config.LoadHTTPConfigFile(file)
	if err != nil {
		return nil, fmt.Errorf("--prometheus-config %s: %s", file, yamlValue.ReplaceAllString(err.Error(), "`…`"))
	}
	hc, err := config.NewClientFromConfig(*cfg, "twinscale")
	if err != nil {
		return nil, fmt.Errorf("--prometheus-config %s: %s", file, yamlValue.ReplaceAllString(err.Error(), "`…`"))
	}
	return hc, nil
}
