package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/static"
)

// faultApp shows a copy of the fixture with the watch state changed by mod, at now.
func faultApp(t *testing.T, now time.Time, mod func(s *model.Snapshot)) *App {
	t.Helper()
	snap := *loadFixture(t).Snapshot()
	snap.Watch.Access = map[string]model.Access{}
	mod(&snap)
	a := newTestApp(t, static.New(&snap, nil), "dark", 160, 40)
	a.c.now = func() time.Time { return now }
	return a
}

func TestHeaderWhileDisconnected(t *testing.T) {
	down := fixtureTime.Add(-3 * time.Minute)
	a := faultApp(t, fixtureTime.Add(time.Second), func(s *model.Snapshot) {
		s.Watch.Connected, s.Watch.DisconnectedSince = false, down
		s.Watch.LastError = "dial tcp 10.0.0.1:6443: connect: connection refused"
	})
	out := screen(a)
	// The engine rebuilt the snapshot a second ago, but the pairs are as of the outage.
	for _, want := range []string{"✗ disconnected since 09:23:40: dial tcp", "! data 3m1s old", "15 pairs"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "iris") {
		t.Errorf("the last pairs are not shown while disconnected:\n%s", out)
	}

	// Connected again: the age follows the snapshot only.
	a = faultApp(t, fixtureTime.Add(time.Second), func(s *model.Snapshot) {})
	if out := screen(a); strings.Contains(out, "! data") || strings.Contains(out, "disconnected") {
		t.Errorf("connected screen shows an outage:\n%s", out)
	}
}

func TestMissingCRDsAreNamed(t *testing.T) {
	a := faultApp(t, fixtureTime, func(s *model.Snapshot) {
		s.Pairs, s.Events = nil, nil
		s.Watch.Access = map[string]model.Access{
			model.ResourceModels: model.AccessNotInstalled, model.ResourceServers: model.AccessNotInstalled,
			model.ResourceHPAs: model.AccessOK, model.ResourceEvents: model.AccessForbidden,
		}
	})
	press(a, "e") // the events pane
	out := screen(a)
	for _, want := range []string{
		"! Seldon CRDs models.mlops.seldon.io, servers.mlops.seldon.io not installed, events forbidden",
		"the Seldon CRDs (models.mlops.seldon.io, servers.mlops.seldon.io) are not installed",
		"events forbidden: twinscale may not list and watch events here",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	var b bytes.Buffer
	if err := WriteTable(&b, a.c.rows.snap, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Seldon CRDs models.mlops.seldon.io, servers.mlops.seldon.io not installed") {
		t.Errorf("snapshot table does not name the missing CRDs:\n%s", b.String())
	}
}

func TestForbiddenCellsAndUnpairedHPARows(t *testing.T) {
	snap := &model.Snapshot{Taken: fixtureTime, Watch: model.WatchState{Synced: true, Connected: true,
		Access: map[string]model.Access{model.ResourceStatefulSets: model.AccessForbidden}}}
	snap.Pairs = []model.Pair{
		{Key: "ns/iris", Namespace: "ns", ModelName: "iris", ServerName: "iris-server",
			ModelDesired: model.Known(2), ModelReady: model.Known(2),
			ServerDesired: model.Known(2), ServerReady: model.UnknownCount(model.UnknownForbidden)},
		{Key: "ns/hpa:web", Namespace: "ns", Shape: []model.ShapeFlag{model.ShapeHPAUnknownTarget},
			ModelHPA:     &model.HPA{Meta: model.Meta{Namespace: "ns", Name: "web"}, Target: model.CrossRef{Kind: "Rollout", Name: "web"}},
			ModelDesired: model.UnknownCount(model.UnknownNoModel), ModelReady: model.UnknownCount(model.UnknownNoModel)},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, snap, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"! statefulsets forbidden", "2/2  2/forbidden", "HPA web  Rollout web", "!hpa-kind?"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestHeaderPrometheusStates(t *testing.T) {
	tests := []struct {
		name string
		mod  func(p *model.PromState)
		want string
		not  string
	}{
		{"bad query is not down", func(p *model.PromState) {
			p.Failures, p.BadQuery, p.LastSuccess = 1, true, time.Time{}
			p.LastError = "bad query: parse error: unexpected identifier (the infer_rps query)"
		}, "✗ prometheus: bad query: parse error", "prometheus down"},
		{"warning is shown, not ok", func(p *model.PromState) {
			p.Warning = "query returns no namespace/model labels (3 series)"
		}, "! prometheus: query returns no namespace/model labels", "prometheus ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := faultApp(t, fixtureTime.Add(time.Second), func(s *model.Snapshot) {
				s.Prom.Configured = true
				tt.mod(&s.Prom)
			})
			out := screen(a)
			if !strings.Contains(out, tt.want) || strings.Contains(out, tt.not) {
				t.Errorf("header: want %q and no %q:\n%s", tt.want, tt.not, out)
			}
		})
	}
}

func TestHeaderNeverAllGoodWhileBlind(t *testing.T) {
	tests := []struct {
		name string
		mod  func(w *model.WatchState)
		want string
	}{
		{"API server answers 500", func(w *model.WatchState) {
			w.Failing = []string{"API server answers 500 to list models in all namespaces: Internal Server Error"}
		}, "✗ API server answers 500 to list models"},
		{"not synced", func(w *model.WatchState) { w.Synced = false }, "? no verdict: not synced yet"},
		{"models forbidden", func(w *model.WatchState) { w.Access[model.ResourceModels] = model.AccessForbidden }, "? no verdict: models forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := faultApp(t, fixtureTime.Add(time.Second), func(s *model.Snapshot) {
				s.Pairs = nil
				tt.mod(&s.Watch)
			})
			out := screen(a)
			if !strings.Contains(out, tt.want) || strings.Contains(out, "no alerts") {
				t.Errorf("header: want %q and no \"no alerts\":\n%s", tt.want, out)
			}
		})
	}
}
