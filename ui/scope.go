package ui

import (
	"strings"
	"time"

	"github.com/twinscale/twinscale/model"
)

// A scope is what the picker (n) narrows the table to: "" for everything, a namespace
// ("seldon-mesh") with one cluster, and with several a whole cluster ("prod/", its context
// and a slash) or one namespace of one cluster ("prod/seldon-mesh", model.ClusterKey).

// nsScope is the scope of a pair's namespace.
func nsScope(cluster, namespace string) string { return model.ClusterKey(cluster, namespace) }

// clusterScope is the scope of a whole cluster.
func clusterScope(cluster string) string { return cluster + "/" }

// inScope reports whether something of cluster and namespace is within scope.
func inScope(scope, cluster, namespace string) bool {
	return scope == "" || scope == nsScope(cluster, namespace) || (cluster != "" && scope == clusterScope(cluster))
}

// scopeText names a scope for the header, the picker and messages.
func scopeText(scope string) string {
	if c, ok := strings.CutSuffix(scope, "/"); ok {
		return "cluster " + c
	}
	return "ns " + scope
}

// nsSeg names the namespaces watched for the header: "all namespaces" ("all ns" when
// narrow), "ns a,b,c" ("ns a +2").
func nsSeg(namespaces []string) seg {
	switch len(namespaces) {
	case 0:
		return seg{text: "all namespaces", tone: toneText, short: "all ns", drop: dropLate}
	case 1:
		return seg{text: "ns " + namespaces[0], tone: toneText, drop: dropLate}
	}
	return seg{text: "ns " + strings.Join(namespaces, ","), tone: toneText,
		short: "ns " + namespaces[0] + " +" + itoaInt(len(namespaces)-1), drop: dropLate}
}

// clusterSegs replace the context, watch and access segments of the header when several
// clusters are watched: the namespaces, then each cluster's own watch state, so one
// broken cluster reads as that cluster's problem.
func clusterSegs(snap *model.Snapshot, loc *time.Location) []seg {
	out := []seg{nsSeg(snap.Watch.Namespaces)}
	for _, c := range snap.Clusters {
		out = append(out, clusterSeg(c, loc))
	}
	return out
}

// clusterSeg is one cluster's watch state: disconnected since T, forbidden, syncing N/M or synced.
func clusterSeg(c model.ClusterState, loc *time.Location) seg {
	w := c.Watch
	var forbidden []string
	for _, r := range []string{model.ResourceModels, model.ResourceServers, model.ResourceStatefulSets,
		model.ResourceDeployments, model.ResourceHPAs, model.ResourceEvents} {
		if w.Access[r] == model.AccessForbidden {
			forbidden = append(forbidden, r)
		}
	}
	switch {
	case !w.Connected && !w.DisconnectedSince.IsZero():
		return seg{text: "✗ " + c.Name + " disconnected since " + clock(w.DisconnectedSince, loc), tone: toneCritical,
			short: "✗ " + c.Name + " disconnected"}
	case !w.Connected && w.TotalKinds > 0:
		return seg{text: "✗ " + c.Name + " not connected", tone: toneCritical}
	case len(w.Failing) > 0:
		return seg{text: "✗ " + c.Name + " " + w.Failing[0], tone: toneCritical}
	case w.Access[model.ResourceModels] == model.AccessForbidden || w.Access[model.ResourceServers] == model.AccessForbidden:
		return seg{text: "✗ " + c.Name + " forbidden: " + strings.Join(forbidden, ", "), tone: toneCritical}
	case !w.Synced && w.TotalKinds > 0:
		return seg{text: "~ " + c.Name + " syncing " + itoaInt(w.SyncedKinds) + "/" + itoaInt(w.TotalKinds), tone: toneConverging}
	case !w.Synced:
		return seg{text: "~ " + c.Name + " syncing", tone: toneConverging}
	case w.Access[model.ResourceModels] == model.AccessNotInstalled || w.Access[model.ResourceServers] == model.AccessNotInstalled:
		return seg{text: "! " + c.Name + " Seldon CRDs not installed", tone: toneWarning}
	case len(forbidden) > 0:
		return seg{text: "! " + c.Name + " forbidden: " + strings.Join(forbidden, ", "), tone: toneWarning}
	}
	// Narrow, the tick says synced.
	return seg{text: "✓ " + c.Name + " synced", tone: toneHealthy, short: "✓ " + c.Name}
}

// anyClusterLive reports whether one of several clusters is connected and synced: its
// pairs are current, so one cluster's outage does not make the header call all data old.
func anyClusterLive(snap *model.Snapshot) bool {
	for _, c := range snap.Clusters {
		if c.Watch.Connected && c.Watch.Synced {
			return true
		}
	}
	return false
}
