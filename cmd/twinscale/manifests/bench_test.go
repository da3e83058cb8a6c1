package manifests

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeBigManifest writes a `kustomize build`-like stream of about size bytes: per pair a
// Model, a Server, their two HPAs, and the Deployment, ConfigMap and Service that real
// overlays carry around them (most of the bytes, none of them lint's business).
func writeBigManifest(tb testing.TB, path string, size int) (pairs int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	blob := strings.Repeat("x", 60)
	written := 0
	for i := 0; written < size; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, `apiVersion: mlops.seldon.io/v1alpha1
kind: Model
metadata:
  name: model-%[1]d
  namespace: team-%[2]d
  labels: {app.kubernetes.io/part-of: recsys, tier: serving}
spec:
  memory: 3M
  replicas: 1
  requirements: [sklearn]
  server: server-%[1]d
  storageUri: gs://seldon-models/testing/model-%[1]d
---
apiVersion: mlops.seldon.io/v1alpha1
kind: Server
metadata:
  name: server-%[1]d
  namespace: team-%[2]d
spec:
  serverConfig: mlserver
  replicas: 1
`, i, i%20)
		for _, side := range []struct{ kind, name, target string }{{"Model", "model", "model"}, {"Server", "server", "server"}} {
			fmt.Fprintf(&b, `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %[2]s-%[1]d-hpa
  namespace: team-%[3]d
spec:
  scaleTargetRef:
    apiVersion: mlops.seldon.io/v1alpha1
    kind: %[4]s
    name: %[5]s-%[1]d
  minReplicas: 1
  maxReplicas: 8
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 60
      policies:
      - type: Pods
        value: 5
        periodSeconds: 90
  metrics:
  - type: Object
    object:
      metric:
        name: infer_rps
      describedObject:
        apiVersion: mlops.seldon.io/v1alpha1
        kind: Model
        name: model-%[1]d
      target:
        type: AverageValue
        averageValue: 3
`, i, side.name, i%20, side.kind, side.target)
		}
		fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway-%[1]d
  namespace: team-%[2]d
  labels: {app: gateway-%[1]d}
spec:
  replicas: 2
  selector: {matchLabels: {app: gateway-%[1]d}}
  template:
    metadata: {labels: {app: gateway-%[1]d}}
    spec:
      containers:
      - name: gateway
        image: registry.example.com/gateway:1.2.3
        ports: [{containerPort: 8080}]
        env:
`, i, i%20)
		for e := 0; e < 20; e++ {
			fmt.Fprintf(&b, "        - {name: SETTING_%d, value: %q}\n", e, blob)
		}
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-%[1]d
  namespace: team-%[2]d
data:
`, i, i%20)
		for e := 0; e < 20; e++ {
			fmt.Fprintf(&b, "  key%d: %s\n", e, blob)
		}
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: Service
metadata:
  name: gateway-%[1]d
  namespace: team-%[2]d
spec:
  selector: {app: gateway-%[1]d}
  ports: [{port: 80, targetPort: 8080}]
---
`, i, i%20)
		n, _ := w.WriteString(b.String())
		written += n
		pairs++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return pairs
}

// peakHeap samples the live heap until stop is called, which returns the highest sample.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkLint50MB lints a 50 MB manifest as `twinscale lint FILE` does (read, pair, lint,
// print). Besides time and allocated bytes it reports the peak live heap, which is what
// bounding memory is about (issue 13 item 17).
func BenchmarkLint50MB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.yaml")
	pairs := writeBigManifest(b, path, 50<<20)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		runtime.GC()
		stop := peakHeap()
		s, err := Load([]string{path}, nil)
		if err != nil {
			b.Fatal(err)
		}
		r := Lint(s, "default")
		if err := WriteText(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
		if r.Pairs != pairs || len(r.Errors) != 0 {
			b.Fatalf("%d pairs (want %d), errors %v", r.Pairs, pairs, r.Errors[:min(3, len(r.Errors))])
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
