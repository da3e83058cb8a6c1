package model

import "strings"

// ScalingMode says who scales a pair.
type ScalingMode string

// Scaling modes.
const (
	// ModeTwinHPAs is the Seldon docs' pattern: one HPA on the Model, one on its Server.
	ModeTwinHPAs ScalingMode = "twin HPAs"
	// ModeModelHPASeldon is a Model HPA alone: since Seldon 2.10 the scheduler scales the
	// Server itself (autoscaling.autoscalingServerEnabled).
	ModeModelHPASeldon ScalingMode = "Model HPA + Seldon-managed Server"
	// ModeServerHPAOnly is a Server HPA without a Model HPA.
	ModeServerHPAOnly ScalingMode = "Server HPA only"
	// ModeKEDA is a pair whose HPA KEDA made and owns (a ScaledObject).
	ModeKEDA ScalingMode = "KEDA"
	// ModeManual is a pair no HPA scales: people, GitOps or Seldon set the replicas.
	ModeManual ScalingMode = "manual"
)

// KEDA's pause annotations (on the ScaledObject, copied here when found on the HPA).
const (
	KEDAPaused         = "autoscaling.keda.sh/paused"
	KEDAPausedReplicas = "autoscaling.keda.sh/paused-replicas"
)

// ModeOf derives a pair's scaling mode from its HPAs.
func ModeOf(p *Pair) ScalingMode {
	mh, sh := p.ModelHPA, p.ServerHPA
	switch {
	case IsKEDA(mh) || IsKEDA(sh):
		return ModeKEDA
	case mh != nil && sh != nil:
		return ModeTwinHPAs
	case mh != nil:
		return ModeModelHPASeldon
	case sh != nil:
		return ModeServerHPAOnly
	}
	return ModeManual
}

// IsKEDA reports whether KEDA made the HPA: owned by a ScaledObject, KEDA's name prefix,
// its pause annotation, or an External metric (how KEDA feeds its scalers to an HPA).
func IsKEDA(h *HPA) bool {
	if h == nil {
		return false
	}
	if h.Owner.Kind == "ScaledObject" || strings.HasPrefix(h.Name, "keda-hpa-") || h.Paused != "" {
		return true
	}
	for _, m := range h.Metrics {
		if m.Type == "External" {
			return true
		}
	}
	return false
}

// WriterKind classifies who wrote a spec.replicas.
type WriterKind string

// Writer kinds.
const (
	WriterHPA    WriterKind = "hpa"
	WriterSeldon WriterKind = "seldon"
	WriterOther  WriterKind = "other"
	WriterNone   WriterKind = ""
)

// seldonManagers are the field managers of Seldon's operator. It resizes a Server with a
// merge patch through controller-runtime's client and no FieldOwner (seldon-core v2,
// operator/scheduler/server.go, scaleServerReplicas), so the API server names the entry
// after the user agent's binary: /manager in the operator image (operator/Dockerfile),
// operation Update, no subresource. The other names cover renamed or older builds.
var seldonManagers = []string{"manager", "seldon-manager", "seldonv2-controller-manager"}

// ClassifyManager maps a managedFields manager to a writer kind and a readable name:
// kube-controller-manager is the HPA controller, Seldon's operator is Seldon, anything else
// (kubectl, argocd-controller, kustomize-controller, helm, ...) is someone else.
func ClassifyManager(manager string) (WriterKind, string) {
	m := strings.ToLower(manager)
	switch {
	case m == "":
		return WriterNone, ""
	case m == "kube-controller-manager" || strings.Contains(m, "horizontal-pod-autoscaler"):
		return WriterHPA, "HPA"
	case strings.Contains(m, "seldon"):
		return WriterSeldon, "Seldon"
	}
	for _, s := range seldonManagers {
		if m == s {
			return WriterSeldon, "Seldon"
		}
	}
	switch {
	case strings.HasPrefix(m, "kubectl"):
		return WriterOther, "kubectl"
	case strings.Contains(m, "argocd"):
		return WriterOther, "Argo CD"
	case m == "kustomize-controller" || strings.Contains(m, "flux"):
		return WriterOther, "Flux"
	case m == "helm-controller":
		return WriterOther, "Flux (helm-controller)"
	case strings.HasPrefix(m, "helm"):
		return WriterOther, "Helm"
	}
	return WriterOther, manager
}

// Text names the mode for the detail view, with what it means for the Server.
func (m ScalingMode) Text() string {
	switch m {
	case ModeModelHPASeldon:
		return string(m) + " (Seldon's scheduler resizes the Server)"
	case ModeKEDA:
		return string(m) + " (read-only: KEDA owns the HPA)"
	case ModeManual:
		return string(m) + " (no HPA)"
	}
	return string(m)
}
