package model

import (
	"slices"
	"strings"
)

// PairLink says how Join found the Server of a Model. Seldon's docs deploy Models without
// spec.server and let the scheduler place them, so spec.server is only the first of three
// links Join tries.
type PairLink string

// Links from a Model to its Server, in the order Join tries them.
const (
	// LinkSpecServer: the Model names the Server in spec.server.
	LinkSpecServer PairLink = "spec.server"
	// LinkScheduled: Seldon scheduled the Model on the Server; its .status.selector is
	// "server=<name>" (the operator writes it since Seldon PR #5932).
	LinkScheduled PairLink = "scheduled"
	// LinkServerHPA: neither of the above, but a Server HPA's Object metric describes the
	// Model (the docs' pattern): that HPA's Server is where the Model is meant to run.
	LinkServerHPA PairLink = "server-hpa"
	// LinkUnscheduled: none of the three; Seldon has not placed the Model yet.
	LinkUnscheduled PairLink = "unscheduled"
)

// Text is the link as the detail view words it.
func (l PairLink) Text() string {
	switch l {
	case LinkSpecServer:
		return "spec.server"
	case LinkScheduled:
		return "scheduled (status.selector)"
	case LinkServerHPA:
		return "Server HPA describedObject"
	case LinkUnscheduled:
		return "unscheduled: no spec.server, status.selector names no Server, no Server HPA describes it"
	}
	return string(l)
}

// UnknownUnscheduled is the reason of the Server counts of a Model Seldon has not placed.
const UnknownUnscheduled = "unscheduled"

// Placement is where one Model runs and which link says so.
type Placement struct {
	Model  string   `json:"model"`
	Server string   `json:"server,omitempty"`
	Link   PairLink `json:"link"`
}

// ScheduledServer is the Server a Model's .status.selector names, or "". Seldon's operator
// writes "server=" + the scheduler's server name, which is empty until the Model is placed.
func ScheduledServer(selector string) string {
	for term := range strings.SplitSeq(selector, ",") {
		k, v, ok := strings.Cut(term, "=")
		if ok && strings.TrimSpace(k) == "server" {
			return strings.TrimSpace(strings.TrimPrefix(v, "="))
		}
	}
	return ""
}

// sameDescribed reports whether two versions of an HPA describe the same objects, so a
// link through a Server HPA cannot have moved between them.
func sameDescribed(a, b *HPA) bool {
	return slices.EqualFunc(a.Metrics, b.Metrics, func(x, y MetricTarget) bool {
		return x.Type == y.Type && x.DescribedObject == y.DescribedObject
	})
}

// describers indexes the HPAs that scale a Server by the Models their Object metrics
// describe, each list sorted by HPA name so the first is stable.
func describers(hpas []HPA) map[joinRef][]int32 {
	out := map[joinRef][]int32{}
	for i := range hpas {
		h := &hpas[i]
		if kind, ok := joinSeldonTarget(h.Target); !ok || kind != KindServer {
			continue
		}
		for _, m := range h.Metrics {
			if m.Type != "Object" || m.DescribedObject.Kind != KindModel || m.DescribedObject.Name == "" {
				continue
			}
			k := joinRef{h.Namespace, KindModel, m.DescribedObject.Name}
			if l := out[k]; len(l) == 0 || l[len(l)-1] != int32(i) {
				out[k] = append(l, int32(i))
			}
		}
	}
	for _, l := range out {
		if len(l) > 1 {
			slices.SortStableFunc(l, func(a, b int32) int { return strings.Compare(hpas[a].Name, hpas[b].Name) })
		}
	}
	return out
}

// place resolves where a Model runs: spec.server when set, else the Server it is scheduled
// on, else the Server of the first (by name) Server HPA whose metric describes it.
func place(m *SeldonModel, hpas []HPA, describedBy map[joinRef][]int32) Placement {
	switch {
	case m.Server != "":
		return Placement{Model: m.Name, Server: m.Server, Link: LinkSpecServer}
	case ScheduledServer(m.Selector) != "":
		return Placement{Model: m.Name, Server: ScheduledServer(m.Selector), Link: LinkScheduled}
	}
	if l := describedBy[joinRef{m.Namespace, KindModel, m.Name}]; len(l) > 0 {
		return Placement{Model: m.Name, Server: hpas[l[0]].Target.Name, Link: LinkServerHPA}
	}
	return Placement{Model: m.Name, Link: LinkUnscheduled}
}

// elsewhere lists the Models a Server HPA describes that run on another Server than the
// one it scales, with where they run; Models that do not exist or are unscheduled are left
// to the other rules.
func (j *joiner) elsewhere(h *HPA) []Placement {
	var out []Placement
	for _, m := range h.Metrics {
		if m.Type != "Object" || m.DescribedObject.Kind != KindModel {
			continue
		}
		mi, ok := j.models[joinRef{h.Namespace, KindModel, m.DescribedObject.Name}]
		if !ok {
			continue
		}
		pl := j.placed[mi]
		if pl.Server != "" && pl.Server != h.Target.Name && !slices.Contains(out, pl) {
			out = append(out, pl)
		}
	}
	return out
}
