package demo

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/twinscale/twinscale/watch/kube/gvr"
)

// EventTTL is the API server's default --event-ttl.
const EventTTL = time.Hour

// objRef names the object an Event is about.
type objRef struct {
	apiVersion, kind, ns, name string
	uid                        types.UID
}

type eventRec struct {
	key  string
	ev   *corev1.Event
	gone bool
}

// eventLog records Events the way client-go's recorder does (an identical event
// bumps count and lastTimestamp instead of creating a new object) and keeps the
// fake clientset bounded: at most MaxEvents, none older than EventTTL.
type eventLog struct {
	recs  []*eventRec // creation order
	byKey map[string]*eventRec
	seq   int
}

// event records one Event about ref.
func (c *Cluster) event(ref objRef, typ, reason, message, component string) {
	now := c.sched.now
	l := &c.events
	if l.byKey == nil {
		l.byKey = map[string]*eventRec{}
	}
	key := ref.ns + "/" + ref.kind + "/" + ref.name + "\x00" + typ + "\x00" + reason + "\x00" + message + "\x00" + component
	if r, ok := l.byKey[key]; ok && !r.gone {
		ev := r.ev.DeepCopy()
		ev.Count++
		ev.LastTimestamp = metav1.NewTime(now)
		r.ev = ev.DeepCopy()
		c.put(c.kubeStore, gvr.Events, ev)
		return
	}
	l.seq++
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{
			// client-go's recorder names events <object>.<unix nanos in hex>.
			Name:              fmt.Sprintf("%s.%x", ref.name, now.UnixNano()+int64(l.seq)),
			Namespace:         ref.ns,
			CreationTimestamp: metav1.NewTime(now),
			UID:               uid(c.opts.Seed, "Event", ref.ns, fmt.Sprint(l.seq)),
		},
		InvolvedObject: corev1.ObjectReference{
			APIVersion: ref.apiVersion, Kind: ref.kind, Namespace: ref.ns, Name: ref.name, UID: ref.uid,
		},
		Reason:              reason,
		Message:             message,
		Source:              corev1.EventSource{Component: component},
		FirstTimestamp:      metav1.NewTime(now),
		LastTimestamp:       metav1.NewTime(now),
		Count:               1,
		Type:                typ,
		ReportingController: component,
	}
	r := &eventRec{key: key, ev: ev.DeepCopy()}
	l.recs = append(l.recs, r)
	l.byKey[key] = r
	c.put(c.kubeStore, gvr.Events, ev)
	c.pruneEvents()
}

// pruneEvents deletes the oldest Events beyond the cap and those past their TTL.
func (c *Cluster) pruneEvents() {
	l := &c.events
	now := c.sched.now
	limit := c.opts.MaxEvents
	keep := l.recs[:0]
	excess := len(l.recs) - limit
	for _, r := range l.recs {
		expired := now.Sub(r.ev.LastTimestamp.Time) > EventTTL
		if excess > 0 || expired {
			if excess > 0 {
				excess--
			}
			r.gone = true
			delete(l.byKey, r.key)
			_ = c.kubeStore.Delete(gvr.Events, r.ev.Namespace, r.ev.Name)
			c.forget(gvr.Events, r.ev.Namespace, r.ev.Name)
			continue
		}
		keep = append(keep, r)
	}
	for i := len(keep); i < len(l.recs); i++ {
		l.recs[i] = nil
	}
	l.recs = keep
}
