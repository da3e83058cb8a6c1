package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/watch/kube"
	"github.com/twinscale/twinscale/watch/multi"
	"github.com/twinscale/twinscale/watch/prom"
)

// clusterPlan is what one context of several needs before it starts.
type clusterPlan struct {
	name       string
	cluster    string
	cfg        *rest.Config
	namespaces []string
	// pollNamespaces are the namespaces the poller asks for: the union of the clusters
	// sharing its endpoint, so they all send the same query.
	pollNamespaces []string
	po             prom.Options
	q              prom.Querier
}

// openClusters watches several contexts on one screen: each gets its own rest config,
// informers, RBAC handling, reconnects, engine and poller, and a multi.Source merges their
// snapshots. Contexts whose Prometheus is one shared endpoint (Thanos, Mimir) share one
// request per query and poll. A cluster that cannot be reached does not stop the others:
// its watch says disconnected and keeps retrying.
func openClusters(ctx context.Context, o *rootOptions, names []string) (*opened, error) {
	plans := make([]*clusterPlan, len(names))
	for i, name := range names {
		cf := o.flagsFor(name)
		cfg, err := restConfigOf(cf)
		if err != nil {
			return nil, withContext(name, err)
		}
		if o.wrap != nil {
			cfg.Wrap(o.wrap)
		}
		ns, err := o.namespacesOf(cf)
		if err != nil {
			return nil, withContext(name, err)
		}
		_, cluster := kubeContextOf(cf)
		plans[i] = &clusterPlan{name: name, cluster: cluster, cfg: cfg, namespaces: ns, pollNamespaces: ns, po: o.promFor(name)}
	}
	if err := sharePrometheus(o, plans); err != nil {
		return nil, err
	}
	var members []multi.Member
	var started []*opened
	stopAll := func() {
		for _, s := range started {
			s.stop()
		}
	}
	for _, p := range plans {
		w, err := kube.New(p.cfg, kube.Options{Namespaces: p.namespaces, Context: p.name, Cluster: p.cluster})
		if err != nil {
			stopAll()
			return nil, &exitErr{code: exitKubeconfig, err: fmt.Errorf("context %s: cluster watch: %w", p.name, err)}
		}
		src, err := startLive(ctx, w, p.q, p.po, p.pollNamespaces, time.Now, time.After)
		if err != nil {
			stopAll()
			return nil, withContext(p.name, err)
		}
		started = append(started, src)
		members = append(members, multi.Member{Name: p.name, Source: src.Source})
	}
	return &opened{
		Source:     multi.New(members),
		waitSynced: waitClusters(names, started),
		stop:       stopAll,
		clusters:   names,
	}, nil
}

// withContext prefixes err with the context it is about, keeping its exit code.
func withContext(name string, err error) error {
	var ee *exitErr
	if errors.As(err, &ee) {
		return &exitErr{code: ee.code, err: fmt.Errorf("context %s: %w", name, ee.err)}
	}
	return fmt.Errorf("context %s: %w", name, err)
}

// sharePrometheus builds each plan's querier. Plans polling the same URL with the same
// HTTP config share one client and one request per query and poll (prom.Shared): their
// queries ask for every cluster label value of the group and the union of their namespaces,
// so they render the same expression, and each cluster keeps its own series (ForCluster).
// A Prometheus reached through a cluster's service proxy is that cluster's own.
func sharePrometheus(o *rootOptions, plans []*clusterPlan) error {
	groups := map[string][]*clusterPlan{}
	var order []string
	for _, p := range plans {
		if !p.po.Enabled() {
			continue
		}
		if p.po.Service != "" {
			q, err := newQuerier(o, p.po, p.cfg)
			if err != nil {
				return &exitErr{code: exitPrometheus, err: fmt.Errorf("context %s: %w", p.name, err)}
			}
			p.q = q
			continue
		}
		key := p.po.URL + "\x00" + p.po.ConfigFile + "\x00" + p.po.ClusterLabel
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], p)
	}
	for _, key := range order {
		g := groups[key]
		var values, union []string
		all := false
		for _, p := range g {
			if p.po.ClusterLabel != "" && !slices.Contains(values, p.po.Cluster) {
				values = append(values, p.po.Cluster)
			}
			if len(p.namespaces) == 0 {
				all = true
			}
			union = append(union, p.namespaces...)
		}
		slices.Sort(values)
		slices.Sort(union)
		union = slices.Compact(union)
		if all {
			union = nil
		}
		q, err := newQuerier(o, g[0].po, g[0].cfg)
		if err != nil {
			return &exitErr{code: exitPrometheus, err: fmt.Errorf("context %s: %w", g[0].name, err)}
		}
		shared := prom.NewShared(q)
		for _, p := range g {
			p.q = shared
			if p.po.ClusterLabel != "" {
				p.po.Clusters = values
				p.q = prom.ForCluster(shared, p.po.ClusterLabel, p.po.Cluster)
			}
			p.pollNamespaces = union
		}
	}
	return nil
}

// clustersNotReady names the clusters whose first picture did not complete in time.
type clustersNotReady struct {
	failed []string // "b: wait for cache sync: context deadline exceeded"
}

func (e *clustersNotReady) Error() string {
	return "not every cluster could be read: " + strings.Join(e.failed, "; ")
}

// waitClusters waits for every cluster's first complete picture at once, so a slow one
// costs its own time only, and names each cluster that did not get there.
func waitClusters(names []string, srcs []*opened) func(context.Context) error {
	return func(ctx context.Context) error {
		errs := make([]error, len(srcs))
		var wg sync.WaitGroup
		for i, s := range srcs {
			if s.waitSynced == nil {
				continue
			}
			wg.Go(func() { errs[i] = s.waitSynced(ctx) })
		}
		wg.Wait()
		var e clustersNotReady
		for i, err := range errs {
			if err != nil {
				e.failed = append(e.failed, names[i]+": "+err.Error())
			}
		}
		if len(e.failed) > 0 {
			return &e
		}
		return nil
	}
}
