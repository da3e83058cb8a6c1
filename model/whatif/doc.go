// Package whatif replays a pair's real infer_rps history through its twin HPAs as the
// HPA controller would, with the specs as they are (the baseline) or edited, and measures
// what would have happened: ScheduleFailed time, time over capacity, replica-minutes,
// scale events and skew.
//
// The controller's decision at each sync is model.DecideScale with the memory the
// controller keeps (model.HPAMemory); this package adds time: a 15 s sync per HPA at its
// own phase, the Model's spec and the Server's pods, Server pods that become ready after
// a readiness delay, and Seldon's scheduler, which places Model replicas only on ready
// Server replicas and otherwise reports ScheduleFailed, keeping the replicas it has.
//
// Writes of spec.replicas from outside the twin HPAs (Seldon's scheduler, a person, GitOps,
// an object created mid-span) and HPA specs edited during the span are replayed at their
// recorded times (Input.Writes, Input.ModelSpecs, Input.ServerSpecs); an outside writer is
// replayed as-is in an edited run, since it does not react to the edit.
//
// Not modelled: Model replica load time (a placed replica serves at once), the scale
// subresource's .status.replicas lagging its spec, and a controller that falls behind its
// 15 s period.
package whatif
