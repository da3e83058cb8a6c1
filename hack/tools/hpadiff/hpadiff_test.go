// Package hpadiff is the differential test of twinscale's HPA maths (model.DecideScale and
// HPAMemory) against the real HorizontalController of k8s.io/kubernetes v1.37.2, driven with
// the same random sequences of syncs on virtual time (testing/synctest).
package hpadiff

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-logr/logr"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/klog/v2"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func TestMain(m *testing.M) {
	// The controller logs every rescale; thousands of sequences would flood the output.
	klog.SetLogger(logr.Discard())
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	// The default error handlers rate-limit with a clock started outside any bubble, so inside
	// one (virtual time from 2000) they would sleep for decades; errors are only logged.
	utilruntime.ErrorHandlers = nil
	os.Exit(m.Run())
}

// maxMismatchRate is the share of sequences allowed to disagree (issue 12: ≥ 99.99% agree).
const maxMismatchRate = 0.0001

// TestAgainstController compares desired replicas (each rescale, and status.desiredReplicas)
// and the ScalingLimited reason after every sync of every sequence. A failing sequence is
// printed with its seed: HPADIFF_SEED=<seed> HPADIFF_SEQUENCES=1 replays it alone.
// HPADIFF_SEQUENCES sets how many run (default 2000), HPADIFF_SEED the first seed (default 1;
// sequence i uses seed+i), so every run is deterministic.
func TestAgainstController(t *testing.T) {
	n := envInt("HPADIFF_SEQUENCES", 2000)
	first := uint64(envInt("HPADIFF_SEED", 1))
	start := time.Now()
	var syncs, failed int
	for i := range n {
		seq := newSequence(first + uint64(i))
		out := runSequence(t, seq)
		syncs += out.syncs
		if out.mismatch != "" {
			failed++
			if failed <= 20 {
				t.Logf("seed %d (%s): %s", seq.seed, describe(seq), out.mismatch)
			}
		}
	}
	took := time.Since(start)
	t.Logf("%d sequences, %d syncs in %s: %.0f sequences/s, %.0f syncs/s; %d disagree (%.4f%%)",
		n, syncs, took.Round(time.Millisecond), float64(n)/took.Seconds(), float64(syncs)/took.Seconds(),
		failed, 100*float64(failed)/float64(max(n, 1)))
	if float64(failed) > maxMismatchRate*float64(n) {
		t.Errorf("%d of %d sequences disagree with the controller (more than %.2f%%)", failed, n, 100*maxMismatchRate)
	}
}

func describe(s sequence) string {
	edits, outside := 0, 0
	for _, st := range s.steps {
		if st.edit != nil {
			edits++
		}
		if st.setReplicas >= 0 {
			outside++
		}
	}
	b := "legacy"
	if s.spec.behavior != nil {
		b = "behavior"
	}
	return fmt.Sprintf("%s target %dm min %d max %d %s, %d steps, %d edits, %d outside changes, lagStatus %v",
		s.spec.kind, s.spec.targetMilli, s.spec.minR, s.spec.maxR, b, len(s.steps), edits, outside, s.lagStatus)
}
