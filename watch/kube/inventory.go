package kube

import (
	"slices"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"

	"github.com/twinscale/twinscale/model"
)

// projector keeps the informer caches projected between Inventory calls. Informer
// handlers record the keys of the objects they saw change (touch); Inventory projects
// only those again, and hands out the very same slice for a kind that did not change,
// which lets model.Tracker skip the kind without looking at its objects. Slices handed
// out are never modified: a change copies the slice first.
type projector struct {
	mu      sync.Mutex // serialises inventory
	models  kindCache[model.SeldonModel]
	servers kindCache[model.SeldonServer]
	hpas    kindCache[model.HPA]
	sets    kindCache[model.Workload]
	deploys kindCache[model.Workload]
	events  eventCache
	// workloads is sets and deploys merged, from lastSets and lastDeploys.
	workloads             []model.Workload
	lastSets, lastDeploys []model.Workload
	merged                bool
}

// sameSlice reports whether two slices are the same elements of the same array.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func newProjector() *projector {
	p := &projector{}
	p.models.project = func(obj any) (model.SeldonModel, bool) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return model.SeldonModel{}, false
		}
		return ProjectModel(u), true
	}
	p.servers.project = func(obj any) (model.SeldonServer, bool) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return model.SeldonServer{}, false
		}
		return ProjectServer(u), true
	}
	p.hpas.project = func(obj any) (model.HPA, bool) {
		h, ok := obj.(*autoscalingv2.HorizontalPodAutoscaler)
		if !ok {
			return model.HPA{}, false
		}
		return ProjectHPA(h), true
	}
	p.sets.project = func(obj any) (model.Workload, bool) {
		s, ok := obj.(*appsv1.StatefulSet)
		if !ok {
			return model.Workload{}, false
		}
		return ProjectStatefulSet(s), true
	}
	p.deploys.project = func(obj any) (model.Workload, bool) {
		d, ok := obj.(*appsv1.Deployment)
		if !ok {
			return model.Workload{}, false
		}
		return ProjectDeployment(d), true
	}
	p.models.meta = func(m *model.SeldonModel) *model.Meta { return &m.Meta }
	p.servers.meta = func(s *model.SeldonServer) *model.Meta { return &s.Meta }
	p.hpas.meta = func(h *model.HPA) *model.Meta { return &h.Meta }
	p.sets.meta = func(w *model.Workload) *model.Meta { return &w.Meta }
	p.deploys.meta = func(w *model.Workload) *model.Meta { return &w.Meta }
	return p
}

// touch records that an informer of resource saw obj change. It only takes a lock and
// stores the key: informer handlers must not block.
func (p *projector) touch(resource string, obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	var c *changes
	switch resource {
	case model.ResourceModels:
		c = &p.models.changes
	case model.ResourceServers:
		c = &p.servers.changes
	case model.ResourceHPAs:
		c = &p.hpas.changes
	case model.ResourceStatefulSets:
		c = &p.sets.changes
	case model.ResourceDeployments:
		c = &p.deploys.changes
	case model.ResourceEvents:
		c = &p.events.changes
	default:
		return
	}
	c.add(key, err != nil)
}

// source is one informer's store, for inventory.
type source struct {
	resource, part string
	store          cache.Store
}

// inventory fills inv's object lists from the stores of the running informers.
func (p *projector) inventory(inv *model.Inventory, sources []source) {
	p.mu.Lock()
	defer p.mu.Unlock()
	by := map[string][]cache.Store{}
	var events []source
	for _, s := range sources {
		if s.resource == model.ResourceEvents {
			events = append(events, s)
			continue
		}
		by[s.resource] = append(by[s.resource], s.store)
	}
	inv.Models = p.models.update(by[model.ResourceModels])
	inv.Servers = p.servers.update(by[model.ResourceServers])
	inv.HPAs = p.hpas.update(by[model.ResourceHPAs])
	sets, deploys := p.sets.update(by[model.ResourceStatefulSets]), p.deploys.update(by[model.ResourceDeployments])
	if !p.merged || !sameSlice(sets, p.lastSets) || !sameSlice(deploys, p.lastDeploys) {
		p.workloads, p.lastSets, p.lastDeploys, p.merged = mergeWorkloads(sets, deploys), sets, deploys, true
	}
	inv.Workloads = p.workloads
	inv.Events = p.events.update(events)
}

// mergeWorkloads merges two sorted workload lists into one, ordered as Inventory orders
// them: namespace, name, then kind.
func mergeWorkloads(a, b []model.Workload) []model.Workload {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make([]model.Workload, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.SortStableFunc(out, compareWorkloads)
	return out
}

func compareMeta(a, b *model.Meta) int {
	if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

func compareWorkloads(a, b model.Workload) int {
	if c := compareMeta(&a.Meta, &b.Meta); c != 0 {
		return c
	}
	return strings.Compare(a.Kind, b.Kind)
}

// changes is the set of keys informer handlers reported since the last update.
type changes struct {
	mu   sync.Mutex
	keys map[string]struct{}
	all  bool // a key could not be read: project everything again
}

func (c *changes) add(key string, unknown bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if unknown {
		c.all = true
		return
	}
	if c.keys == nil {
		c.keys = map[string]struct{}{}
	}
	c.keys[key] = struct{}{}
}

// take returns and clears the recorded changes.
func (c *changes) take() (map[string]struct{}, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys, all := c.keys, c.all
	c.keys, c.all = nil, false
	return keys, all
}

// kindCache is one kind's objects projected and sorted by namespace and name, with the
// position of each key.
type kindCache[T any] struct {
	changes
	project func(obj any) (T, bool)
	meta    func(*T) *model.Meta

	from  []cache.Store // the stores out was built from
	built bool
	out   []T
	index map[string]int
}

// update brings the projection up to date with the stores and returns it.
func (c *kindCache[T]) update(stores []cache.Store) []T {
	keys, all := c.take()
	if !c.built || all || !slices.Equal(stores, c.from) {
		return c.rebuild(stores)
	}
	if len(keys) == 0 {
		return c.out
	}
	out := slices.Clone(c.out)
	for key := range keys {
		obj, exists := lookup(stores, key)
		i, had := c.index[key]
		if exists != had {
			return c.rebuild(stores) // added or deleted: positions move
		}
		if !exists {
			continue
		}
		v, ok := projection(obj, c.project)
		if !ok {
			return c.rebuild(stores)
		}
		out[i] = v
	}
	c.out = out
	return out
}

// rebuild projects every object of the stores.
func (c *kindCache[T]) rebuild(stores []cache.Store) []T {
	var out []T
	for _, s := range stores {
		for _, obj := range s.List() {
			if v, ok := projection(obj, c.project); ok {
				out = append(out, v)
			}
		}
	}
	slices.SortFunc(out, func(a, b T) int { return compareMeta(c.meta(&a), c.meta(&b)) })
	c.index = make(map[string]int, len(out))
	for i := range out {
		c.index[c.meta(&out[i]).Key()] = i
	}
	c.from, c.built, c.out = slices.Clone(stores), true, out
	return out
}

// lookup finds a key in the first store that has it.
func lookup(stores []cache.Store, key string) (any, bool) {
	for _, s := range stores {
		if obj, ok, err := s.GetByKey(key); err == nil && ok {
			return obj, true
		}
	}
	return nil, false
}

// eventCache is the Events of the three per-kind informers, newest first. Any change
// projects them all again: there are few, and their order depends on all of them.
type eventCache struct {
	changes
	from  []source
	built bool
	out   []model.Event
}

func (c *eventCache) update(sources []source) []model.Event {
	keys, all := c.take()
	if c.built && !all && len(keys) == 0 && slices.Equal(sources, c.from) {
		return c.out
	}
	var out []model.Event
	for _, s := range sources {
		for _, obj := range s.store.List() {
			// Clients that ignore field selectors (client-go's fake) would otherwise hand
			// every Event to each per-kind informer.
			e, ok := projection(obj, func(obj any) (model.Event, bool) {
				e, ok := obj.(*corev1.Event)
				if !ok {
					return model.Event{}, false
				}
				return ProjectEvent(e), true
			})
			if ok && e.Object.Kind == s.part {
				out = append(out, e)
			}
		}
	}
	model.SortEventsNewestFirst(out)
	c.from, c.built, c.out = slices.Clone(sources), true, out
	return out
}
