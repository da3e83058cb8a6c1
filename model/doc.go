// Package model is twinscale's domain: what a Model/Server pair is, what "desired" and
// "ready" mean on each side, and every rule derived from them. It is pure Go with the
// standard library only, so all of it is unit-testable without a cluster or a terminal.
//
// The flow is one way. The watch layer projects Kubernetes objects into the plain types
// of objects.go and hands them over as an Inventory. Join turns an Inventory into Pairs:
// one per Seldon Model, joined to the Server it names in spec.server, the HPA whose
// scaleTargetRef is that Model and the HPA whose scaleTargetRef is that Server. Objects
// that break the 1:1 shape (a Server with several Models, an HPA without a twin, a Model
// whose Server does not exist, a Server no Model names) still become Pairs, carrying a
// ShapeFlag; nothing is dropped.
//
// A Snapshot is immutable once built: callers never modify it or the slices it holds,
// so it can be handed to the UI goroutine without copying. Pairs are ordered by
// namespace, then model name, then server name, so two Snapshots of the same Inventory
// are identical.
package model
