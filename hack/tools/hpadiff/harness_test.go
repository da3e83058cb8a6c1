package hpadiff

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	scalefake "k8s.io/client-go/scale/fake"
	core "k8s.io/client-go/testing"
	"k8s.io/kubernetes/pkg/controller/podautoscaler"
	metricsclient "k8s.io/kubernetes/pkg/controller/podautoscaler/metrics"
	cmapi "k8s.io/metrics/pkg/apis/custom_metrics/v1beta2"
	cmfake "k8s.io/metrics/pkg/client/custom_metrics/fake"

	"github.com/twinscale/twinscale/model"
)

// world is the cluster the real controller sees: the target's scale and the metric, set by
// the sequence, and a log of every sync the controller made (read through its scale GET).
type world struct {
	mu      sync.Mutex
	spec    int32
	status  int32
	rps     float64
	hpa     model.HPA // the spec the controller reads at its next sync, as twinscale sees it
	syncs   []syncLog
	pending int32 // lagStatus: the spec .status.replicas takes at the next step
}

// syncLog is one reconcile of the real controller: its inputs and whether it rescaled.
type syncLog struct {
	at           time.Time
	spec, status int32
	rps          float64
	hpa          model.HPA
	rescaled     bool
	to           int32
}

// outcome is the comparison of one sequence.
type outcome struct {
	syncs    int
	mismatch string // the first disagreement; "" when every sync agreed
}

// runSequence drives the real HorizontalController and model.DecideScale/HPAMemory with seq,
// inside a synctest bubble, and compares them after every sync.
func runSequence(t *testing.T, seq sequence) (out outcome) {
	synctest.Test(t, func(t *testing.T) {
		out = drive(t, seq)
	})
	return out
}

func drive(t *testing.T, seq sequence) outcome {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &world{spec: seq.start, status: seq.start, hpa: seq.spec.model()}
	w.pending = seq.start

	client := fake.NewSimpleClientset(seq.spec.api())
	events := fake.NewSimpleClientset()
	scales := &scalefake.FakeScaleClient{}
	scales.AddReactor("get", "*", func(core.Action) (bool, runtime.Object, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.syncs = append(w.syncs, syncLog{at: time.Now(), spec: w.spec, status: w.status, rps: w.rps, hpa: w.hpa})
		return true, &autoscalingv1.Scale{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: modelName},
			Spec:       autoscalingv1.ScaleSpec{Replicas: w.spec},
			Status:     autoscalingv1.ScaleStatus{Replicas: w.status, Selector: "server=mlserver"},
		}, nil
	})
	scales.AddReactor("update", "*", func(a core.Action) (bool, runtime.Object, error) {
		sc := a.(core.UpdateAction).GetObject().(*autoscalingv1.Scale)
		w.mu.Lock()
		defer w.mu.Unlock()
		last := &w.syncs[len(w.syncs)-1]
		last.rescaled, last.to = true, sc.Spec.Replicas
		w.spec = sc.Spec.Replicas
		if !seq.lagStatus {
			w.status = sc.Spec.Replicas
		}
		return true, sc, nil
	})
	cm := &cmfake.FakeCustomMetricsClient{}
	cm.AddReactor("get", "*", func(a core.Action) (bool, runtime.Object, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if math.IsNaN(w.rps) {
			return true, nil, errors.New("no metric for the described object")
		}
		// prometheus-adapter's conversion of the Prometheus sample.
		return true, &cmapi.MetricValueList{Items: []cmapi.MetricValue{{
			Metric:    cmapi.MetricIdentifier{Name: "infer_rps"},
			Timestamp: metav1.Now(),
			Value:     *resource.NewMilliQuantity(int64(w.rps*1000.0), resource.DecimalSI),
		}}}, nil
	})
	gv := schema.GroupVersion{Group: "mlops.seldon.io", Version: "v1alpha1"}
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{gv})
	mapper.Add(gv.WithKind("Model"), meta.RESTScopeNamespace)
	mapper.Add(gv.WithKind("Server"), meta.RESTScopeNamespace)

	factory := informers.NewSharedInformerFactory(client, 0)
	hc := podautoscaler.NewHorizontalController(ctx, events.CoreV1(), scales, client.AutoscalingV2(), mapper,
		metricsclient.NewRESTMetricsClient(nil, cm, nil),
		factory.Autoscaling().V2().HorizontalPodAutoscalers(), factory.Core().V1().Pods(),
		model.SyncPeriod, model.DefaultDownscaleStabilization, model.DefaultTolerance, 5*time.Minute, 30*time.Second)

	setStep := func(st step) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.rps = st.rps
		if seq.lagStatus {
			w.status, w.pending = w.pending, w.spec
		}
		if st.setReplicas >= 0 {
			w.spec = st.setReplicas
			if !seq.lagStatus {
				w.status = st.setReplicas
			}
		}
	}
	// The metric the first sync reads.
	setStep(step{rps: seq.steps[0].rps, setReplicas: -1})

	factory.Start(ctx.Done())
	synctest.Wait()
	go hc.Run(ctx, 1)

	c := newChecker()
	for i := range seq.steps {
		// The sync at 15 s × i has happened; act off the grid, 5 s later.
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if msg := c.drain(ctx, w, client); msg != "" {
			return outcome{syncs: c.n, mismatch: msg}
		}
		if i+1 < len(seq.steps) {
			next := seq.steps[i+1]
			setStep(next)
			if next.edit != nil {
				if err := edit(ctx, client, w, *next.edit); err != nil {
					t.Fatalf("seed %d: edit: %v", seq.seed, err)
				}
				synctest.Wait() // the informer delivers the edit; the controller syncs at once
				if msg := c.drain(ctx, w, client); msg != "" {
					return outcome{syncs: c.n, mismatch: msg}
				}
			}
		}
		time.Sleep(10 * time.Second)
	}
	cancel()
	synctest.Wait()
	return outcome{syncs: c.n}
}

// edit changes the HPA's spec as kubectl would; the API server bumps its generation.
func edit(ctx context.Context, client *fake.Clientset, w *world, s spec) error {
	hpas := client.AutoscalingV2().HorizontalPodAutoscalers(namespace)
	cur, err := hpas.Get(ctx, hpaName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	next := s.api()
	cur.Spec = next.Spec
	cur.Generation++
	w.mu.Lock()
	w.hpa = s.model()
	w.mu.Unlock()
	_, err = hpas.Update(ctx, cur, metav1.UpdateOptions{})
	return err
}

// checker replays each logged sync through the model and compares.
type checker struct {
	mem     model.HPAMemory
	n       int
	desired int32  // status.desiredReplicas the model expects
	limited string // the ScalingLimited reason the model expects
}

func newChecker() *checker { return &checker{} }

func (c *checker) drain(ctx context.Context, w *world, client *fake.Clientset) string {
	w.mu.Lock()
	logs := w.syncs[c.n:]
	w.mu.Unlock()
	if len(logs) == 0 {
		return ""
	}
	for _, s := range logs {
		c.n++
		d := model.DecideScale(s.hpa, model.Scale{Spec: s.spec, Status: s.status}, s.rps, &c.mem, s.at)
		c.mem.Record(s.at, d, s.spec)
		if d.Rescale != s.rescaled || (s.rescaled && d.Desired != s.to) {
			return fmt.Sprintf("sync %d at %s (spec %d status %d, %.4f rps): controller rescaled=%v to %d, model rescale=%v to %d (%s)",
				c.n, s.at.Format("15:04:05"), s.spec, s.status, s.rps, s.rescaled, s.to, d.Rescale, d.Desired, d.Limit)
		}
		if d.ScalingActive != model.ReasonFailedGetObjectMetric {
			c.desired = d.Desired
		}
		if d.ScalingLimitedReason != "" {
			c.limited = d.ScalingLimitedReason
		}
	}
	h, err := client.AutoscalingV2().HorizontalPodAutoscalers(namespace).Get(ctx, hpaName, metav1.GetOptions{})
	if err != nil {
		return "reading the HPA: " + err.Error()
	}
	last := logs[len(logs)-1]
	if h.Status.DesiredReplicas != c.desired {
		return fmt.Sprintf("sync %d at %s: status.desiredReplicas %d, model %d", c.n, last.at.Format("15:04:05"), h.Status.DesiredReplicas, c.desired)
	}
	if got := limitedReason(h); got != c.limited {
		return fmt.Sprintf("sync %d at %s: ScalingLimited reason %q, model %q", c.n, last.at.Format("15:04:05"), got, c.limited)
	}
	return ""
}

func limitedReason(h *autoscalingv2.HorizontalPodAutoscaler) string {
	for _, c := range h.Status.Conditions {
		if c.Type == autoscalingv2.ScalingLimited {
			return c.Reason
		}
	}
	return ""
}
