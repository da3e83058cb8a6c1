package model

import "strings"

// ClusterState is one watched cluster's health in a snapshot of several clusters: the
// header shows each one's watch state, and scripts read why a cluster has no pairs.
type ClusterState struct {
	// Name is the kubeconfig context the cluster was watched through.
	Name       string          `json:"name"`
	Watch      WatchState      `json:"watch"`
	Prom       PromState       `json:"prometheus"`
	MetricsAPI MetricsAPIState `json:"metricsApi,omitzero"`
	// Pairs is how many of the snapshot's pairs belong to the cluster.
	Pairs int `json:"pairs"`
}

// ClusterKey is the key of a pair of one of several watched clusters: the context name,
// a slash, and the pair's own key. A context name may hold slashes (EKS ARNs); a pair's
// own key holds exactly one, so SplitClusterKey still finds the cluster.
func ClusterKey(cluster, key string) string {
	if cluster == "" {
		return key
	}
	return cluster + "/" + key
}

// SplitClusterKey splits a key made by ClusterKey into the cluster and the pair's own key
// ("namespace/name"); a key without a cluster gives "".
func SplitClusterKey(key string) (cluster, own string) {
	last := strings.LastIndexByte(key, '/')
	if last < 0 {
		return "", key
	}
	prev := strings.LastIndexByte(key[:last], '/')
	if prev < 0 {
		return "", key
	}
	return key[:prev], key[prev+1:]
}
