package kube

import (
	"encoding/json"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"

	"github.com/twinscale/twinscale/model"
)

// FuzzProjectHPA decodes arbitrary HPAs (any kind of target, any metric types, odd
// quantities, replicas and conditions), projects them as the twin HPAs of a pair and
// runs the whole snapshot pipeline over them twice: join, HPA maths, forecasts, skew,
// findings. Nothing may panic, and every projection problem is "path: what".
func FuzzProjectHPA(f *testing.F) {
	addFixtureSeeds(f, "hpa-")
	f.Fuzz(func(t *testing.T, data []byte) {
		var h autoscalingv2.HorizontalPodAutoscaler
		if json.Unmarshal(data, &h) != nil {
			return
		}
		h.Namespace = "ns"
		hpa := ProjectHPA(&h)
		checkProblems(t, hpa.Problems)
		twin := hpa
		twin.Name += "-twin"
		twin.Target = model.CrossRef{APIVersion: "mlops.seldon.io/v1alpha1", Kind: model.KindServer, Name: "iris-server"}
		two := int32(2)
		inv := model.Inventory{
			Models: []model.SeldonModel{{Meta: model.Meta{Namespace: "ns", Name: "iris"}, Server: "iris-server", Replicas: &two,
				StatusReplicas: 2, AvailableReplicas: 1}},
			Servers: []model.SeldonServer{{Meta: model.Meta{Namespace: "ns", Name: "iris-server"}, Replicas: &two, StatusReplicas: 2}},
			Workloads: []model.Workload{{Meta: model.Meta{Namespace: "ns", Name: "iris-server", Labels: map[string]string{"seldon-server-name": "iris-server"}},
				Kind: "StatefulSet", Replicas: 2, ReadyReplicas: 1}},
			HPAs: []model.HPA{hpa, twin},
		}
		tr := model.NewTracker(model.TrackerOptions{Metrics: true})
		at := time.Unix(1_700_000_000, 0)
		tr.RecordPoll(model.MetricsPoll{At: at, Samples: map[string]model.MetricSample{"ns/iris": {RPS: 7.5}}})
		for i := range 2 {
			snap := tr.Build(at.Add(time.Duration(i)*15*time.Second), inv, model.WatchState{Synced: true, Connected: true})
			if len(snap.Pairs) == 0 {
				t.Fatal("no pairs")
			}
		}
	})
}
