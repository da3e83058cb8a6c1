package demo

import (
	"fmt"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	k8stesting "k8s.io/client-go/testing"
)

// revision is the cluster-wide resourceVersion counter, shared by both fake
// clientsets the way etcd's revision is shared by every resource.
type revision struct {
	mu sync.Mutex
	n  int64
}

func (r *revision) next() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return r.n
}

func (r *revision) current() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// logCap is how many recent changes per resource a watch can resume from; an older
// resourceVersion gets "410 Gone" and the reflector relists, as against a real server.
const logCap = 1024

type change struct {
	rv  int64
	typ watch.EventType
	ns  string
	obj runtime.Object
}

// store wraps client-go's object tracker for the demo's fake clientsets. The plain
// tracker leaves resourceVersion empty (so informers cannot tell updates apart) and
// panics when a watcher falls 100 events behind; the demo writes in bursts at high
// speed, so this store stamps resourceVersions and gives each watch an unbounded queue.
type store struct {
	k8stesting.ObjectTracker
	rev *revision

	// kinds maps each served resource to its kind, for listing on a fresh watch.
	kinds map[schema.GroupVersionResource]schema.GroupVersionKind

	mu       sync.Mutex
	watchers map[schema.GroupVersionResource][]*queueWatcher
	log      map[schema.GroupVersionResource][]change
	// trimmed is the newest resourceVersion dropped from each log.
	trimmed map[schema.GroupVersionResource]int64
}

func newStore(inner k8stesting.ObjectTracker, rev *revision, kinds map[schema.GroupVersionResource]schema.GroupVersionKind) *store {
	return &store{
		ObjectTracker: inner,
		rev:           rev,
		kinds:         kinds,
		watchers:      map[schema.GroupVersionResource][]*queueWatcher{},
		log:           map[schema.GroupVersionResource][]change{},
		trimmed:       map[schema.GroupVersionResource]int64{},
	}
}

// Add is only used by tests that preload objects; it is a Create without a known GVR.
func (s *store) Add(obj runtime.Object) error {
	return fmt.Errorf("demo store: Add is not supported, use Create with a resource")
}

// Create stores a new object, stamping its resourceVersion.
func (s *store) Create(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.CreateOptions) error {
	return s.write(gvr, obj, ns, watch.Added, func(o runtime.Object) error { return s.ObjectTracker.Create(gvr, o, ns, opts...) })
}

// Update replaces an object, stamping a new resourceVersion.
func (s *store) Update(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.UpdateOptions) error {
	return s.write(gvr, obj, ns, watch.Modified, func(o runtime.Object) error { return s.ObjectTracker.Update(gvr, o, ns, opts...) })
}

// Patch stores an already patched object, stamping a new resourceVersion.
func (s *store) Patch(gvr schema.GroupVersionResource, obj runtime.Object, ns string, opts ...metav1.PatchOptions) error {
	return s.write(gvr, obj, ns, watch.Modified, func(o runtime.Object) error { return s.ObjectTracker.Patch(gvr, o, ns, opts...) })
}

func (s *store) write(gvr schema.GroupVersionResource, obj runtime.Object, ns string, typ watch.EventType, do func(runtime.Object) error) error {
	m, err := meta.Accessor(obj)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rv := s.rev.next()
	m.SetResourceVersion(strconv.FormatInt(rv, 10))
	if err := do(obj); err != nil {
		return err
	}
	s.publish(gvr, change{rv: rv, typ: typ, ns: ns, obj: obj.DeepCopyObject()})
	return nil
}

// Delete removes an object and tells watchers with its last state.
func (s *store) Delete(gvr schema.GroupVersionResource, ns, name string, opts ...metav1.DeleteOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, err := s.ObjectTracker.Get(gvr, ns, name)
	if err != nil {
		return err
	}
	if err := s.ObjectTracker.Delete(gvr, ns, name, opts...); err != nil {
		return err
	}
	rv := s.rev.next()
	if m, err := meta.Accessor(last); err == nil {
		m.SetResourceVersion(strconv.FormatInt(rv, 10))
	}
	s.publish(gvr, change{rv: rv, typ: watch.Deleted, ns: ns, obj: last})
	return nil
}

// List returns the objects with the list's resourceVersion set to the current
// revision, so that a reflector's following Watch resumes exactly after it.
func (s *store) List(gvr schema.GroupVersionResource, gvk schema.GroupVersionKind, ns string, opts ...metav1.ListOptions) (runtime.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, err := s.ObjectTracker.List(gvr, gvk, ns, opts...)
	if err != nil {
		return nil, err
	}
	// The plain tracker ignores selectors; the API server applies both (field
	// selectors matter for the per-kind Event informers).
	if len(opts) > 0 && (opts[0].LabelSelector != "" || opts[0].FieldSelector != "") {
		f, err := newFilter(opts[0])
		if err != nil {
			return nil, err
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return nil, err
		}
		kept := items[:0]
		for _, it := range items {
			if f.matches(it) {
				kept = append(kept, it)
			}
		}
		if err := meta.SetList(list, kept); err != nil {
			return nil, err
		}
	}
	if lm, err := meta.ListAccessor(list); err == nil {
		lm.SetResourceVersion(strconv.FormatInt(s.rev.current(), 10))
	}
	return list, nil
}

// publish must be called with s.mu held.
func (s *store) publish(gvr schema.GroupVersionResource, c change) {
	l := append(s.log[gvr], c)
	if len(l) > logCap {
		cut := len(l) - logCap/2
		s.trimmed[gvr] = l[cut-1].rv
		l = append(l[:0:0], l[cut:]...)
	}
	s.log[gvr] = l
	live := s.watchers[gvr][:0]
	for _, w := range s.watchers[gvr] {
		if w.stopped() {
			continue
		}
		live = append(live, w)
		w.offer(c)
	}
	s.watchers[gvr] = live
}

// Watch starts a watch that first replays the changes after opts.ResourceVersion.
func (s *store) Watch(gvr schema.GroupVersionResource, ns string, opts ...metav1.ListOptions) (watch.Interface, error) {
	var o metav1.ListOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	f, err := newFilter(o)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ResourceVersion == "" || o.ResourceVersion == "0" {
		// Like the API server: synthetic ADDED events for what exists, then changes.
		w := newQueueWatcher(ns, f)
		if gvk, ok := s.kinds[gvr]; ok {
			list, err := s.ObjectTracker.List(gvr, gvk, ns)
			if err != nil {
				return nil, err
			}
			items, err := meta.ExtractList(list)
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				w.offer(change{typ: watch.Added, ns: ns, obj: it})
			}
		}
		s.watchers[gvr] = append(s.watchers[gvr], w)
		return w, nil
	}
	from, err := strconv.ParseInt(o.ResourceVersion, 10, 64)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", o.ResourceVersion))
	}
	if from < s.trimmed[gvr] {
		// The log no longer reaches back that far: the client must relist.
		return nil, apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d", from))
	}
	w := newQueueWatcher(ns, f)
	for _, c := range s.log[gvr] {
		if c.rv > from {
			w.offer(c)
		}
	}
	s.watchers[gvr] = append(s.watchers[gvr], w)
	return w, nil
}

// queueWatcher is a watch.Interface with an unbounded queue, so a slow consumer
// never blocks or crashes the simulation.
type queueWatcher struct {
	ns     string
	filter filter

	mu    sync.Mutex
	cond  *sync.Cond
	queue []watch.Event
	done  bool
	stop  chan struct{}
	ch    chan watch.Event
}

func newQueueWatcher(ns string, f filter) *queueWatcher {
	w := &queueWatcher{ns: ns, filter: f, stop: make(chan struct{}), ch: make(chan watch.Event)}
	w.cond = sync.NewCond(&w.mu)
	go w.pump()
	return w
}

func (w *queueWatcher) offer(c change) {
	if w.ns != "" && c.ns != w.ns {
		return
	}
	if !w.filter.matches(c.obj) {
		return
	}
	w.mu.Lock()
	if !w.done {
		w.queue = append(w.queue, watch.Event{Type: c.typ, Object: c.obj.DeepCopyObject()})
		w.cond.Signal()
	}
	w.mu.Unlock()
}

// filter is a list or watch request's label and field selectors.
type filter struct {
	lsel labels.Selector
	fsel fields.Selector
}

func newFilter(o metav1.ListOptions) (filter, error) {
	lsel, err := labels.Parse(o.LabelSelector)
	if err != nil {
		return filter{}, apierrors.NewBadRequest(fmt.Sprintf("invalid label selector %q: %v", o.LabelSelector, err))
	}
	fsel, err := fields.ParseSelector(o.FieldSelector)
	if err != nil {
		return filter{}, apierrors.NewBadRequest(fmt.Sprintf("invalid field selector %q: %v", o.FieldSelector, err))
	}
	return filter{lsel: lsel, fsel: fsel}, nil
}

// matches applies the selectors, with the fields the API server supports for
// every object and for Events.
func (f filter) matches(obj runtime.Object) bool {
	m, err := meta.Accessor(obj)
	if err != nil {
		return false
	}
	if !f.lsel.Empty() && !f.lsel.Matches(labels.Set(m.GetLabels())) {
		return false
	}
	if f.fsel.Empty() {
		return true
	}
	set := fields.Set{"metadata.name": m.GetName(), "metadata.namespace": m.GetNamespace()}
	if ev, ok := obj.(*corev1.Event); ok {
		set["involvedObject.kind"] = ev.InvolvedObject.Kind
		set["involvedObject.name"] = ev.InvolvedObject.Name
		set["involvedObject.namespace"] = ev.InvolvedObject.Namespace
		set["involvedObject.apiVersion"] = ev.InvolvedObject.APIVersion
		set["involvedObject.uid"] = string(ev.InvolvedObject.UID)
		set["reason"] = ev.Reason
		set["type"] = ev.Type
		set["source"] = ev.Source.Component
	}
	return f.fsel.Matches(set)
}

func (w *queueWatcher) pump() {
	defer close(w.ch)
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.done {
			w.cond.Wait()
		}
		if w.done {
			w.mu.Unlock()
			return
		}
		ev := w.queue[0]
		w.queue[0] = watch.Event{}
		w.queue = w.queue[1:]
		w.mu.Unlock()
		select {
		case w.ch <- ev:
		case <-w.stop:
			return
		}
	}
}

// Stop ends the watch and releases the queue.
func (w *queueWatcher) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	w.done = true
	w.queue = nil
	close(w.stop)
	w.cond.Broadcast()
}

// ResultChan delivers the watch events in order.
func (w *queueWatcher) ResultChan() <-chan watch.Event { return w.ch }

func (w *queueWatcher) stopped() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done
}
