package main

// Today's Seldon (2.9-2.11) against a real kube-apiserver: who writes spec.replicas, the
// states Seldon writes, KEDA's HPAs, and the metrics API the HPAs read through.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// customMetricsStandIn serves the custom metrics API as prometheus-adapter does, over TLS
// on a non-loopback address (the API server proxies to endpoints, never to loopback):
// discovery of custom.metrics.k8s.io/v1beta2 and infer_rps of every Model of a namespace.
func customMetricsStandIn(t *testing.T, values map[string]string) (ip string, port int32, reads *atomic.Int32) {
	t.Helper()
	reads = &atomic.Int32{}
	mux := http.NewServeMux()
	mux.HandleFunc("/apis/custom.metrics.k8s.io/v1beta2", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"custom.metrics.k8s.io/v1beta2",`+
			`"resources":[{"name":"models.mlops.seldon.io/infer_rps","singularName":"","namespaced":true,"kind":"MetricValueList","verbs":["get"]}]}`)
	})
	mux.HandleFunc("/apis/custom.metrics.k8s.io/v1beta2/namespaces/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/apis/custom.metrics.k8s.io/v1beta2/namespaces/"), "/")
		if len(parts) != 4 || parts[1] != "models.mlops.seldon.io" || parts[3] != "infer_rps" {
			http.NotFound(w, r)
			return
		}
		reads.Add(1)
		var items []string
		for name, v := range values {
			if parts[2] == "*" || parts[2] == name {
				items = append(items, fmt.Sprintf(`{"describedObject":{"kind":"Model","namespace":%q,"name":%q,"apiVersion":"mlops.seldon.io/v1alpha1"},`+
					`"metric":{"name":"infer_rps"},"timestamp":%q,"value":%q}`, parts[0], name, time.Now().UTC().Format(time.RFC3339), v))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[%s]}`, strings.Join(items, ","))
	})
	ip = promtest.NonLoopbackIP(t)
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener = ln
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return ip, int32(ln.Addr().(*net.TCPAddr).Port), reads
}

// registerAPIService registers (or re-points) an APIService at a Service and removes it
// when the test ends, so other tests' discovery does not see a dead API.
func registerAPIService(t *testing.T, env *kubetest.Env, name, group, version, svcNS, svcName string) {
	t.Helper()
	ctx := context.Background()
	res := env.Dynamic.Resource(gvr.APIServices)
	spec := map[string]any{
		"group": group, "version": version, "insecureSkipTLSVerify": true,
		"groupPriorityMinimum": int64(100), "versionPriority": int64(100),
		"service": map[string]any{"namespace": svcNS, "name": svcName, "port": int64(9090)},
	}
	cur, err := res.Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		cur.Object["spec"] = spec
		if _, err := res.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
		"metadata": map[string]any{"name": name}, "spec": spec,
	}}
	if _, err := res.Create(ctx, u, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = res.Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

// seldonStatus writes a Seldon object's status as the operator does, conditions with
// lastTransitionTime.
func seldonStatus(t *testing.T, env *kubetest.Env, kind, ns, name string, status map[string]any, conds ...[3]string) {
	t.Helper()
	var cs []any
	for _, c := range conds {
		cs = append(cs, map[string]any{"type": c[0], "status": c[1], "message": c[2],
			"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)})
	}
	if len(cs) > 0 {
		status["conditions"] = cs
	}
	res := gvr.Models
	if kind == model.KindServer {
		res = gvr.Servers
		// The real CRD requires both, as Seldon's operator always writes them.
		if _, ok := status["loadedModels"]; !ok {
			status["loadedModels"] = int64(1)
		}
		if _, ok := status["selector"]; !ok {
			status["selector"] = "seldon-server-name=" + name
		}
	}
	env.SetStatus(t, res, ns, name, status)
}

// TestSeldonTodayAgainstAPIServer creates each situation of Seldon 2.9-2.11 with real
// objects and real writes, and reads it through the dashboard's own source: the writer of
// every replica change (Seldon's manager by apply, the HPA through /scale with its
// SuccessfulRescale event), the fight, partial / scaled to 0 / invalid scaling spec,
// older Seldon's condition types, a KEDA-owned HPA, an APIService pointing at a missing
// Service (header warning and per-pair cause), then the custom metrics API served by a
// stand-in behind a real APIService, whose value the forecast uses.
func TestSeldonTodayAgainstAPIServer(t *testing.T) {
	isolate(t)
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	ctx := context.Background()
	api := kubetest.Shared(t).Dynamic

	// The fight: Model irisa0 wants 3, Server HPA max 2, Seldon's scheduler wants 3.
	env.CreateModel(t, ns, "irisa0", "mlserver", 3)
	env.CreateServer(t, ns, "mlserver", 2)
	env.CreateStatefulSet(t, ns, "mlserver", 2)
	env.SetStatefulSetReady(t, ns, "mlserver", 2)
	seldonStatus(t, env, model.KindModel, ns, "irisa0", map[string]any{"replicas": int64(3), "availableReplicas": int64(2),
		"selector": "server=mlserver", "modelgwReady": "ModelAvailable"},
		[3]string{"ModelReady", "False", "ScheduleFailed"})
	seldonStatus(t, env, model.KindServer, ns, "mlserver", map[string]any{"replicas": int64(2), "selector": "seldon-server-name=mlserver"},
		[3]string{model.CondWorkloadReady, "True", "StatefulSet replicas matches desired replicas"})
	env.CreateHPA(t, ns, "irisa0-model-hpa", kubetest.HPASpec("Model", "irisa0", "irisa0", 1, 3, "3"))
	env.CreateHPA(t, ns, "mlserver-server-hpa", kubetest.HPASpec("Server", "mlserver", "irisa0", 1, 2, "3"))

	// Partial: ModelAvailable with 2 of 3.
	env.CreateModel(t, ns, "irisb", "mlserver-b", 3)
	env.CreateServer(t, ns, "mlserver-b", 3)
	env.CreateStatefulSet(t, ns, "mlserver-b", 3)
	env.SetStatefulSetReady(t, ns, "mlserver-b", 3)
	seldonStatus(t, env, model.KindModel, ns, "irisb", map[string]any{"replicas": int64(3), "availableReplicas": int64(2), "modelgwReady": "ModelAvailable"},
		[3]string{"ModelReady", "True", "ModelAvailable"})

	// Scaled to 0.
	env.CreateModel(t, ns, "irisc", "mlserver-c", 0)
	env.CreateServer(t, ns, "mlserver-c", 0)
	env.CreateStatefulSet(t, ns, "mlserver-c", 0)
	seldonStatus(t, env, model.KindModel, ns, "irisc", map[string]any{"replicas": int64(0), "availableReplicas": int64(0)},
		[3]string{"ModelReady", "False", "ModelScaledDown"})

	// The operator's terminal error: Server replicas 5 above its own maxReplicas 4.
	env.CreateModel(t, ns, "irisd", "mlserver-d", 4)
	env.CreateServer(t, ns, "mlserver-d", 4)
	if _, err := api.Resource(gvr.Servers).Namespace(ns).Patch(ctx, "mlserver-d", types.MergePatchType,
		[]byte(`{"spec":{"maxReplicas":4,"replicas":5}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	env.CreateStatefulSet(t, ns, "mlserver-d", 4)
	env.SetStatefulSetReady(t, ns, "mlserver-d", 4)
	const specErr = "scaling spec is invalid: number of replicas 5 must be <= max replicas 4"
	seldonStatus(t, env, model.KindServer, ns, "mlserver-d", map[string]any{"replicas": int64(4)},
		[3]string{model.CondWorkloadReady, "False", specErr})
	seldonStatus(t, env, model.KindModel, ns, "irisd", map[string]any{"replicas": int64(4), "availableReplicas": int64(4)},
		[3]string{"ModelReady", "True", "ModelAvailable"})

	// Older Seldon: StatefulSetReady, no modelgwReady; healthy.
	env.CreateModel(t, ns, "irise", "mlserver-e", 1)
	env.CreateServer(t, ns, "mlserver-e", 1)
	env.CreateStatefulSet(t, ns, "mlserver-e", 1)
	env.SetStatefulSetReady(t, ns, "mlserver-e", 1)
	seldonStatus(t, env, model.KindModel, ns, "irise", map[string]any{"replicas": int64(1), "availableReplicas": int64(1)},
		[3]string{"ModelReady", "True", "ModelAvailable"})
	seldonStatus(t, env, model.KindServer, ns, "mlserver-e", map[string]any{"replicas": int64(1)},
		[3]string{model.CondStatefulSetReady, "True", "StatefulSet replicas matches desired replicas"})

	// KEDA: an HPA made by a ScaledObject, on an External metric.
	env.CreateModel(t, ns, "irisf", "mlserver-f", 1)
	env.CreateServer(t, ns, "mlserver-f", 1)
	env.CreateStatefulSet(t, ns, "mlserver-f", 1)
	env.SetStatefulSetReady(t, ns, "mlserver-f", 1)
	seldonStatus(t, env, model.KindModel, ns, "irisf", map[string]any{"replicas": int64(1), "availableReplicas": int64(1)},
		[3]string{"ModelReady", "True", "ModelAvailable"})
	one, three := int32(1), int32(3)
	yes := true
	avg := resource.MustParse("3")
	if _, err := env.Clientset.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "keda-hpa-irisf", Namespace: ns,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject", Name: "irisf", UID: "0b9e4a50-0000-4000-8000-00000000000f", Controller: &yes}}},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "irisf"},
			MinReplicas:    &one, MaxReplicas: three,
			Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
				Metric: autoscalingv2.MetricIdentifier{Name: "s0-prometheus"},
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: &avg}}}},
		},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// The custom metrics API registered, but at a Service that does not exist; the Model
	// HPA says what the controller says then.
	registerAPIService(t, env, model.CustomMetricsV1beta2, "custom.metrics.k8s.io", "v1beta2", ns, "prometheus-adapter")
	env.SetHPAStatus(t, ns, "irisa0-model-hpa", autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 3, DesiredReplicas: 3,
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{Type: autoscalingv2.ScalingActive, Status: "False", Reason: "FailedGetObjectMetric",
			Message:            "the HPA was unable to compute the replica count: unable to get metric infer_rps: Model on " + ns + " irisa0/unable to fetch metrics from custom metrics API: the server is currently unable to handle the request",
			LastTransitionTime: metav1.Now()}}})
	env.SetHPAStatus(t, ns, "mlserver-server-hpa", autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 2})

	o := &rootOptions{stdout: io.Discard, stderr: io.Discard, namespaces: []string{ns}, logFile: filepath.Join(t.TempDir(), "log")}
	o.config = genericclioptions.NewConfigFlags(true)
	kc := kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, "")
	o.config.KubeConfig = &kc
	o.prom.PollInterval = time.Second
	src, err := openSource(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer src.stop()
	if src.waitSynced != nil {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := src.waitSynced(wctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	pairOf := func(s *model.Snapshot, name string) model.Pair {
		p, _ := s.Pair(ns + "/" + name)
		return p
	}
	var snap *model.Snapshot
	wait := func(what string, cond func(s *model.Snapshot) bool) {
		t.Helper()
		kubetest.Eventually(t, 30*time.Second, func() bool { snap = src.Snapshot(); return cond(snap) }, what)
	}
	wait("the broken custom metrics API in the header and as the Model HPA's cause", func(s *model.Snapshot) bool {
		a, ok := s.MetricsAPI.Custom()
		return ok && a.Available == "False" && strings.Contains(pairOf(s, "irisa0").Metric.Cause, ns+"/prometheus-adapter")
	})
	if w := snap.MetricsAPI.Warning(); !strings.Contains(w, "v1beta2.custom.metrics.k8s.io → "+ns+"/prometheus-adapter: not Available") {
		t.Errorf("header warning %q", w)
	}
	if f := findRule(pairOf(snap, "irisa0"), model.RuleScalingInactive); !strings.Contains(f.Message, "the custom metrics API is down") {
		t.Errorf("TS207 without the pipeline's cause: %q", f.Message)
	}
	var table bytes.Buffer
	if err := ui.WriteTable(&table, snap, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "! metrics API v1beta2.custom.metrics.k8s.io → "+ns+"/prometheus-adapter: not Available") {
		t.Errorf("table header lacks the metrics API warning:\n%s", table.String())
	}

	// States, modes and versions.
	for _, c := range []struct {
		name   string
		state  model.PairState
		mode   model.ScalingMode
		health model.Health
		rule   string
	}{
		{"irisb", model.StatePartial, model.ModeManual, model.Warning, model.RulePartial},
		{"irisc", model.StateScaledToZero, model.ModeManual, model.Healthy, model.RuleScaledToZero},
		{"irisd", model.StateScalingSpecInvalid, model.ModeManual, model.Critical, model.RuleScalingSpecInvalid},
		{"irise", "", model.ModeManual, model.Healthy, ""},
		{"irisf", "", model.ModeKEDA, model.Healthy, ""},
	} {
		p := pairOf(snap, c.name)
		if p.State != c.state || p.Mode != c.mode || p.Health != c.health || (c.rule != "" && findRule(p, c.rule).Rule == "") {
			t.Errorf("%s: state %q mode %q health %s findings %+v", c.name, p.State, p.Mode, p.Health, p.Findings)
		}
	}
	if p := pairOf(snap, "irisd"); p.StateText != "Server mlserver-d: "+specErr {
		t.Errorf("terminal error text %q", p.StateText)
	}
	if p := pairOf(snap, "irisf"); findRule(p, model.RuleNotAverageValue).Rule != "" || findRule(p, model.RuleNoServerHPA).Rule != "" {
		t.Errorf("KEDA's HPA linted as hand-written: %+v", p.Findings)
	}
	if p := pairOf(snap, "irisa0"); p.ModelgwReady != "ModelAvailable" || p.Mode != model.ModeTwinHPAs {
		t.Errorf("irisa0: modelgwReady %q mode %q", p.ModelgwReady, p.Mode)
	}

	// The fight, with real writes. Seldon's operator resizes a Server with a JSON merge patch
	// of spec.replicas through controller-runtime's client without a FieldOwner
	// (SeldonIO/seldon-core v2, operator/scheduler/server.go, scaleServerReplicas:
	// s.Patch(ctx, newServer, client.MergeFrom(server))), so the API server names the
	// managedFields entry after the client's user agent: the binary, /manager in Seldon's
	// operator image (operator/Dockerfile, ENTRYPOINT ["/manager"]). The HPA controller
	// scales through /scale as kube-controller-manager, with its event.
	servers := api.Resource(gvr.Servers).Namespace(ns)
	operatorCfg := rest.CopyConfig(env.Config)
	operatorCfg.UserAgent = "manager/v2.10.1 (linux/amd64) kubernetes/7b77f8b"
	operator := dynamic.NewForConfigOrDie(operatorCfg).Resource(gvr.Servers).Namespace(ns)
	lastSeldon := time.Time{}
	seldonApply := func(n int) {
		// managedFields keep seconds: a second write by the same manager must land in a later one.
		kubetest.Eventually(t, 3*time.Second, func() bool { return time.Now().Truncate(time.Second).After(lastSeldon) }, "next second")
		lastSeldon = time.Now().Truncate(time.Second)
		body := fmt.Sprintf(`{"spec":{"replicas":%d}}`, n)
		u, err := operator.Patch(ctx, "mlserver", types.MergePatchType, []byte(body), metav1.PatchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var owner string
		for _, mf := range u.GetManagedFields() {
			if mf.FieldsV1 != nil && strings.Contains(string(mf.FieldsV1.Raw), `"f:replicas"`) && mf.Subresource == "" {
				owner = mf.Manager + "/" + string(mf.Operation)
			}
		}
		if owner != "manager/Update" {
			t.Fatalf("the operator's write of spec.replicas is owned by %q, want manager/Update", owner)
		}
	}
	hpaScale := func(n int) {
		sc, err := servers.Get(ctx, "mlserver", metav1.GetOptions{}, "scale")
		if err != nil {
			t.Fatal(err)
		}
		_ = unstructured.SetNestedField(sc.Object, int64(n), "spec", "replicas")
		if _, err := servers.Update(ctx, sc, metav1.UpdateOptions{FieldManager: "kube-controller-manager"}, "scale"); err != nil {
			t.Fatal(err)
		}
		env.CreateEvent(t, ns, "autoscaling/v2", "HorizontalPodAutoscaler", "mlserver-server-hpa", "Normal", "SuccessfulRescale",
			fmt.Sprintf("New size: %d; reason: Current number of replicas above Spec.MaxReplicas", n))
	}
	replicas := func(n int32) func(s *model.Snapshot) bool {
		return func(s *model.Snapshot) bool { return pairOf(s, "irisa0").ServerDesired == model.Known(n) }
	}
	for i := 0; i < 2; i++ {
		seldonApply(3)
		wait("Seldon's 3", replicas(3))
		hpaScale(2)
		wait("the HPA's 2", replicas(2))
	}
	wait("the fight finding", func(s *model.Snapshot) bool { return findRule(pairOf(s, "irisa0"), model.RuleReplicaFight).Rule != "" })
	p := pairOf(snap, "irisa0")
	f := findRule(p, model.RuleReplicaFight)
	if !strings.HasPrefix(f.Message, "Seldon and Server HPA mlserver-server-hpa fought over Server mlserver: 2→3→2→3→2 in ") ||
		!strings.Contains(f.Hint, "raise the Server HPA's maxReplicas (now 2)") || p.Health < model.Warning {
		t.Errorf("fight %q hint %q health %s", f.Message, f.Hint, p.Health)
	}
	// Kubernetes 1.37 records /scale writes on custom resources in managedFields too.
	if w := p.Server.ReplicasWriter; w == nil || w.Manager != "kube-controller-manager" || w.Subresource != "scale" {
		t.Errorf("Server's replicas writer %+v", p.Server.ReplicasWriter)
	}
	b, err := json.Marshal(jsonSafe(snap))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"writer":"Seldon","writerKind":"seldon"`, `"writer":"Server HPA mlserver-server-hpa","writerKind":"hpa"`,
		`"rule":"TS212"`, `"state":"partial"`, `"state":"scaled to 0"`, `"state":"scaling spec invalid"`, `"mode":"KEDA"`, `"modelgwReady":"ModelAvailable"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("snapshot JSON lacks %s", want)
		}
	}
	table.Reset()
	if err := ui.WriteTable(&table, snap, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"!fight", "!partial", "✗spec!"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	// Info findings (TS210 scaled to 0) are advice: the detail view and lint show them, not
	// a badge on the row (issue 13 item 7).
	if strings.Contains(table.String(), "·zero") {
		t.Errorf("an info finding badges a row:\n%s", table.String())
	}

	// The stand-in serves the custom metrics API; the APIService now points at it. The
	// value (12 rps for irisa0) is what the forecast divides: 12/3 = 4 replicas.
	ip, port, reads := customMetricsStandIn(t, map[string]string{"irisa0": "12"})
	env.ExposeService(t, ns, "custom-metrics", ip, port)
	registerAPIService(t, env, model.CustomMetricsV1beta2, "custom.metrics.k8s.io", "v1beta2", ns, "custom-metrics")
	env.SetHPAStatus(t, ns, "irisa0-model-hpa", autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 3, DesiredReplicas: 3})
	wait("the forecast on the custom metrics API's value", func(s *model.Snapshot) bool {
		f := pairOf(s, "irisa0").ModelForecast
		a, _ := s.MetricsAPI.Custom()
		return f != nil && f.TotalFrom == model.TotalFromMetricsAPI && f.Total == 12 && a.Available == "True"
	})
	p = pairOf(snap, "irisa0")
	if !p.Metric.HasAPIValue || p.Metric.APIValue != 12 || p.ModelForecast.Decision.Raw != 4 || snap.MetricsAPI.Warning() != "" || reads.Load() == 0 {
		t.Errorf("metric %+v, forecast raw %d, warning %q, stand-in reads %d", p.Metric, p.ModelForecast.Decision.Raw, snap.MetricsAPI.Warning(), reads.Load())
	}
}

// findRule returns the pair's first finding of the rule (zero when none).
func findRule(p model.Pair, rule string) model.Finding {
	for _, f := range p.Findings {
		if f.Rule == rule {
			return f
		}
	}
	return model.Finding{}
}
