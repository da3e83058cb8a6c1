package demo

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/prom"
)

func TestSameSeedSameStory(t *testing.T) {
	a := newCluster(t, ScenarioMixed, 7)
	b := newCluster(t, ScenarioMixed, 7)
	other := newCluster(t, ScenarioMixed, 8)
	for i := 0; i < 12; i++ {
		for _, c := range []*Cluster{a, b, other} {
			c.Step(20 * time.Second)
		}
		ia, ib := mustJSON(t, inventory(t, a)), mustJSON(t, inventory(t, b))
		if ia != ib {
			t.Fatalf("step %d: two clusters with seed 7 diverged", i)
		}
	}
	if mustJSON(t, inventory(t, a)) == mustJSON(t, inventory(t, other)) {
		t.Fatal("seeds 7 and 8 told exactly the same story")
	}
}

// The simulation is event-driven: how coarsely the clock is advanced must not change
// what happens, so a demo at speed 50 tells the same story as one at speed 1.
func TestStoryDoesNotDependOnStepSize(t *testing.T) {
	fine := newCluster(t, ScenarioMixed, 3)
	coarse := newCluster(t, ScenarioMixed, 3)
	for i := 0; i < 300; i++ {
		fine.Step(time.Second)
	}
	coarse.Step(137 * time.Second)
	coarse.Step(163 * time.Second)
	if !fine.Now().Equal(coarse.Now()) {
		t.Fatalf("clocks differ: %v vs %v", fine.Now(), coarse.Now())
	}
	if mustJSON(t, inventory(t, fine)) != mustJSON(t, inventory(t, coarse)) {
		t.Fatal("stepping by 1s and by ~150s gave different clusters")
	}
}

func TestObjectsProjectWithoutProblems(t *testing.T) {
	for _, sc := range Scenarios {
		t.Run(sc, func(t *testing.T) {
			c := newCluster(t, sc, 1, func(o *Options) {
				o.History = 5 * time.Minute
				if sc == ScenarioMany {
					o.Pairs = 40
				}
			})
			c.Step(2 * time.Minute)
			inv := inventory(t, c)
			if len(inv.Models) == 0 || len(inv.HPAs) == 0 || len(inv.Workloads) == 0 {
				t.Fatalf("empty inventory: %d models, %d hpas, %d workloads", len(inv.Models), len(inv.HPAs), len(inv.Workloads))
			}
			for _, m := range inv.Models {
				if len(m.Problems) > 0 {
					t.Errorf("model %s: %v", m.Key(), m.Problems)
				}
			}
			for _, s := range inv.Servers {
				if len(s.Problems) > 0 {
					t.Errorf("server %s: %v", s.Key(), s.Problems)
				}
			}
			for _, h := range inv.HPAs {
				if len(h.Problems) > 0 {
					t.Errorf("hpa %s: %v", h.Key(), h.Problems)
				}
			}
			for _, p := range model.Join(inv) {
				if p.ModelName != "" && p.ServerName == "" {
					t.Errorf("pair %s has no Server", p.Key)
				}
			}
		})
	}
}

// The ramp scenario: irisa0 goes from 1 to 3 replicas on both sides; the Model HPA
// decides first, so the Model is ahead of its Server for a while (ScheduleFailed with
// Seldon's exact strings), which clears once the new Server replicas are ready.
func TestRampScalesThroughTransientScheduleFailed(t *testing.T) {
	c := newCluster(t, ScenarioRamp, 7)
	ctx := context.Background()
	dyn, cs := c.Clients()
	model1 := func() (spec, avail int64, ready, msg, reason string) {
		u, err := dyn.Resource(gvr.Models).Namespace("seldon-mesh").Get(ctx, "irisa0", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := u.Object
		spec = m["spec"].(map[string]any)["replicas"].(int64)
		st := m["status"].(map[string]any)
		avail = st["availableReplicas"].(int64)
		for _, c := range st["conditions"].([]any) {
			c := c.(map[string]any)
			if c["type"] == "ModelReady" {
				ready, _ = c["status"].(string)
				msg, _ = c["message"].(string)
				reason, _ = c["reason"].(string)
			}
		}
		return
	}
	serverReady := func() int32 {
		s, err := cs.AppsV1().StatefulSets("seldon-mesh").Get(ctx, "mlserver", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s.Status.ReadyReplicas
	}

	if spec, avail, ready, _, _ := model1(); spec != 1 || avail != 1 || ready != "True" || serverReady() != 1 {
		t.Fatalf("start: model spec %d available %d ready %s, server ready %d; want 1/1/True/1", spec, avail, ready, serverReady())
	}
	sawFailed := 0
	for want := int64(2); want <= 3; want++ {
		stepUntil(t, c, 5*time.Minute, "Model HPA scales irisa0 up", func() bool {
			spec, _, _, _, _ := model1()
			return spec == want
		})
		spec, avail, ready, msg, reason := model1()
		if ready != "False" || msg != "ScheduleFailed" || reason != ReasonNotEnoughReplicas || avail != want-1 {
			t.Fatalf("model ahead of its server: spec %d available %d ModelReady %s message %q reason %q; want ScheduleFailed keeping %d",
				spec, avail, ready, msg, reason, want-1)
		}
		sawFailed++
		stepUntil(t, c, 2*time.Minute, "ScheduleFailed clears", func() bool {
			_, avail, ready, msg, _ := model1()
			return avail == want && ready == "True" && msg == "ModelAvailable"
		})
		if got := serverReady(); int64(got) != want {
			t.Fatalf("model available at %d with %d ready server replicas", want, got)
		}
	}
	if sawFailed != 2 {
		t.Fatalf("saw %d ScheduleFailed episodes, want 2", sawFailed)
	}

	// Both HPAs say what the controller says, in its exact words.
	for _, name := range []string{"irisa0-model-hpa", "mlserver-server-hpa"} {
		h, err := cs.AutoscalingV2().HorizontalPodAutoscalers("seldon-mesh").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if h.Status.DesiredReplicas != 3 || h.Status.LastScaleTime == nil {
			t.Errorf("%s: desired %d lastScaleTime %v; want 3 and set", name, h.Status.DesiredReplicas, h.Status.LastScaleTime)
		}
		checkHPAConditions(t, h)
		if len(h.Status.CurrentMetrics) != 1 || h.Status.CurrentMetrics[0].Object == nil ||
			h.Status.CurrentMetrics[0].Object.Current.AverageValue == nil {
			t.Fatalf("%s: currentMetrics %+v", name, h.Status.CurrentMetrics)
		}
	}
	evs, err := cs.CoreV1().Events("seldon-mesh").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"irisa0-model-hpa SuccessfulRescale New size: 2; reason: external metric infer_rps(nil) above target":    false,
		"irisa0-model-hpa SuccessfulRescale New size: 3; reason: external metric infer_rps(nil) above target":    false,
		"mlserver-server-hpa SuccessfulRescale New size: 3; reason: external metric infer_rps(nil) above target": false,
		"irisa0 ModelNotReady Model [irisa0] is no longer Ready":                                                 false,
		"irisa0 ModelReady Model [irisa0] is Ready":                                                              false,
	}
	for _, e := range evs.Items {
		k := e.InvolvedObject.Name + " " + e.Reason + " " + e.Message
		if _, ok := want[k]; ok {
			want[k] = true
		}
		if e.Reason == "SuccessfulRescale" && e.Source.Component != "horizontal-pod-autoscaler" {
			t.Errorf("rescale event from %q", e.Source.Component)
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("missing event %q", k)
		}
	}
}

// checkHPAConditions asserts the conditions carry the controller's exact strings.
func checkHPAConditions(t *testing.T, h *autoscalingv2.HorizontalPodAutoscaler) {
	t.Helper()
	known := map[string]string{
		"ValidMetricFound":   "the HPA was able to successfully calculate a replica count from external metric infer_rps(nil)",
		"ReadyForNewScale":   "recommended size matches current size",
		"DesiredWithinRange": "the desired count is within the acceptable range",
		"TooManyReplicas":    "the desired replica count is more than the maximum replica count",
		"NotScaledToZero":    "the HPA controller did not scale the workload to zero",
	}
	types := map[string]bool{}
	for _, c := range h.Status.Conditions {
		types[string(c.Type)] = true
		if want, ok := known[c.Reason]; ok && c.Message != want {
			t.Errorf("%s %s: message %q, want %q", h.Name, c.Reason, c.Message, want)
		}
		if c.Reason == "SucceededRescale" && !strings.HasPrefix(c.Message, "the HPA controller was able to update the target scale to ") {
			t.Errorf("%s SucceededRescale: %q", h.Name, c.Message)
		}
		if c.LastTransitionTime.IsZero() {
			t.Errorf("%s %s: no lastTransitionTime", h.Name, c.Type)
		}
	}
	for _, typ := range []string{"AbleToScale", "ScalingActive", "ScalingLimited"} {
		if !types[typ] {
			t.Errorf("%s: no %s condition", h.Name, typ)
		}
	}
}

// currentMetrics' averageValue is the total divided by the target's status.replicas,
// in milli-units, as the controller writes it.
func TestHPAReportsTotalOverStatusReplicas(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	p := pairOf(t, c, "payments", "risk-scorer")
	ctx := context.Background()
	_, cs := c.Clients()
	h, err := cs.AutoscalingV2().HorizontalPodAutoscalers("payments").Get(ctx, "risk-scorer-model-hpa", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	total, err := c.adapter("payments", "risk-scorer", p.mh.lastSync)
	statusReplicas := p.m.statusReplicas
	c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	got := h.Status.CurrentMetrics[0].Object.Current.AverageValue.MilliValue()
	want := perReplicaMilli(total, statusReplicas)
	if got != want {
		t.Fatalf("averageValue %dm, want ceil(%v / %d) = %dm", got, total, statusReplicas, want)
	}
	if s := h.Status.CurrentMetrics[0].Object.Current.AverageValue.String(); !strings.HasSuffix(s, "m") && got%1000 != 0 {
		t.Fatalf("averageValue %q is not in milli-units", s)
	}
}

func TestDriftScenarioRaisesTheLintRules(t *testing.T) {
	c := newCluster(t, ScenarioDrift, 1)
	c.Step(time.Minute)
	inv := inventory(t, c)
	fired := map[string][]string{}
	for _, p := range model.Join(inv) {
		for _, f := range model.Lint(p) {
			fired[p.ModelName] = append(fired[p.ModelName], f.Rule)
		}
	}
	want := map[string]string{
		"min-drift":          model.RuleMinMismatch,
		"behavior-drift":     model.RuleBehaviorMismatch,
		"max-below":          model.RuleServerMaxBelowModel,
		"no-server-hpa":      model.RuleNoServerHPA,
		"seldon-autoscaling": model.RuleModelMinMax,
		"target-drift":       model.RuleTargetValueMismatch,
		"default-behavior":   model.RuleDefaultScaleUp,
		"wrong-described":    model.RuleDescribedMismatch,
		"no-spec-replicas":   model.RuleModelNoReplicas,
		"server-autoscaling": model.RuleServerMinMax,
	}
	for name, rule := range want {
		found := false
		for _, r := range fired[name] {
			found = found || r == rule
		}
		if !found {
			t.Errorf("%s: rule %s did not fire (fired %v)", name, rule, fired[name])
		}
	}
}

func TestMixedScenarioLintShowsMisconfiguredPairsOnly(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 1)
	inv := inventory(t, c)
	flagged := map[string]bool{}
	for _, p := range model.Join(inv) {
		for _, f := range model.Lint(p) {
			if f.Severity >= model.SeverityWarning {
				flagged[p.ModelName] = true
			}
		}
	}
	for _, name := range []string{"sentiment-bert", "image-classifier", "llm-summarizer", "kyc-ocr"} {
		if !flagged[name] {
			t.Errorf("%s is misconfigured on purpose but the lint is quiet", name)
		}
	}
	for _, name := range []string{"irisa0", "churn-xgb", "risk-scorer"} {
		if flagged[name] {
			t.Errorf("%s is configured as Seldon advises but the lint flags it", name)
		}
	}
}

func TestQuerierServesThePollersQueries(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	q := c.Querier()
	ctx := context.Background()
	rps := strings.NewReplacer("{{.Namespaces}}", "seldon-mesh", "{{.Window}}", "2m", "{{.By}}", "namespace, model", "{{.ClusterMatcher}}", "").Replace(prom.DefaultQuery)
	samples, _, err := q.Instant(ctx, rps, c.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range samples {
		if s.Labels["namespace"] != "seldon-mesh" {
			t.Fatalf("namespace filter leaked %v", s.Labels)
		}
		got[s.Labels["model"]] = s.Value
	}
	c.mu.Lock()
	want, _ := c.byKey["seldon-mesh/churn-xgb"].series.rps(c.sched.now, 2*time.Minute)
	c.mu.Unlock()
	if got["churn-xgb"] != want || want < 5 || want > 9 {
		t.Fatalf("churn-xgb rps %v, want %v (about 6.8)", got["churn-xgb"], want)
	}
	if _, ok := got["risk-scorer"]; ok {
		t.Fatal("payments/risk-scorer returned for namespace seldon-mesh")
	}

	lat := strings.NewReplacer("{{.Namespaces}}", ".+", "{{.Window}}", "2m").Replace(prom.LatencyQuery)
	ls, _, err := q.Instant(ctx, lat, c.Now())
	if err != nil || len(ls) != deployed(c) {
		t.Fatalf("latency: %d samples, %v", len(ls), err)
	}
	end := c.Now()
	series, _, err := q.Range(ctx, rps, end.Add(-30*time.Minute), end, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range series {
		if len(s.Points) < 100 {
			t.Fatalf("%v: %d points over 30m at 15s, want the history", s.Labels, len(s.Points))
		}
	}
	if _, _, err := q.Range(ctx, rps, end.Add(-48*time.Hour), end, time.Second); err == nil {
		t.Fatal("a range query beyond 11,000 points must fail as Prometheus does")
	}
	if _, _, err := q.Instant(ctx, "sum(rate(seldon_model_infer_total))", end); err == nil {
		t.Fatal("a query without a range selector must be bad_data")
	}
}

type sink struct {
	mu       sync.Mutex
	backfill *model.Backfill
	polls    []model.MetricsPoll
	states   []model.PromState
}

func (s *sink) Backfill(b model.Backfill) { s.mu.Lock(); s.backfill = &b; s.mu.Unlock() }
func (s *sink) Poll(p model.MetricsPoll)  { s.mu.Lock(); s.polls = append(s.polls, p); s.mu.Unlock() }
func (s *sink) State(st model.PromState)  { s.mu.Lock(); s.states = append(s.states, st); s.mu.Unlock() }

// The real poller runs on the simulated Prometheus and the virtual clock.
func TestRealPollerOnTheVirtualClock(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	s := &sink{}
	po := prom.NewPoller(c.Querier(), prom.DefaultOptions(), nil, s)
	// The poller waits on the virtual clock; the test advances it each time the
	// poller is waiting, in lockstep.
	waiting := make(chan struct{}, 1)
	po.Now = c.Now
	po.After = func(d time.Duration) <-chan time.Time {
		ch := c.After(d)
		waiting <- struct{}{}
		return ch
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { po.Run(ctx); close(done) }()
	for i := 0; i < 4; i++ {
		select {
		case <-waiting:
		case <-time.After(30 * time.Second):
			t.Fatalf("poller not waiting for its next poll after %d polls", i)
		}
		c.Step(prom.DefaultPollInterval)
	}
	<-waiting
	cancel()
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backfill == nil || len(s.backfill.Series) != deployed(c) {
		t.Fatalf("backfill has %d series, want %d", len(s.backfill.Series), deployed(c))
	}
	for i := 1; i < len(s.polls); i++ {
		if d := s.polls[i].At.Sub(s.polls[i-1].At); d != 15*time.Second {
			t.Fatalf("polls %v apart on the virtual clock, want 15s", d)
		}
	}
	last := s.polls[len(s.polls)-1]
	if smp, ok := last.Samples["seldon-mesh/irisa0"]; !ok || smp.RPS <= 0 || !smp.HasLatency || !smp.HasErrors {
		t.Fatalf("irisa0 sample %+v", smp)
	}
}

// A Model deployed during the story goes through what a fresh deployment shows on a
// real cluster: no selector at the HPA's first sync, no metric until the adapter lists
// the new series, desiredReplicas 0 until the first computation, and ScheduleFailed
// ("no matching servers are available") until its Server's first replica is ready.
func TestNewModelDeployedDuringTheStory(t *testing.T) {
	c := newCluster(t, ScenarioMixed, 7)
	ctx := context.Background()
	dyn, cs := c.Clients()
	if _, err := dyn.Resource(gvr.Models).Namespace("seldon-mesh").Get(ctx, "fraud-detector-v2", metav1.GetOptions{}); err == nil {
		t.Fatal("fraud-detector-v2 exists before it is deployed")
	}
	c.Step(4*time.Minute + 500*time.Millisecond)
	h, err := cs.AutoscalingV2().HorizontalPodAutoscalers("seldon-mesh").Get(ctx, "fraud-detector-v2-model-hpa", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status.DesiredReplicas != 0 || len(h.Status.CurrentMetrics) != 0 {
		t.Fatalf("new HPA: desired %d, metrics %v; want 0 and none", h.Status.DesiredReplicas, h.Status.CurrentMetrics)
	}
	reasons := func(obj string) map[string]bool {
		evs, err := cs.CoreV1().Events("seldon-mesh").List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + obj})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, e := range evs.Items {
			out[e.Reason+": "+e.Message] = true
		}
		return out
	}
	if !reasons("fraud-detector-v2-model-hpa")["SelectorRequired: selector is required"] {
		t.Fatalf("no SelectorRequired event: %v", reasons("fraud-detector-v2-model-hpa"))
	}
	u, err := dyn.Resource(gvr.Models).Namespace("seldon-mesh").Get(ctx, "fraud-detector-v2", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := kubeModel(u)
	if c, ok := model.FindCondition(m.Conditions, "ModelReady"); !ok || c.Message != "ScheduleFailed" || c.Reason != ReasonNoServers {
		t.Fatalf("new model's ModelReady: %+v", c)
	}
	// Not placed yet (Seldon writes "server="), without spec.server, and its Server HPA is
	// created 2 s after it: unscheduled; then the Server HPA's describedObject pairs it
	// until the scheduler places it.
	paired := func() model.Pair {
		for _, p := range model.Join(inventory(t, c)) {
			if p.ModelName == "fraud-detector-v2" {
				return p
			}
		}
		t.Fatal("no pair for fraud-detector-v2")
		return model.Pair{}
	}
	if p := paired(); m.Server != "" || m.Selector != "server=" || p.Link != model.LinkUnscheduled || p.ServerName != "" {
		t.Fatalf("right after deployment: spec.server %q, selector %q, paired by %q to %q", m.Server, m.Selector, p.Link, p.ServerName)
	}
	c.Step(2 * time.Second)
	if p := paired(); p.Model.Selector != "server=" || p.Link != model.LinkServerHPA ||
		p.ServerName != "mlserver-fraud-v2" || p.ServerHPA == nil || len(p.Shape) > 0 {
		t.Fatalf("before scheduling: selector %q, paired by %q to %q, shape %v", p.Model.Selector, p.Link, p.ServerName, p.Shape)
	}
	stepUntil(t, c, 3*time.Minute, "the new pair computes its metric", func() bool {
		h, err := cs.AutoscalingV2().HorizontalPodAutoscalers("seldon-mesh").Get(ctx, "fraud-detector-v2-model-hpa", metav1.GetOptions{})
		return err == nil && h.Status.DesiredReplicas == 1 && len(h.Status.CurrentMetrics) == 1
	})
	want := "FailedGetObjectMetric: unable to get metric infer_rps on Model seldon-mesh/fraud-detector-v2: " +
		"unable to fetch metrics from custom metrics API: the server could not find the metric infer_rps for models.mlops.seldon.io fraud-detector-v2"
	if !reasons("fraud-detector-v2-model-hpa")[want] {
		t.Fatalf("no %q event: %v", want, reasons("fraud-detector-v2-model-hpa"))
	}
	u, _ = dyn.Resource(gvr.Models).Namespace("seldon-mesh").Get(ctx, "fraud-detector-v2", metav1.GetOptions{})
	if m := kubeModel(u); m.AvailableReplicas != 1 || m.Selector != "server=mlserver-fraud-v2" {
		t.Fatalf("new model available %d, selector %q; want 1 and server=mlserver-fraud-v2", m.AvailableReplicas, m.Selector)
	}
	if p := paired(); p.Link != model.LinkScheduled || p.ServerName != "mlserver-fraud-v2" {
		t.Fatalf("after scheduling: paired by %q to %q", p.Link, p.ServerName)
	}
}
