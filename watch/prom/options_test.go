package prom

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
)

func TestAddFlags(t *testing.T) {
	t.Setenv("PROMETHEUS_URL", "http://env-user:env-pass@from-env:9090")
	var o Options
	fs := pflag.NewFlagSet("twinscale", pflag.ContinueOnError)
	o.AddFlags(fs)
	if o.URL != "http://env-user:env-pass@from-env:9090" {
		t.Errorf("URL = %q, want PROMETHEUS_URL", o.URL)
	}
	if o.RateWindow != 2*time.Minute || o.PollInterval != 15*time.Second || o.History != 30*time.Minute || o.Query != DefaultQuery || o.Timeout <= 0 {
		t.Errorf("defaults = %+v", o)
	}
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	for _, flag := range []string{"--prometheus-url", "--prometheus-service", "--prometheus-config", "--rate-window", "--query", "--poll-interval", "--history", "--prometheus-timeout"} {
		if !strings.Contains(help.String(), flag) {
			t.Errorf("flag %s not registered", flag)
		}
	}
	if strings.Contains(help.String(), "env-pass") || strings.Contains(help.String(), "env-user") {
		t.Errorf("--help shows the URL from the environment:\n%s", help.String())
	}
	if err := fs.Parse([]string{"--prometheus-url=http://flag:9090", "--rate-window=5m", "--prometheus-service=ns/p:9090"}); err != nil {
		t.Fatal(err)
	}
	if o.URL != "http://flag:9090" || o.RateWindow != 5*time.Minute || o.Service != "ns/p:9090" {
		t.Errorf("after Parse = %+v", o)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	goodConfig := filepath.Join(dir, "good.yml")
	writeFile(t, goodConfig, "basic_auth:\n  username: u\n  password: hunter2-secret\n")
	badYAML := filepath.Join(dir, "bad.yml")
	writeFile(t, badYAML, "authorization:\n  credentials: [hunter2-secret]\n")
	unknownField := filepath.Join(dir, "unknown.yml")
	writeFile(t, unknownField, "bearer_tokn: hunter2-secret\n")
	quoted := filepath.Join(dir, "quoted.yml")
	writeFile(t, quoted, "basic_auth: hunter2-secret\n")
	missingCA := filepath.Join(dir, "ca.yml")
	writeFile(t, missingCA, "tls_config:\n  ca_file: does-not-exist.pem\n")
	twoAuths := filepath.Join(dir, "two.yml")
	writeFile(t, twoAuths, "bearer_token: hunter2-secret\nbasic_auth:\n  username: u\n  password: hunter2-secret\n")

	tests := []struct {
		name   string
		modify func(o *Options)
		want   string // empty: valid
	}{
		{"defaults with a URL", func(o *Options) {}, ""},
		{"not configured is valid", func(o *Options) { o.URL = "" }, ""},
		{"service", func(o *Options) { o.URL, o.Service = "", "monitoring/prometheus-k8s:web" }, ""},
		{"service with scheme", func(o *Options) { o.URL, o.Service = "", "monitoring/https:prometheus:9091" }, ""},
		{"config file", func(o *Options) { o.ConfigFile = goodConfig }, ""},
		{"both targets", func(o *Options) { o.Service = "a/b:1" }, "--prometheus-url and --prometheus-service both given"},
		{"URL without scheme", func(o *Options) { o.URL = "prometheus:9090" }, "want an http:// or https:// URL"},
		{"URL with other scheme", func(o *Options) { o.URL = "ftp://user:hunter2-secret@h/" }, "--prometheus-url ftp://h/: want an http:// or https:// URL"},
		{"URL without host", func(o *Options) { o.URL = "http:///x" }, "no host"},
		{"unparseable URL", func(o *Options) { o.URL = "http://user:hunter2-secret@host:port/" }, "--prometheus-url is not a valid URL"},
		{"service without port", func(o *Options) { o.URL, o.Service = "", "monitoring/prometheus" }, `--prometheus-service "monitoring/prometheus": no port; want NAMESPACE/NAME:PORT`},
		{"service without namespace", func(o *Options) { o.URL, o.Service = "", "prometheus:9090" }, "no namespace"},
		{"service bad name", func(o *Options) { o.URL, o.Service = "", "monitoring/Prom_etheus:9090" }, "service name is not a valid name"},
		{"service bad port", func(o *Options) { o.URL, o.Service = "", "monitoring/prometheus:70000" }, "port out of range"},
		{"service bad scheme", func(o *Options) { o.URL, o.Service = "", "monitoring/ftp:prometheus:21" }, `scheme "ftp" is not http or https`},
		{"config with service", func(o *Options) { o.URL, o.Service, o.ConfigFile = "", "a/b:1", goodConfig }, "--prometheus-config applies to --prometheus-url"},
		{"config without URL", func(o *Options) { o.URL, o.ConfigFile = "", goodConfig }, "--prometheus-config needs --prometheus-url"},
		{"config missing", func(o *Options) { o.ConfigFile = filepath.Join(dir, "nope.yml") }, "no such file or directory"},
		{"config bad YAML", func(o *Options) { o.ConfigFile = badYAML }, "--prometheus-config " + badYAML + ": yaml: unmarshal errors"},
		{"config unknown field", func(o *Options) { o.ConfigFile = unknownField }, "field bearer_tokn not found"},
		{"config value quoted by YAML", func(o *Options) { o.ConfigFile = quoted }, "line 1: cannot unmarshal !!str `…` into config.plain"},
		{"config missing CA", func(o *Options) { o.ConfigFile = missingCA }, "does-not-exist.pem"},
		{"config two auths", func(o *Options) { o.ConfigFile = twoAuths }, "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"},
		{"short window", func(o *Options) { o.RateWindow = 0 }, "--rate-window 0s: want at least 1s"},
		{"short poll", func(o *Options) { o.PollInterval = time.Millisecond }, "--poll-interval 1ms: want at least 1s"},
		{"bad timeout", func(o *Options) { o.Timeout = 0 }, "--prometheus-timeout 0s"},
		{"too much history", func(o *Options) { o.History = 48 * time.Hour }, "keeps 11520 points per series; the limit is 5760"},
		{"template parse error", func(o *Options) { o.Query = "sum({{.Window}" }, "--query: template: query:1: bad character"},
		{"template unknown field", func(o *Options) { o.Query = "sum({{.Namespace}})" }, "can't evaluate field Namespace"},
		{"template renders nothing", func(o *Options) { o.Query = "{{/* nothing */}}" }, "renders an empty query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			o.URL = "http://prometheus:9090"
			tt.modify(&o)
			err := o.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v\nwant it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Validate leaks a credential: %v", err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"http://prometheus:9090":                       "http://prometheus:9090",
		"https://u:p@prom.example/prefix/":             "https://prom.example/prefix/",
		"https://u@prom.example":                       "https://prom.example",
		"http://prom:9090/?access_token=s3cr3t#frag":   "http://prom:9090/?…",
		"http://u:p@host:port/":                        "<invalid URL>",
		"http://[::1]:9090":                            "http://[::1]:9090",
		"https://tok%40en:x@prom.example:443/api/prom": "https://prom.example:443/api/prom",
	}
	for in, want := range tests {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQueryRendering(t *testing.T) {
	tests := []struct {
		namespaces []string
		window     time.Duration
		want       string
	}{
		{nil, 2 * time.Minute, `sum by (namespace, model) (rate(seldon_model_infer_total{namespace=~".+"}[2m]))`},
		{[]string{"b", "a", "a", ""}, 90 * time.Second, `sum by (namespace, model) (rate(seldon_model_infer_total{namespace=~"a|b"}[90s]))`},
		{[]string{"x"}, 1500 * time.Millisecond, `sum by (namespace, model) (rate(seldon_model_infer_total{namespace=~"x"}[1500ms]))`},
		{[]string{"x"}, 2 * time.Hour, `sum by (namespace, model) (rate(seldon_model_infer_total{namespace=~"x"}[2h]))`},
	}
	for _, tt := range tests {
		o := DefaultOptions()
		o.RateWindow = tt.window
		q, err := o.render(tt.namespaces)
		if err != nil || q.rps != tt.want {
			t.Errorf("render(%v, %v) = %q, %v; want %q", tt.namespaces, tt.window, q.rps, err, tt.want)
		}
		if !strings.Contains(q.errors, `code!~"2.."`) || !strings.Contains(q.latency, "seldon_model_infer_seconds_total") {
			t.Errorf("latency/errors queries = %q, %q", q.latency, q.errors)
		}
	}
	if got := promString(`a"b\c`); got != `a\"b\\c` {
		t.Errorf("promString = %q", got)
	}
}

func TestNewQuerierNotConfigured(t *testing.T) {
	if _, err := NewQuerier(DefaultOptions(), nil); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("NewQuerier without a target = %v, want ErrNotConfigured", err)
	}
	o := DefaultOptions()
	o.Service = "monitoring/prometheus:9090"
	if _, err := NewQuerier(o, nil); err == nil || !strings.Contains(err.Error(), "needs a Kubernetes connection") {
		t.Errorf("NewQuerier for a service without kubeconfig = %v", err)
	}
}

// TestServiceProxyPath checks the request path and credentials sent for
// --prometheus-service; the integration test runs it through a real API server.
func TestServiceProxyPath(t *testing.T) {
	var gotPath, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.Path, r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	}))
	defer srv.Close()
	o := DefaultOptions()
	o.Service = "monitoring/https:prometheus-k8s:web"
	q, err := NewQuerier(o, &rest.Config{Host: srv.URL + "/rancher/k8s", BearerToken: "kube-token"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Instant(context.Background(), "up", time.Now()); err != nil {
		t.Fatal(err)
	}
	want := "/rancher/k8s/api/v1/namespaces/monitoring/services/https:prometheus-k8s:web/proxy/api/v1/query"
	if gotPath != want || gotAuth != "Bearer kube-token" {
		t.Errorf("request %q with %q, want %q with the kube bearer token", gotPath, gotAuth, want)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
