package model

import "fmt"

// lintRanges checks each HPA's range against its target's own minReplicas/maxReplicas
// (TS123) and minReplicas 0 without evidence of the HPAScaleToZero gate (TS124).
func lintRanges(p Pair, add func(Finding)) {
	type side struct {
		h        *HPA
		kind     string
		name     string
		min, max *int32
	}
	var sides []side
	if p.ModelHPA != nil && p.Model != nil {
		sides = append(sides, side{p.ModelHPA, KindModel, p.Model.Name, p.Model.MinReplicas, p.Model.MaxReplicas})
	}
	if p.ServerHPA != nil && p.Server != nil {
		sides = append(sides, side{p.ServerHPA, KindServer, p.Server.Name, p.Server.MinReplicas, p.Server.MaxReplicas})
	}
	for _, s := range sides {
		h := s.h
		if s.max != nil && h.MaxReplicas > *s.max {
			add(newFinding(RuleHPAOutsideCRRange, SeverityCritical, hpaRef(h), "spec.maxReplicas",
				fmt.Sprintf("HPA %s may scale %s %s to %d, above the %s's own maxReplicas %d: the operator would answer \"scaling spec is invalid: number of replicas %d must be <= max replicas %d\" and stop retrying",
					h.Name, s.kind, s.name, h.MaxReplicas, s.kind, *s.max, h.MaxReplicas, *s.max)))
		}
		if s.min != nil && h.MinReplicas < *s.min {
			add(newFinding(RuleHPAOutsideCRRange, SeverityCritical, hpaRef(h), "spec.minReplicas",
				fmt.Sprintf("HPA %s may scale %s %s down to %d, below the %s's own minReplicas %d: the operator would answer \"scaling spec is invalid: number of replicas %d must be >= min replicas %d\" and stop retrying",
					h.Name, s.kind, s.name, h.MinReplicas, s.kind, *s.min, h.MinReplicas, *s.min)))
		}
	}
	for _, h := range []*HPA{p.ModelHPA, p.ServerHPA} {
		if h == nil || h.MinReplicas != 0 || scaleToZeroEvidence(h) {
			continue
		}
		add(newFinding(RuleHPAMinZero, SeverityWarning, hpaRef(h), "spec.minReplicas",
			fmt.Sprintf("HPA %s sets minReplicas: 0, which needs the HPAScaleToZero feature gate; no ScaledToZero condition or scale to 0 shows it is on", h.Name)))
	}
}

// scaleToZeroEvidence reports whether the HPA shows the HPAScaleToZero gate at work: the
// controller's ScaledToZero condition (Kubernetes 1.37) is True, or the HPA is at 0.
func scaleToZeroEvidence(h *HPA) bool {
	if c, ok := FindCondition(h.Conditions, "ScaledToZero"); ok && c.Status == "True" {
		return true
	}
	return h.CurrentReplicas == 0 && h.DesiredReplicas == 0 && !h.LastScaleTime.IsZero()
}

// seldonWrites reports whether Seldon's operator owns spec.replicas.
func seldonWrites(w *FieldWriter) bool {
	if w == nil {
		return false
	}
	k, _ := ClassifyManager(w.Manager)
	return k == WriterSeldon
}
