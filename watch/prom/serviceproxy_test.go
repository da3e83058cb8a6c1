package prom

// --prometheus-service through a real kube-apiserver (envtest) to a real Prometheus.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

func TestServiceProxy(t *testing.T) {
	t.Parallel()
	exp := promtest.NewExporter(t)
	exp.Set(seldonModels()...)
	ip := promtest.NonLoopbackIP(t)
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}, ListenHost: ip})
	env := kubetest.Shared(t)
	if _, err := env.Clientset.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	env.ExposeService(t, "monitoring", "prometheus", ip, int32(srv.Port()))
	env.ExposeService(t, "monitoring", "no-endpoints", "", 9090)
	nobody, err := env.AddUser("nobody")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("polls through the proxy with the user's credentials", func(t *testing.T) {
		o := testOptions("")
		o.Service = "monitoring/prometheus:9090"
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		q, err := NewQuerier(o, env.Config)
		if err != nil {
			t.Fatal(err)
		}
		rec := newRecorder(o)
		p := NewPoller(q, o, []string{"seldon"}, rec)
		p.Log = (&logBuffer{}).logger()
		runPoller(t, p)
		promtest.Eventually(t, 30*time.Second, func() (bool, string) {
			last, n := rec.lastPoll()
			return within(last.Samples["seldon/iris"].RPS, 6), fmt.Sprintf("%d polls, last %+v, state %+v", n, last, rec.state())
		})
		if st := rec.state(); st.Target != "service monitoring/prometheus:9090 via the Kubernetes API server" {
			t.Errorf("Target = %q", st.Target)
		}
	})

	badToken := rest.AnonymousClientConfig(env.Config)
	badToken.BearerToken = "not-a-valid-token-42"
	tests := []struct {
		name, service string
		cfg           *rest.Config
		want          string
	}{
		{"unknown service", "monitoring/nope:9090", env.Config, `service monitoring/nope:9090 not found (404 Not Found): services "nope" not found: check --prometheus-service`},
		{"no endpoints", "monitoring/no-endpoints:9090", env.Config, "the API server proxy cannot reach Prometheus behind service monitoring/no-endpoints:9090 (503 Service Unavailable)"},
		{"expired credentials", "monitoring/prometheus:9090", badToken, "the Kubernetes API server rejected your credentials (401 Unauthorized) for the proxy to service monitoring/prometheus:9090: log in again or check your kubeconfig"},
		{"no RBAC for services/proxy", "monitoring/prometheus:9090", nobody, `the Kubernetes API server forbids the service proxy (403 Forbidden): services "prometheus:9090" is forbidden: User "nobody" cannot get resource "services/proxy"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions("")
			o.Service = tt.service
			q, err := NewQuerier(o, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			p := NewPoller(q, o, nil, newRecorder(o))
			p.Log = (&logBuffer{}).logger()
			p.cycle(context.Background())
			if !strings.Contains(p.state.LastError, tt.want) {
				t.Errorf("LastError = %q\nwant it to contain %q", p.state.LastError, tt.want)
			}
			if strings.Contains(p.state.LastError, "not-a-valid-token-42") {
				t.Errorf("LastError shows the token: %q", p.state.LastError)
			}
		})
	}
}

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }
