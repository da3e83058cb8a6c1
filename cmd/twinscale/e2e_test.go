package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
	"github.com/twinscale/twinscale/watch/traffic/traffictest"
)

func TestMain(m *testing.M) {
	code := kubetest.Main(m)
	traffictest.RemoveShared()
	os.Exit(code)
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds cmd/twinscale once per test run, as a user would run it.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "twinscale-e2e")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "twinscale")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("go build: %s", out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build twinscale: %v", buildErr)
	}
	return builtBin
}

// TestSnapshotAgainstAPIServerAndPrometheus runs the built binary in snapshot mode against
// the real API server and a real Prometheus, as an on-call engineer would.
func TestSnapshotAgainstAPIServerAndPrometheus(t *testing.T) {
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateModel(t, ns, "irisa0", "mlserver", 3)
	env.CreateServer(t, ns, "mlserver", 2)
	env.CreateStatefulSet(t, ns, "mlserver", 2)
	env.SetStatefulSetReady(t, ns, "mlserver", 2)
	env.SetModelStatus(t, ns, "irisa0", kubetest.ModelStatus{Replicas: 3, Available: 2, Selector: "server=mlserver",
		State: "ScheduleFailed", Reason: "Failed to schedule model as no matching server had enough suitable replicas"})
	env.CreateHPA(t, ns, "irisa0-model-hpa", kubetest.HPASpec("Model", "irisa0", "irisa0", 1, 3, "3"))
	env.CreateHPA(t, ns, "mlserver-server-hpa", kubetest.HPASpec("Server", "mlserver", "irisa0", 1, 2, "3"))

	exp := promtest.NewExporter(t)
	exp.Set(promtest.Model{Namespace: ns, Name: "irisa0", Server: "mlserver", Pods: 2, RPS: 6, LatencySec: 0.05})
	p := promtest.Start(t, promtest.Config{Targets: []string{exp.Addr}})

	bin := binary(t)
	kubeconfig := kubetest.WriteKubeconfig(t, env.Config, "envtest", ns, "")
	logFile := filepath.Join(t.TempDir(), "twinscale.log")
	args := []string{"snapshot", "--kubeconfig", kubeconfig, "-n", ns, "--log-file", logFile,
		"--prometheus-url", p.URL, "--rate-window", "5s", "--poll-interval", "1s", "-o", "json"}

	var snap model.Snapshot
	var last string
	live := func() bool {
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			last = err.Error() + ": " + errOut.String()
			return false
		}
		snap = model.Snapshot{}
		if err := json.Unmarshal(out.Bytes(), &snap); err != nil {
			last = err.Error()
			return false
		}
		last = out.String()
		// The exporter's counters start with the test: rate() settles once its window is full.
		return len(snap.Pairs) == 1 && snap.Pairs[0].Metric.Known && math.Abs(snap.Pairs[0].Metric.RPS-6)/6 <= 0.1
	}
	// Prometheus needs a few scrapes before rate() has an answer; each try is a fresh run.
	for deadline := time.Now().Add(90 * time.Second); !live(); {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot with RPS 6 ± 10%% within 90s; last output:\n%s", last)
		}
	}

	pair := snap.Pairs[0]
	if pair.Key != ns+"/irisa0" || pair.ServerName != "mlserver" {
		t.Fatalf("pair = %s → %s", pair.Key, pair.ServerName)
	}
	if pair.ModelDesired != model.Known(3) || pair.ModelReady != model.Known(2) ||
		pair.ServerDesired != model.Known(2) || pair.ServerReady != model.Known(2) {
		t.Fatalf("replicas: model %+v/%+v server %+v/%+v", pair.ModelDesired, pair.ModelReady, pair.ServerDesired, pair.ServerReady)
	}
	if pair.ScheduleFailed == nil || pair.ScheduleFailed.Transient {
		t.Fatalf("ScheduleFailed with Server HPA max 2 below Model desired 3 must be structural: %+v", pair.ScheduleFailed)
	}
	if pair.Metric.Target != 3 || !snap.Watch.Synced || snap.Prom.LastSuccess.IsZero() {
		t.Fatalf("target %v, watch %+v, prometheus %+v", pair.Metric.Target, snap.Watch, snap.Prom)
	}

	// The same picture as a table, plain because stdout is not a terminal.
	out, err := exec.Command(bin, append(args[:len(args)-2], "-o", "table")...).Output()
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); countPair(s, "irisa0", "mlserver") != 1 || !strings.Contains(s, "3/2") || strings.Contains(s, "\x1b") {
		t.Fatalf("table:\n%s", s)
	}
}
