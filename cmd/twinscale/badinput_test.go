package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"

	"github.com/twinscale/twinscale/watch/kube/kubetest"
	"github.com/twinscale/twinscale/watch/prom/promtest"
)

// TestBadInputExitCodes gives twinscale each kind of bad input: every one is a single
// line on stderr and its own exit code, before the dashboard starts (the dashboard would
// fail differently here: there is no terminal).
func TestBadInputExitCodes(t *testing.T) {
	dir := isolate(t)
	const token = "kube-token-do-not-show-3141"
	const password = "prom-password-do-not-show-2718"
	unreachable := kubetest.WriteKubeconfig(t, &rest.Config{Host: "https://" + promtest.FreeAddr(t)}, "envtest", "default", token)
	hang := kubetest.NewProxy(t, promtest.FreeAddr(t))
	hang.Hang(time.Hour)
	hanging := kubetest.WriteKubeconfig(t, &rest.Config{Host: "https://" + hang.Addr}, "envtest", "default", token)
	broken := filepath.Join(dir, "broken-kubeconfig")
	writeFile(t, broken, "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: "+token+"\n   nested: [wrong\n")
	env := kubetest.Shared(t)
	rejected := kubetest.WriteKubeconfig(t, &rest.Config{Host: env.Config.Host, TLSClientConfig: rest.TLSClientConfig{CAData: env.Config.CAData}},
		"envtest", "default", token)
	promConfig := filepath.Join(dir, "prometheus.yml")
	writeFile(t, promConfig, "basic_auth:\n  username: twinscale\n  password: "+password+"\nbearer_token: "+password+"\n")
	themeDir := filepath.Join(dir, "twinscale", "themes")
	if err := os.MkdirAll(themeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(themeDir, "broken.yaml"), "base: dark\ncolors:\n  accent: not-a-colour\n")
	prom := []string{"--prometheus-url", "http://127.0.0.1:9"}
	noContexts := filepath.Join(dir, "no-contexts")
	writeFile(t, noContexts, "apiVersion: v1\nkind: Config\ncontexts: []\n")

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invalid flag", []string{"snapshot", "--poll-interval", "soon"}, exitError, `invalid argument "soon" for "--poll-interval"`},
		{"unknown flag", []string{"--frobnicate"}, exitError, "unknown flag: --frobnicate"},
		{"no kubeconfig", []string{"snapshot"}, exitKubeconfig, "no kubeconfig found"},
		{"kubeconfig without contexts", []string{"snapshot", "--kubeconfig", noContexts}, exitKubeconfig,
			"the kubeconfig file " + noContexts + " has no contexts"},
		{"kubeconfig without contexts, --all-contexts", []string{"--kubeconfig", noContexts, "--all-contexts"}, exitKubeconfig,
			"--all-contexts: the kubeconfig file " + noContexts + " has no contexts"},
		{"missing kubeconfig file", []string{"snapshot", "--kubeconfig", filepath.Join(dir, "nope")}, exitKubeconfig, "kubeconfig:"},
		{"broken kubeconfig", []string{"snapshot", "--kubeconfig", broken}, exitKubeconfig, "kubeconfig:"},
		{"unknown context", []string{"snapshot", "--kubeconfig", unreachable, "--context", "prod"}, exitKubeconfig,
			`kubeconfig: context "prod" not found; contexts: envtest`},
		{"unknown context, dashboard", []string{"--kubeconfig", unreachable, "--context", "prod"}, exitKubeconfig, `context "prod" not found`},
		{"credentials rejected", []string{"snapshot", "--kubeconfig", rejected}, exitKubeconfig, "rejected the kubeconfig's credentials (401 Unauthorized)"},
		{"unreachable server", []string{"snapshot", "--kubeconfig", unreachable}, exitCluster,
			"cannot reach the Kubernetes API server at https://127.0.0.1:"},
		{"unreachable server, dashboard", []string{"--kubeconfig", unreachable}, exitCluster, "connection refused"},
		{"hanging server", []string{"--kubeconfig", hanging, "--request-timeout", "1s"}, exitCluster, "no answer within 1s"},
		{"bad --query template", append([]string{"snapshot", "--query", "sum(rate(x[{{.Window}]))"}, prom...), exitPrometheus, "--query"},
		{"bad --prometheus-url", []string{"snapshot", "--prometheus-url", "ftp://prometheus:9090"}, exitPrometheus, "want an http:// or https:// URL"},
		{"bad --prometheus-config", append([]string{"snapshot", "--prometheus-config", promConfig}, prom...), exitPrometheus, "--prometheus-config " + promConfig},
		{"bad theme file", []string{"--theme", "broken", "--kubeconfig", unreachable}, exitTheme, "broken.yaml:3"},
	}
	codes := map[int]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			began := time.Now()
			r := runWith(t, &rootOptions{}, c.args...)
			codes[r.code] = true
			t.Logf("exit %d: %s", r.code, r.stderr)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q\nwant exit %d and %q", r.code, r.stderr, c.code, c.want)
			}
			if !strings.HasPrefix(r.stderr, "twinscale: ") || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("want one line starting \"twinscale: \", got %q", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			for _, secret := range []string{token, password} {
				if strings.Contains(r.stderr+r.log, secret) {
					t.Errorf("a credential leaked:\nstderr %q\nlog %s", r.stderr, r.log)
				}
			}
			if d := time.Since(began); d > 15*time.Second {
				t.Errorf("took %v to fail: it must fail fast", d)
			}
		})
	}
	for _, code := range []int{exitError, exitKubeconfig, exitCluster, exitPrometheus, exitTheme} {
		if !codes[code] {
			t.Errorf("no case exits %d", code)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
