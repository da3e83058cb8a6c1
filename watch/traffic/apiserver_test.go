package traffic

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/model/whatif"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom"
	"github.com/twinscale/twinscale/watch/record"
)

// controllerManager is the field manager of the HPA controller's scale writes: the HPA
// controller runs in kube-controller-manager and its client names itself after it.
const controllerManager = "kube-controller-manager"

// apiDriver plays, against a real kube-apiserver, the controllers of one pair on a virtual
// clock that steps a second at a time: the HPA controller (a sync per HPA every 15 s at its
// phase: read the scale, decide with model.Decide and the controller's memory, write the
// scale through the subresource as kube-controller-manager, then the status with the metric
// it read), Seldon's operator (Server spec.replicas to the StatefulSet and both statuses),
// the StatefulSet's pods (ready 20 s after they are asked for), and a person who edits the
// Server HPA and runs kubectl scale during the run.
type apiDriver struct {
	t        *testing.T
	env      *kubetest.Env
	ns       string
	now      time.Time
	mem      map[string]*model.HPAMemory
	pending  []time.Time // when each starting Server pod becomes ready
	ready    int32
	stsSpec  int32
	rv       map[string]string // "kind/name" → the resourceVersion of our last write
	lastSeen map[string]int32
}

const (
	apiModel, apiServer              = "iris", "mlserver"
	apiModelHPA, apiServerHPA        = "iris-model-hpa", "iris-server-hpa"
	apiModelPhase, apiSrvPhase       = 2 * time.Second, 9 * time.Second
	apiServerReady                   = 20 * time.Second
	apiSpan                          = 9 * time.Minute
	apiEditAt, apiKubectlScale       = 4 * time.Minute, 5*time.Minute + 30*time.Second
	apiKubectlReplicas         int32 = 1
)

// apiLoad is the pair's infer_rps at d into the run, as the adapter serves it (milli-units).
func apiLoad(d time.Duration) float64 {
	var v float64
	switch {
	case d < time.Minute:
		v = 2.5
	case d < 3*time.Minute:
		v = 2.5 + 9*(d-time.Minute).Seconds()/120
	case d < 7*time.Minute:
		v = 11.2 + 0.3*math.Sin(d.Seconds()/20)
	default:
		v = 4.2
	}
	return math.Round(v*1000) / 1000
}

// TestBaselineReproducesAnAPIServerRun: a pair run by the driver above against a real
// kube-apiserver, watched by the dashboard's watch and engine and written by its recorder,
// replays with the whatif baseline reproducing ≥ 99% of the HPAs' recorded decisions,
// including the Server HPA's spec edit and the kubectl scale made during the run.
func TestBaselineReproducesAnAPIServerRun(t *testing.T) {
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	d := &apiDriver{t: t, env: env, ns: ns, now: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC),
		mem: map[string]*model.HPAMemory{apiModelHPA: {}, apiServerHPA: {}}, rv: map[string]string{}, lastSeen: map[string]int32{}}
	d.setup()

	w, err := kube.New(env.Config, kube.Options{Namespaces: []string{ns}, Context: "envtest"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Start(ctx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := w.WaitForSync(sctx); err != nil {
		t.Fatalf("sync: %v", err)
	}
	engine := watch.NewEngine(w, watch.EngineOptions{Now: func() time.Time { return d.now }, Tracker: model.TrackerOptions{
		Step: prom.DefaultPollInterval, Capacity: int(time.Hour / prom.DefaultPollInterval), Metrics: true}})
	path := filepath.Join(t.TempDir(), "apiserver.rec")
	out, err := record.NewWriter(path, record.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := record.NewRecorder(engine, out)

	start := d.now
	for d.now.Sub(start) <= apiSpan {
		d.step(d.now.Sub(start))
		d.waitSeen(w)
		engine.Refresh()
		if _, err := rec.Capture(d.now); err != nil {
			t.Fatal(err)
		}
		d.now = d.now.Add(time.Second)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	key := ns + "/" + apiModel
	in, notes, err := FromRecording(path, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("notes: %v", notes.Lines)
	if len(in.ServerSpecs) != 2 || in.ServerSpecs[1].At.Sub(start) != apiEditAt {
		t.Errorf("Server HPA spec history %+v: want the spec before and after the edit at +%s", in.ServerSpecs, apiEditAt)
	}
	var kubectl bool
	for _, wr := range in.Writes {
		if wr.Side == whatif.SideServer && wr.Replicas == apiKubectlReplicas && wr.Writer == "kubectl" && wr.At.Sub(start) == apiKubectlScale {
			kubectl = true
		}
	}
	if !kubectl {
		t.Errorf("no kubectl write of the Server to %d at +%s among %+v", apiKubectlReplicas, apiKubectlScale, in.Writes)
	}
	res := whatif.Simulate(in)
	m := whatif.Match(in, res)
	for _, mm := range m.Mismatches {
		t.Logf("%s %s sim %d real %d: %s", mm.Sync.At.Format(time.TimeOnly), mm.Sync.Side, mm.Sync.Desired, mm.Real, mm.Why)
	}
	t.Logf("%s (Model %d/%d, Server %d/%d)", m, m.ModelMatched, m.ModelCompared, m.ServerMatched, m.ServerCompared)
	if m.ModelCompared < 30 || m.ServerCompared < 30 || m.Rate() < 0.99 {
		t.Errorf("%s, want ≥ 99%% of at least 30 syncs per HPA", m)
	}
	// The control: the spec as it ended, replayed throughout, or without the kubectl write,
	// no longer reproduces the run.
	last := in
	last.ServerSpecs = nil
	if ml := whatif.Match(last, whatif.Simulate(last)); ml.ServerMatched >= m.ServerMatched {
		t.Errorf("the last spec throughout matches as well: %s", ml)
	}
	noWrite := in
	noWrite.Writes = nil
	if mw := whatif.Match(noWrite, whatif.Simulate(noWrite)); mw.ServerMatched >= m.ServerMatched {
		t.Errorf("without the kubectl write it matches as well: %s", mw)
	}
}

func (d *apiDriver) setup() {
	t, env, ns := d.t, d.env, d.ns
	env.CreateServer(t, ns, apiServer, 1)
	env.CreateStatefulSet(t, ns, apiServer, 1)
	env.SetStatefulSetReady(t, ns, apiServer, 1)
	env.SetServerStatus(t, ns, apiServer, 1, 1)
	env.CreateModel(t, ns, apiModel, apiServer, 1)
	env.SetModelStatus(t, ns, apiModel, kubetest.ModelStatus{Replicas: 1, Available: 1, Selector: "server=" + apiServer,
		State: "ModelAvailable", Ready: true})
	d.ready, d.stsSpec = 1, 1
	ms := kubetest.HPASpec("Model", apiModel, apiModel, 1, 5, "3")
	ms.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr32(0),
			Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15}}},
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr32(60)},
	}
	env.CreateHPA(t, ns, apiModelHPA, ms)
	ss := kubetest.HPASpec("Server", apiServer, apiModel, 1, 5, "3")
	ss.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr32(0),
			Policies: []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 90}}},
	}
	env.CreateHPA(t, ns, apiServerHPA, ss)
}

func ptr32(v int32) *int32 { return &v }

// step plays one second of the controllers at d into the run.
func (d *apiDriver) step(at time.Duration) {
	switch at {
	case apiEditAt:
		// A person speeds up the Server HPA's scale-up: Pods 2 per 30 s.
		d.editServerHPA()
	case apiKubectlScale:
		// ... and, by mistake, kubectl scale --replicas=1 on the Server.
		d.scale(gvr.Servers, "Server", apiServer, apiKubectlReplicas, "kubectl")
	}
	phase := time.Duration(d.now.UnixNano() % int64(model.SyncPeriod))
	if phase == apiModelPhase {
		d.sync(apiModelHPA, gvr.Models, "Model", apiModel, at)
	}
	if phase == apiSrvPhase {
		d.sync(apiServerHPA, gvr.Servers, "Server", apiServer, at)
	}
	d.operator()
}

// sync is one HPA controller sync of one HPA.
func (d *apiDriver) sync(name string, res schema.GroupVersionResource, kind, target string, at time.Duration) {
	t := d.t
	hpas := d.env.Clientset.AutoscalingV2().HorizontalPodAutoscalers(d.ns)
	h, err := hpas.Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := d.env.Dynamic.Resource(res).Namespace(d.ns).Get(context.Background(), target, metav1.GetOptions{}, "scale")
	if err != nil {
		t.Fatal(err)
	}
	current, _, _ := unstructured.NestedInt64(sc.Object, "status", "replicas")
	total := apiLoad(at)
	mem := d.mem[name]
	dec := model.Decide(kube.ProjectHPA(h), int32(current), total, mem, d.now)
	mem.Record(d.now, dec, int32(current))
	if dec.Rescale {
		d.scale(res, kind, target, dec.Desired, controllerManager)
	}
	avg := resource.NewMilliQuantity(int64(math.Round(1000*total/float64(current))), resource.DecimalSI)
	h.Status = autoscalingv2.HorizontalPodAutoscalerStatus{
		CurrentReplicas: int32(current), DesiredReplicas: dec.Desired,
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricStatus{
			DescribedObject: h.Spec.Metrics[0].Object.DescribedObject, Metric: h.Spec.Metrics[0].Object.Metric,
			Current: autoscalingv2.MetricValueStatus{AverageValue: avg}}}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.AbleToScale, Status: "True", Reason: "ReadyForNewScale", LastTransitionTime: metav1.Now()},
			{Type: autoscalingv2.ScalingActive, Status: "True", Reason: "ValidMetricFound", LastTransitionTime: metav1.Now()}},
	}
	if dec.Rescale {
		h.Status.LastScaleTime = &metav1.Time{Time: time.Now()}
	}
	out, err := hpas.UpdateStatus(context.Background(), h, metav1.UpdateOptions{FieldManager: controllerManager})
	if err != nil {
		t.Fatalf("%s status: %v", name, err)
	}
	d.rv["HPA/"+name] = out.ResourceVersion
}

// scale writes spec.replicas through the scale subresource as manager.
func (d *apiDriver) scale(res schema.GroupVersionResource, kind, name string, replicas int32, manager string) {
	sc, err := d.env.Dynamic.Resource(res).Namespace(d.ns).Get(context.Background(), name, metav1.GetOptions{}, "scale")
	if err != nil {
		d.t.Fatal(err)
	}
	if err := unstructured.SetNestedField(sc.Object, int64(replicas), "spec", "replicas"); err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.env.Dynamic.Resource(res).Namespace(d.ns).Update(context.Background(), sc, metav1.UpdateOptions{FieldManager: manager}, "scale"); err != nil {
		d.t.Fatalf("scale %s %s: %v", kind, name, err)
	}
	u, err := d.env.Dynamic.Resource(res).Namespace(d.ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		d.t.Fatal(err)
	}
	d.rv[kind+"/"+name] = u.GetResourceVersion()
}

func (d *apiDriver) editServerHPA() {
	hpas := d.env.Clientset.AutoscalingV2().HorizontalPodAutoscalers(d.ns)
	h, err := hpas.Get(context.Background(), apiServerHPA, metav1.GetOptions{})
	if err != nil {
		d.t.Fatal(err)
	}
	h.Spec.Behavior.ScaleUp.Policies = []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 2, PeriodSeconds: 30}}
	out, err := hpas.Update(context.Background(), h, metav1.UpdateOptions{FieldManager: "kubectl-edit"})
	if err != nil {
		d.t.Fatal(err)
	}
	d.rv["HPA/"+apiServerHPA] = out.ResourceVersion
}

// operator is Seldon's operator and the StatefulSet controller: the StatefulSet follows the
// Server's spec.replicas, its new pods become ready after apiServerReady, and the
// Server's and the Model's statuses mirror what is ready.
func (d *apiDriver) operator() {
	ctx := context.Background()
	get := func(res schema.GroupVersionResource, name string) int32 {
		u, err := d.env.Dynamic.Resource(res).Namespace(d.ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			d.t.Fatal(err)
		}
		n, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
		return int32(n)
	}
	server, mdl := get(gvr.Servers, apiServer), get(gvr.Models, apiModel)
	changed := false
	if server != d.stsSpec {
		sets := d.env.Clientset.AppsV1().StatefulSets(d.ns)
		s, err := sets.Get(ctx, apiServer, metav1.GetOptions{})
		if err != nil {
			d.t.Fatal(err)
		}
		s.Spec.Replicas = &server
		if _, err := sets.Update(ctx, s, metav1.UpdateOptions{}); err != nil {
			d.t.Fatal(err)
		}
		for i := d.stsSpec; i < server; i++ {
			d.pending = append(d.pending, d.now.Add(apiServerReady))
		}
		if server < d.stsSpec {
			drop := d.stsSpec - server
			for drop > 0 && len(d.pending) > 0 {
				d.pending, drop = d.pending[:len(d.pending)-1], drop-1
			}
			d.ready = max(0, d.ready-drop)
		}
		d.stsSpec, changed = server, true
	}
	for len(d.pending) > 0 && !d.pending[0].After(d.now) {
		d.pending, d.ready, changed = d.pending[1:], d.ready+1, true
	}
	if changed {
		d.env.SetStatefulSetReady(d.t, d.ns, apiServer, d.ready)
		d.env.SetServerStatus(d.t, d.ns, apiServer, server, 1)
		d.track("StatefulSet", apiServer, d.getRV(d.env.Clientset.AppsV1().StatefulSets(d.ns).Get(ctx, apiServer, metav1.GetOptions{})))
		d.track("Server", apiServer, d.dynRV(gvr.Servers, apiServer))
	}
	avail := min(mdl, d.ready)
	if d.lastSeen["model"] != mdl || d.lastSeen["avail"] != avail {
		d.env.SetModelStatus(d.t, d.ns, apiModel, kubetest.ModelStatus{Replicas: mdl, Available: avail, Selector: "server=" + apiServer,
			State: "ModelAvailable", Ready: true})
		d.lastSeen["model"], d.lastSeen["avail"] = mdl, avail
		d.track("Model", apiModel, d.dynRV(gvr.Models, apiModel))
	}
}

func (d *apiDriver) track(kind, name, rv string) { d.rv[kind+"/"+name] = rv }

func (d *apiDriver) dynRV(res schema.GroupVersionResource, name string) string {
	u, err := d.env.Dynamic.Resource(res).Namespace(d.ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		d.t.Fatal(err)
	}
	return u.GetResourceVersion()
}

func (d *apiDriver) getRV(o metav1.Object, err error) string {
	if err != nil {
		d.t.Fatal(err)
	}
	return o.GetResourceVersion()
}

// waitSeen waits until the watch has every object at the resourceVersion of our last write.
func (d *apiDriver) waitSeen(w *kube.Watcher) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		inv := w.Inventory()
		have := map[string]string{}
		for _, m := range inv.Models {
			have["Model/"+m.Name] = m.ResourceVersion
		}
		for _, s := range inv.Servers {
			have["Server/"+s.Name] = s.ResourceVersion
		}
		for _, s := range inv.Workloads {
			have[s.Kind+"/"+s.Name] = s.ResourceVersion
		}
		for _, h := range inv.HPAs {
			have["HPA/"+h.Name] = h.ResourceVersion
		}
		missing := ""
		for k, rv := range d.rv {
			if have[k] != rv {
				missing = fmt.Sprintf("%s at %s (watch has %q)", k, rv, have[k])
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the watch never saw %s", missing)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
