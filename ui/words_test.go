package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
)

// TestSkewWithoutTwoDecisions: a pair whose HPAs have not both decided a size shows "–"
// and says why, never "=" and "both HPAs want the same size" (issue 13 item 9).
func TestSkewWithoutTwoDecisions(t *testing.T) {
	hpa := func(desired int32) *model.HPA { return &model.HPA{DesiredReplicas: desired, CurrentReplicas: desired} }
	disabled := hpa(0)
	disabled.Conditions = []model.Condition{{Type: "ScalingActive", Status: "False", Reason: "ScalingDisabled",
		Message: "scaling is disabled since the replica count of the target is zero"}}
	snap := &model.Snapshot{Taken: time.Unix(1000, 0)}
	for _, tc := range []struct {
		name           string
		mh, sh         *model.HPA
		skew           model.Skew
		cell, sentence string
	}{
		{"no Server HPA", hpa(4), nil, model.Skew{}, "–", "– no Server HPA"},
		{"no Model HPA", nil, hpa(4), model.Skew{}, "–", "– no Model HPA"},
		{"no HPAs", nil, nil, model.Skew{}, "–", "– no HPAs"},
		{"Model HPA at 0", disabled, hpa(2), model.Skew{}, "–",
			"– the Model HPA wants 0 replicas: scaling is disabled since the replica count of the target is zero"},
		{"Server HPA not synced", hpa(2), hpa(0), model.Skew{}, "–", "– the Server HPA wants 0 replicas: it has not decided yet"},
		{"same size", hpa(2), hpa(2), model.Skew{Measured: true}, "=", "= both HPAs want the same size"},
		{"apart", hpa(3), hpa(2), model.Skew{Measured: true, DesiredDiff: 1, DifferentSince: time.Unix(990, 0), Resting: true},
			"~+1 10s", "~ Model HPA wants +1 vs the Server HPA for 10s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &model.Pair{ModelHPA: tc.mh, ServerHPA: tc.sh, Skew: tc.skew}
			if cell, _ := skewCell(p, snap); cell != tc.cell {
				t.Errorf("cell %q, want %q", cell, tc.cell)
			}
			if got := skewText(p, snap.Taken); !strings.HasPrefix(got, tc.sentence) {
				t.Errorf("detail %q, want it to start %q", got, tc.sentence)
			}
		})
	}
}

// TestModelDesiredUnset: a Model without spec.replicas shows Seldon's default with the
// reason, and the HPA's own 0, rather than a bare "1 desired" (issue 13 item 9).
func TestModelDesiredUnset(t *testing.T) {
	two := int32(2)
	for _, tc := range []struct {
		name     string
		replicas *int32
		hpa      *model.HPA
		want     string
	}{
		{"set", &two, &model.HPA{CurrentReplicas: 2, DesiredReplicas: 2}, "2 desired / 2 available"},
		{"unset with HPA", nil, &model.HPA{}, "1 desired (spec.replicas unset: Seldon's default; the Model HPA reads 0 and scales nothing) / 1 available"},
		{"unset without HPA", nil, nil, "1 desired (spec.replicas unset: Seldon's default) / 1 available"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			desired := model.Known(1)
			if tc.replicas != nil {
				desired = model.Known(*tc.replicas)
			}
			p := &model.Pair{Model: &model.SeldonModel{Replicas: tc.replicas}, ModelHPA: tc.hpa, ModelDesired: desired, ModelReady: desired}
			if got := modelCountWords(p); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestForecastLimitOnce: a forecast whose text already names its limit does not repeat
// it after "; limited:" (issue 13 item 5).
func TestForecastLimitOnce(t *testing.T) {
	h := &model.HPA{CurrentReplicas: 3, DesiredReplicas: 3}
	stab := "scale-down stabilization 5m (highest recent recommendation 3)"
	for _, tc := range []struct {
		name string
		f    model.Forecast
		want string
	}{
		{"named in the text", model.Forecast{Text: "stays at 3: 2 rps / 3 per replica = 1; held by " + stab, Limited: stab},
			"stays at 3: 2 rps / 3 per replica = 1; held by " + stab},
		{"not in the text", model.Forecast{Text: "stays at 3", Limited: "maxReplicas 3"}, "stays at 3; limited: maxReplicas 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forecastText(&tc.f, h); got != tc.want {
				t.Errorf("forecastText = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestHeaderWords: the header's counts are plural where they should be, and "prometheus
// off" carries no dot of its own next to the separator's (issue 13 item 5).
func TestHeaderWords(t *testing.T) {
	for n, want := range map[int]string{0: "no match", 1: "1 match", 15: "15 matches"} {
		if got := matchCount(n); got != want {
			t.Errorf("matchCount(%d) = %q, want %q", n, got, want)
		}
	}
	if got := promSeg(&model.Snapshot{}).text; got != "prometheus off" {
		t.Errorf("promSeg(off) = %q, want %q", got, "prometheus off")
	}
}

// TestSnapshotAlertCounts: `twinscale snapshot`'s summary names only the alert levels that
// have pairs: no "✗ 0 critical" (issue 13 item 5), and "✓ no alerts" only when the pairs could
// be read.
func TestSnapshotAlertCounts(t *testing.T) {
	read := model.WatchState{Synced: true, Connected: true}
	warn := model.Pair{Key: "ns/a", Namespace: "ns", ModelName: "a", Health: model.Warning}
	ok := model.Pair{Key: "ns/b", Namespace: "ns", ModelName: "b", Health: model.Healthy}
	for _, tc := range []struct {
		name      string
		watch     model.WatchState
		pairs     []model.Pair
		want, not []string
	}{
		{"one warning", read, []model.Pair{warn, ok}, []string{"2 pairs · ! 1 warning ·"}, []string{"critical", "no alerts"}},
		{"none", read, []model.Pair{ok}, []string{"1 pair · ✓ no alerts ·"}, []string{"critical", "warning"}},
		{"not synced", model.WatchState{Connected: true}, nil, []string{"? no verdict"}, []string{"critical", "no alerts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteTable(&b, &model.Snapshot{Taken: time.Unix(1000, 0), Watch: tc.watch, Pairs: tc.pairs}, nil, time.UTC); err != nil {
				t.Fatal(err)
			}
			head, _, _ := strings.Cut(b.String(), "\n")
			checkText(t, "summary", head, tc.want, tc.not)
		})
	}
}
