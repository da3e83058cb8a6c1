package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Scenario names, as --demo-scenario spells them.
const (
	ScenarioMixed     = "mixed"
	ScenarioRamp      = "ramp"
	ScenarioSpike     = "spike"
	ScenarioBlueGreen = "blue-green"
	ScenarioDrift     = "drift"
	ScenarioMany      = "many"
	// ScenarioSeldon is today's Seldon (2.9-2.11): the scheduler fighting a Server HPA,
	// partial scheduling, scale to zero, a terminal scaling spec, a KEDA-owned HPA and a
	// broken metrics APIService.
	ScenarioSeldon = "seldon"
	// ScenarioLaggedRamp is a ramp whose Model HPA waits before it scales up while its
	// Server's HPA adds a pod per three minutes: the story of the what-if README section.
	ScenarioLaggedRamp = "lagged-ramp"
)

// Scenarios lists every scenario name in the order help text shows them.
var Scenarios = []string{ScenarioMixed, ScenarioRamp, ScenarioSpike, ScenarioBlueGreen, ScenarioDrift, ScenarioMany, ScenarioSeldon, ScenarioLaggedRamp}

// MaxPairs bounds --demo-pairs so a typo cannot exhaust memory.
const MaxPairs = 5000

// MaxSpeed bounds --demo-speed; beyond it one wall-clock tick covers minutes.
const MaxSpeed = 1000

// Options configures the simulated cluster.
type Options struct {
	// Scenario picks the story (see Scenarios); empty means mixed.
	Scenario string
	// Pairs is the number of Model/Server pairs; 0 means the scenario's own count.
	Pairs int
	// Speed multiplies the virtual clock against the wall clock in Run.
	Speed float64
	// Seed makes the noise, start delays and phases reproducible.
	Seed uint64
	// Start is the virtual time at which the story begins (the dashboard opens);
	// zero means the wall clock at New, truncated to the second.
	Start time.Time
	// History is how much virtual time is simulated before Start, so that metrics
	// history, HPA state and events already exist when the dashboard opens.
	History time.Duration
	// Tick is the wall-clock interval at which Run advances the virtual clock.
	Tick time.Duration
	// MaxEvents caps the core/v1 Events kept in the fake clientset (oldest deleted).
	MaxEvents int
}

// DefaultOptions returns the options `twinscale --demo` runs with.
func DefaultOptions() Options {
	return Options{
		Scenario:  ScenarioMixed,
		Speed:     1,
		Seed:      1,
		History:   30 * time.Minute,
		Tick:      100 * time.Millisecond,
		MaxEvents: 400,
	}
}

// AddFlags registers --demo-scenario, --demo-pairs, --demo-speed and --seed.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Scenario, "demo-scenario", o.Scenario,
		"demo story: "+strings.Join(Scenarios, ", "))
	fs.IntVar(&o.Pairs, "demo-pairs", o.Pairs,
		"number of Model/Server pairs in the demo (0: the scenario's own number)")
	fs.Float64Var(&o.Speed, "demo-speed", o.Speed,
		"demo time acceleration (2 runs the simulated cluster twice as fast as the wall clock)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed,
		"demo random seed: the same seed tells the same story")
}

// Validate reports the first unusable option in words a user can act on; call it after
// parsing flags (New also validates, after filling zero fields with defaults).
func (o *Options) Validate() error {
	if o.Scenario != "" && !slices.Contains(Scenarios, o.Scenario) {
		return fmt.Errorf("demo: unknown scenario %q (choose one of %s)", o.Scenario, strings.Join(Scenarios, ", "))
	}
	if o.Pairs < 0 || o.Pairs > MaxPairs {
		return fmt.Errorf("demo: --demo-pairs %d is out of range (0 to %d)", o.Pairs, MaxPairs)
	}
	if !(o.Speed > 0 && o.Speed <= MaxSpeed) { // also rejects NaN
		return fmt.Errorf("demo: --demo-speed %v is out of range (above 0, at most %d)", o.Speed, MaxSpeed)
	}
	if o.History < 0 || o.History > 24*time.Hour {
		return fmt.Errorf("demo: history %v is out of range (0 to 24h)", o.History)
	}
	if o.Tick < 0 {
		return fmt.Errorf("demo: tick %v must not be negative", o.Tick)
	}
	if o.MaxEvents < 0 {
		return fmt.Errorf("demo: max events %d must not be negative", o.MaxEvents)
	}
	return nil
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Scenario == "" {
		o.Scenario = d.Scenario
	}
	if o.Speed == 0 {
		o.Speed = d.Speed
	}
	if o.Tick == 0 {
		o.Tick = d.Tick
	}
	if o.MaxEvents == 0 {
		o.MaxEvents = d.MaxEvents
	}
	if o.Start.IsZero() {
		o.Start = time.Now().Truncate(time.Second)
	}
	return o
}
