package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// seldonModelStatus is a Model's status as Seldon's operator writes it once the scheduler
// reports (operator/scheduler/model.go): ModelReady carries the state name in message and
// the text in reason, selector is "server=" + the scheduler's server name.
func seldonModelStatus(state, reason string, ready bool, replicas, available int32, server string) map[string]any {
	st := "False"
	if ready {
		st = "True"
	}
	now := time.Now().UTC().Format(time.RFC3339)
	return map[string]any{
		"conditions": []any{
			map[string]any{"type": "ModelReady", "status": st, "message": state, "reason": reason, "lastTransitionTime": now},
			map[string]any{"type": "Ready", "status": st, "message": state, "reason": reason, "lastTransitionTime": now},
		},
		"replicas":          int64(replicas),
		"availableReplicas": int64(available),
		"selector":          "server=" + server,
		"modelgwReady":      "ModelAvailable",
	}
}

// docsServer is what Seldon's install provides for the docs' example: Server mlserver
// (without min/maxReplicas, as the docs' preconditions ask), its StatefulSet, and its
// status as the operator writes it.
func docsServer(t *testing.T, env *kubetest.Env, ns, name string, loaded int32) {
	t.Helper()
	env.CreateServer(t, ns, name, 1)
	env.CreateStatefulSet(t, ns, name, 1)
	env.SetStatefulSetReady(t, ns, name, 1)
	env.SetServerStatus(t, ns, name, 1, loaded)
}

// controllerStatus is an HPA's status as the controller writes it after a sync at 1 replica.
func controllerStatus(rps string) autoscalingv2.HorizontalPodAutoscalerStatus {
	avg := resource.MustParse(rps)
	now := metav1.Now()
	return autoscalingv2.HorizontalPodAutoscalerStatus{
		CurrentReplicas: 1, DesiredReplicas: 1,
		CurrentMetrics: []autoscalingv2.MetricStatus{{Type: autoscalingv2.ObjectMetricSourceType, Object: &autoscalingv2.ObjectMetricStatus{
			Metric:          autoscalingv2.MetricIdentifier{Name: "infer_rps"},
			DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: "mlops.seldon.io/v1alpha1", Kind: "Model", Name: "irisa0"},
			Current:         autoscalingv2.MetricValueStatus{AverageValue: &avg},
		}}},
		Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{
			{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "ReadyForNewScale", Message: "recommended size matches current size", LastTransitionTime: now},
			{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionTrue, Reason: "ValidMetricFound",
				Message: "the HPA was able to successfully calculate a replica count from external metric infer_rps(nil)", LastTransitionTime: now},
			{Type: autoscalingv2.ScalingLimited, Status: corev1.ConditionFalse, Reason: "DesiredWithinRange", Message: "the desired count is within the acceptable range", LastTransitionTime: now},
		},
	}
}

// snapshotOf runs `twinscale snapshot` against the API server, as JSON and as the table.
func snapshotOf(t *testing.T, env *kubetest.Env, ns string) (model.Snapshot, string) {
	t.Helper()
	bin := binary(t)
	kubeconfig := kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, "")
	args := []string{"snapshot", "--kubeconfig", kubeconfig, "-n", ns, "--log-file", filepath.Join(t.TempDir(), "twinscale.log")}
	run := func(output string) []byte {
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, append(args, "-o", output)...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("twinscale snapshot -o %s: %v\n%s", output, err, errOut.String())
		}
		return out.Bytes()
	}
	var snap model.Snapshot
	if err := json.Unmarshal(run("json"), &snap); err != nil {
		t.Fatal(err)
	}
	return snap, string(run("table"))
}

func rulesOf(p model.Pair) []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.Severity.String()+" "+f.Rule)
	}
	return out
}

// tableRows are the lines of the table that show a pair of the namespace.
func tableRows(table, ns string) []string {
	var out []string
	for l := range strings.Lines(table) {
		// The table's columns are two blanks apart; the summary line names ns with one.
		if strings.Contains(l, "  "+ns+"  ") {
			out = append(out, strings.TrimRight(l, "\n"))
		}
	}
	return out
}

// TestSeldonDocsExamplePairs applies the Seldon docs' manifests verbatim (Model irisa0
// without spec.server, its Model HPA and Server HPA) to a real API server with Seldon's
// CRDs, writes the Model's status as Seldon's operator does once the scheduler placed it
// on Server mlserver, and runs twinscale snapshot: one pair, in the JSON and the table.
func TestSeldonDocsExamplePairs(t *testing.T) {
	env := kubetest.Shared(t)
	const ns = "seldon-mesh" // as the docs' manifests say; no other test uses it
	_, err := env.Clientset.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	docsServer(t, env, ns, "mlserver", 1)
	env.Apply(t, "testdata/seldon-docs/irisa0.yaml", ns)
	env.Apply(t, "testdata/seldon-docs/hpa-custom-policy.yaml", ns)
	env.SetStatus(t, gvr.Models, ns, "irisa0", seldonModelStatus("ModelAvailable", "", true, 1, 1, "mlserver"))
	env.SetHPAStatus(t, ns, "irisa0-model-hpa", controllerStatus("1380m"))
	env.SetHPAStatus(t, ns, "mlserver-server-hpa", controllerStatus("1380m"))

	snap, table := snapshotOf(t, env, ns)
	t.Logf("twinscale snapshot -n %s:\n%s", ns, table)
	if len(snap.Pairs) != 1 {
		t.Fatalf("%d pairs, want one:\n%s", len(snap.Pairs), table)
	}
	p := snap.Pairs[0]
	if p.Key != ns+"/irisa0" || p.ServerName != "mlserver" || p.Link != model.LinkScheduled || p.ScheduledOn != "mlserver" {
		t.Errorf("pair %s → %s, paired by %q (scheduled on %q)", p.Key, p.ServerName, p.Link, p.ScheduledOn)
	}
	if p.ModelDesired != model.Known(1) || p.ModelReady != model.Known(1) || p.ServerDesired != model.Known(1) || p.ServerReady != model.Known(1) {
		t.Errorf("replicas: model %+v/%+v server %+v/%+v", p.ModelDesired, p.ModelReady, p.ServerDesired, p.ServerReady)
	}
	if p.Health > model.Converging || len(p.Shape) > 0 {
		t.Errorf("health %s, shape %v, findings %v", p.Health, p.Shape, rulesOf(p))
	}
	for _, f := range p.Findings {
		if f.Severity > model.Info {
			t.Errorf("the docs' example gets %s %s: %s", f.Severity, f.Rule, f.Message)
		}
	}
	rows := tableRows(table, ns)
	if len(rows) != 1 || countPair(rows[0], "irisa0", "mlserver") != 1 || strings.Contains(table, "(no server)") || strings.Contains(table, "(no model)") {
		t.Errorf("table rows %q:\n%s", rows, table)
	}
}

// TestSeldonPairingDisagreements: the links between a Model and its Server disagree, or
// none exists yet, on a real API server; each case shows as its finding.
func TestSeldonPairingDisagreements(t *testing.T) {
	env := kubetest.Shared(t)
	avg := "3"

	t.Run("spec.server differs from where the Model is scheduled", func(t *testing.T) {
		ns := env.Namespace(t)
		docsServer(t, env, ns, "mlserver", 0)
		docsServer(t, env, ns, "mlserver-old", 1)
		env.CreateModel(t, ns, "irisa0", "mlserver", 1)
		env.SetStatus(t, gvr.Models, ns, "irisa0", seldonModelStatus("ModelAvailable", "", true, 1, 1, "mlserver-old"))
		env.CreateHPA(t, ns, "irisa0-model-hpa", kubetest.HPASpec("Model", "irisa0", "irisa0", 1, 3, avg))
		env.CreateHPA(t, ns, "mlserver-server-hpa", kubetest.HPASpec("Server", "mlserver", "irisa0", 1, 3, avg))

		snap, table := snapshotOf(t, env, ns)
		i := slices.IndexFunc(snap.Pairs, func(p model.Pair) bool { return p.ModelName == "irisa0" })
		if i < 0 {
			t.Fatalf("no pair for irisa0:\n%s", table)
		}
		p := snap.Pairs[i]
		if p.ServerName != "mlserver" || p.Link != model.LinkSpecServer || p.ScheduledOn != "mlserver-old" ||
			!slices.Contains(rulesOf(p), "warning "+model.RuleScheduledElsewhere) {
			t.Errorf("irisa0 → %s by %q, scheduled on %q, findings %v", p.ServerName, p.Link, p.ScheduledOn, rulesOf(p))
		}
		if rows := tableRows(table, ns); !slices.ContainsFunc(rows, func(r string) bool { return countPair(r, "irisa0", "mlserver") == 1 }) {
			t.Errorf("table:\n%s", table)
		}
	})

	t.Run("a Server HPA describes a Model scheduled elsewhere", func(t *testing.T) {
		ns := env.Namespace(t)
		docsServer(t, env, ns, "mlserver", 1)
		docsServer(t, env, ns, "mlserver-b", 0)
		env.CreateModel(t, ns, "irisa0", "", 1)
		env.SetStatus(t, gvr.Models, ns, "irisa0", seldonModelStatus("ModelAvailable", "", true, 1, 1, "mlserver"))
		env.CreateHPA(t, ns, "irisa0-model-hpa", kubetest.HPASpec("Model", "irisa0", "irisa0", 1, 3, avg))
		env.CreateHPA(t, ns, "mlserver-server-hpa", kubetest.HPASpec("Server", "mlserver", "irisa0", 1, 3, avg))
		env.CreateHPA(t, ns, "mlserver-b-server-hpa", kubetest.HPASpec("Server", "mlserver-b", "irisa0", 1, 3, avg))

		snap, table := snapshotOf(t, env, ns)
		t.Logf("twinscale snapshot:\n%s", table)
		byKey := map[string]model.Pair{}
		for _, p := range snap.Pairs {
			byKey[p.Key] = p
		}
		if p := byKey[ns+"/irisa0"]; p.ServerName != "mlserver" || p.Link != model.LinkScheduled || p.Health > model.Converging {
			t.Errorf("irisa0 → %s by %q, health %s, findings %v", p.ServerName, p.Link, p.Health, rulesOf(p))
		}
		b := byKey[ns+"/server:mlserver-b"]
		if !slices.Contains(rulesOf(b), "critical "+model.RuleServerHPAElsewhere) || b.Health != model.Critical ||
			len(b.Elsewhere) != 1 || b.Elsewhere[0] != (model.Placement{Model: "irisa0", Server: "mlserver", Link: model.LinkScheduled}) {
			t.Errorf("mlserver-b: health %s, findings %v, elsewhere %+v\n%s", b.Health, rulesOf(b), b.Elsewhere, table)
		}
	})

	t.Run("a Model not scheduled yet is unscheduled, not broken", func(t *testing.T) {
		ns := env.Namespace(t)
		docsServer(t, env, ns, "mlserver", 0)
		env.CreateModel(t, ns, "irisa0", "", 1)
		env.CreateHPA(t, ns, "irisa0-model-hpa", kubetest.HPASpec("Model", "irisa0", "irisa0", 1, 3, avg))

		snap, table := snapshotOf(t, env, ns)
		t.Logf("twinscale snapshot:\n%s", table)
		i := slices.IndexFunc(snap.Pairs, func(p model.Pair) bool { return p.ModelName == "irisa0" })
		if i < 0 {
			t.Fatalf("no pair for irisa0:\n%s", table)
		}
		p := snap.Pairs[i]
		if p.Link != model.LinkUnscheduled || p.ServerName != "" || p.Health == model.Critical ||
			!slices.Contains(rulesOf(p), "info "+model.RuleUnscheduled) || slices.Contains(rulesOf(p), "warning "+model.RuleServerMissing) {
			t.Errorf("irisa0: paired by %q to %q, health %s, findings %v", p.Link, p.ServerName, p.Health, rulesOf(p))
		}
		if countPair(table, "irisa0", "(unscheduled)") != 1 || strings.Contains(table, "(no server)") {
			t.Errorf("table:\n%s", table)
		}
	})
}
