package main

import (
	"fmt"
	"io"
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

	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// TestMimirHeaderAndClusterLabel puts a real Prometheus behind a proxy that, like
// Mimir, refuses every request without X-Scope-OrgID. The Prometheus scrapes two
// exporters labelled cluster=a and cluster=b, each with a Model iris in the same
// namespace at a different rate, as one Thanos Query or Mimir holds several clusters.
// With --config mapping the context to cluster b and the header in its http_config, the
// snapshot shows b's rate alone; without the header it says why it has none.
func TestMimirHeaderAndClusterLabel(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 1)

	expA, expB := promtest.NewExporter(t), promtest.NewExporter(t)
	expA.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", Pods: 1, RPS: 6, LatencySec: 0.05})
	expB.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", Pods: 1, RPS: 20, LatencySec: 0.05})
	p := promtest.Start(t, promtest.Config{Targets: []string{expA.Addr, expB.Addr}, TargetLabels: map[string]map[string]string{
		expA.Addr: {"cluster": "a"}, expB.Addr: {"cluster": "b"},
	}})

	target, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	upstream := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var queries []string
	refused := 0
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Scope-OrgID") != "tenant-1" {
			refused++
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "no org id\n")
			return
		}
		queries = append(queries, r.URL.Query().Get("query"))
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mimir-http.yaml"), "http_headers:\n  X-Scope-OrgID:\n    values: [tenant-1]\n")
	config := func(name, httpConfig string) string {
		path := filepath.Join(dir, name)
		body := fmt.Sprintf("contexts:\n  envtest:\n    prometheus:\n      url: %s\n      cluster_label: cluster\n      cluster: b\n      rate_window: 5s\n", proxy.URL)
		if httpConfig != "" {
			body += "      http_config: " + httpConfig + "\n"
		}
		writeFile(t, path, body)
		return path
	}
	kubeconfig := kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, "")
	args := func(cfg string) []string {
		return []string{"snapshot", "--kubeconfig", kubeconfig, "-n", ns, "--config", cfg, "--poll-interval", "1s", "-o", "json"}
	}

	withHeader := config("with-header.yaml", "mimir-http.yaml")
	var last string
	for deadline := time.Now().Add(90 * time.Second); ; {
		r := runWith(t, &rootOptions{}, args(withHeader)...)
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		snap := decodeSnapshot(t, r.stdout)
		pair, ok := snap.Pair(ns + "/iris")
		last = fmt.Sprintf("%s; prometheus %+v", brief(pair), snap.Prom)
		// rate() settles once its window is full; cluster a's 6 or the sum 26 would be wrong.
		if ok && pair.Metric.Known && math.Abs(pair.Metric.RPS-20)/20 <= 0.1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot with cluster b's RPS 20 ± 10%% within 90s; last: %s", last)
		}
	}
	mu.Lock()
	sent := append([]string(nil), queries...)
	mu.Unlock()
	want := fmt.Sprintf(`sum by (cluster, namespace, model) (rate(seldon_model_infer_total{namespace=~"%s",cluster=~"b"}[5s]))`, ns)
	found := false
	for _, q := range sent {
		found = found || q == want
	}
	if !found {
		t.Errorf("the infer_rps query was not sent as\n%s\nsent: %q", want, sent)
	}

	noHeader := config("without-header.yaml", "")
	r := runWith(t, &rootOptions{}, args(noHeader)...)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	snap := decodeSnapshot(t, r.stdout)
	for _, want := range []string{"401 Unauthorized): no org id", "X-Scope-OrgID"} {
		if !strings.Contains(snap.Prom.LastError, want) {
			t.Errorf("without the header: prometheus error %q, want it to say %q", snap.Prom.LastError, want)
		}
	}
	if pair, _ := snap.Pair(ns + "/iris"); pair.Metric.Known {
		t.Errorf("without the header the pair still has a metric: %s", brief(pair))
	}
	mu.Lock()
	defer mu.Unlock()
	if refused == 0 {
		t.Error("the proxy refused nothing: the run without the header did not reach it")
	}
}
