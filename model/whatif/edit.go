package whatif

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/twinscale/twinscale/model"
)

// Edit is one change to the twin HPAs' specs, as `--set SIDE.FIELD=VALUE` gives it.
type Edit struct {
	// Raw is the edit as the user wrote it, for messages.
	Raw   string
	Sides []Side
	// Path is the field below the side: "maxReplicas", "behavior.scaleUp.policies[0].value".
	Path  string
	Value string
}

// EditError is a --set that cannot apply; Field names the field it is about.
type EditError struct {
	Raw   string
	Field string
	Msg   string
}

// Error renders `--set server.maxReplicas=x: maxReplicas: want a whole number, got "x"`.
func (e *EditError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("--set %s: %s", e.Raw, e.Msg)
	}
	return fmt.Sprintf("--set %s: %s: %s", e.Raw, e.Field, e.Msg)
}

// Fields lists the paths an edit may name below its side, for messages and help.
var Fields = []string{
	"minReplicas", "maxReplicas", "target",
	"behavior.scaleUp.stabilizationWindowSeconds", "behavior.scaleUp.selectPolicy", "behavior.scaleUp.tolerance",
	"behavior.scaleUp.policies", "behavior.scaleUp.policies[i]",
	"behavior.scaleUp.policies[i].type", "behavior.scaleUp.policies[i].value", "behavior.scaleUp.policies[i].periodSeconds",
	"(the same under behavior.scaleDown)", "behavior (none: no behavior, the legacy path)",
}

// ParseSet reads one --set argument: SIDE.FIELD=VALUE with SIDE model, server or both.
func ParseSet(raw string) (Edit, error) {
	lhs, value, ok := strings.Cut(raw, "=")
	if !ok {
		return Edit{}, &EditError{Raw: raw, Msg: "want SIDE.FIELD=VALUE, e.g. server.maxReplicas=5"}
	}
	lhs, value = strings.TrimSpace(lhs), strings.TrimSpace(value)
	side, path, ok := strings.Cut(lhs, ".")
	e := Edit{Raw: raw, Path: path, Value: value}
	switch side {
	case "model":
		e.Sides = []Side{SideModel}
	case "server":
		e.Sides = []Side{SideServer}
	case "both":
		e.Sides = []Side{SideModel, SideServer}
	default:
		return Edit{}, &EditError{Raw: raw, Field: side, Msg: "unknown side: start the field with model., server. or both."}
	}
	if !ok || path == "" {
		return Edit{}, &EditError{Raw: raw, Msg: "no field after " + side + "."}
	}
	// Check the path and the value's type now, on a blank HPA, so a typo fails before any work.
	probe := model.HPA{MinReplicas: 1, MaxReplicas: 1, Metrics: []model.MetricTarget{{Type: "Object", TargetType: "AverageValue", Target: 1}},
		Behavior: &model.Behavior{ScaleUp: &model.ScalingRules{Policies: make([]model.ScalingPolicy, 64)}, ScaleDown: &model.ScalingRules{Policies: make([]model.ScalingPolicy, 64)}}}
	if err := e.apply(&probe); err != nil {
		return Edit{}, err
	}
	return e, nil
}

// Apply returns copies of the twin HPAs with the edits applied in order, checked the way
// the API server validates a spec. A nil HPA stays nil; editing it is an error.
func Apply(modelHPA, serverHPA *model.HPA, edits []Edit) (*model.HPA, *model.HPA, error) {
	m, s := clone(modelHPA), clone(serverHPA)
	touched := [2]bool{}
	for _, e := range edits {
		for _, side := range e.Sides {
			h := m
			if side == SideServer {
				h = s
			}
			if h == nil {
				return nil, nil, &EditError{Raw: e.Raw, Msg: fmt.Sprintf("the pair has no %s HPA to edit", sideTitle(side))}
			}
			if err := e.apply(h); err != nil {
				return nil, nil, err
			}
			touched[side] = true
		}
	}
	for side, h := range []*model.HPA{m, s} {
		if h == nil || !touched[side] {
			continue
		}
		if err := Validate(*h); err != nil {
			return nil, nil, fmt.Errorf("%s HPA after the edits: %w", sideTitle(Side(side)), err)
		}
	}
	return m, s, nil
}

func sideTitle(s Side) string {
	if s == SideServer {
		return "Server"
	}
	return "Model"
}

var policyIndex = regexp.MustCompile(`^policies\[([0-9]+)\]$`)

// apply sets the edit's field on h.
func (e Edit) apply(h *model.HPA) error {
	fail := func(format string, args ...any) error {
		return &EditError{Raw: e.Raw, Field: e.Path, Msg: fmt.Sprintf(format, args...)}
	}
	switch e.Path {
	case "minReplicas", "spec.minReplicas":
		n, err := parseInt32(e.Value)
		if err != nil {
			return fail("%v", err)
		}
		h.MinReplicas = n
		return nil
	case "maxReplicas", "spec.maxReplicas":
		n, err := parseInt32(e.Value)
		if err != nil {
			return fail("%v", err)
		}
		h.MaxReplicas = n
		return nil
	case "target", "metrics[0].target", "metrics[0].object.target.averageValue", "spec.metrics[0].object.target.averageValue":
		v, err := ParseQuantity(e.Value)
		if err != nil {
			return fail("%v", err)
		}
		i := slices.IndexFunc(h.Metrics, func(m model.MetricTarget) bool { return m.Type == "Object" })
		if i < 0 {
			return fail("the HPA has no Object metric")
		}
		h.Metrics = slices.Clone(h.Metrics)
		h.Metrics[i].Target = v
		return nil
	case "behavior", "spec.behavior":
		switch e.Value {
		case "none", "null", "~", "":
			h.Behavior = nil
			return nil
		}
		return fail("only none (remove the behavior: the controller's legacy path) can be set as a whole; set its fields one by one")
	}
	rest, ok := strings.CutPrefix(strings.TrimPrefix(e.Path, "spec."), "behavior.")
	if !ok {
		return fail("unknown field; known: %s", strings.Join(Fields, ", "))
	}
	dir, field, _ := strings.Cut(rest, ".")
	if h.Behavior == nil {
		h.Behavior = &model.Behavior{}
	}
	var rules **model.ScalingRules
	switch dir {
	case "scaleUp":
		rules = &h.Behavior.ScaleUp
	case "scaleDown":
		rules = &h.Behavior.ScaleDown
	default:
		return fail("unknown direction %q: want behavior.scaleUp or behavior.scaleDown", dir)
	}
	r := model.ScalingRules{}
	if *rules != nil {
		r = **rules
	}
	r.Policies = slices.Clone(r.Policies)
	switch {
	case field == "stabilizationWindowSeconds":
		n, err := parseInt32(e.Value)
		if err != nil {
			return fail("%v", err)
		}
		r.StabilizationWindowSeconds = &n
	case field == "selectPolicy":
		switch e.Value {
		case model.SelectMax, model.SelectMin, model.SelectDisabled:
			r.SelectPolicy = e.Value
		default:
			return fail("want Max, Min or Disabled, got %q", e.Value)
		}
	case field == "tolerance":
		v, err := ParseQuantity(e.Value)
		if err != nil {
			return fail("%v", err)
		}
		r.Tolerance = &v
	case field == "policies":
		ps, err := parsePolicies(e.Value)
		if err != nil {
			return fail("%v", err)
		}
		r.Policies = ps
	case strings.HasPrefix(field, "policies["):
		idx, sub, _ := strings.Cut(field, "].")
		if sub == "" {
			idx = strings.TrimSuffix(field, "]")
		}
		m := policyIndex.FindStringSubmatch(idx + "]")
		if m == nil {
			return fail("want policies[N] with N a whole number")
		}
		i, _ := strconv.Atoi(m[1])
		effective := r.Policies
		if effective == nil {
			// Unset policies take the defaults; editing one starts from them.
			up, down := model.EffectiveBehavior(nil)
			effective = slices.Clone(up.Policies)
			if dir == "scaleDown" {
				effective = slices.Clone(down.Policies)
			}
		}
		if sub == "" {
			p, err := parsePolicy(e.Value)
			if err != nil {
				return fail("%v", err)
			}
			if i > len(effective) {
				return fail("index %d is past the end: the HPA has %d policies (policies[%d] adds one)", i, len(effective), len(effective))
			}
			if i == len(effective) {
				effective = append(effective, p)
			} else {
				effective[i] = p
			}
			r.Policies = effective
			break
		}
		if i >= len(effective) {
			return fail("the HPA has %d %s-policies; set policies[%d]=\"Pods 2/30s\" to add one", len(effective), dir, len(effective))
		}
		p := &effective[i]
		switch sub {
		case "type":
			if e.Value != model.PolicyPods && e.Value != model.PolicyPercent {
				return fail("want Pods or Percent, got %q", e.Value)
			}
			p.Type = e.Value
		case "value":
			n, err := parseInt32(e.Value)
			if err != nil {
				return fail("%v", err)
			}
			p.Value = n
		case "periodSeconds":
			n, err := parseInt32(e.Value)
			if err != nil {
				return fail("%v", err)
			}
			p.PeriodSeconds = n
		default:
			return fail("unknown policy field %q: want type, value or periodSeconds", sub)
		}
		r.Policies = effective
	default:
		return fail("unknown field; known: %s", strings.Join(Fields, ", "))
	}
	*rules = &r
	return nil
}

func parseInt32(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("want a whole number, got %q", s)
	}
	return int32(n), nil
}

// ParseQuantity reads a Kubernetes quantity as the HPA fields use it: "4", "2.5", "3500m", "1k".
func ParseQuantity(s string) (float64, error) {
	mult := 1.0
	num := s
	switch {
	case strings.HasSuffix(s, "m"):
		mult, num = 1e-3, strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "k"):
		mult, num = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mult, num = 1e6, strings.TrimSuffix(s, "M")
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(num, "xXpP_") {
		return 0, fmt.Errorf("want a number or quantity such as 4, 2.5 or 3500m, got %q", s)
	}
	return v * mult, nil
}

var policyRE = regexp.MustCompile(`^(Pods|Percent)\s+([0-9]+)\s*/\s*([0-9]+)s$`)

// parsePolicy reads "Pods 2/30s" (the way the dashboard prints a policy).
func parsePolicy(s string) (model.ScalingPolicy, error) {
	m := policyRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return model.ScalingPolicy{}, fmt.Errorf("want a policy such as \"Pods 2/30s\" or \"Percent 100/15s\", got %q", s)
	}
	v, err1 := strconv.ParseInt(m[2], 10, 32)
	p, err2 := strconv.ParseInt(m[3], 10, 32)
	if err1 != nil || err2 != nil {
		return model.ScalingPolicy{}, fmt.Errorf("policy %q: number out of range", s)
	}
	return model.ScalingPolicy{Type: m[1], Value: int32(v), PeriodSeconds: int32(p)}, nil
}

// parsePolicies reads a comma-separated list of policies.
func parsePolicies(s string) ([]model.ScalingPolicy, error) {
	var out []model.ScalingPolicy
	for part := range strings.SplitSeq(s, ",") {
		p, err := parsePolicy(part)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Validate checks an HPA spec the way the API server would (ValidateHorizontalPodAutoscalerSpec),
// for the fields an edit can change; the error names the field.
func Validate(h model.HPA) error {
	var errs []error
	add := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if h.MinReplicas < 1 {
		add("spec.minReplicas", "%d: must be at least 1", h.MinReplicas)
	}
	if h.MaxReplicas < 1 {
		add("spec.maxReplicas", "%d: must be at least 1", h.MaxReplicas)
	}
	if h.MinReplicas > h.MaxReplicas {
		add("spec.minReplicas", "%d is more than spec.maxReplicas %d", h.MinReplicas, h.MaxReplicas)
	}
	for i, m := range h.Metrics {
		if m.Type == "Object" && m.Target <= 0 {
			add(fmt.Sprintf("spec.metrics[%d].object.target.averageValue", i), "%s: must be positive", model.FormatNumber(m.Target))
		}
	}
	if b := h.Behavior; b != nil {
		for _, d := range []struct {
			name string
			r    *model.ScalingRules
		}{{"scaleUp", b.ScaleUp}, {"scaleDown", b.ScaleDown}} {
			if d.r == nil {
				continue
			}
			f := "spec.behavior." + d.name
			if w := d.r.StabilizationWindowSeconds; w != nil && (*w < 0 || *w > 3600) {
				add(f+".stabilizationWindowSeconds", "%d: must be between 0 and 3600", *w)
			}
			if t := d.r.Tolerance; t != nil && *t < 0 {
				add(f+".tolerance", "%v: must not be negative", *t)
			}
			if d.r.Policies != nil && len(d.r.Policies) == 0 {
				add(f+".policies", "must specify at least one policy")
			}
			for i, p := range d.r.Policies {
				pf := fmt.Sprintf("%s.policies[%d]", f, i)
				if p.Value <= 0 {
					add(pf+".value", "%d: must be greater than 0", p.Value)
				}
				if p.PeriodSeconds <= 0 || p.PeriodSeconds > 1800 {
					add(pf+".periodSeconds", "%d: must be between 1 and 1800", p.PeriodSeconds)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// clone deep-copies the parts of an HPA an edit can change.
func clone(h *model.HPA) *model.HPA {
	if h == nil {
		return nil
	}
	c := *h
	c.Metrics = slices.Clone(h.Metrics)
	if h.Behavior != nil {
		b := model.Behavior{}
		for _, d := range []struct {
			from *model.ScalingRules
			to   **model.ScalingRules
		}{{h.Behavior.ScaleUp, &b.ScaleUp}, {h.Behavior.ScaleDown, &b.ScaleDown}} {
			if d.from == nil {
				continue
			}
			r := *d.from
			r.Policies = slices.Clone(d.from.Policies)
			*d.to = &r
		}
		c.Behavior = &b
	}
	return &c
}
