package traffictest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// shared holds the recordings made by Shared, one per story, seed and length, for the life
// of the test binary: a recording takes seconds to make and many tests read it.
var shared struct {
	sync.Mutex
	dir  string
	made map[string]*sharedRec
}

type sharedRec struct {
	once sync.Once
	path string
	err  error
}

// Shared returns the path of a recording of the demo scenario with the seed over d, made on
// first use and kept until RemoveShared.
func Shared(t testing.TB, scenario string, seed uint64, d time.Duration) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d-%s.rec", scenario, seed, d)
	shared.Lock()
	if shared.made == nil {
		shared.made = map[string]*sharedRec{}
	}
	r, ok := shared.made[name]
	if !ok {
		r = &sharedRec{}
		shared.made[name] = r
	}
	if shared.dir == "" {
		dir, err := os.MkdirTemp("", "twinscale-traffictest-")
		if err != nil {
			shared.Unlock()
			t.Fatalf("shared recording: %v", err)
		}
		shared.dir = dir
	}
	dir := shared.dir
	shared.Unlock()
	r.once.Do(func() {
		r.path = filepath.Join(dir, name)
		r.err = RecordDemo(r.path, scenario, seed, d)
	})
	if r.err != nil {
		t.Fatalf("shared recording %s: %v", name, r.err)
	}
	return r.path
}

// RemoveShared deletes the recordings made by Shared; TestMain calls it after the tests.
func RemoveShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	shared.dir, shared.made = "", nil
}
