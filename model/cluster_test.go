package model

import "testing"

func TestClusterKeyRoundTrip(t *testing.T) {
	for _, tc := range []struct{ cluster, own string }{
		{"", "seldon/iris"},
		{"a", "seldon/iris"},
		{"arn:aws:eks:eu-west-1:123:cluster/prod", "seldon/hpa:iris-hpa"},
		{"ns/api-example-com:6443/admin", "seldon/server:mlserver"},
	} {
		key := ClusterKey(tc.cluster, tc.own)
		c, own := SplitClusterKey(key)
		if c != tc.cluster || own != tc.own {
			t.Errorf("SplitClusterKey(%q) = %q, %q; want %q, %q", key, c, own, tc.cluster, tc.own)
		}
	}
	if c, own := SplitClusterKey("nokey"); c != "" || own != "nokey" {
		t.Errorf("SplitClusterKey(nokey) = %q, %q", c, own)
	}
}
