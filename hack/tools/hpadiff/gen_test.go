package hpadiff

import (
	"math"
	"math/rand/v2"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	v2defaults "k8s.io/kubernetes/pkg/apis/autoscaling/v2"

	"github.com/twinscale/twinscale/model"
)

// spec is one random HPA spec, rendered both as the API object and as model.HPA.
type spec struct {
	kind        string // the scale target: Model or Server
	minR, maxR  int32
	targetMilli int64 // AverageValue in milli-units
	behavior    *behavior
}

type behavior struct{ up, down *rules }

// rules is one direction of a behavior; zero values mean "unset" (API defaulting fills them).
type rules struct {
	window       *int32
	selectPolicy string
	policies     []policy // nil: unset
	tolerance    string   // a Quantity; "": unset
}

type policy struct {
	typ           string
	value, period int32
}

// step is what changes before one 15 s sync of a sequence.
type step struct {
	rps         float64 // NaN: the custom metrics API fails
	setReplicas int32   // -1: no change from outside
	edit        *spec   // a spec edited while running; nil: none
}

// sequence is one random run: a spec, a starting replica count and the steps.
type sequence struct {
	seed      uint64
	spec      spec
	start     int32
	lagStatus bool // the target's .status.replicas follows .spec.replicas one step late (a Model)
	steps     []step
}

func newSequence(seed uint64) sequence {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	s := sequence{seed: seed, spec: randomSpec(r)}
	s.lagStatus = s.spec.kind == "Model" && r.IntN(2) == 0
	s.start = 1 + r.Int32N(s.spec.maxR+3)
	n := 20 + r.IntN(61)
	per := float64(s.spec.targetMilli) / 1000
	rps := per * float64(s.start) * (0.2 + 2*r.Float64())
	idle := 0
	cur := s.spec
	for range n {
		st := step{setReplicas: -1}
		switch {
		case idle > 0:
			idle--
			rps = 0
		case r.IntN(12) == 0: // an idle phase
			idle = 2 + r.IntN(20)
			rps = 0
		case r.IntN(15) == 0: // a jump
			rps = per * float64(1+r.Int32N(cur.maxR*2)) * r.Float64()
		default: // a walk
			if rps == 0 {
				rps = per * r.Float64()
			}
			rps *= math.Exp(r.NormFloat64() * 0.35)
		}
		st.rps = rps
		if r.IntN(80) == 0 {
			st.rps = math.NaN()
		}
		if r.IntN(30) == 0 {
			st.setReplicas = r.Int32N(cur.maxR + 5)
		}
		if r.IntN(25) == 0 {
			e := cur
			switch r.IntN(4) {
			case 0:
				e = randomSpec(r)
				e.kind = cur.kind
			default:
				e.behavior = randomBehavior(r)
			}
			cur = e
			st.edit = &e
		}
		s.steps = append(s.steps, st)
	}
	return s
}

func randomSpec(r *rand.Rand) spec {
	s := spec{kind: "Server", minR: 1 + r.Int32N(4)}
	if r.IntN(2) == 0 {
		s.kind = "Model"
	}
	s.maxR = s.minR + r.Int32N(30)
	switch r.IntN(6) {
	case 0:
		s.targetMilli = 1 + r.Int64N(5) // sub-unit targets
	case 1:
		s.targetMilli = []int64{500, 1000, 2000, 3000, 5000, 10000}[r.IntN(6)]
	default:
		s.targetMilli = 1 + r.Int64N(20000)
	}
	s.behavior = randomBehavior(r)
	return s
}

func randomBehavior(r *rand.Rand) *behavior {
	switch r.IntN(10) {
	case 0, 1, 2:
		return nil // legacy path
	case 3, 4: // the Seldon docs' HPA
		return &behavior{up: &rules{window: ptr(int32(60)), policies: []policy{{"Pods", 5, 90}}}}
	}
	b := &behavior{}
	if r.IntN(4) != 0 {
		b.up = randomRules(r)
	}
	if r.IntN(4) != 0 {
		b.down = randomRules(r)
	}
	return b
}

func randomRules(r *rand.Rand) *rules {
	x := &rules{}
	if r.IntN(3) != 0 {
		x.window = ptr([]int32{0, 0, 15, 30, 45, 60, 90, 120, 300, 600}[r.IntN(10)] + int32(r.IntN(2))*r.Int32N(30))
	}
	if r.IntN(2) == 0 {
		x.selectPolicy = []string{"Max", "Min", "Disabled"}[r.IntN(3)]
	}
	if r.IntN(4) != 0 {
		for range 1 + r.IntN(3) {
			p := policy{typ: "Pods", value: 1 + r.Int32N(6), period: []int32{1, 15, 30, 60, 90, 120, 300}[r.IntN(7)] + r.Int32N(20)}
			if r.IntN(2) == 0 {
				p.typ, p.value = "Percent", []int32{10, 25, 50, 100, 200, 900}[r.IntN(6)]
			}
			x.policies = append(x.policies, p)
		}
	}
	if r.IntN(4) == 0 {
		x.tolerance = []string{"0", "0.01", "0.05", "0.2", "0.5"}[r.IntN(5)]
	}
	return x
}

func ptr[T any](v T) *T { return &v }

const (
	namespace = "seldon-mesh"
	hpaName   = "irisa0-hpa"
	modelName = "irisa0"
	seldonAPI = "mlops.seldon.io/v1alpha1"
)

// api renders s as the HPA the API server would store: its own defaults applied.
func (s spec) api() *autoscalingv2.HorizontalPodAutoscaler {
	h := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: hpaName, Generation: 1},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: seldonAPI, Kind: s.kind, Name: modelName},
			MinReplicas:    ptr(s.minR),
			MaxReplicas:    s.maxR,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ObjectMetricSourceType,
				Object: &autoscalingv2.ObjectMetricSource{
					DescribedObject: autoscalingv2.CrossVersionObjectReference{APIVersion: seldonAPI, Kind: "Model", Name: modelName},
					Metric:          autoscalingv2.MetricIdentifier{Name: "infer_rps"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType,
						AverageValue: resource.NewMilliQuantity(s.targetMilli, resource.DecimalSI)},
				},
			}},
		},
	}
	if b := s.behavior; b != nil {
		h.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: b.up.api(), ScaleDown: b.down.api()}
	}
	v2defaults.SetObjectDefaults_HorizontalPodAutoscaler(h)
	return h
}

func (x *rules) api() *autoscalingv2.HPAScalingRules {
	if x == nil {
		return nil
	}
	out := &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: x.window}
	if x.selectPolicy != "" {
		sp := autoscalingv2.ScalingPolicySelect(x.selectPolicy)
		out.SelectPolicy = &sp
	}
	if x.policies != nil {
		out.Policies = []autoscalingv2.HPAScalingPolicy{}
		for _, p := range x.policies {
			out.Policies = append(out.Policies, autoscalingv2.HPAScalingPolicy{Type: autoscalingv2.HPAScalingPolicyType(p.typ), Value: p.value, PeriodSeconds: p.period})
		}
	}
	if x.tolerance != "" {
		q := resource.MustParse(x.tolerance)
		out.Tolerance = &q
	}
	return out
}

// model renders s as twinscale projects it (watch/kube/project.go): the spec as written,
// quantities as floats.
func (s spec) model() model.HPA {
	h := model.HPA{
		Meta:        model.Meta{Namespace: namespace, Name: hpaName},
		Target:      model.CrossRef{APIVersion: seldonAPI, Kind: s.kind, Name: modelName},
		MinReplicas: s.minR, MaxReplicas: s.maxR,
		Metrics: []model.MetricTarget{{Type: "Object", Name: "infer_rps",
			DescribedObject: model.CrossRef{APIVersion: seldonAPI, Kind: "Model", Name: modelName},
			TargetType:      "AverageValue",
			Target:          resource.NewMilliQuantity(s.targetMilli, resource.DecimalSI).AsApproximateFloat64()}},
	}
	if b := s.behavior; b != nil {
		h.Behavior = &model.Behavior{ScaleUp: b.up.model(), ScaleDown: b.down.model()}
	}
	return h
}

func (x *rules) model() *model.ScalingRules {
	if x == nil {
		return nil
	}
	out := &model.ScalingRules{StabilizationWindowSeconds: x.window, SelectPolicy: x.selectPolicy}
	if x.policies != nil {
		out.Policies = []model.ScalingPolicy{}
		for _, p := range x.policies {
			out.Policies = append(out.Policies, model.ScalingPolicy{Type: p.typ, Value: p.value, PeriodSeconds: p.period})
		}
	}
	if x.tolerance != "" {
		q := resource.MustParse(x.tolerance)
		out.Tolerance = ptr(q.AsApproximateFloat64())
	}
	return out
}
