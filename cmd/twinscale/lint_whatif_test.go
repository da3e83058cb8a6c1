package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/traffic"
)

// hpaYAML renders an HPA the way a user's manifest spells it, with the Server's scale-up policy given.
func hpaYAML(h *model.HPA, scaleUp string) string {
	m := h.Metrics[0]
	return fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %s
  namespace: %s
spec:
  scaleTargetRef:
    apiVersion: mlops.seldon.io/v1alpha1
    kind: %s
    name: %s
  minReplicas: %d
  maxReplicas: %d
  metrics:
  - type: Object
    object:
      metric:
        name: %s
      describedObject:
        apiVersion: mlops.seldon.io/v1alpha1
        kind: Model
        name: %s
      target:
        type: AverageValue
        averageValue: "%g"
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
      - %s
---
`, h.Name, h.Namespace, h.Target.Kind, h.Target.Name, h.MinReplicas, h.MaxReplicas, m.Name, m.DescribedObject.Name, m.Target, scaleUp)
}

// TestLintWhatif: a manifest change that slows the Server's scale-up fails the PR check on the
// recorded traffic (exit 1, the pair marked WORSE); one that speeds it up passes.
func TestLintWhatif(t *testing.T) {
	isolate(t)
	rec := blueGreenRecording(t)
	in, _, err := traffic.FromRecording(rec, "seldon-mesh/recsys-ranker-green", 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, serverPolicy string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, hpaYAML(in.ModelHPA, "{type: Pods, value: 1, periodSeconds: 180}")+hpaYAML(in.ServerHPA, serverPolicy))
		return p
	}
	faster := write("faster.yaml", "{type: Pods, value: 2, periodSeconds: 30}")
	slower := write("slower.yaml", "{type: Pods, value: 1, periodSeconds: 600}")

	code, out, errOut := runCLI(t, "lint", "--fail-on", "critical", "--whatif", rec, faster)
	if code != exitOK || !strings.Contains(out, "whatif ok seldon-mesh/recsys-ranker-green: ScheduleFailed") {
		t.Fatalf("faster policy: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "lint", "--fail-on", "critical", "--whatif", rec, slower)
	if code != exitFindings || !strings.Contains(out, "whatif WORSE seldon-mesh/recsys-ranker-green") ||
		!strings.Contains(errOut, "1 pair spend longer in ScheduleFailed") {
		t.Fatalf("slower policy: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Manifests for no recorded pair are a usage error, not a silent pass.
	other := filepath.Join(dir, "other.yaml")
	writeFile(t, other, strings.ReplaceAll(hpaYAML(in.ServerHPA, "{type: Pods, value: 1, periodSeconds: 60}"), "seldon-mesh", "elsewhere"))
	if code, _, errOut := runCLI(t, "lint", "--whatif", rec, other); code != exitError || !strings.Contains(errOut, "no pair of the recording has an HPA") {
		t.Fatalf("unrelated manifests: exit %d, stderr %q", code, errOut)
	}
}
