package kube

import (
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// TestOverdueIntegration reads a pair from a real kube-apiserver whose Server HPA status is
// stale: the controller last reported 9 rps for one replica (3 per replica wanted: 1 → 3) and
// never acted. The analyzer, on a fake clock over what the watch reads, flags the HPA overdue
// (TS215) once its memory is complete and three sync periods have passed without a status write;
// the Model HPA, whose status agrees with its size, is not.
func TestOverdueIntegration(t *testing.T) {
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	w, _ := startWatcher(t, env.Config, Options{Namespaces: []string{ns}, Context: "envtest"})

	env.CreateServer(t, ns, "iris-server", 1)
	env.SetServerStatus(t, ns, "iris-server", 1, 1)
	env.CreateStatefulSet(t, ns, "iris-server", 1)
	env.SetStatefulSetReady(t, ns, "iris-server", 1)
	env.CreateModel(t, ns, "iris", "iris-server", 1)
	env.SetModelStatus(t, ns, "iris", kubetest.ModelStatus{Replicas: 1, Available: 1, Selector: "server=iris-server",
		State: "ModelAvailable", Ready: true})
	env.CreateHPA(t, ns, "iris-model", kubetest.HPASpec("Model", "iris", "iris", 1, 5, "3"))
	env.CreateHPA(t, ns, "iris-server", kubetest.HPASpec("Server", "iris-server", "iris", 1, 5, "3"))
	status := func(avg string) autoscalingv2.HorizontalPodAutoscalerStatus {
		q := resource.MustParse(avg)
		return autoscalingv2.HorizontalPodAutoscalerStatus{CurrentReplicas: 1, DesiredReplicas: 1,
			LastScaleTime: &metav1.Time{Time: time.Now().Add(-time.Hour).Truncate(time.Second)},
			CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ObjectMetricSourceType,
				Object: &autoscalingv2.ObjectMetricStatus{
					DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "iris"},
					Metric:          autoscalingv2.MetricIdentifier{Name: "infer_rps"},
					Current:         autoscalingv2.MetricValueStatus{AverageValue: &q}}}},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
				{Type: autoscalingv2.AbleToScale, Status: "True", Reason: "ReadyForNewScale", LastTransitionTime: metav1.Now()},
				{Type: autoscalingv2.ScalingActive, Status: "True", Reason: "ValidMetricFound", LastTransitionTime: metav1.Now()}}}
	}
	env.SetHPAStatus(t, ns, "iris-model", status("3"))
	env.SetHPAStatus(t, ns, "iris-server", status("9"))
	key := ns + "/iris"
	p := eventuallyPair(t, w, key, "HPA statuses read", func(p model.Pair) bool {
		return p.ModelHPA != nil && p.ServerHPA != nil && len(p.ServerHPA.CurrentMetrics) == 1 &&
			p.ServerHPA.CurrentMetrics[0].AverageValue == 9 && len(p.ModelHPA.CurrentMetrics) == 1
	})

	a := model.NewAnalyzer()
	t0 := time.Now()
	analyse := func(after time.Duration) model.Pair {
		ps := []model.Pair{pairs(w)[key]}
		a.Apply(t0.Add(after), ps)
		return ps[0]
	}
	p = analyse(0)
	if f := p.ServerForecast; f == nil || !f.Decision.Rescale || f.Desired != 3 || f.Overdue {
		t.Fatalf("first sight: %+v", f)
	}
	// The legacy path's memory reaches back 300 s: until then the forecast is approximate.
	if p = analyse(200 * time.Second); p.ServerForecast.Overdue {
		t.Fatalf("overdue while approximate: %+v", p.ServerForecast)
	}
	p = analyse(301 * time.Second)
	if !p.ServerForecast.Overdue || p.ModelForecast.Overdue {
		t.Fatalf("at 301 s: server overdue %v, model overdue %v (%s / %s)", p.ServerForecast.Overdue, p.ModelForecast.Overdue,
			p.ServerForecast.Text, p.ModelForecast.Text)
	}
	var f *model.Finding
	for i := range p.Findings {
		if p.Findings[i].Rule == model.RuleHPAOverdue {
			f = &p.Findings[i]
		}
	}
	if f == nil || f.Subject.Name != "iris-server" || !strings.Contains(f.Message, "has owed the move 1 → 3 for 5m1s") {
		t.Fatalf("finding %+v in %v", f, p.Findings)
	}
	if got := model.OverdueText([]model.Pair{p}); got != "controller behind: 1 HPA overdue, oldest 5m1s" {
		t.Errorf("header %q", got)
	}

	// The controller catches up: a status write with 3 replicas clears it.
	st := status("3")
	st.CurrentReplicas, st.DesiredReplicas = 3, 3
	env.SetHPAStatus(t, ns, "iris-server", st)
	env.Scale(t, gvr.Servers, ns, "iris-server", 3)
	eventuallyPair(t, w, key, "server HPA caught up", func(p model.Pair) bool { return p.ServerHPA.DesiredReplicas == 3 })
	if p = analyse(310 * time.Second); p.ServerForecast.Overdue {
		t.Errorf("after the write: %+v", p.ServerForecast)
	}
}
