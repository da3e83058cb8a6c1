// Package traffic gathers what a what-if replay needs for one pair (model/whatif.Input):
// its infer_rps history, its twin HPA specs, each HPA's sync phase, the Server's readiness
// delay and its replicas at the start, from a recording made by the dashboard, from
// Prometheus and the cluster, or from manifest files.
package traffic
