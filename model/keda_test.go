package model

import (
	"strings"
	"testing"
	"time"
)

// TestKEDAPauseOf reads KEDA's pause annotations as KEDA does: paused-replicas pauses at its
// count (and wins), paused pauses when true and unpauses when false.
func TestKEDAPauseOf(t *testing.T) {
	for _, tc := range []struct {
		paused   string
		want     bool
		replicas int32
		hasN     bool
		text     string
	}{
		{"", false, 0, false, ""},
		{KEDAPaused + "=true", true, 0, false, "paused by KEDA (autoscaling.keda.sh/paused: true): the replicas stay as they are"},
		{KEDAPaused + "=false", false, 0, false, ""},
		{KEDAPaused + "=yes", false, 0, false, ""},
		{KEDAPausedReplicas + "=2", true, 2, true, "paused by KEDA (autoscaling.keda.sh/paused-replicas: 2): held at 2 replicas"},
		{KEDAPausedReplicas + "=0", true, 0, true, "held at 0 replicas"},
		{KEDAPausedReplicas + "=two", true, 0, false, "paused by KEDA (autoscaling.keda.sh/paused-replicas: two)"},
	} {
		k := KEDAPauseOf(&HPA{Paused: tc.paused})
		if k.Paused != tc.want || k.Replicas != tc.replicas || k.HasReplicas != tc.hasN || !strings.Contains(k.Text(), tc.text) || (tc.text == "" && k.Text() != "") {
			t.Errorf("%q: %+v, text %q", tc.paused, k, k.Text())
		}
	}
}

// TestPausedKEDAIsNotForecastOrFlagged: a KEDA HPA paused at 2 (min = max = 2, as KEDA
// pins it) whose metric asks for 5 is held, not "at max", not overdue, and its forecast
// says why; unpaused, the same HPA is at max.
func TestPausedKEDAIsNotForecastOrFlagged(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	mk := func(paused string) Pair {
		h := &HPA{Meta: Meta{Namespace: "ns", Name: "keda-hpa-iris"}, Target: CrossRef{Kind: KindModel, Name: "iris"},
			MinReplicas: 2, MaxReplicas: 2, CurrentReplicas: 2, DesiredReplicas: 2, Paused: paused,
			Owner: CrossRef{Kind: "ScaledObject", Name: "iris"},
			Metrics: []MetricTarget{{Type: "Object", Name: "infer_rps", TargetType: "AverageValue", Target: 3,
				DescribedObject: CrossRef{Kind: KindModel, Name: "iris"}}},
			CurrentMetrics: []MetricValue{{Type: "Object", Name: "infer_rps", AverageValue: 3.75, HasAverage: true}}}
		return Pair{Key: "ns/iris", Namespace: "ns", ModelName: "iris", ModelHPA: h, ModelDesired: Known(2), ModelReady: Known(2)}
	}
	a := NewAnalyzer()
	for _, tc := range []struct {
		paused   string
		atMax    bool
		forecast string
	}{
		{"", true, ""},
		{KEDAPausedReplicas + "=2", false, "paused by KEDA (autoscaling.keda.sh/paused-replicas: 2): held at 2 replicas"},
	} {
		ps := []Pair{mk(tc.paused)}
		for i := 0; i < 3; i++ {
			a.Apply(now.Add(time.Duration(i)*SyncPeriod), ps)
		}
		p := ps[0]
		atMax := false
		for _, f := range p.Findings {
			if f.Rule == RuleAtMax {
				atMax = true
			}
		}
		if atMax != tc.atMax || (tc.forecast != "" && (p.ModelForecast == nil || !strings.Contains(p.ModelForecast.Text, tc.forecast) || p.ModelForecast.Overdue)) {
			t.Errorf("paused %q: at max %v, forecast %+v, findings %v", tc.paused, atMax, p.ModelForecast, p.Findings)
		}
	}
}
