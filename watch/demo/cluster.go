package demo

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/dynamic"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes"
	kubefake "k8s.io/client-go/kubernetes/fake"
	kubescheme "k8s.io/client-go/kubernetes/scheme"
	k8stesting "k8s.io/client-go/testing"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// KubeVersion is the version the simulated API server reports.
const KubeVersion = "v1.37.2"

// leadIn is traffic simulated before the HPAs start, so the rate window is full
// and the custom metrics API knows every series by the time they first sync.
const leadIn = 3 * time.Minute

// maxStep bounds one wall-clock tick of Run, so a suspended laptop does not make
// the simulation jump hours at once.
const maxStep = 10 * time.Second

// Cluster is a simulated Seldon Core 2 cluster on a virtual clock: Models, Servers,
// their workloads, two HPAs per pair and Events, written into client-go fake
// clientsets, plus the Prometheus counters of every Model.
type Cluster struct {
	opts  Options
	begin time.Time // first simulated instant (traffic starts)
	start time.Time // the story's zero (Options.Start)

	mu    sync.Mutex // guards everything below
	sched scheduler
	pairs []*pair
	byKey map[string]*pair // namespace/model

	rev       *revision
	dyn       *dynamicfake.FakeDynamicClient
	kube      *kubefake.Clientset
	dynStore  *store
	kubeStore *store
	stored    map[string]bool // gvr|ns|name already created
	events    eventLog
}

// New builds the cluster for the options and simulates Options.History of virtual
// time, so that metrics history, HPA decisions and Events exist from the start.
func New(opts Options) (*Cluster, error) {
	opts = opts.withDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	specs, err := scenario(opts)
	if err != nil {
		return nil, err
	}
	c := &Cluster{
		opts:   opts,
		start:  opts.Start,
		begin:  opts.Start.Add(-opts.History - leadIn),
		byKey:  map[string]*pair{},
		stored: map[string]bool{},
		rev:    &revision{},
	}
	c.sched.now = c.begin
	c.newClients()
	for i, s := range specs {
		if _, dup := c.byKey[s.namespace+"/"+s.model]; dup {
			return nil, fmt.Errorf("demo: scenario %q defines model %s/%s twice", opts.Scenario, s.namespace, s.model)
		}
		c.addPair(i, s)
	}
	c.putAPIServices()
	c.sched.every(c.begin.Add(7*time.Second), time.Second, c.trafficTick)
	c.sched.every(c.begin.Add(23*time.Second), AdapterRelist, c.relist)
	c.sched.every(c.begin.Add(time.Minute), time.Minute, c.pruneEvents)
	c.sched.advance(c.start)
	return c, nil
}

func (c *Cluster) addPair(i int, s pairSpec) {
	seed := c.opts.Seed
	key := s.namespace + "/" + s.model
	p := &pair{
		c:         c,
		spec:      s,
		created:   c.begin.Add(-s.age),
		modelUID:  uid(seed, "Model", s.namespace, s.model),
		serverUID: uid(seed, "Server", s.namespace, s.server),
		rng:       stream(seed, "delays/"+key),
		noise:     noise{r: stream(seed, "noise/"+key), sigma: s.noise},
		series:    series{retention: c.opts.History + leadIn + 10*time.Minute},
	}
	// Prometheus scrapes each target on its own offset within the interval.
	p.scrapeOffset = time.Duration(stream(seed, "scrape/"+key).Int64N(int64(ScrapeInterval)))
	c.pairs = append(c.pairs, p)
	c.byKey[key] = p
	if s.deployAt > 0 {
		c.sched.at(c.start.Add(s.deployAt), func() {
			p.deploy()
			c.startLoops(p, c.sched.now, c.sched.now.Add(s.hpaPhase))
		})
		return
	}
	p.init()
	// Both HPAs are created after the lead-in; each keeps the phase of its creation.
	c.startLoops(p, c.begin, c.begin.Add(leadIn+s.hpaPhase))
}

// startLoops starts Prometheus scraping the pair from `scrapes` and creates its HPAs
// (their controller loops with them) at `hpas` plus each HPA's own offset.
func (c *Cluster) startLoops(p *pair, scrapes, hpas time.Time) {
	s := p.spec
	c.sched.every(scrapes.Add(p.scrapeOffset), ScrapeInterval, p.scrape)
	for _, hs := range []*hpaSpec{s.modelHPA, s.serverHPA} {
		if hs == nil {
			continue
		}
		h := &hpa{p: p, server: hs == s.serverHPA, spec: *hs, created: hpas.Add(hs.created)}
		if h.server {
			p.sh = h
		} else {
			p.mh = h
		}
		c.sched.at(h.created, h.write) // the HPA object exists before its first sync
		// The controller syncs a new HPA at once, then every period.
		c.sched.every(h.created.Add(4*time.Millisecond), SyncPeriod, h.sync)
	}
}

// trafficTick accrues one second of requests on every Model.
func (c *Cluster) trafficTick() {
	for _, p := range c.pairs {
		if p.deployed {
			p.traffic(time.Second)
		}
	}
}

// relist is prometheus-adapter discovering series: a new Model's metric becomes
// known to the custom metrics API only here.
func (c *Cluster) relist() {
	for _, p := range c.pairs {
		if len(p.series.samples) > 0 {
			p.adapterKnown = true
		}
	}
}

// adapter is the custom metrics API answering an HPA: infer_rps for the Model, the
// rate over 2m of what Prometheus scraped, in milli-unit precision.
func (c *Cluster) adapter(ns, modelName string, now time.Time) (float64, error) {
	notFound := fmt.Errorf("unable to get metric infer_rps on Model %s/%s: unable to fetch metrics from custom metrics API: "+
		"the server could not find the metric infer_rps for models.mlops.seldon.io %s", ns, modelName, modelName)
	p, ok := c.byKey[ns+"/"+modelName]
	if !ok || !p.adapterKnown {
		return 0, notFound
	}
	v, ok := p.series.rps(now, AdapterWindow)
	if !ok || math.IsNaN(v) {
		return 0, notFound
	}
	// prometheus-adapter serves NewMilliQuantity(int64(v*1000)): truncated, not rounded.
	return float64(int64(v*1000)) / 1000, nil
}

// put creates or updates an object in one of the fake clientsets.
func (c *Cluster) put(s *store, gvr schema.GroupVersionResource, obj runtime.Object) {
	m, err := meta.Accessor(obj)
	if err != nil {
		panic(fmt.Sprintf("demo: object without metadata: %v", err)) // a bug in this package
	}
	k := gvr.String() + "|" + m.GetNamespace() + "|" + m.GetName()
	if c.stored[k] {
		err = s.Update(gvr, obj, m.GetNamespace())
	} else {
		err = s.Create(gvr, obj, m.GetNamespace())
		c.stored[k] = true
	}
	if err != nil && !apierrors.IsAlreadyExists(err) {
		panic(fmt.Sprintf("demo: store %s %s/%s: %v", gvr.Resource, m.GetNamespace(), m.GetName(), err))
	}
}

// forget drops the record that an object was created, after it was deleted.
func (c *Cluster) forget(gvr schema.GroupVersionResource, ns, name string) {
	delete(c.stored, gvr.String()+"|"+ns+"|"+name)
}

// newClients builds the fake clientsets over the demo's stores.
func (c *Cluster) newClients() {
	// Dynamic client for the Seldon CRDs, with their list kinds registered.
	dynScheme := runtime.NewScheme()
	listKinds := map[schema.GroupVersionResource]string{gvr.Models: "ModelList", gvr.Servers: "ServerList", gvr.APIServices: "APIServiceList"}
	c.dyn = dynamicfake.NewSimpleDynamicClientWithCustomListKinds(dynScheme, listKinds)
	c.dynStore = newStore(
		k8stesting.NewObjectTracker(dynScheme, serializer.NewCodecFactory(dynScheme).UniversalDecoder()),
		c.rev,
		map[schema.GroupVersionResource]schema.GroupVersionKind{
			gvr.Models:      gvr.Models.GroupVersion().WithKind("Model"),
			gvr.Servers:     gvr.Servers.GroupVersion().WithKind("Server"),
			gvr.APIServices: gvr.APIServices.GroupVersion().WithKind("APIService"),
		})
	route(&c.dyn.Fake, c.dynStore)

	c.kube = kubefake.NewSimpleClientset()
	c.kubeStore = newStore(
		k8stesting.NewObjectTracker(kubescheme.Scheme, kubescheme.Codecs.UniversalDecoder()),
		c.rev,
		map[schema.GroupVersionResource]schema.GroupVersionKind{
			gvr.HPAs:         gvr.HPAs.GroupVersion().WithKind("HorizontalPodAutoscaler"),
			gvr.StatefulSets: gvr.StatefulSets.GroupVersion().WithKind("StatefulSet"),
			gvr.Deployments:  gvr.Deployments.GroupVersion().WithKind("Deployment"),
			gvr.Events:       gvr.Events.GroupVersion().WithKind("Event"),
		})
	route(&c.kube.Fake, c.kubeStore)

	disco := c.kube.Discovery().(*fakediscovery.FakeDiscovery)
	disco.FakedServerVersion = &version.Info{Major: "1", Minor: "37", GitVersion: KubeVersion, Platform: "linux/amd64"}
	disco.Resources = apiResources()
}

// route sends every request of a fake clientset to the demo store.
func route(f *k8stesting.Fake, s *store) {
	f.Lock()
	defer f.Unlock()
	f.ReactionChain = nil
	f.WatchReactionChain = nil
	f.ReactionChain = append(f.ReactionChain, &k8stesting.SimpleReactor{Verb: "*", Resource: "*", Reaction: k8stesting.ObjectReaction(s)})
	f.WatchReactionChain = append(f.WatchReactionChain, &k8stesting.SimpleWatchReactor{Resource: "*",
		Reaction: func(action k8stesting.Action) (bool, watch.Interface, error) {
			var opts metav1.ListOptions
			if wa, ok := action.(k8stesting.WatchActionImpl); ok {
				opts = wa.ListOptions
			}
			w, err := s.Watch(action.GetResource(), action.GetNamespace(), opts)
			return true, w, err
		}})
}

// apiResources is what discovery reports for the resources twinscale reads.
func apiResources() []*metav1.APIResourceList {
	verbs := metav1.Verbs{"get", "list", "watch"}
	return []*metav1.APIResourceList{
		{GroupVersion: "mlops.seldon.io/v1alpha1", APIResources: []metav1.APIResource{
			{Name: "models", SingularName: "model", Namespaced: true, Kind: "Model", Verbs: verbs, ShortNames: []string{"mlm"}},
			{Name: "models/scale", Namespaced: true, Kind: "Scale", Group: "autoscaling", Version: "v1", Verbs: metav1.Verbs{"get", "update", "patch"}},
			{Name: "models/status", Namespaced: true, Kind: "Model", Verbs: metav1.Verbs{"get", "update", "patch"}},
			{Name: "servers", SingularName: "server", Namespaced: true, Kind: "Server", Verbs: verbs, ShortNames: []string{"mls"}},
			{Name: "servers/scale", Namespaced: true, Kind: "Scale", Group: "autoscaling", Version: "v1", Verbs: metav1.Verbs{"get", "update", "patch"}},
			{Name: "servers/status", Namespaced: true, Kind: "Server", Verbs: metav1.Verbs{"get", "update", "patch"}},
		}},
		{GroupVersion: "autoscaling/v2", APIResources: []metav1.APIResource{
			{Name: "horizontalpodautoscalers", SingularName: "horizontalpodautoscaler", Namespaced: true, Kind: "HorizontalPodAutoscaler", Verbs: verbs, ShortNames: []string{"hpa"}},
		}},
		{GroupVersion: "apps/v1", APIResources: []metav1.APIResource{
			{Name: "statefulsets", SingularName: "statefulset", Namespaced: true, Kind: "StatefulSet", Verbs: verbs, ShortNames: []string{"sts"}},
			{Name: "deployments", SingularName: "deployment", Namespaced: true, Kind: "Deployment", Verbs: verbs, ShortNames: []string{"deploy"}},
		}},
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "events", SingularName: "event", Namespaced: true, Kind: "Event", Verbs: verbs, ShortNames: []string{"ev"}},
		}},
	}
}

// Clients returns the fake clientsets the real watcher reads.
func (c *Cluster) Clients() (dynamic.Interface, kubernetes.Interface) {
	return c.dyn, c.kube
}

// Discovery returns the fake discovery client (server version and resources).
func (c *Cluster) Discovery() discovery.DiscoveryInterface {
	return c.kube.Discovery()
}

// Now returns the virtual time.
func (c *Cluster) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sched.now
}

// Start returns the virtual time at which the story starts.
func (c *Cluster) Start() time.Time { return c.start }

// Options returns the options the cluster runs with, defaults filled in.
func (c *Cluster) Options() Options { return c.opts }

// Step advances the virtual clock by d, running everything due on the way. Tests
// use it to drive the story without waiting.
func (c *Cluster) Step(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sched.advance(c.sched.now.Add(d))
}

// Run advances the virtual clock with the wall clock, Speed times faster, until ctx
// is done.
func (c *Cluster) Run(ctx context.Context) error {
	t := time.NewTicker(c.opts.Tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			wall := min(now.Sub(last), maxStep)
			last = now
			c.Step(time.Duration(float64(wall) * c.opts.Speed))
		}
	}
}

// putAPIServices registers the metrics APIServices: prometheus-adapter serves the custom
// metrics API (the simulated HPAs read it); in the seldon story KEDA's metrics server,
// registered for the external metrics API, has lost its endpoints.
func (c *Cluster) putAPIServices() {
	apiService := func(name, group, version, svcNS, svc, status, reason, message string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
			"metadata": map[string]any{"name": name, "uid": string(uid(c.opts.Seed, "APIService", "", name)),
				"creationTimestamp": c.begin.Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)},
			"spec": map[string]any{"group": group, "version": version, "groupPriorityMinimum": int64(100), "versionPriority": int64(100),
				"service": map[string]any{"namespace": svcNS, "name": svc, "port": int64(443)}},
			"status": map[string]any{"conditions": []any{map[string]any{"type": "Available", "status": status, "reason": reason, "message": message,
				"lastTransitionTime": c.begin.UTC().Format(time.RFC3339)}}},
		}}
	}
	c.put(c.dynStore, gvr.APIServices, apiService("v1beta1.custom.metrics.k8s.io", "custom.metrics.k8s.io", "v1beta1",
		"monitoring", "prometheus-adapter", "True", "Passed", "all checks passed"))
	c.put(c.dynStore, gvr.APIServices, apiService("v1beta2.custom.metrics.k8s.io", "custom.metrics.k8s.io", "v1beta2",
		"monitoring", "prometheus-adapter", "True", "Passed", "all checks passed"))
	if c.opts.Scenario == ScenarioSeldon {
		c.put(c.dynStore, gvr.APIServices, apiService("v1beta1.external.metrics.k8s.io", "external.metrics.k8s.io", "v1beta1",
			"keda", "keda-operator-metrics-apiserver", "False", "MissingEndpoints", "endpoints for service/keda-operator-metrics-apiserver in \"keda\" have no addresses with port name \"https\""))
	}
}
