package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/themes"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// TestSeveralClusters watches two real kube-apiservers at once (--context a,b), with one
// real Prometheus scraping two exporters labelled cluster=a and cluster=b, as one Thanos
// Query holds several clusters. Both clusters have a Model iris in the same namespace, at
// different rates; in a, twinscale's user may not read StatefulSets or Events. Then b's
// API server is killed: only b says disconnected, a keeps updating, and b comes back.
func TestSeveralClusters(t *testing.T) {
	isolate(t)
	envA := kubetest.Shared(t)
	envB, err := kubetest.Start()
	if err != nil {
		t.Fatalf("second control plane: %v", err)
	}
	t.Cleanup(func() { _ = envB.Stop() })
	ns := envA.Namespace(t)
	if _, err := envB.Clientset.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	envA.CreateReadyPair(t, ns, "iris", 2)
	envB.CreateReadyPair(t, ns, "iris", 2)
	_, role := rbacManifest(t)
	role.Rules = without(role.Rules, "statefulsets", "events")
	limited := roleUser(t, envA, ns, "limited-"+ns, role)
	kubeconfig := kubetest.WriteKubeconfigs(t,
		kubetest.KubeContext{Name: "a", Config: limited, Namespace: ns},
		kubetest.KubeContext{Name: "b", Config: envB.Config, Namespace: ns})

	expA, expB := promtest.NewExporter(t), promtest.NewExporter(t)
	expA.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", Pods: 1, RPS: 6, LatencySec: 0.05})
	expB.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", Pods: 1, RPS: 20, LatencySec: 0.05})
	p := promtest.Start(t, promtest.Config{Targets: []string{expA.Addr, expB.Addr}, TargetLabels: map[string]map[string]string{
		expA.Addr: {"cluster": "a"}, expB.Addr: {"cluster": "b"},
	}})
	// Count the instant queries per (expression, time): the clusters of one process share each one.
	target, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	upstream := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	asked := map[string]int{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/api/v1/query") {
			_ = r.ParseForm()
			mu.Lock()
			asked[r.Form.Get("query")+" @ "+r.Form.Get("time")]++
			mu.Unlock()
		}
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	config := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, config, fmt.Sprintf(`contexts:
  a:
    prometheus: {url: %[1]s, cluster_label: cluster, rate_window: 5s}
  b:
    prometheus: {url: %[1]s, cluster_label: cluster, rate_window: 5s}
`, proxy.URL))
	args := []string{"--kubeconfig", kubeconfig, "--context", "a", "--context", "b", "--config", config, "--poll-interval", "1s"}
	keyA, keyB := "a/"+ns+"/iris", "b/"+ns+"/iris"
	near := func(p model.Pair, rps float64) bool { return p.Metric.Known && math.Abs(p.Metric.RPS-rps) < 0.5 }

	// snapshot -o json: both clusters' pairs, each with its own rate and its own access.
	var snap *model.Snapshot
	deadline := time.Now().Add(90 * time.Second)
	for {
		r := runWith(t, &rootOptions{}, append([]string{"snapshot", "-o", "json"}, args...)...)
		if r.code != exitOK {
			t.Fatalf("snapshot: exit %d, stderr %q", r.code, r.stderr)
		}
		snap = decodeSnapshot(t, r.stdout)
		pa, _ := snap.Pair(keyA)
		pb, _ := snap.Pair(keyB)
		if near(pa, 6) && near(pb, 20) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no rates 6 and 20 within 90s: %s; %s", brief(pa), brief(pb))
		}
	}
	pa, _ := snap.Pair(keyA)
	pb, _ := snap.Pair(keyB)
	if pa.Cluster != "a" || pb.Cluster != "b" || len(snap.Pairs) != 2 {
		t.Errorf("pairs: %s; %s (%d in all)", brief(pa), brief(pb), len(snap.Pairs))
	}
	// RBAC degrades a's cells only.
	if pa.ServerReady != model.UnknownCount(model.UnknownForbidden) || pb.ServerReady != model.Known(2) || !hasEvent(pb, "SuccessfulRescale") || hasEvent(pa, "SuccessfulRescale") {
		t.Errorf("RBAC: a %s; b %s", brief(pa), brief(pb))
	}
	if len(snap.Clusters) != 2 || snap.Clusters[0].Watch.Access[model.ResourceStatefulSets] != model.AccessForbidden ||
		snap.Clusters[1].Watch.Access[model.ResourceStatefulSets] != model.AccessOK {
		t.Errorf("clusters: %+v", snap.Clusters)
	}

	// The dashboard over the same flags, as a user runs it. From here on one process polls:
	// count its queries only.
	mu.Lock()
	clear(asked)
	mu.Unlock()
	o := &rootOptions{}
	cmd := newRoot(o)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	if err := o.validate(cmd); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := openSource(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer src.stop()
	live := func(what string, cond func(*model.Snapshot) bool) {
		t.Helper()
		kubetest.Eventually(t, 60*time.Second, func() bool { return cond(src.Snapshot()) }, what)
	}
	pair := func(s *model.Snapshot, key string) model.Pair { p, _ := s.Pair(key); return p }
	live("both rates in the live source", func(s *model.Snapshot) bool { return near(pair(s, keyA), 6) && near(pair(s, keyB), 20) })
	if screen := dashboardScreen(t, src, 120, 40); countPair(ansi.Strip(screen), "iris", "iris-server") != 2 {
		t.Errorf("dashboard does not show both clusters' iris:\n%s", screen)
	}

	// b's API server dies: only b is disconnected, a keeps updating.
	envB.StopAPIServer(t)
	live("b disconnected, a connected", func(s *model.Snapshot) bool {
		return len(s.Clusters) == 2 && s.Clusters[0].Watch.Connected && !s.Clusters[1].Watch.Connected
	})
	envA.CreateReadyPair(t, ns, "wine", 1)
	expA.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", Pods: 1, RPS: 12, LatencySec: 0.05})
	live("a's new pair and rate while b is down", func(s *model.Snapshot) bool {
		_, wine := s.Pair("a/" + ns + "/wine")
		return wine && near(pair(s, keyA), 12) && !s.Clusters[1].Watch.Connected
	})
	if s := src.Snapshot(); s.Watch.Connected || s.Watch.DisconnectedSince.IsZero() {
		t.Errorf("the summary watch hides b's outage: %+v", s.Watch)
	}

	mu.Lock()
	for q, n := range asked {
		if n > 1 {
			t.Errorf("instant query sent %d times for one poll: %s", n, q)
		}
	}
	if len(asked) == 0 {
		t.Error("no instant query reached Prometheus")
	}
	mu.Unlock()

	// A script's snapshot while b is down: a's pairs are printed, and the exit code says b
	// could not be read, --fail-on or not.
	r := runWith(t, &rootOptions{}, append([]string{"snapshot", "-o", "json", "--sync-timeout", "3s", "--fail-on", "critical"}, args...)...)
	if r.code != exitCluster || !strings.Contains(r.stderr, "b: ") {
		t.Errorf("snapshot with b down: exit %d, stderr %q", r.code, r.stderr)
	}
	if down := decodeSnapshot(t, r.stdout); len(down.Clusters) != 2 || !down.Clusters[0].Watch.Synced || down.Clusters[1].Pairs != 0 {
		t.Errorf("snapshot with b down: clusters %+v", down.Clusters)
	} else if _, ok := down.Pair(keyA); !ok {
		t.Errorf("snapshot with b down lacks a's pair")
	}

	// b comes back on its own.
	envB.StartAPIServer(t)
	live("b reconnected", func(s *model.Snapshot) bool { return s.Clusters[1].Watch.Connected && s.Clusters[1].Watch.Synced })

}

// dashboardScreen draws the dashboard over src once, at w×h in the dark theme, as plain text.
func dashboardScreen(t *testing.T, src watch.Source, w, h int) string {
	t.Helper()
	th, _ := themes.Builtin("dark")
	app := ui.New(ui.Options{Source: src, Theme: th})
	settle(app, func() tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} })
	if b, ok := app.Init()().(tea.BatchMsg); ok {
		for _, c := range b[1:] { // skip the tick, which re-arms for ever
			settle(app, c)
		}
	}
	return ansi.Strip(app.View().Content)
}

// TestDemoSeveralContexts simulates one cluster per --context: the pairs of each, keyed by
// their context, and each cluster's state.
func TestDemoSeveralContexts(t *testing.T) {
	isolate(t)
	code, out, errOut := runCLI(t, "snapshot", "--demo", "--context", "east,west", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	snap := decodeSnapshot(t, out)
	perCluster := map[string]int{}
	for _, p := range snap.Pairs {
		if c, _ := model.SplitClusterKey(p.Key); c != p.Cluster {
			t.Errorf("pair %s says cluster %q", p.Key, p.Cluster)
		}
		perCluster[p.Cluster]++
	}
	if len(snap.Clusters) != 2 || snap.Clusters[0].Name != "east" || perCluster["east"] == 0 || perCluster["east"] != perCluster["west"] ||
		snap.Watch.Context != "east,west" {
		t.Errorf("clusters %+v, pairs per cluster %v, watch %+v", snap.Clusters, perCluster, snap.Watch)
	}
}

// TestContextFlags: --all-contexts watches every context of the kubeconfig; mistakes in
// --context are one line with their exit code.
func TestContextFlags(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 1)
	kubeconfig := kubetest.WriteKubeconfigs(t,
		kubetest.KubeContext{Name: "west", Config: env.Config, Namespace: ns},
		kubetest.KubeContext{Name: "east", Config: env.Config, Namespace: ns})

	r := runWith(t, &rootOptions{}, "snapshot", "-o", "json", "--kubeconfig", kubeconfig, "--all-contexts")
	if r.code != exitOK {
		t.Fatalf("--all-contexts: exit %d, stderr %q", r.code, r.stderr)
	}
	snap := decodeSnapshot(t, r.stdout)
	if len(snap.Clusters) != 2 || snap.Clusters[0].Name != "east" || snap.Clusters[1].Name != "west" {
		t.Errorf("--all-contexts: clusters %+v", snap.Clusters)
	}
	for _, key := range []string{"east/" + ns + "/iris", "west/" + ns + "/iris"} {
		if _, ok := snap.Pair(key); !ok {
			t.Errorf("--all-contexts: no pair %s", key)
		}
	}
	// One context named in --context is today's single-cluster view: keys without a context.
	r = runWith(t, &rootOptions{}, "snapshot", "-o", "json", "--kubeconfig", kubeconfig, "--context", "east")
	if snap := decodeSnapshot(t, r.stdout); r.code != exitOK || len(snap.Clusters) != 0 || snap.Watch.Context != "east" {
		t.Errorf("--context east: exit %d, clusters %+v, watch %+v", r.code, snap.Clusters, snap.Watch)
	} else if _, ok := snap.Pair(ns + "/iris"); !ok {
		t.Errorf("--context east: no pair %s/iris", ns)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--context", "east,nope"}, exitKubeconfig, `context "nope" not found; contexts: east, west`},
		{[]string{"--context", "east", "--all-contexts"}, exitError, "either --all-contexts or --context"},
		{[]string{"--context", "east,"}, exitError, "--context: empty context name"},
	} {
		r := runWith(t, &rootOptions{}, append([]string{"snapshot", "--kubeconfig", kubeconfig}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}
