package traffic

import (
	"os"
	"testing"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/traffic/traffictest"
)

func TestMain(m *testing.M) {
	code := kubetest.Main(m)
	traffictest.RemoveShared()
	os.Exit(code)
}
