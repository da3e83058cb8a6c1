// Package kube watches a Kubernetes cluster for Seldon Models and Servers, their HPAs,
// the StatefulSets and Deployments that run Servers, and the Events about them, and
// projects what it sees into the plain types of package model.
//
// Informer event handlers only bump a version counter: they never block and never do
// I/O. Readers poll Version and call Inventory, which projects the informer caches
// without touching the network. Objects are trimmed at ingest (Transform), and every
// request goes through a read-only transport (ReadOnly): twinscale never writes.
package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	appsinformers "k8s.io/client-go/informers/apps/v1"
	autoscalinginformers "k8s.io/client-go/informers/autoscaling/v2"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/twinscale/twinscale/model"
	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// ListKinds maps the Seldon resources to their list kinds, as client-go's fake dynamic
// client needs them (dynamicfake.NewSimpleDynamicClientWithCustomListKinds).
var ListKinds = map[schema.GroupVersionResource]string{gvr.Models: "ModelList", gvr.Servers: "ServerList"}

// ServerWorkloadSelector selects the StatefulSets and Deployments Seldon creates for Servers.
const ServerWorkloadSelector = "app.kubernetes.io/name=seldon-server"

// EventKinds are the involvedObject kinds whose Events are watched, one informer each.
var EventKinds = []string{"HorizontalPodAutoscaler", model.KindModel, model.KindServer}

// resources lists every watched resource, in the order WatchState counts them.
var resources = []string{
	model.ResourceModels, model.ResourceServers, model.ResourceStatefulSets,
	model.ResourceDeployments, model.ResourceHPAs, model.ResourceEvents,
}

// Defaults for Options.
const (
	DefaultRecheck        = 30 * time.Second
	DefaultForbiddenRetry = 5 * time.Minute
)

// Options configure a Watcher.
type Options struct {
	// Namespaces to watch; empty means all namespaces.
	Namespaces []string
	// Context and Cluster name the kubeconfig context and cluster, for the header.
	Context, Cluster string
	// Resync is the informers' resync period; zero disables resync.
	Resync time.Duration
	// Recheck is how often discovery is asked whether the Seldon CRDs have been
	// installed, while they are not (default 30 s).
	Recheck time.Duration
	// ForbiddenRetry is how long a resource the API server refused (403) stays
	// unwatched before it is tried again (default 5 min), so RBAC changes are picked up
	// without a retry storm.
	ForbiddenRetry time.Duration
	// Log receives one line per kind of failure the API server answers; nil means slog.Default().
	Log *slog.Logger
}

// Watcher watches the cluster through informers and hands out Inventories.
type Watcher struct {
	dyn   dynamic.Interface
	cs    kubernetes.Interface
	disco discovery.DiscoveryInterface
	opts  Options
	// observed is true when a transport reports connectivity (New); false for clients
	// built elsewhere (NewForClients), where Connected follows the informers.
	observed bool

	version atomic.Uint64
	proj    *projector

	mu                sync.Mutex
	ctx               context.Context
	started           bool
	informers         []*resInformer
	crdState          map[string]model.Access // models, servers: until their informers start
	connected         bool
	disconnectedSince time.Time
	lastError         string
	// failing holds, per resource, why the API server refuses to list it (its status code and
	// message), until that resource syncs; logged remembers which kinds of failure were logged.
	failing map[string]string
	logged  map[string]bool
}

// resInformer is one informer for one resource in one namespace.
type resInformer struct {
	resource  string
	namespace string
	part      string // the Event kind for event informers
	newFn     func() cache.SharedIndexInformer

	informer  cache.SharedIndexInformer
	cancel    context.CancelFunc
	stopped   bool // stopped on purpose (forbidden or not found)
	access    model.Access
	stoppedAt time.Time
}

// New builds a Watcher for a cluster. The config is copied and wrapped so that every
// request is read-only and its outcome drives the connection state.
func New(cfg *rest.Config, opts Options) (*Watcher, error) {
	if cfg == nil {
		return nil, errors.New("kube: no client config")
	}
	w := &Watcher{opts: opts, observed: true}
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 && cfg.Burst == 0 {
		// Start-up lists one informer per resource and namespace; client-go's default
		// 5 QPS would make a multi-namespace start crawl.
		cfg.QPS, cfg.Burst = 50, 100
	}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return connObserver{next: rt, observed: w.observe}
	})
	cfg.Wrap(ReadOnly)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	disco, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	w.init(dyn, cs, disco)
	return w, nil
}

// NewForClients builds a Watcher over existing clients (the demo's fake clientsets run
// the same informer code this way). A nil discovery client means the Seldon CRDs are
// assumed installed.
func NewForClients(dyn dynamic.Interface, cs kubernetes.Interface, disco discovery.DiscoveryInterface, opts Options) *Watcher {
	w := &Watcher{opts: opts}
	w.init(dyn, cs, disco)
	return w
}

func (w *Watcher) init(dyn dynamic.Interface, cs kubernetes.Interface, disco discovery.DiscoveryInterface) {
	w.dyn, w.cs, w.disco = dyn, cs, disco
	w.proj = newProjector()
	if w.opts.Recheck <= 0 {
		w.opts.Recheck = DefaultRecheck
	}
	if w.opts.ForbiddenRetry <= 0 {
		w.opts.ForbiddenRetry = DefaultForbiddenRetry
	}
	w.opts.Namespaces = slices.Clone(w.opts.Namespaces)
	if w.opts.Log == nil {
		w.opts.Log = slog.Default()
	}
	w.failing, w.logged = map[string]string{}, map[string]bool{}
	w.crdState = map[string]model.Access{
		model.ResourceModels:  model.AccessUnknown,
		model.ResourceServers: model.AccessUnknown,
	}
	w.connected = true
}

// namespaces returns the namespaces to watch; "" is all.
func (w *Watcher) namespaces() []string {
	if len(w.opts.Namespaces) == 0 {
		return []string{metav1.NamespaceAll}
	}
	return w.opts.Namespaces
}

// Start starts the informers and returns at once. The Seldon informers start when
// discovery shows the CRDs, which is checked in the background and rechecked
// periodically while they are missing.
func (w *Watcher) Start(ctx context.Context) {
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return
	}
	w.started, w.ctx = true, ctx
	for _, ns := range w.namespaces() {
		w.startLocked(w.typedInformers(ns)...)
	}
	if w.disco == nil {
		for _, r := range []string{model.ResourceModels, model.ResourceServers} {
			w.crdState[r] = model.AccessOK
			for _, ns := range w.namespaces() {
				w.startLocked(w.seldonInformer(r, ns))
			}
		}
	}
	w.mu.Unlock()
	go w.maintain(ctx)
}

// maintain checks discovery for the Seldon CRDs until both are installed, and retries
// forbidden resources after ForbiddenRetry.
func (w *Watcher) maintain(ctx context.Context) {
	w.checkCRDs(ctx)
	t := time.NewTicker(w.opts.Recheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.checkCRDs(ctx)
			w.retryStopped()
		}
	}
}

// checkCRDs starts the Model and Server informers once discovery lists them.
func (w *Watcher) checkCRDs(ctx context.Context) {
	if w.disco == nil {
		return
	}
	w.mu.Lock()
	need := w.crdState[model.ResourceModels] != model.AccessOK || w.crdState[model.ResourceServers] != model.AccessOK
	w.mu.Unlock()
	if !need || ctx.Err() != nil {
		return
	}
	list, err := w.disco.ServerResourcesForGroupVersion(gvr.SeldonGroupVersion.String())
	found := map[string]bool{}
	switch {
	case err == nil:
		for _, r := range list.APIResources {
			found[r.Name] = true
		}
	case apierrors.IsNotFound(err):
		// The group is not served: the CRDs are not installed.
	default:
		err = fmt.Errorf("discovery of %s: %w", gvr.SeldonGroupVersion, err)
		var status apierrors.APIStatus
		if errors.As(err, &status) {
			// The Seldon informers cannot start before discovery answers: say why for both.
			st := status.Status()
			msg := fmt.Sprintf("API server answers %d to discovery of %s", st.Code, gvr.SeldonGroupVersion)
			if st.Message != "" {
				msg += ": " + st.Message
			}
			kind := fmt.Sprintf("discovery %d", st.Code)
			w.mu.Lock()
			w.failing[model.ResourceModels], w.failing[model.ResourceServers] = msg, msg
			first := !w.logged[kind]
			w.logged[kind] = true
			w.mu.Unlock()
			if first {
				w.opts.Log.Warn("API server refuses a request", "resource", gvr.SeldonGroupVersion.String(), "verb", "discovery",
					"code", st.Code, "reason", string(st.Reason), "message", st.Message)
			}
			err = errors.New(msg)
		}
		w.recordError(err, "")
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	changed := false
	for _, r := range []string{model.ResourceModels, model.ResourceServers} {
		if w.crdState[r] == model.AccessOK {
			continue
		}
		if !found[r] {
			if w.crdState[r] != model.AccessNotInstalled {
				w.crdState[r] = model.AccessNotInstalled
				changed = true
				slog.Info("seldon CRD not installed; will recheck", "resource", r+"."+model.SeldonGroup, "every", w.opts.Recheck)
			}
			continue
		}
		w.crdState[r], changed = model.AccessOK, true
		// Drop the informers of an earlier installation (stopped, or about to fail).
		w.informers = slices.DeleteFunc(w.informers, func(ri *resInformer) bool {
			if ri.resource != r {
				return false
			}
			if ri.cancel != nil {
				ri.cancel()
			}
			return true
		})
		for _, ns := range w.namespaces() {
			w.startLocked(w.seldonInformer(r, ns))
		}
	}
	if changed {
		w.version.Add(1)
	}
}

// retryStopped restarts informers stopped as forbidden once ForbiddenRetry has passed.
func (w *Watcher) retryStopped() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ri := range w.informers {
		if ri.stopped && ri.access == model.AccessForbidden && time.Since(ri.stoppedAt) >= w.opts.ForbiddenRetry {
			w.runLocked(ri)
		}
	}
}

// typedInformers builds the informers of one namespace for the built-in resources.
func (w *Watcher) typedInformers(ns string) []*resInformer {
	resync := w.opts.Resync
	byLabel := func(o *metav1.ListOptions) { o.LabelSelector = ServerWorkloadSelector }
	out := []*resInformer{
		{resource: model.ResourceHPAs, namespace: ns, newFn: func() cache.SharedIndexInformer {
			return autoscalinginformers.NewFilteredHorizontalPodAutoscalerInformer(w.cs, ns, resync, cache.Indexers{}, nil)
		}},
		{resource: model.ResourceStatefulSets, namespace: ns, newFn: func() cache.SharedIndexInformer {
			return appsinformers.NewFilteredStatefulSetInformer(w.cs, ns, resync, cache.Indexers{}, byLabel)
		}},
		{resource: model.ResourceDeployments, namespace: ns, newFn: func() cache.SharedIndexInformer {
			return appsinformers.NewFilteredDeploymentInformer(w.cs, ns, resync, cache.Indexers{}, byLabel)
		}},
	}
	for _, kind := range EventKinds {
		selector := "involvedObject.kind=" + kind
		out = append(out, &resInformer{resource: model.ResourceEvents, namespace: ns, part: kind,
			newFn: func() cache.SharedIndexInformer {
				return coreinformers.NewFilteredEventInformer(w.cs, ns, resync, cache.Indexers{},
					func(o *metav1.ListOptions) { o.FieldSelector = selector })
			}})
	}
	return out
}

// seldonInformer builds the dynamic informer for Models or Servers in one namespace.
func (w *Watcher) seldonInformer(resource, ns string) *resInformer {
	res := gvr.SeldonGroupVersion.WithResource(resource)
	return &resInformer{resource: resource, namespace: ns, newFn: func() cache.SharedIndexInformer {
		return dynamicinformer.NewFilteredDynamicInformer(w.dyn, res, ns, w.opts.Resync, cache.Indexers{}, nil).Informer()
	}}
}

// startLocked registers and runs informers; w.mu is held.
func (w *Watcher) startLocked(ris ...*resInformer) {
	for _, ri := range ris {
		w.informers = append(w.informers, ri)
		w.runLocked(ri)
	}
}

// runLocked (re)creates an informer and runs it until the watcher's context ends or it
// is stopped on purpose; w.mu is held.
func (w *Watcher) runLocked(ri *resInformer) {
	inf := ri.newFn()
	kind := ""
	switch ri.resource {
	case model.ResourceModels:
		kind = model.KindModel
	case model.ResourceServers:
		kind = model.KindServer
	}
	// The transform and error handler must be set before the informer runs.
	_ = inf.SetTransform(func(obj any) (any, error) {
		if u, ok := obj.(*unstructured.Unstructured); ok && kind != "" && u.GetKind() == "" {
			u.SetKind(kind)
		}
		t, err := Transform(obj)
		if err != nil {
			return nil, err
		}
		return compact(t), nil
	})
	_ = inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		w.watchError(ri, err)
	})
	bump := func(obj any) {
		w.proj.touch(ri.resource, obj)
		w.version.Add(1)
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    bump,
		UpdateFunc: func(_, obj any) { bump(obj) },
		DeleteFunc: bump,
	})
	ctx, cancel := context.WithCancel(w.ctx)
	ri.informer, ri.cancel, ri.stopped, ri.access = inf, cancel, false, ""
	go inf.RunWithContext(ctx)
	w.version.Add(1)
}

// watchError classifies an informer's list or watch error: a 403 stops that informer
// and marks the resource forbidden, a 404 on a Seldon resource means its CRD went away,
// an expired resource version is routine, and anything the server did not answer
// means the connection is down.
func (w *Watcher) watchError(ri *resInformer, err error) {
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, context.Canceled),
		apierrors.IsResourceExpired(err), apierrors.IsGone(err):
		return
	case apierrors.IsForbidden(err):
		w.answered(ri, err)
		w.stop(ri, model.AccessForbidden)
		slog.Warn("watch forbidden; not retrying for a while", "resource", ri.resource, "namespace", ri.namespace,
			"retryAfter", w.opts.ForbiddenRetry)
		w.recordError(err, "")
	case apierrors.IsNotFound(err) && (ri.resource == model.ResourceModels || ri.resource == model.ResourceServers):
		w.stop(ri, model.AccessNotInstalled)
		w.mu.Lock()
		w.crdState[ri.resource] = model.AccessNotInstalled
		w.mu.Unlock()
		w.recordError(err, "")
	default:
		var status apierrors.APIStatus
		if errors.As(err, &status) || errors.Is(err, io.ErrUnexpectedEOF) {
			// The server answered (or a watch stream broke off): still connected.
			if status != nil {
				err = w.answered(ri, err)
			}
			w.recordError(err, "")
			return
		}
		w.recordError(err, "disconnected")
	}
}

// answered records that the API server answered a list or watch of ri's resource with an error
// status, in words for the header ("API server answers 500 to list models: ..."), logs the first of
// each kind (resource, verb and code), and returns the error with that text.
func (w *Watcher) answered(ri *resInformer, err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err
	}
	st := status.Status()
	verb := "watch"
	if strings.Contains(err.Error(), "failed to list") {
		verb = "list"
	}
	what := ri.resource
	if ri.namespace != "" {
		what += " in " + ri.namespace
	}
	msg := fmt.Sprintf("API server answers %d to %s %s", st.Code, verb, what)
	if st.Message != "" {
		msg += ": " + st.Message
	}
	kind := fmt.Sprintf("%s %s %d", verb, ri.resource, st.Code)
	w.mu.Lock()
	w.failing[ri.resource] = msg
	first := !w.logged[kind]
	w.logged[kind] = true
	w.mu.Unlock()
	if first {
		w.opts.Log.Warn("API server refuses a request", "resource", ri.resource, "namespace", ri.namespace,
			"verb", verb, "code", st.Code, "reason", string(st.Reason), "message", st.Message)
	}
	return errors.New(msg)
}

// stop cancels one informer on purpose and records why.
func (w *Watcher) stop(ri *resInformer, access model.Access) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ri.cancel != nil {
		ri.cancel()
	}
	ri.stopped, ri.access, ri.stoppedAt = true, access, time.Now()
	w.version.Add(1)
}

// recordError keeps the last error for the header; how == "disconnected" also marks
// the connection down.
func (w *Watcher) recordError(err error, how string) {
	w.mu.Lock()
	w.lastError = err.Error()
	if how == "disconnected" && (w.connected || !w.observed) {
		if w.connected {
			w.disconnectedSince = time.Now()
		}
		w.connected = false
	}
	w.mu.Unlock()
	w.version.Add(1)
	slog.Debug("watch error", "err", err, "state", how)
}

// observe is called by the transport after every request: any answer from the API
// server means connected, a transport error means disconnected.
func (w *Watcher) observe(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil && !w.connected:
		w.connected, w.disconnectedSince = true, time.Time{}
		w.version.Add(1)
	case err != nil && !errors.Is(err, ErrReadOnly) && w.connected:
		w.connected, w.disconnectedSince, w.lastError = false, time.Now(), err.Error()
		w.version.Add(1)
	}
}

// WaitForSync blocks until every watched resource has synced or is known to be
// unreadable (forbidden, not installed), or ctx ends.
func (w *Watcher) WaitForSync(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if w.State().Synced {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for cache sync: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// Version changes whenever an informer saw a change or the watch state changed.
func (w *Watcher) Version() uint64 { return w.version.Load() }

// accessLocked computes each resource's access; w.mu is held.
func (w *Watcher) accessLocked() (access map[string]model.Access, synced map[string]bool) {
	access = make(map[string]model.Access, len(resources))
	synced = make(map[string]bool, len(resources))
	for _, r := range resources {
		synced[r] = true
	}
	seen := map[string]bool{}
	for _, ri := range w.informers {
		seen[ri.resource] = true
		a := model.AccessOK
		switch {
		case ri.stopped:
			a = ri.access
			synced[ri.resource] = false
		case !ri.informer.HasSynced():
			a = model.AccessUnknown
			synced[ri.resource] = false
		}
		access[ri.resource] = worseAccess(access[ri.resource], a)
	}
	for _, r := range resources {
		if !seen[r] {
			synced[r] = false
			if a, ok := w.crdState[r]; ok {
				access[r] = a
			} else {
				access[r] = model.AccessUnknown
			}
		}
	}
	return access, synced
}

// worseAccess keeps the more limiting of two access states across namespaces.
func worseAccess(a, b model.Access) model.Access {
	rank := map[model.Access]int{"": 0, model.AccessOK: 1, model.AccessUnknown: 2, model.AccessNotInstalled: 3, model.AccessForbidden: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// State reports the watch state for the header.
func (w *Watcher) State() model.WatchState {
	w.mu.Lock()
	defer w.mu.Unlock()
	access, synced := w.accessLocked()
	st := model.WatchState{
		Context:           w.opts.Context,
		Cluster:           w.opts.Cluster,
		Namespaces:        slices.Clone(w.opts.Namespaces),
		TotalKinds:        len(resources),
		Connected:         w.connected,
		DisconnectedSince: w.disconnectedSince,
		LastError:         w.lastError,
		Access:            access,
	}
	settled := 0
	for _, r := range resources {
		if synced[r] {
			delete(w.failing, r)
		} else if msg, ok := w.failing[r]; ok {
			st.Failing = append(st.Failing, msg)
		}
		if synced[r] {
			st.SyncedKinds++
			settled++
		} else if a := access[r]; a == model.AccessForbidden || a == model.AccessNotInstalled {
			settled++
		}
	}
	st.Synced = w.started && settled == len(resources)
	if !w.observed && !w.connected && st.SyncedKinds == len(resources) {
		st.Connected = true // fake or external clients: synced informers mean data flows
	}
	return st
}

// Inventory projects everything in the informer caches. It reads only memory, and
// projects again only the objects the informers saw change (see projector).
func (w *Watcher) Inventory() model.Inventory {
	w.mu.Lock()
	sources := make([]source, 0, len(w.informers))
	for _, ri := range w.informers {
		if !ri.stopped {
			sources = append(sources, source{ri.resource, ri.part, ri.informer.GetStore()})
		}
	}
	access, _ := w.accessLocked()
	w.mu.Unlock()

	inv := model.Inventory{Access: access}
	w.proj.inventory(&inv, sources)
	return inv
}
