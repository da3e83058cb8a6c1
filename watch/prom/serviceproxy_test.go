package prom

// --prometheus-service through a real kube-apiserver (envtest) to a real Prometheus.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// startAPIServer starts kube-apiserver and etcd from KUBEBUILDER_ASSETS, else bin/.
func startAPIServer(t *testing.T) *envtest.Environment {
	t.Helper()
	env := &envtest.Environment{}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		root, err := filepath.Abs("../..")
		if err != nil {
			t.Fatal(err)
		}
		env.BinaryAssetsDirectory = filepath.Join(root, "bin")
	}
	if _, err := env.Start(); err != nil {
		t.Fatalf("start kube-apiserver (run `make testenv`): %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop kube-apiserver: %v", err)
		}
	})
	return env
}

// exposeService creates a selector-less Service whose endpoint is a Pod at ip:port.
// The API server proxies only to endpoints that are Pods with that IP, so the Pod's
// status is written too; nothing runs it.
func exposeService(t *testing.T, cs kubernetes.Interface, ns, name, ip string, port int32) {
	t.Helper()
	ctx := context.Background()
	portName := "web"
	if _, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: portName, Port: 9090, TargetPort: intstr.FromInt32(port)}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if ip == "" {
		return // a Service without endpoints
	}
	pod, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name + "-0", Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "prometheus", Image: "prom/prometheus"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status.PodIP = ip
	pod.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	ready := true
	if _, err := cs.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: name + "-1", Namespace: ns, Labels: map[string]string{discoveryv1.LabelServiceName: name}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{
			Addresses:  []string{ip},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod.Name},
		}},
		Ports: []discoveryv1.EndpointPort{{Name: &portName, Port: &port}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestServiceProxy(t *testing.T) {
	t.Parallel()
	exp := promtest.NewExporter(t)
	exp.Set(seldonModels()...)
	ip := promtest.NonLoopbackIP(t)
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}, ListenHost: ip})
	env := startAPIServer(t)
	cs := kubernetes.NewForConfigOrDie(env.Config)
	ctx := context.Background()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// No controller manager runs in the test, so the default ServiceAccount a Pod needs is created here.
	if _, err := cs.CoreV1().ServiceAccounts("monitoring").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	exposeService(t, cs, "monitoring", "prometheus", ip, int32(srv.Port()))
	exposeService(t, cs, "monitoring", "no-endpoints", "", 9090)
	nobody, err := env.AddUser(envtest.User{Name: "nobody"}, nil)
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
		{"no RBAC for services/proxy", "monitoring/prometheus:9090", nobody.Config(), `the Kubernetes API server forbids the service proxy (403 Forbidden): services "prometheus:9090" is forbidden: User "nobody" cannot get resource "services/proxy"`},
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
