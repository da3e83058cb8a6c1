// Command demorecord records a demo story the way `twinscale --demo --record` does, on the
// demo's virtual clock in lockstep (one-second steps), so the recording is the same every
// run and takes seconds, not the story's length: go run ./hack/demorecord -o ramp.rec -scenario ramp -for 20m
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/twinscale/twinscale/watch/traffic/traffictest"
)

func main() {
	out := flag.String("o", "demo.rec", "recording file to write")
	scenario := flag.String("scenario", "mixed", "demo scenario")
	seed := flag.Uint64("seed", 7, "demo seed")
	span := flag.Duration("for", 20*time.Minute, "virtual time to record")
	flag.Parse()
	if err := traffictest.RecordDemo(*out, *scenario, *seed, *span); err != nil {
		fmt.Fprintln(os.Stderr, "demorecord:", err)
		os.Exit(1)
	}
}
