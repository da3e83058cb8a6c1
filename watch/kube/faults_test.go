package kube_test

// Fault tests: the watcher and the engine against a real kube-apiserver whose connection
// the test cuts (a TCP proxy) or whose process it restarts. The dashboard must keep the
// last pairs, say since when it is disconnected, reconnect by itself and then match the
// cluster, changes made during the outage included.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/ui"
	"github.com/twinscale/twinscale/watch"
	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/kube/gvr"
	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

// recovery bounds reconnection: client-go's reflectors back off up to 30 s between
// attempts, so a long outage may take that long to notice it is over.
const recovery = 60 * time.Second

// synced bounds the first sync and changes seen over a healthy connection.
const synced = 30 * time.Second

// session is a watcher and the engine over it, as cmd/twinscale runs them.
type session struct {
	w       *kube.Watcher
	engine  *watch.Engine
	counter *kube.RequestCounter
	relists atomic.Int64
}

// relistCounter counts full lists: plain LISTs, and the watches that start with every
// object (sendInitialEvents, client-go's streaming list). A resumed watch is neither.
type relistCounter struct {
	next http.RoundTripper
	n    *atomic.Int64
}

func (r relistCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	verb := kube.RequestVerb(req)
	if verb == kube.VerbList || (verb == kube.VerbWatch && req.URL.Query().Get("sendInitialEvents") == "true") {
		r.n.Add(1)
	}
	return r.next.RoundTrip(req)
}

// startSession runs a watcher on ns through cfg, with the engine refreshing every 20 ms.
func startSession(t *testing.T, cfg *rest.Config, ns string) *session {
	t.Helper()
	return startSessionWith(t, cfg, kube.Options{Namespaces: []string{ns}, Context: "envtest"})
}

// startSessionWith is startSession with the watcher's options.
func startSessionWith(t *testing.T, cfg *rest.Config, opts kube.Options) *session {
	t.Helper()
	cfg = rest.CopyConfig(cfg)
	s := &session{counter: &kube.RequestCounter{}}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return kube.CountingTransport(rt, s.counter) })
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return relistCounter{next: rt, n: &s.relists} })
	var err error
	if s.w, err = kube.New(cfg, opts); err != nil {
		t.Fatal(err)
	}
	s.engine = watch.NewEngine(s.w, watch.EngineOptions{Interval: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	s.w.Start(ctx)
	go func() { defer close(done); s.engine.Run(ctx) }()
	return s
}

// eventually waits until cond holds for the engine's snapshot and returns that snapshot.
func (s *session) eventually(t *testing.T, timeout time.Duration, what string, cond func(snap *model.Snapshot) bool) *model.Snapshot {
	t.Helper()
	var last *model.Snapshot
	kubetest.Eventually(t, timeout, func() bool {
		last = s.engine.Snapshot()
		return cond(last)
	}, what, ": ", lazy(func() string { return describe(last) }))
	return last
}

// lazy is a failure message computed only when printed.
type lazy func() string

func (l lazy) String() string { return l() }

// describe summarises a snapshot for failure messages.
func describe(snap *model.Snapshot) string {
	if snap == nil {
		return "no snapshot"
	}
	var b strings.Builder
	b.WriteString("watch ")
	b.WriteString(strings.ReplaceAll(strings.TrimSpace(tableOf(snap)), "\n", " | "))
	return b.String()
}

// tableOf renders the snapshot as `twinscale snapshot` prints it.
func tableOf(snap *model.Snapshot) string {
	var b bytes.Buffer
	if err := ui.WriteTable(&b, snap, nil, time.UTC); err != nil {
		return err.Error()
	}
	return b.String()
}

// modelDesired is a pair's Model desired replicas, -1 when unknown or absent.
func modelDesired(snap *model.Snapshot, key string) int32 {
	p, ok := snap.Pair(key)
	if !ok || !p.ModelDesired.Known {
		return -1
	}
	return p.ModelDesired.Value
}

// checkDisconnected waits for the snapshot to say the watch is down, and checks it keeps
// the last pairs and renders "disconnected since".
func checkDisconnected(t *testing.T, s *session, since time.Time, keys map[string]int32) *model.Snapshot {
	t.Helper()
	snap := s.eventually(t, recovery, "snapshot says disconnected", func(snap *model.Snapshot) bool {
		return !snap.Watch.Connected && !snap.Watch.DisconnectedSince.IsZero()
	})
	if snap.Watch.DisconnectedSince.Before(since.Add(-time.Second)) {
		t.Errorf("disconnected since %v, before the outage began at %v", snap.Watch.DisconnectedSince, since)
	}
	for key, desired := range keys {
		if got := modelDesired(snap, key); got != desired {
			t.Errorf("during the outage %s shows model desired %d, want the last known %d", key, got, desired)
		}
	}
	table := tableOf(snap)
	if want := "disconnected since " + snap.Watch.DisconnectedSince.UTC().Format("15:04:05"); !strings.Contains(table, want) {
		t.Errorf("rendered snapshot lacks %q:\n%s", want, table)
	}
	return snap
}

func TestFaultConnectionCut(t *testing.T) {
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 1)
	env.CreateReadyPair(t, ns, "old", 2)
	proxy, cfg := kubetest.ProxyConfig(t, env.Config)
	s := startSession(t, cfg, ns)
	iris, old, fresh := ns+"/iris", ns+"/old", ns+"/fresh"
	s.eventually(t, synced, "both pairs synced", func(snap *model.Snapshot) bool {
		return snap.Watch.Synced && snap.Watch.Connected && modelDesired(snap, iris) == 1 && modelDesired(snap, old) == 2
	})
	relistsBefore := s.relists.Load()

	cut := time.Now()
	proxy.Cut()
	// The cluster moves on while twinscale cannot see it.
	env.Scale(t, gvr.Models, ns, "iris", 3)
	env.Delete(t, gvr.Models, ns, "old")
	env.CreateReadyPair(t, ns, "fresh", 2)
	snap := checkDisconnected(t, s, cut, map[string]int32{iris: 1, old: 2})
	if _, ok := snap.Pair(fresh); ok {
		t.Error("a pair created during the outage appeared while disconnected")
	}
	if snap.Watch.LastError == "" {
		t.Error("no error recorded for the outage")
	}

	proxy.Restore()
	snap = s.eventually(t, recovery, "reconnected and caught up", func(snap *model.Snapshot) bool {
		_, hasOld := snap.Pair(old)
		return snap.Watch.Connected && snap.Watch.DisconnectedSince.IsZero() &&
			modelDesired(snap, iris) == 3 && !hasOld && modelDesired(snap, fresh) == 2
	})
	if strings.Contains(tableOf(snap), "disconnected") {
		t.Errorf("still rendered as disconnected after recovery:\n%s", tableOf(snap))
	}
	if c := s.counter.Counts(); c[kube.VerbWrite] != 0 {
		t.Errorf("write requests: %v", c)
	}
	t.Logf("requests: %v, relists after the cut: %d", s.counter.Counts(), s.relists.Load()-relistsBefore)
}

// TestFaultAPIServerRestart restarts kube-apiserver (etcd and its data stay) while the
// watcher is cut off and the cluster changes: the new API server's watch cache starts
// after the watcher's last resource version, so the watch has expired and the informers
// must relist to catch up.
func TestFaultAPIServerRestart(t *testing.T) {
	env := kubetest.Shared(t)
	ns := env.Namespace(t)
	env.CreateReadyPair(t, ns, "iris", 1)
	env.CreateReadyPair(t, ns, "old", 1)
	proxy, cfg := kubetest.ProxyConfig(t, env.Config)
	s := startSession(t, cfg, ns)
	iris, old, fresh := ns+"/iris", ns+"/old", ns+"/fresh"
	s.eventually(t, synced, "pairs synced", func(snap *model.Snapshot) bool {
		return snap.Watch.Synced && modelDesired(snap, iris) == 1 && modelDesired(snap, old) == 1
	})
	relistsBefore := s.relists.Load()

	cut := time.Now()
	proxy.Cut()
	env.Scale(t, gvr.Models, ns, "iris", 4)
	env.Delete(t, gvr.Models, ns, "old")
	checkDisconnected(t, s, cut, map[string]int32{iris: 1, old: 1})

	env.StopAPIServer(t)
	env.StartAPIServer(t)
	env.CreateReadyPair(t, ns, "fresh", 3)
	proxy.Restore()
	s.eventually(t, recovery, "caught up after the restart", func(snap *model.Snapshot) bool {
		_, hasOld := snap.Pair(old)
		return snap.Watch.Connected && modelDesired(snap, iris) == 4 && !hasOld && modelDesired(snap, fresh) == 3
	})
	// Every informer (8) found its watch expired and listed again.
	if relists := s.relists.Load() - relistsBefore; relists < 8 {
		t.Errorf("%d relists after the restart, want one per informer (8)", relists)
	}
	t.Logf("requests: %v, relists after the restart: %d", s.counter.Counts(), s.relists.Load()-relistsBefore)

	// A plain restart, the watcher connected directly through the proxy: it notices
	// the server is gone and comes back on its own.
	stopped := time.Now()
	env.StopAPIServer(t)
	checkDisconnected(t, s, stopped, map[string]int32{iris: 4, fresh: 3})
	env.StartAPIServer(t)
	env.Scale(t, gvr.Models, ns, "fresh", 1)
	s.eventually(t, recovery, "reconnected after a plain restart", func(snap *model.Snapshot) bool {
		return snap.Watch.Connected && modelDesired(snap, fresh) == 1 && modelDesired(snap, iris) == 4
	})
}

// TestFaultCRDsInstalledLater starts without the Seldon CRDs: the snapshot names them as
// missing, and once they are installed the pairs appear without a restart. It removes
// the shared API server's CRDs and installs them again before it ends.
func TestFaultCRDsInstalledLater(t *testing.T) {
	env := kubetest.Shared(t)
	env.UninstallCRDs(t)
	installed := false
	t.Cleanup(func() {
		if !installed {
			env.InstallCRDs(t)
		}
	})
	ns := env.Namespace(t)
	s := startSessionWith(t, env.Config, kube.Options{Namespaces: []string{ns}, Recheck: 100 * time.Millisecond})
	snap := s.eventually(t, synced, "synced without the CRDs", func(snap *model.Snapshot) bool {
		return snap.Watch.Synced && snap.Watch.Access[model.ResourceModels] == model.AccessNotInstalled &&
			snap.Watch.Access[model.ResourceServers] == model.AccessNotInstalled
	})
	const named = "Seldon CRDs models.mlops.seldon.io, servers.mlops.seldon.io not installed"
	if table := tableOf(snap); !strings.Contains(table, named) || len(snap.Pairs) != 0 {
		t.Errorf("snapshot without CRDs: want %q and no pairs:\n%s", named, table)
	}

	env.InstallCRDs(t)
	installed = true
	env.CreateReadyPair(t, ns, "iris", 2)
	snap = s.eventually(t, synced, "pair after the CRDs were installed", func(snap *model.Snapshot) bool {
		p, ok := snap.Pair(ns + "/iris")
		return ok && p.Server != nil && p.ModelDesired == model.Known(2) &&
			snap.Watch.Access[model.ResourceModels] == model.AccessOK && snap.Watch.SyncedKinds == 6
	})
	if table := tableOf(snap); strings.Contains(table, "not installed") {
		t.Errorf("still says not installed:\n%s", table)
	}
}

// TestFaultAPIServerAnswersErrors puts a front end before the API server that answers 500 (or
// 403) to everything: the header must give the reason at once, never a complete-looking empty
// list, and the log one line per kind of failure; once requests pass again the pairs appear.
func TestFaultAPIServerAnswersErrors(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusForbidden} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			env := kubetest.Shared(t)
			ns := env.Namespace(t)
			env.CreateReadyPair(t, ns, "iris", 1)
			proxy, cfg := kubetest.AnswerProxyConfig(t, env.Config)
			proxy.Answer(code)
			var logs syncBuffer
			s := startSessionWith(t, cfg, kube.Options{Namespaces: []string{ns}, Context: "envtest", ForbiddenRetry: time.Second,
				Log: slog.New(slog.NewTextHandler(&logs, nil))})
			// Discovery comes first: the Seldon informers cannot start without it.
			want := fmt.Sprintf("API server answers %d to discovery of mlops.seldon.io/v1alpha1: stand-in front end says %s", code, http.StatusText(code))
			snap := s.eventually(t, synced, "the refusal named", func(snap *model.Snapshot) bool {
				return slices.Contains(snap.Watch.Failing, want)
			})
			if blind := snap.Watch.Blind(); blind == "" {
				t.Errorf("Blind() is empty while every request fails: %+v", snap.Watch)
			}
			if len(snap.Pairs) != 0 {
				t.Errorf("pairs while nothing can be read: %v", snap.Pairs)
			}
			s.eventually(t, synced, "every resource refused", func(snap *model.Snapshot) bool {
				return len(snap.Watch.Failing) == 6
			})
			lines := []string{fmt.Sprintf("resource=mlops.seldon.io/v1alpha1 verb=discovery code=%d", code)}
			for _, res := range []string{"horizontalpodautoscalers", "statefulsets", "deployments", "events"} {
				lines = append(lines, fmt.Sprintf("resource=%s namespace=%s verb=list code=%d", res, ns, code))
			}
			for _, line := range lines {
				if n := strings.Count(logs.String(), line); n != 1 {
					t.Errorf("%d log lines with %q, want 1:\n%s", n, line, logs.String())
				}
			}

			proxy.Answer(0)
			snap = s.eventually(t, recovery, "synced once requests pass", func(snap *model.Snapshot) bool {
				return snap.Watch.Synced && modelDesired(snap, ns+"/iris") == 1
			})
			if len(snap.Watch.Failing) != 0 || snap.Watch.Blind() != "" {
				t.Errorf("still failing after recovery: %+v", snap.Watch)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
