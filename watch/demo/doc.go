// Package demo is twinscale's embedded default: a simulated Seldon Core 2 cluster in
// single-model serving, on a virtual clock, that the real watch/kube informers and the
// real watch/prom poller read as if it were a cluster and a Prometheus.
//
// The simulation is a discrete-event loop (every controller acts at an exact virtual
// instant), so the story does not depend on how coarsely the clock is advanced, and a
// seed fixes all of its randomness: the same seed tells the same story.
//
// What it reproduces, per Model/Server pair:
//
//   - Load: steady, ramp, spike, compressed diurnal, and a blue-green shift between two
//     Models, with drift and counting noise, accrued every second on the counters
//     seldon_model_infer_total (all codes and non-2xx) and seldon_model_infer_seconds_total.
//     Latency grows with utilisation; requests beyond what the ready replicas serve fail.
//   - Prometheus: scrapes every 15 s at a per-target offset, and rate() with Prometheus
//     2.x extrapolation. prometheus-adapter serves infer_rps as the rate over 2m and
//     knows a new series only after its next relist (1 m).
//   - Two HPA controller loops (Model HPA and Server HPA), each on its own 15 s timer
//     whose phase is set by when the HPA was created, deciding with model.DecideScale
//     and the memory the controller keeps (stabilization, policies). Status, conditions
//     and events carry the controller's exact strings; status is written only on change.
//   - Seldon: the scheduler places one Model replica per ready Server replica, never
//     creates Server replicas, and reports ScheduleFailed (state name in the ModelReady
//     message, text in the reason) while the Model is ahead, keeping the replicas already
//     loaded, then ModelProgressing and ModelAvailable; the operator mirrors Server
//     spec.replicas into its status and its StatefulSet (pods in parallel, ready after
//     a start delay with jitter) or Deployment; ModelReady/ModelNotReady and
//     ServerReady/ServerNotReady events.
//
// Objects are written into client-go fake clientsets through a store that stamps
// resourceVersions, applies label and field selectors, and gives every watch an
// unbounded queue; Events are aggregated like client-go's recorder and capped.
//
// Scenarios: mixed (the default: a ramp through a transient ScheduleFailed, skew,
// spikes on a Server whose HPA max is too low, blue-green, twin drift, a missing Server
// HPA, a Model deployed mid-story), ramp, spike, blue-green, drift (one lint rule per
// pair), many (generated pairs for scale), seldon (today's Seldon) and lagged-ramp (a
// Model HPA with a scale-up window outrunning a slow Server HPA: the what-if story).
package demo
