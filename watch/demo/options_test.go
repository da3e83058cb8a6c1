package demo

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestFlags(t *testing.T) {
	o := DefaultOptions()
	fs := pflag.NewFlagSet("twinscale", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--demo-scenario", "drift", "--demo-pairs", "5", "--demo-speed", "4", "--seed", "7"}); err != nil {
		t.Fatal(err)
	}
	if o.Scenario != ScenarioDrift || o.Pairs != 5 || o.Speed != 4 || o.Seed != 7 {
		t.Fatalf("parsed %+v", o)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidateSaysWhatIsWrong(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"unknown scenario", func(o *Options) { o.Scenario = "chaos" }, `unknown scenario "chaos"`},
		{"negative pairs", func(o *Options) { o.Pairs = -1 }, "--demo-pairs -1 is out of range"},
		{"too many pairs", func(o *Options) { o.Pairs = MaxPairs + 1 }, "--demo-pairs"},
		{"zero speed", func(o *Options) { o.Speed = 0 }, "--demo-speed 0 is out of range"},
		{"NaN speed", func(o *Options) { o.Speed = math.NaN() }, "--demo-speed NaN"},
		{"huge speed", func(o *Options) { o.Speed = 1e9 }, "--demo-speed"},
		{"negative history", func(o *Options) { o.History = -time.Second }, "history"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions()
			tt.mod(&o)
			err := o.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestPairsTrimsOrExtendsTheScenario(t *testing.T) {
	for _, n := range []int{1, 3, 25} {
		c := newCluster(t, ScenarioMixed, 1, func(o *Options) { o.Pairs = n; o.History = 0 })
		if len(c.pairs) != n {
			t.Fatalf("--demo-pairs %d gave %d pairs", n, len(c.pairs))
		}
	}
}

func TestRunFollowsTheWallClockTimesSpeed(t *testing.T) {
	c := newCluster(t, ScenarioRamp, 1, func(o *Options) { o.Speed = 200; o.Tick = 5 * time.Millisecond; o.History = 0 })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for c.Now().Sub(c.Start()) < 20*time.Second {
		if time.Now().After(deadline) {
			t.Fatalf("virtual clock at %v after 30s of wall time at speed 200", c.Now().Sub(c.Start()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
