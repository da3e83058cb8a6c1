package main

// Whole sessions of twinscale (the snapshot command and the dashboard, headless) against
// a real kube-apiserver and a real Prometheus behind its service proxy.

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// Keys typed into the dashboard: sort, events pane, theme, detail and back, help twice,
// a filter, pause twice.
var sessionKeys = []string{"s", "e", "t", "\r", "\r", "?", "?", "/", "i", "\r", "p", "p"}

// dashboardReady is true once the screen shows the pair and Prometheus has answered.
func dashboardReady(model, server string) func(string) bool {
	return func(screen string) bool {
		s := ansi.Strip(screen)
		return countPair(s, model, server) > 0 && promAnswered(s)
	}
}

// promAnswered is true when the header says Prometheus answered: ok, or ok but with no
// series for these namespaces (a test Prometheus that scrapes nothing of theirs).
func promAnswered(s string) bool {
	return strings.Contains(s, "prometheus ok") || strings.Contains(s, "prometheus: no series for")
}

// TestReadOnlySession runs a full session as a user bound to the ClusterRole of
// deploy/rbac.yaml: `twinscale snapshot`, then the dashboard driven with keys, both with
// Prometheus through the API server's service proxy. The API server's audit log proves
// that no request other than get, list or watch ever reached it, and what left the
// process (recorded below twinscale's own transports) was only GETs.
func TestReadOnlySession(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns, mon := env.Namespace(t), env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 2)
	exp := promtest.NewExporter(t)
	exp.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", RPS: 6, LatencySec: 0.05})
	ip := promtest.NonLoopbackIP(t)
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}, ListenHost: ip})
	env.ExposeService(t, mon, "prometheus", ip, int32(srv.Port()))

	ctx := context.Background()
	clusterRole, _ := rbacManifest(t)
	clusterRole.Name = "twinscale-session-" + ns
	user := "session-" + ns
	if _, err := env.Clientset.RbacV1().ClusterRoles().Create(ctx, &clusterRole, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Clientset.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: clusterRole.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: clusterRole.Name},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.AddUser(user)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", ns, "--kubeconfig", kubetest.WriteKubeconfig(t, cfg, "envtest", ns, ""),
		"--prometheus-service", mon + "/prometheus:9090", "--rate-window", "5s", "--poll-interval", "1s"}
	rec := &recorder{}

	r := runWith(t, &rootOptions{wrap: rec.wrap}, append([]string{"snapshot", "-o", "json"}, args...)...)
	if r.code != exitOK {
		t.Fatalf("snapshot: exit %d, stderr %q", r.code, r.stderr)
	}
	if snap := decodeSnapshot(t, r.stdout); snap.Prom.LastSuccess.IsZero() || snap.Prom.LastError != "" {
		t.Errorf("Prometheus through the service proxy: %+v", snap.Prom)
	}

	run, screen := headless(t, &rootOptions{wrap: rec.wrap}, dashboardReady("iris", "iris-server"), sessionKeys, args...)
	if run.code != exitOK || run.stderr != "" {
		t.Fatalf("dashboard: exit %d, stderr %q", run.code, run.stderr)
	}
	// The renderer redraws only what changed, so look for whole sections: the sort
	// order, the events pane, the detail view.
	if plain := ansi.Strip(screen); !strings.Contains(plain, "sort name") || !strings.Contains(plain, "Events (newest first") ||
		!strings.Contains(plain, "Next HPA decision") {
		t.Errorf("the keys did not reach the dashboard (no detail view or filter seen):\n%q", tail(plain, 6000))
	}

	events := env.AuditEvents(t, user)
	proxied := 0
	for _, ev := range events {
		switch ev.Verb {
		case "get", "list", "watch":
		default:
			t.Errorf("the API server received a %q request: %s", ev.Verb, ev)
		}
		if ev.ObjectRef != nil && ev.ObjectRef.Resource == "services" && ev.ObjectRef.Subresource == "proxy" {
			proxied++
		}
	}
	if len(events) < 10 || proxied == 0 {
		t.Errorf("audit log: %d requests by %s, %d through the service proxy: the session did not run", len(events), user, proxied)
	}
	sent := rec.all()
	for _, req := range sent {
		if req.method != http.MethodGet {
			t.Errorf("sent %s %s", req.method, req.path)
		}
	}
	t.Logf("%d requests sent, %d audited (%d through the service proxy)", len(sent), len(events), proxied)
}

// testPassword matches testPasswordHash (bcrypt, cost 4); it exists only for tests.
const (
	testPassword     = "twinscale-test-secret"
	testPasswordHash = "$2b$04$WuBHOR6y.QjBPyjWcBoaM.7XJ1Ooz0Yzsm7pKoN3IbuzpflBx0dLW"
)

// TestSecretsNeverShown runs twinscale with a kubeconfig holding a bearer token and a
// client key, and Prometheus configs holding passwords, through successes and failures:
// no secret reaches stdout, stderr, the log file (at debug level) or the screen.
func TestSecretsNeverShown(t *testing.T) {
	dir := isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 1)
	exp := promtest.NewExporter(t)
	exp.Set(promtest.Model{Namespace: ns, Name: "iris", Server: "iris-server", RPS: 3})
	ready := &http.Client{Timeout: 2 * time.Second}
	srv := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}, BasicAuthUser: "twinscale", BasicAuthHash: testPasswordHash,
		Ready: func(u string) (*http.Response, error) {
			req, err := http.NewRequest(http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			req.SetBasicAuth("twinscale", testPassword)
			return ready.Do(req)
		}})
	const token = "kube-bearer-token-SECRET-5b2f"
	const wrong = "wrong-password-SECRET-77aa"
	const inURL = "url-password-SECRET-9c1d"
	kubeconfig := kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, token)
	keyB64 := base64.StdEncoding.EncodeToString(env.Config.KeyData)
	keyPEMLine := strings.Split(string(env.Config.KeyData), "\n")[1]
	secrets := []string{token, testPassword, wrong, inURL, keyB64[:40], keyPEMLine}
	promConfig := func(name, password string) string {
		f := filepath.Join(dir, name)
		writeFile(t, f, "basic_auth:\n  username: twinscale\n  password: "+password+"\n")
		return f
	}
	good, bad := promConfig("good.yml", testPassword), promConfig("bad.yml", wrong)
	base := []string{"-n", ns, "--kubeconfig", kubeconfig, "--rate-window", "5s", "--poll-interval", "1s"}
	withProm := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }

	check := func(what string, outputs ...string) {
		t.Helper()
		for _, out := range outputs {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					i := strings.Index(out, s)
					t.Errorf("%s shows a credential %q: …%s…", what, s, out[max(0, i-80):min(len(out), i+len(s)+20)])
				}
			}
		}
	}
	runs := []struct {
		name string
		args []string
		want func(r cli) string // empty when the run is as expected
	}{
		{"snapshot table", append([]string{"snapshot"}, withProm("--prometheus-url", srv.URL, "--prometheus-config", good)...),
			func(r cli) string { return expect(r.code == exitOK && promAnswered(r.stdout), r) }},
		{"snapshot json", append([]string{"snapshot", "-o", "json"}, withProm("--prometheus-url", srv.URL, "--prometheus-config", good)...),
			func(r cli) string { return expect(r.code == exitOK, r) }},
		{"wrong Prometheus password", append([]string{"snapshot", "-o", "yaml"}, withProm("--prometheus-url", srv.URL, "--prometheus-config", bad)...),
			func(r cli) string {
				return expect(r.code == exitOK && strings.Contains(r.stdout, "401 Unauthorized"), r)
			}},
		{"password in the Prometheus URL", append([]string{"snapshot"}, withProm("--prometheus-url", strings.Replace(srv.URL, "://", "://twinscale:"+inURL+"@", 1))...),
			func(r cli) string {
				return expect(r.code == exitOK && strings.Contains(r.stdout, "401 Unauthorized"), r)
			}},
		{"unreachable Prometheus with a password", append([]string{"snapshot"}, withProm("--prometheus-url", "http://twinscale:"+inURL+"@"+promtest.FreeAddr(t))...),
			func(r cli) string {
				return expect(r.code == exitOK && strings.Contains(r.stdout, "connection refused"), r)
			}},
		{"unparseable Prometheus config", append([]string{"snapshot"}, withProm("--prometheus-url", srv.URL, "--prometheus-config",
			promConfig("broken.yml", "[\n"+testPassword))...),
			func(r cli) string { return expect(r.code == exitPrometheus, r) }},
	}
	for _, run := range runs {
		r := runWith(t, &rootOptions{}, run.args...)
		if msg := run.want(r); msg != "" {
			t.Errorf("%s: %s", run.name, msg)
		}
		check(run.name, r.stdout, r.stderr, r.log)
	}
	r, screen := headless(t, &rootOptions{}, dashboardReady("iris", "iris-server"), sessionKeys,
		withProm("--prometheus-url", srv.URL, "--prometheus-config", good)...)
	if r.code != exitOK {
		t.Errorf("dashboard: exit %d, stderr %q", r.code, r.stderr)
	}
	check("dashboard", screen, r.stderr, r.log)
	if !strings.Contains(r.log, "Logging started") {
		t.Errorf("the log file was not written at debug level: %q", r.log)
	}
	if _, err := os.Stat(kubeconfig); err != nil {
		t.Fatal(err)
	}
}

// expect returns "" when ok, else a description of the run.
func expect(ok bool, r cli) string {
	if ok {
		return ""
	}
	return fmt.Sprintf("exit %d, stderr %q, stdout:\n%s", r.code, r.stderr, tail(r.stdout, 2000))
}

// TestBadDataShownOnRows feeds objects with missing and ill-typed fields, an HPA of a
// kind twinscale does not know, and metric values NaN, ±Inf, negative and huge through
// the whole pipeline (API server, Prometheus, poller, engine): each is a problem on its
// own row, and everything else still shows.
func TestBadDataShownOnRows(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	values := map[string]string{"nan": "NaN", "inf": "+Inf", "neginf": "-Inf", "negative": "-4", "huge": "1e300", "fine": "2.5"}
	var union []string
	for name, v := range values {
		env.CreateReadyPair(t, ns, name, 1)
		union = append(union, fmt.Sprintf(`label_replace(label_replace(vector(%s), "namespace", %q, "", ""), "model", %q, "", "")`, v, ns, name))
	}
	// A Model without storageUri whose condition time is not a time, and a Server
	// without serverConfig. Seldon's real CRDs refuse such objects at the API server, so
	// with them (TWINSCALE_REAL_CRDS) the test proves the refusal instead: twinscale can
	// never be shown one.
	realCRDs := os.Getenv(kubetest.RealCRDsEnv) != ""
	env.CreateServer(t, ns, "broken-server", 1)
	env.CreateModel(t, ns, "broken", "broken-server", 1)
	if realCRDs {
		refusedByRealSchema(t, env, ns)
	} else {
		env.SetStatus(t, gvr.Servers, ns, "broken-server", map[string]any{"replicas": int64(1),
			"conditions": []any{map[string]any{"type": "Ready", "status": "True", "lastTransitionTime": "yesterday"}}})
		unstructuredPatch(t, env, ns)
	}
	// An HPA scaling an Argo Rollout: a kind twinscale does not pair.
	env.CreateHPA(t, ns, "rollout-hpa", kubetest.HPASpec("Rollout", "web", "web", 1, 3, "3"))
	srv := promtest.Start(t, promtest.Config{})

	r := runWith(t, &rootOptions{}, "snapshot", "-o", "json", "-n", ns, "--kubeconfig", kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, ""),
		"--prometheus-url", srv.URL, "--query", strings.Join(union, " or "), "--poll-interval", "1s")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	snap := decodeSnapshot(t, r.stdout)
	for name, want := range map[string]string{"nan": "rps is NaN", "inf": "rps is +Inf", "neginf": "rps is -Inf", "negative": "rps is negative (-4)",
		"huge": "rps is implausibly large (1e+300)"} {
		p, ok := snap.Pair(ns + "/" + name)
		if !ok || !strings.Contains(p.Metric.Problem, want) || p.ModelReady != model.Known(1) {
			t.Errorf("%s: want a metric problem with %q on its row: %s", name, want, brief(p))
		}
	}
	if p, _ := snap.Pair(ns + "/fine"); p.Metric.Problem != "" || !p.Metric.Known || p.Metric.RPS != 2.5 {
		t.Errorf("fine: %s", brief(p))
	}
	p, _ := snap.Pair(ns + "/broken")
	if realCRDs {
		if len(p.Findings) > 0 && p.Findings[0].Rule == model.RuleObjectProblem {
			t.Errorf("broken: the real schema kept the objects valid, yet: %+v", p.Findings[0])
		}
	}
	var problems []string
	for _, f := range p.Findings {
		if f.Rule == model.RuleObjectProblem {
			problems = append(problems, f.Message)
		}
	}
	joined := strings.Join(problems, " | ")
	wantProblems := []string{"Model " + ns + "/broken: spec.storageUri: missing", "Server " + ns + "/broken-server: spec.serverConfig: missing",
		"status.conditions[0].lastTransitionTime: expected RFC 3339 time"}
	if realCRDs {
		wantProblems = nil
	}
	for _, want := range wantProblems {
		if !strings.Contains(joined, want) {
			t.Errorf("broken: findings lack %q: %s", want, joined)
		}
	}
	if p, ok := snap.Pair(ns + "/hpa:rollout-hpa"); !ok || !hasShape(p, model.ShapeHPAUnknownTarget) {
		t.Errorf("rollout HPA: want its own row flagged %s: %s", model.ShapeHPAUnknownTarget, brief(p))
	}

	// The same on the rendered rows.
	r = runWith(t, &rootOptions{}, "snapshot", "-n", ns, "--kubeconfig", kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, ""),
		"--prometheus-url", srv.URL, "--query", strings.Join(union, " or "), "--poll-interval", "1s")
	rows := map[string]string{}
	for _, line := range strings.Split(r.stdout, "\n") {
		for _, name := range []string{"nan", "inf", "neginf", "negative", "huge", "fine", "broken", "HPA rollout-hpa"} {
			if strings.Contains(line, "  "+name+" ") || (strings.HasPrefix(name, "HPA") && strings.Contains(line, name)) {
				rows[name] = line
			}
		}
	}
	wantRows := map[string]string{"nan": "bad-metric", "inf": "bad-metric", "neginf": "bad-metric", "negative": "bad-metric",
		"huge": "bad-metric", "broken": "invalid", "HPA rollout-hpa": "hpa-kind?"}
	if realCRDs {
		delete(wantRows, "broken")
	}
	for name, want := range wantRows {
		if !strings.Contains(rows[name], want) {
			t.Errorf("row %s lacks %q: %q\n%s", name, want, rows[name], r.stdout)
		}
	}
	if strings.Contains(rows["fine"], "bad-metric") || !strings.Contains(rows["fine"], " 2.5 ") {
		t.Errorf("row fine: %q", rows["fine"])
	}
}

// refusedByRealSchema checks that Seldon's CRDs reject the broken fields outright.
func refusedByRealSchema(t *testing.T, env *kubetest.Env, ns string) {
	t.Helper()
	ctx := context.Background()
	models := env.Dynamic.Resource(gvr.Models).Namespace(ns)
	u, err := models.Get(ctx, "broken", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delete(u.Object["spec"].(map[string]any), "storageUri")
	if _, err := models.Update(ctx, u, metav1.UpdateOptions{}); err == nil || !strings.Contains(err.Error(), "storageUri") {
		t.Fatalf("the real Model schema accepted a Model without storageUri: %v", err)
	}
	servers := env.Dynamic.Resource(gvr.Servers).Namespace(ns)
	s, err := servers.Get(ctx, "broken-server", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Object["status"] = map[string]any{"replicas": int64(1)}
	if _, err := servers.UpdateStatus(ctx, s, metav1.UpdateOptions{}); err == nil || !strings.Contains(err.Error(), "loadedModels") {
		t.Fatalf("the real Server schema accepted a status without loadedModels: %v", err)
	}
}

// unstructuredPatch removes spec.storageUri from the Model "broken" and sets a condition
// whose time is not a time, as a hand-edited object might have them.
func unstructuredPatch(t *testing.T, env *kubetest.Env, ns string) {
	t.Helper()
	ctx := context.Background()
	models := env.Dynamic.Resource(gvr.Models).Namespace(ns)
	u, err := models.Get(ctx, "broken", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delete(u.Object["spec"].(map[string]any), "storageUri")
	if u, err = models.Update(ctx, u, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	u.Object["status"] = map[string]any{"replicas": int64(1), "availableReplicas": int64(1),
		"conditions": []any{map[string]any{"type": "ModelReady", "status": "True", "lastTransitionTime": "last tuesday"}}}
	if _, err := models.UpdateStatus(ctx, u, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	servers := env.Dynamic.Resource(gvr.Servers).Namespace(ns)
	s, err := servers.Get(ctx, "broken-server", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	delete(s.Object["spec"].(map[string]any), "serverConfig")
	if _, err := servers.Update(ctx, s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func hasShape(p model.Pair, f model.ShapeFlag) bool {
	for _, s := range p.Shape {
		if s == f {
			return true
		}
	}
	return false
}
