package traffic

import (
	"os"
	"testing"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
)

func TestMain(m *testing.M) {
	code := kubetest.Main(m)
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}
