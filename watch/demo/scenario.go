package demo

import (
	"fmt"
	"time"

	"github.com/twinscale/twinscale/model"
)

// pairSpec is one Model/Server pair of a scenario: its manifests, its load and how
// fast its Server replicas and Model replicas come up.
type pairSpec struct {
	namespace, model, server string
	serverConfig             string // mlserver or triton
	storageURI               string
	requirements             []string
	deployment               bool // the Server runs as a Deployment, not a StatefulSet
	// noServerRef leaves spec.server unset, as the Seldon docs do: the scheduler places
	// the Model and writes .status.selector "server=<name>".
	noServerRef bool

	modelHPA, serverHPA *hpaSpec // nil: no such HPA
	// hpaPhase is when the pair's HPAs were created within the 15 s sync period.
	hpaPhase time.Duration

	initial int32 // replicas on both sides at the beginning
	// noModelReplicas leaves the Model's spec.replicas unset (Seldon then runs one).
	noModelReplicas      bool
	modelMin, modelMax   *int32 // set: Seldon's own model autoscaling (a misconfiguration here)
	serverMin, serverMax *int32 // set: Seldon's native server autoscaling

	load         profile
	noise        float64       // relative drift of the load
	capacity     float64       // rps one replica serves before requests fail
	baseLatency  time.Duration // per request at low utilisation
	clientErrors float64       // share of 4xx whatever the load

	startDelay, startJitter time.Duration // a new Server replica becomes ready
	loadDelay               time.Duration // a Model replica loads onto a ready Server replica
	age                     time.Duration // Model and Server created this long before the simulation
	// deployAt, when positive, creates the pair during the story (relative to its start)
	// instead of having it run from the beginning.
	deployAt time.Duration

	// Seldon 2.9-2.11: seldon210 writes status.modelgwReady; scheduler lets Seldon's
	// scheduler resize the Server on ScheduleFailed (autoscalingServerEnabled), through
	// the operator, whose managedFields manager is "manager"; partialMin lets the
	// scheduler place fewer replicas than asked and call the Model available (2.9).
	seldon210, scheduler, partialMin bool
	// seldon29 is Seldon before 2.10: its Server condition is StatefulSetReady, not
	// StatefulSetOrDeploymentReady (no evidence of the scheduler resizing Servers).
	seldon29 bool
	// keda makes the Model HPA KEDA's: named keda-hpa-MODEL, owned by a ScaledObject.
	keda bool
	// kedaPaused, when set, is KEDA's autoscaling.keda.sh/paused-replicas on the ScaledObject,
	// which KEDA copies to its HPA and pins the HPA's min and max to.
	kedaPaused *int32
	// modelExtra makes the Model ask for this many replicas more than the Server has.
	modelExtra int32
}

// Behaviors used by the scenarios. seldonBehavior follows Seldon's best-practice
// note: scale-up no faster than Server replicas become ready.
func seldonBehavior() *model.Behavior {
	return &model.Behavior{
		ScaleUp: &model.ScalingRules{
			StabilizationWindowSeconds: ptr(int32(0)),
			Policies:                   []model.ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 30}},
		},
		ScaleDown: &model.ScalingRules{
			StabilizationWindowSeconds: ptr(int32(300)),
			Policies:                   []model.ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 60}},
		},
	}
}

// kinds of runtime a pair uses, with the timings that come with them.
type runtimeKind int

const (
	sklearn runtimeKind = iota
	xgboost
	bert
	llm
	ocr
)

// newPair fills a pair with the defaults of its runtime and twin HPAs that match.
func newPair(ns, modelName, server string, kind runtimeKind, target float64, minR, maxR int32, load profile) pairSpec {
	s := pairSpec{
		namespace: ns, model: modelName, server: server,
		serverConfig: "mlserver",
		initial:      minR,
		load:         load,
		noise:        0.05,
		capacity:     target * 1.7,
		clientErrors: 0.002,
		startDelay:   22 * time.Second, startJitter: 6 * time.Second,
		loadDelay: 3 * time.Second,
		age:       (3*24 + 5) * time.Hour,
	}
	switch kind {
	case sklearn:
		s.storageURI, s.requirements, s.baseLatency = "gs://seldon-models/scv2/samples/mlserver_1.6.0/iris-sklearn", []string{"sklearn"}, 12*time.Millisecond
	case xgboost:
		s.storageURI, s.requirements, s.baseLatency = "gs://seldon-models/scv2/samples/mlserver_1.6.0/income-xgb", []string{"xgboost"}, 18*time.Millisecond
	case bert:
		s.serverConfig = "triton"
		s.storageURI, s.requirements, s.baseLatency = "gs://seldon-models/scv2/samples/triton_23-03/tfsimple", []string{"tensorflow"}, 85*time.Millisecond
		s.startDelay, s.startJitter, s.loadDelay = 45*time.Second, 10*time.Second, 10*time.Second
	case llm:
		s.storageURI, s.requirements, s.baseLatency = "gs://seldon-models/scv2/samples/mlserver_1.6.0/summarizer-hf", []string{"huggingface"}, 900*time.Millisecond
		s.startDelay, s.startJitter, s.loadDelay = 60*time.Second, 15*time.Second, 25*time.Second
	case ocr:
		s.serverConfig = "triton"
		s.storageURI, s.requirements, s.baseLatency = "gs://seldon-models/scv2/samples/triton_23-03/ocr-onnx", []string{"onnx"}, 240*time.Millisecond
		s.startDelay, s.startJitter, s.loadDelay = 40*time.Second, 8*time.Second, 8*time.Second
	}
	s.modelHPA = &hpaSpec{name: modelName + "-model-hpa", min: minR, max: maxR, metric: "infer_rps", describes: modelName,
		targetType: "AverageValue", target: target, behavior: seldonBehavior()}
	twin := *s.modelHPA
	twin.name = server + "-server-hpa"
	twin.behavior = seldonBehavior()
	s.serverHPA = &twin
	return s
}

// irisa0 is the featured pair of Seldon's HPA docs, without spec.server as there: at +0 its load ramps from 2.4 to
// 9.5 rps, so the Model HPA (whose timer runs 7 s ahead of its twin's) scales to 2
// and then 3 while the Server's new replicas are still starting: a transient
// ScheduleFailed that clears each time.
func irisa0(rampStart time.Duration) pairSpec {
	s := newPair("seldon-mesh", "irisa0", "mlserver", sklearn, 3, 1, 3,
		ramp(2.4, 8.4, rampStart, 2*time.Minute, 12*time.Minute))
	s.noServerRef = true
	s.hpaPhase = 2 * time.Second
	s.serverHPA.created = 7 * time.Second
	s.startDelay, s.startJitter = 20*time.Second, 4*time.Second
	return s
}

// scenario returns the pairs of the chosen story, trimmed or extended to Pairs.
func scenario(o Options) ([]pairSpec, error) {
	var specs []pairSpec
	extra := "extra"
	switch o.Scenario {
	case ScenarioMixed:
		specs = mixed()
	case ScenarioRamp:
		specs = []pairSpec{irisa0(20 * time.Second)}
		for i := 1; i < o.Pairs; i++ {
			// More of the same, each ramp starting 45 s after the previous one.
			s := irisa0(20*time.Second + time.Duration(i)*45*time.Second)
			s.model, s.server = fmt.Sprintf("irisa%d", i), fmt.Sprintf("mlserver-%d", i)
			s.modelHPA.name, s.modelHPA.describes = s.model+"-model-hpa", s.model
			s.serverHPA.name, s.serverHPA.describes = s.server+"-server-hpa", s.model
			s.hpaPhase = time.Duration(i) * 4 * time.Second % SyncPeriod
			specs = append(specs, s)
		}
	case ScenarioSpike:
		specs = spikeStory()
		extra = "spike"
	case ScenarioBlueGreen:
		specs = blueGreen()
	case ScenarioDrift:
		specs = drift()
	case ScenarioSeldon:
		specs = seldonToday()
	case ScenarioLaggedRamp:
		specs = laggedRamp()
	case ScenarioMany:
		n := o.Pairs
		if n == 0 {
			n = 120
		}
		return generated(o.Seed, "many", n, 0), nil
	default:
		return nil, fmt.Errorf("demo: unknown scenario %q", o.Scenario)
	}
	switch {
	case o.Pairs == 0:
	case o.Pairs < len(specs):
		specs = specs[:o.Pairs]
	case o.Pairs > len(specs):
		specs = append(specs, generated(o.Seed, extra, o.Pairs-len(specs), len(specs))...)
	}
	return specs, nil
}

// mixed is the default story: scaling pairs with skew, a transient ScheduleFailed
// that clears, a structural one, and drift the lint reports.
func mixed() []pairSpec {
	var out []pairSpec

	// The featured ramp: ScheduleFailed while mlserver's new replicas start.
	out = append(out, irisa0(-62*time.Second))

	// A compressed day; twins created in the same instant, so they decide together.
	fraud := newPair("seldon-mesh", "fraud-detector", "mlserver-fraud", xgboost, 5, 1, 4,
		diurnal{low: 3.5, high: 17, period: 36 * time.Minute, peakAt: 9 * time.Minute})
	fraud.hpaPhase = 9 * time.Second
	fraud.initial = 2
	out = append(out, fraud)

	// Steady and healthy.
	churn := newPair("seldon-mesh", "churn-xgb", "mlserver-churn", xgboost, 4, 1, 4, steady(6.8))
	churn.initial = 2
	churn.hpaPhase = 5 * time.Second
	out = append(out, churn)

	// Spiky traffic on a slow Triton Server (a Deployment) whose HPA max is below
	// the Model's: at the peak the Model wants 4 and can never get them.
	bertSpec := newPair("seldon-mesh", "sentiment-bert", "triton-sentiment", bert, 4, 1, 5,
		spikes(3, 14, 2*time.Minute, 9*time.Minute, 20*time.Second, 100*time.Second))
	bertSpec.deployment = true
	bertSpec.serverHPA.max = 3
	bertSpec.hpaPhase = 12 * time.Second
	bertSpec.serverHPA.created = 3 * time.Second
	out = append(out, bertSpec)

	// Blue-green: traffic moves from blue to green between +3m and +9m.
	out = append(out, blueGreenPair(false, 3*time.Minute, 6*time.Minute), blueGreenPair(true, 3*time.Minute, 6*time.Minute))

	// Twin drift: the Model HPA scales down after 60 s, its Server's after the 300 s
	// default, so the Server keeps idle replicas for minutes after each drop.
	img := newPair("seldon-mesh", "image-classifier", "mlserver-image", sklearn, 4, 1, 4,
		diurnal{low: 2.5, high: 12, period: 22 * time.Minute, peakAt: 4 * time.Minute})
	img.modelHPA.behavior.ScaleDown.StabilizationWindowSeconds = ptr(int32(60))
	img.serverHPA.behavior.ScaleDown = nil
	img.hpaPhase = 1 * time.Second
	img.serverHPA.created = 11 * time.Second
	out = append(out, img)

	// No Server HPA: the Server stays at 2 while the Model HPA follows the load.
	sum := newPair("seldon-mesh", "llm-summarizer", "mlserver-llm", llm, 2.5, 1, 4,
		diurnal{low: 1.5, high: 9, period: 28 * time.Minute, peakAt: 6 * time.Minute})
	sum.serverHPA = nil
	sum.noServerRef = true // paired by where the scheduler placed it: no Server HPA names it
	sum.initial = 2
	sum.hpaPhase = 6 * time.Second
	out = append(out, sum)

	// Another namespace: a busy healthy pair, and a Model that also sets Seldon's
	// own min/maxReplicas (model autoscaling would fight the HPA).
	risk := newPair("payments", "risk-scorer", "mlserver-risk", xgboost, 6, 2, 6, steady(17))
	risk.initial = 3
	risk.hpaPhase = 10 * time.Second
	out = append(out, risk)

	// A new version deployed during the story: its HPAs first find no selector and no
	// metric (the adapter has not listed the series yet), report desiredReplicas 0
	// until their first computation, and the Model waits for its Server's first replica.
	v2 := newPair("seldon-mesh", "fraud-detector-v2", "mlserver-fraud-v2", xgboost, 5, 1, 3,
		ramp(0, 3.5, 4*time.Minute+20*time.Second, 2*time.Minute, -1))
	v2.deployAt = 4 * time.Minute
	v2.noServerRef = true // its Server HPA's describedObject pairs it until the scheduler places it
	v2.serverHPA.created = 2 * time.Second
	v2.age = 0
	out = append(out, v2)

	kyc := newPair("payments", "kyc-ocr", "triton-kyc", ocr, 2, 1, 3, steady(3.1))
	kyc.deployment = true
	kyc.modelMin, kyc.modelMax = ptr(int32(1)), ptr(int32(3))
	kyc.initial = 2
	kyc.hpaPhase = 13 * time.Second
	out = append(out, kyc)
	return out
}

func blueGreenPair(green bool, start, dur time.Duration) pairSpec {
	colour := "blue"
	if green {
		colour = "green"
	}
	total := diurnal{low: 10, high: 15, period: 40 * time.Minute, peakAt: 10 * time.Minute}
	s := newPair("seldon-mesh", "recsys-ranker-"+colour, "mlserver-recsys-"+colour, xgboost, 4, 1, 5,
		shift{total: total, green: green, start: start, dur: dur})
	if green {
		s.hpaPhase = 8 * time.Second
	} else {
		s.hpaPhase = 3 * time.Second
		s.initial = 3
	}
	s.serverHPA.created = 2 * time.Second
	return s
}

func spikeStory() []pairSpec {
	a := newPair("seldon-mesh", "sentiment-bert", "triton-sentiment", bert, 4, 1, 5,
		spikes(3, 14, 90*time.Second, 8*time.Minute, 20*time.Second, 100*time.Second))
	a.deployment = true
	a.hpaPhase = 12 * time.Second
	a.serverHPA.created = 3 * time.Second
	b := newPair("seldon-mesh", "flash-sale-recs", "mlserver-flash", sklearn, 5, 1, 6,
		spikes(4, 26, 60*time.Second, 6*time.Minute, 10*time.Second, 60*time.Second))
	b.hpaPhase = 4 * time.Second
	b.serverHPA.created = 9 * time.Second
	c := newPair("seldon-mesh", "churn-xgb", "mlserver-churn", xgboost, 4, 1, 4, steady(6.8))
	c.initial = 2
	c.hpaPhase = 5 * time.Second
	return []pairSpec{a, b, c}
}

// blueGreen shifts traffic from blue to green in three minutes, faster than green's HPAs
// (one replica per three minutes) can add capacity: the ramp check must warn.
func blueGreen() []pairSpec {
	c := newPair("seldon-mesh", "churn-xgb", "mlserver-churn", xgboost, 4, 1, 4, steady(6.8))
	c.initial = 2
	c.hpaPhase = 5 * time.Second
	green := blueGreenPair(true, time.Minute, 3*time.Minute)
	green.modelHPA.behavior, green.serverHPA.behavior = slowScaleUp(), slowScaleUp()
	return []pairSpec{blueGreenPair(false, time.Minute, 3*time.Minute), green, c}
}

// slowScaleUp adds one replica per three minutes: too slow for a fast blue-green shift.
func slowScaleUp() *model.Behavior {
	b := seldonBehavior()
	b.ScaleUp.Policies = []model.ScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 180}}
	return b
}

// drift is one misconfiguration per pair, each one a lint rule.
func drift() []pairSpec {
	steadyAt := func(name string, rps float64, phase time.Duration) pairSpec {
		s := newPair("seldon-mesh", name, "mlserver-"+name, sklearn, 3, 1, 4,
			diurnal{low: rps * 0.6, high: rps * 1.4, period: 30 * time.Minute, peakAt: phase * 40})
		s.hpaPhase = phase
		s.initial = 2
		return s
	}
	var out []pairSpec

	a := steadyAt("min-drift", 6, time.Second) // different minReplicas
	a.serverHPA.min = 2
	out = append(out, a)

	b := steadyAt("behavior-drift", 6, 2*time.Second) // different scale-down stabilization and policy
	b.serverHPA.behavior.ScaleDown = &model.ScalingRules{
		StabilizationWindowSeconds: ptr(int32(60)),
		Policies:                   []model.ScalingPolicy{{Type: "Percent", Value: 100, PeriodSeconds: 15}},
	}
	out = append(out, b)

	c := steadyAt("max-below", 9, 3*time.Second) // Server HPA max below the Model HPA's
	c.serverHPA.max = 2
	out = append(out, c)

	d := steadyAt("no-server-hpa", 6, 4*time.Second) // no twin
	d.serverHPA = nil
	out = append(out, d)

	e := steadyAt("seldon-autoscaling", 5, 5*time.Second) // Model min/maxReplicas set
	e.modelMin, e.modelMax = ptr(int32(1)), ptr(int32(4))
	out = append(out, e)

	f := steadyAt("target-drift", 6, 6*time.Second) // different target value
	f.serverHPA.target = 4
	out = append(out, f)

	g := steadyAt("default-behavior", 6, 7*time.Second) // the controller's default scale-up
	g.modelHPA.behavior, g.serverHPA.behavior = nil, nil
	out = append(out, g)

	h := steadyAt("wrong-described", 6, 8*time.Second) // Server HPA's metric describes another Model
	h.serverHPA.describes = "min-drift"
	out = append(out, h)

	i := steadyAt("no-spec-replicas", 4, 9*time.Second) // Model without spec.replicas
	i.noModelReplicas = true
	i.initial = 1
	out = append(out, i)

	j := steadyAt("server-autoscaling", 5, 10*time.Second) // Server min/maxReplicas set
	j.serverMin, j.serverMax = ptr(int32(1)), ptr(int32(4))
	j.seldon29 = true // before 2.10 the Server's min/max switch on its native autoscaling (TS113)
	out = append(out, j)
	return out
}

// generated makes n varied pairs for large demos, spread over a few namespaces, with
// a few misconfigurations; the same seed gives the same pairs.
func generated(seed uint64, prefix string, n, offset int) []pairSpec {
	r := stream(seed, "generate/"+prefix)
	namespaces := []string{"team-search", "team-ads", "team-risk", "team-vision", "team-nlp", "team-growth"}
	words := []string{"ranker", "scorer", "tagger", "embedder", "classifier", "detector", "forecaster", "matcher"}
	out := make([]pairSpec, 0, n)
	for i := 0; i < n; i++ {
		ns := namespaces[r.IntN(len(namespaces))]
		name := fmt.Sprintf("%s-%s-%d", prefix, words[r.IntN(len(words))], offset+i)
		target := float64(2 + r.IntN(6))
		maxR := int32(2 + r.IntN(5))
		base := target * (0.6 + r.Float64()*float64(maxR-1))
		var load profile
		switch r.IntN(4) {
		case 0:
			load = steady(base)
		case 1:
			load = diurnal{low: base * 0.4, high: base * 1.3, period: time.Duration(20+r.IntN(30)) * time.Minute,
				peakAt: time.Duration(r.IntN(1800)) * time.Second}
		case 2:
			load = spikes(base*0.6, base*1.8, time.Duration(r.IntN(600))*time.Second, time.Duration(6+r.IntN(10))*time.Minute,
				20*time.Second, 90*time.Second)
		default:
			load = ramp(base*0.5, base*1.2, time.Duration(r.IntN(900))*time.Second, 3*time.Minute, time.Duration(5+r.IntN(20))*time.Minute)
		}
		kind := []runtimeKind{sklearn, xgboost, bert, ocr}[r.IntN(4)]
		s := newPair(ns, name, "mls-"+name, kind, target, 1, maxR, load)
		s.deployment = r.IntN(5) == 0
		s.hpaPhase = time.Duration(r.Int64N(int64(SyncPeriod)))
		if r.IntN(3) == 0 {
			s.serverHPA.created = time.Duration(r.Int64N(int64(SyncPeriod)))
		}
		switch r.IntN(20) {
		case 0:
			s.serverHPA.max = max(1, s.modelHPA.max-1)
		case 1:
			s.serverHPA = nil
		case 2:
			s.serverHPA.behavior = nil
		}
		out = append(out, s)
	}
	return out
}

// seldonToday is Seldon 2.9-2.11 as an on-call engineer meets it.
func seldonToday() []pairSpec {
	var out []pairSpec
	today := func(s pairSpec) pairSpec { s.seldon210 = true; return s }

	// The scheduler (autoscalingServerEnabled) scales mlserver-fight up on ScheduleFailed;
	// the Server HPA, whose max is 2, scales it back: they fight.
	fight := today(newPair("seldon-mesh", "iris-fight", "mlserver-fight", sklearn, 3, 1, 4,
		ramp(4, 10.5, -20*time.Minute, 3*time.Minute, -1)))
	fight.serverHPA.max = 2
	fight.scheduler = true
	fight.initial = 2
	fight.hpaPhase = 3 * time.Second
	out = append(out, fight)

	// Partial scheduling (2.9): the Model asks for 3 with minReplicas 1; the Server has 2;
	// Seldon places 2 and calls the Model available.
	partial := today(newPair("seldon-mesh", "iris-partial", "mlserver-partial", sklearn, 3, 1, 3, steady(5)))
	partial.modelHPA, partial.serverHPA = nil, nil
	partial.modelMin, partial.partialMin = ptr(int32(1)), true
	partial.initial, partial.modelExtra = 2, 1
	out = append(out, partial)

	// Scaled to zero (2.10): ModelReady False, ModelScaledDown; neutral.
	idle := today(newPair("seldon-mesh", "iris-idle", "mlserver-idle", sklearn, 3, 1, 3, steady(0)))
	idle.modelHPA, idle.serverHPA = nil, nil
	idle.initial = 0
	out = append(out, idle)

	// The Server's own maxReplicas 3 below its HPA's 5: at the peak the operator refuses
	// the HPA's 4 (a terminal error, 2.10).
	capped := today(newPair("seldon-mesh", "iris-capped", "mlserver-capped", sklearn, 3, 1, 5,
		ramp(5, 13, -15*time.Minute, 2*time.Minute, -1)))
	capped.serverMax = ptr(int32(3))
	capped.initial = 2
	capped.hpaPhase = 6 * time.Second
	out = append(out, capped)

	// KEDA owns the Model's HPA; Seldon's scheduler sizes the Server.
	keda := today(newPair("seldon-mesh", "iris-keda", "mlserver-keda", sklearn, 3, 1, 4, steady(5.5)))
	keda.keda, keda.scheduler = true, true
	keda.modelHPA.name = "keda-hpa-iris-keda"
	keda.serverHPA = nil
	keda.initial = 2
	keda.hpaPhase = 9 * time.Second
	out = append(out, keda)

	// KEDA paused at 2 (autoscaling.keda.sh/paused-replicas) during maintenance: the load
	// would ask for 3, the HPA is held and nothing should call it at max or overdue.
	paused := today(newPair("seldon-mesh", "iris-keda-paused", "mlserver-keda-paused", sklearn, 3, 2, 2, steady(7.6)))
	paused.keda, paused.scheduler, paused.kedaPaused = true, true, ptr(int32(2))
	paused.modelHPA.name = "keda-hpa-iris-keda-paused"
	paused.serverHPA = nil
	paused.initial = 2
	paused.hpaPhase = 11 * time.Second
	out = append(out, paused)

	// A healthy twin pair, as the docs have it, on Seldon 2.10.
	ok := today(newPair("seldon-mesh", "churn-xgb", "mlserver-churn", xgboost, 4, 1, 4, steady(6.8)))
	ok.initial = 2
	ok.hpaPhase = 5 * time.Second
	out = append(out, ok)
	return out
}
