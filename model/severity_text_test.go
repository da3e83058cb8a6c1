package model

import (
	"encoding/json"
	"testing"
)

// TestHealthJSON: health is a word in JSON like a finding's severity, and old numeric files still load.
func TestHealthJSON(t *testing.T) {
	b, err := json.Marshal(struct{ H Health }{Warning})
	if err != nil || string(b) != `{"H":"warning"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	for in, want := range map[string]Health{`"critical"`: Critical, `1`: Converging, `"healthy"`: Healthy} {
		var h Health
		if err := json.Unmarshal([]byte(in), &h); err != nil || h != want {
			t.Errorf("unmarshal %s = %v %v, want %v", in, h, err, want)
		}
	}
	var h Health
	if err := json.Unmarshal([]byte(`"fine"`), &h); err == nil {
		t.Error("unknown health accepted")
	}
}
