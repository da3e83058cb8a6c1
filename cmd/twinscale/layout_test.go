package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportBoundaries keeps the design card's promises: model is pure (standard library
// only), and neither ui nor themes nor the watch interface reach client-go or the
// Prometheus client.
func TestImportBoundaries(t *testing.T) {
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/twinscale/twinscale/"
	for _, d := range deps(mod + "model") {
		if d != mod+"model" {
			t.Errorf("model imports %s: it must use the standard library only", d)
		}
	}
	for _, pkg := range []string{"ui", "themes", "watch"} {
		for _, d := range deps(mod + pkg) {
			if strings.HasPrefix(d, "k8s.io/") || strings.HasPrefix(d, "github.com/prometheus/") || strings.HasPrefix(d, mod+"watch/kube") || strings.HasPrefix(d, mod+"watch/prom") {
				t.Errorf("%s imports %s: only watch's subpackages talk to the cluster and Prometheus", pkg, d)
			}
		}
	}
}
