package main

// Helpers for the tests that run twinscale against a real kube-apiserver (envtest,
// shared by the package) and a real Prometheus.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/static"
)

// TestMain (e2e_test.go) stops the shared API server after the tests.

// cli is one in-process run of twinscale with its outputs.
type cli struct {
	code           int
	stdout, stderr string
	log            string // the log file's contents
}

// runWith runs the command line over o (its stdout and stderr are set here) with a
// fresh log file at debug level, and returns the outcome.
func runWith(t *testing.T, o *rootOptions, args ...string) cli {
	t.Helper()
	var out, errb syncBuffer
	o.stdout, o.stderr = &out, &errb
	logFile := filepath.Join(t.TempDir(), "twinscale.log")
	root := newRoot(o)
	if args = withLogFile(root, args, logFile); len(args) > 0 && args[len(args)-1] == logFile {
		args = append(args, "--log-level", "debug")
	}
	code := execute(context.Background(), root, args, &errb)
	logs, _ := os.ReadFile(logFile)
	return cli{code: code, stdout: out.String(), stderr: errb.String(), log: string(logs)}
}

// syncBuffer is a bytes.Buffer safe for the renderer's goroutine and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// decodeSnapshot reads `snapshot -o json` output.
func decodeSnapshot(t *testing.T, out string) *model.Snapshot {
	t.Helper()
	snap, _, err := static.Decode(strings.NewReader(out))
	if err != nil {
		t.Fatalf("snapshot -o json: %v\n%s", err, out)
	}
	return snap
}

// rbacManifest reads deploy/rbac.yaml: the ClusterRole and the Role twinscale ships.
func rbacManifest(t *testing.T) (rbacv1.ClusterRole, rbacv1.Role) {
	t.Helper()
	data, err := os.ReadFile("../../deploy/rbac.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cr rbacv1.ClusterRole
	var role rbacv1.Role
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("deploy/rbac.yaml: %v", err)
		}
		switch meta.Kind {
		case "ClusterRole":
			err = yaml.UnmarshalStrict([]byte(doc), &cr)
		case "Role":
			err = yaml.UnmarshalStrict([]byte(doc), &role)
		default:
			t.Fatalf("deploy/rbac.yaml: unexpected kind %q", meta.Kind)
		}
		if err != nil {
			t.Fatalf("deploy/rbac.yaml %s: %v", meta.Kind, err)
		}
	}
	if cr.Name != "twinscale-viewer" || role.Name != "twinscale-viewer" {
		t.Fatalf("deploy/rbac.yaml: want ClusterRole and Role twinscale-viewer, got %q and %q", cr.Name, role.Name)
	}
	return cr, role
}

// userWithRole creates the Role in ns, binds it to a new user and returns a kubeconfig
// for that user whose context defaults to ns.
func userWithRole(t *testing.T, env *kubetest.Env, ns, user string, role rbacv1.Role) string {
	t.Helper()
	return kubetest.WriteKubeconfig(t, roleUser(t, env, ns, user, role), "envtest", ns, "")
}

// roleUser creates the Role in ns, binds it to a new user and returns that user's config.
func roleUser(t *testing.T, env *kubetest.Env, ns, user string, role rbacv1.Role) *rest.Config {
	t.Helper()
	ctx := context.Background()
	role.Namespace, role.ResourceVersion = ns, ""
	if _, err := env.Clientset.RbacV1().Roles(ns).Create(ctx, &role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Clientset.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name + "-" + user},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.AddUser(user)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// without returns rules with the named resources removed.
func without(rules []rbacv1.PolicyRule, resources ...string) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, r := range rules {
		r.Resources = slicesDelete(r.Resources, resources)
		if len(r.Resources) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func slicesDelete(in, drop []string) []string {
	var out []string
	for _, s := range in {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// request is one HTTP request twinscale sent.
type request struct{ method, path string }

// recorder records every request that leaves twinscale, below its own transports.
type recorder struct {
	mu   sync.Mutex
	reqs []request
}

func (r *recorder) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		r.mu.Lock()
		r.reqs = append(r.reqs, request{req.Method, req.URL.Path})
		r.mu.Unlock()
		return next.RoundTrip(req)
	})
}

func (r *recorder) all() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.reqs...)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// headless runs the dashboard without a terminal: keys are typed into its input once
// ready says the screen is ready for them, then q quits. It returns the run and
// everything the dashboard drew.
func headless(t *testing.T, o *rootOptions, ready func(screen string) bool, keys []string, args ...string) (cli, string) {
	t.Helper()
	in, typer := io.Pipe()
	var screen syncBuffer
	o.program = []tea.ProgramOption{tea.WithInput(in), tea.WithOutput(&screen), tea.WithWindowSize(160, 40),
		tea.WithoutSignalHandler(), tea.WithEnvironment([]string{"TERM=xterm-256color"})}
	done := make(chan cli, 1)
	go func() { done <- runWith(t, o, args...) }()
	waitScreen := func(what string, cond func(string) bool) {
		deadline := time.Now().Add(60 * time.Second)
		for !cond(screen.String()) {
			select {
			case r := <-done:
				t.Fatalf("dashboard ended early (exit %d, stderr %q) waiting for %s", r.code, r.stderr, what)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("dashboard: no %s within 60s; screen so far:\n%s", what, tail(screen.String(), 4000))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitScreen("ready screen", ready)
	for _, k := range keys {
		before := len(screen.String())
		if _, err := io.WriteString(typer, k); err != nil {
			t.Fatalf("type %q: %v", k, err)
		}
		// Every key changes the screen; wait for the redraw before the next one.
		waitScreen("redraw after "+k, func(s string) bool { return len(s) > before })
	}
	_, _ = io.WriteString(typer, "q")
	select {
	case r := <-done:
		_ = typer.Close()
		return r, screen.String()
	case <-time.After(30 * time.Second):
		t.Fatalf("dashboard did not quit on q; screen:\n%s", tail(screen.String(), 4000))
	}
	return cli{}, ""
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// brief summarises a pair for failure messages.
func brief(p model.Pair) string {
	b, _ := json.Marshal(map[string]any{"key": p.Key, "model": []model.Count{p.ModelDesired, p.ModelReady},
		"server": []model.Count{p.ServerDesired, p.ServerReady}, "metric": p.Metric, "shape": p.Shape,
		"findings": len(p.Findings), "events": len(p.Events), "hpas": []bool{p.ModelForecast != nil, p.ServerForecast != nil}})
	return string(b)
}

// hasEvent reports whether the pair carries a Kubernetes Event with the reason.
func hasEvent(p model.Pair, reason string) bool {
	for _, e := range p.Events {
		if e.Reason == reason {
			return true
		}
	}
	return false
}
