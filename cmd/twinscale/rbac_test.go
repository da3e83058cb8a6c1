package main

// twinscale run as users bound to deploy/rbac.yaml, against a real kube-apiserver.

import (
	"context"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// TestRBACViewerRole runs `twinscale snapshot` as a user bound to nothing but the Role of
// deploy/rbac.yaml in one namespace, and as one bound cluster-wide to its ClusterRole.
func TestRBACViewerRole(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 2)
	clusterRole, role := rbacManifest(t)
	kubeconfig := userWithRole(t, env, ns, "viewer-"+ns, role)

	r := runWith(t, &rootOptions{}, "snapshot", "-n", ns, "--kubeconfig", kubeconfig, "-o", "json")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("snapshot as the Role's user: exit %d, stderr %q", r.code, r.stderr)
	}
	snap := decodeSnapshot(t, r.stdout)
	for res, a := range snap.Watch.Access {
		if a != model.AccessOK {
			t.Errorf("access to %s: %s", res, a)
		}
	}
	if snap.MetricsAPI.Access != model.AccessForbidden {
		t.Errorf("APIServices are cluster-scoped: a Role cannot grant them, yet access is %q", snap.MetricsAPI.Access)
	}
	p, ok := snap.Pair(ns + "/iris")
	if !ok || p.ServerReady != model.Known(2) || p.ModelReady != model.Known(2) || p.ModelForecast == nil || p.ServerForecast == nil ||
		!hasEvent(p, "SuccessfulRescale") {
		t.Errorf("pair as the Role's user: %s", brief(p))
	}

	// The context's namespace is the default: no -n needed.
	r = runWith(t, &rootOptions{}, "snapshot", "--kubeconfig", kubeconfig)
	if r.code != exitOK || countPair(r.stdout, "iris", "iris-server") != 1 || strings.Contains(r.stdout, "forbidden") {
		t.Errorf("snapshot in the context's namespace: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Every namespace with the ClusterRole bound cluster-wide.
	ctx := context.Background()
	clusterRole.Name = "twinscale-viewer-" + ns
	if _, err := env.Clientset.RbacV1().ClusterRoles().Create(ctx, &clusterRole, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	user := "cluster-viewer-" + ns
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
	r = runWith(t, &rootOptions{}, "snapshot", "-A", "--kubeconfig", kubetest.WriteKubeconfig(t, cfg, "envtest", "default", ""), "-o", "json")
	if r.code != exitOK {
		t.Fatalf("snapshot -A with the ClusterRole: exit %d, stderr %q", r.code, r.stderr)
	}
	csnap := decodeSnapshot(t, r.stdout)
	if p, ok := csnap.Pair(ns + "/iris"); !ok || p.ServerReady != model.Known(2) {
		t.Errorf("pair with the ClusterRole: %s", brief(p))
	}
	if csnap.MetricsAPI.Access != model.AccessOK || len(csnap.MetricsAPI.Services) != len(model.MetricsAPIServices) {
		t.Errorf("metrics APIServices with the ClusterRole: %+v", csnap.MetricsAPI)
	}
}

// TestRBACForbiddenColumns runs twinscale as a user whose Role lacks StatefulSets and
// Events: the Server's ready column and the events say forbidden, the rest works, and
// the refused resources are not asked for again and again.
func TestRBACForbiddenColumns(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 2)
	_, role := rbacManifest(t)
	role.Rules = without(role.Rules, "statefulsets", "events")
	kubeconfig := userWithRole(t, env, ns, "limited-"+ns, role)

	r := runWith(t, &rootOptions{}, "snapshot", "-n", ns, "--kubeconfig", kubeconfig)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"! events forbidden, statefulsets forbidden", "2/2  2/forbidden"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runWith(t, &rootOptions{}, "snapshot", "-n", ns, "--kubeconfig", kubeconfig, "-o", "json")
	snap := decodeSnapshot(t, r.stdout)
	p, _ := snap.Pair(ns + "/iris")
	if p.ServerReady != model.UnknownCount(model.UnknownForbidden) || p.ModelReady != model.Known(2) ||
		p.ServerDesired != model.Known(2) || p.ModelForecast == nil || p.ServerForecast == nil || hasEvent(p, "SuccessfulRescale") {
		t.Errorf("pair: %s", brief(p))
	}
	if a := snap.Watch.Access; a[model.ResourceStatefulSets] != model.AccessForbidden || a[model.ResourceEvents] != model.AccessForbidden ||
		a[model.ResourceModels] != model.AccessOK || a[model.ResourceHPAs] != model.AccessOK {
		t.Errorf("access: %v", a)
	}

	// A live session over a fixed window: the forbidden resources are not retried (the
	// watcher waits kube.DefaultForbiddenRetry), while changes to the rest still arrive.
	rec := &recorder{}
	o := &rootOptions{wrap: rec.wrap}
	cmd := newRoot(o)
	if err := cmd.ParseFlags([]string{"-n", ns, "--kubeconfig", kubeconfig}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := openSource(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer src.stop()
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := src.waitSynced(sctx); err != nil {
		t.Fatal(err)
	}
	atSync := len(rec.all())
	const window = 3 * time.Second
	windowEnd := time.After(window)
	env.Scale(t, gvr.Models, ns, "iris", 3)
	kubetest.Eventually(t, 15*time.Second, func() bool {
		p, _ := src.Snapshot().Pair(ns + "/iris")
		return p.ModelDesired == model.Known(3)
	}, "a change to an allowed resource during the window")
	<-windowEnd // the window is a measurement, not a wait for state
	during := rec.all()[atSync:]
	for _, req := range during {
		if strings.Contains(req.path, "/statefulsets") || strings.Contains(req.path, "/events") {
			t.Errorf("forbidden resource asked for again within %v: %s %s", window, req.method, req.path)
		}
	}
	if len(during) > 4 {
		t.Errorf("%d requests in %v after sync, want a quiet watch: %v", len(during), window, during)
	}
	t.Logf("%d requests to sync, %d in the %v after", atSync, len(during), window)
}
