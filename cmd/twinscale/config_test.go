package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinscale/twinscale/watch/prom"
)

// TestBadConfigFile: every broken --config is one line naming file:line and exit 5,
// before anything is contacted.
func TestBadConfigFile(t *testing.T) {
	isolate(t)
	cases := []struct {
		file string
		want string
	}{
		{"unknown-field.yaml", `unknown-field.yaml:5: context prod: unknown field "rate_windw"`},
		{"bad-duration.yaml", `bad-duration.yaml:5: context prod: rate_window "soon": want a duration such as 2m`},
		{"url-and-service.yaml", `url-and-service.yaml:2: context prod: prometheus: give exactly one of url and service`},
		{"syntax.yaml", `syntax.yaml:3: did not find expected`},
		{"bad-label.yaml", `bad-label.yaml:2: context prod: cluster_label "cluster-name" is not a Prometheus label name`},
		{"missing-http-config.yaml", `missing-http-config.yaml:2: context prod: --prometheus-config ` + filepath.Join("testdata", "config", "missing-http.yaml")},
		{"bad-url.yaml", `bad-url.yaml:2: context prod: --prometheus-url ftp://thanos:9090: want an http:// or https:// URL`},
		{"cluster-without-label.yaml", `cluster-without-label.yaml:2: context prod: prometheus: cluster needs cluster_label`},
		{"unknown-key.yaml", `unknown-key.yaml:1: unknown key "clusters" (want contexts)`},
		{"no-such-file.yaml", `no-such-file.yaml: no such file or directory`},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", "config", c.file)
			r := runWith(t, &rootOptions{}, "snapshot", "--config", path)
			if r.code != exitPrometheus || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q\nwant exit %d and %q", r.code, r.stderr, exitPrometheus, c.want)
			}
			if !strings.HasPrefix(r.stderr, "twinscale: config "+path) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want one line starting \"twinscale: config %s\", got %q", path, r.stderr)
			}
		})
	}
}

// TestConfigMapsContextsToTheirPrometheus reads the three-cluster example: listed
// contexts get their own endpoint and cluster label value, others keep the flags.
func TestConfigMapsContextsToTheirPrometheus(t *testing.T) {
	c, err := loadConfig(filepath.Join("testdata", "config", "good.yaml"), true)
	if err != nil {
		t.Fatal(err)
	}
	flags := prom.DefaultOptions()
	flags.URL, flags.PollInterval = "http://flags:9090", 5*time.Second
	eu, ok := c.promFor("prod-eu", flags)
	if !ok || eu.URL != "http://thanos-query.example:9090" || eu.ClusterLabel != "cluster" || eu.Cluster != "eu-1" || eu.PollInterval != 5*time.Second {
		t.Errorf("prod-eu: %+v", eu)
	}
	us, _ := c.promFor("prod-us", flags)
	if us.Cluster != "prod-us" {
		t.Errorf("prod-us: cluster %q, want the context name", us.Cluster)
	}
	st, _ := c.promFor("staging", flags)
	if st.URL != "" || st.Service != "monitoring/prometheus-operated:9090" || st.RateWindow != 5*time.Minute || st.ClusterLabel != "" {
		t.Errorf("staging: %+v", st)
	}
	other, ok := c.promFor("dev", flags)
	if ok || other.URL != "http://flags:9090" {
		t.Errorf("an unlisted context must use the flags: %+v", other)
	}
	if q, err := eu.RPSQuery(nil); err != nil || !strings.Contains(q, `sum by (cluster, namespace, model)`) || !strings.Contains(q, `cluster=~"eu-1"`) {
		t.Errorf("prod-eu query %q, %v", q, err)
	}
}

// TestMissingDefaultConfigIsFine: without --config, no file is no config.
func TestMissingDefaultConfigIsFine(t *testing.T) {
	isolate(t)
	code, _, errOut := runCLI(t, "snapshot", "--snapshot-file", fixture)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
